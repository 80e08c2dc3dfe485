"""What the record look does (app/answer/record_look.py): named record questions, asked end to end with the shipped chain.

Usage (under the CPU lock: it generates; ingest first, ``TALKQA_DATA_DIR`` as for `talkqa ask`):
    .venv/bin/python bench/record_look.py --sets held-out-23 held-out-28 --ids ev025 fa019 ... --out docs/results/record-look-DATE.json

The questions are named (``--ids``), not found: a record question reaches the reading only when the model declines it,
and finding those means answering every question of a set, so the ids come from stored evaluation runs and
``--selection`` records how they were picked. Per question: its first source's relevance, whether the reading ran (the
model's reply was the abstention word for word), whether it recognised source [1], declined or not in the end, the gold
talks cited and key facts by words (``bench.restate.graded``).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.config import Settings  # noqa: E402
from app.service import Service  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from bench.restate import answered_counts, chosen_questions_parser, graded, one_turn_questions  # noqa: E402


def ask(q, chain) -> dict:
    """One question end to end, as a row of the result."""
    a = chain.invoke(q.question)
    return {"id": q.id, "type": q.type, "answerable": q.answerable, "relevance": round(a.sources[0].relevance, 3) if a.sources else None,
            "read": "record_look_ms" in a.timings, "recognised": a.recognised, "read_ms": a.timings.get("record_look_ms"), **graded(q, a)}


def main() -> None:
    parser = chosen_questions_parser(__doc__.splitlines()[0])
    args = parser.parse_args()
    service = Service(Settings())
    chain, rows = service.answer_chain(), []
    for name, q in one_turn_questions(service, args.sets, args.ids):
        rows.append({"set": name, **ask(q, chain)})
        print(name, q.id, rows[-1]["read"], rows[-1]["recognised"], "declined" if rows[-1]["declined"] else "answered", file=sys.stderr)
    read = [r for r in rows if r["read"]]
    summary = {"read": {"answerable": sum(r["answerable"] for r in read), "unanswerable": sum(not r["answerable"] for r in read)},
               "answered_after_reading": answered_counts([r for r in read if not r["declined"]])}
    write_result(args.out, {"selection": args.selection, "ids_not_found": sorted(set(args.ids) - {r["id"] for r in rows}), "asked": len(rows),
                            **summary, "rows": rows})
    print(summary)


if __name__ == "__main__":
    main()
