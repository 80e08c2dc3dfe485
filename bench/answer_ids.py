"""Chosen seen questions answered end to end by this checkout's code, for a paired before/after of one change.

Usage (under the CPU lock: it generates; ``TALKQA_DATA_DIR`` as for `talkqa ask`). Run it once from each checkout,
the file copied into the older one if it lacks it, with the same arguments:
    .venv/bin/python bench/answer_ids.py --sets dev held-out ... --ids q024 fd008 ... --selection "why these" \
        --out docs/results/NAME-before-DATE.json

Each question is asked as a user would ask it (a follow-up after its earlier turns, as `talkqa eval` does), and
graded as the other answer benches grade (``bench.restate.graded``: declined or not, gold talks cited, key facts by
words). A change's effect is the difference between the two files' rows; the totals are in each file.
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
from eval.answers import asked_as_a_user  # noqa: E402


def main() -> None:
    parser = chosen_questions_parser(__doc__.splitlines()[0])
    args = parser.parse_args()
    service = Service(Settings())
    chain, rows = service.answer_chain(), []
    for name, q in one_turn_questions(service, args.sets, args.ids, conversations=True):
        rows.append({"set": name, "id": q.id, "type": q.type, "answerable": q.answerable,
                     **graded(q, asked_as_a_user("ours", chain, q))})
        print(name, q.id, "declined" if rows[-1]["declined"] else "answered", rows[-1]["key_facts_by_words"], file=sys.stderr)
    answerable = [r for r in rows if r["answerable"]]
    write_result(args.out, {"selection": args.selection, "ids_not_found": sorted(set(args.ids) - {r["id"] for r in rows}),
                            "asked": len(rows), "declined": {"answerable": sum(r["declined"] for r in answerable),
                                                             "unanswerable": sum(r["declined"] for r in rows if not r["answerable"])},
                            "key_facts_by_words_sum": round(sum(r["key_facts_by_words"] or 0 for r in answerable), 3),
                            "answered": answered_counts([r for r in rows if not r["declined"]]), "rows": rows})


if __name__ == "__main__":
    main()
