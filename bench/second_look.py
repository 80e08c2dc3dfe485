"""What the second look changes, per threshold (app/answer/second_look.py): questions the model declined, asked again.

Usage (under the CPU lock: it generates; ingest first, ``TALKQA_DATA_DIR`` as for `talkqa ask`):
    .venv/bin/python bench/second_look.py --sets held-out-24 held-out-25 --ids ew014 ex004 ... --out docs/results/second-look-DATE.json

The questions are named (``--ids``), not found: finding every question the model declines means answering every
question of a set (about 20 s each), so the ids come from stored evaluation runs and the relevance bench
(bench/relevance_floor.py); ``--selection`` records how they were picked. Each is asked end to end with
``rerank.second_look_threshold`` at the lowest of ``--thresholds``. Per question: its first source's relevance, whether
the second look ran (the model's reply was the abstention word for word), declined or not after it, the gold talks
cited and key facts by words (``bench.restate.graded``). A question whose relevance is below a higher threshold keeps its
decline there: so ``by_threshold`` gives, for each threshold, how many answerable questions are answered by a second
look (with a key fact, citing the gold talk) and how many unanswerable ones are, from the one run.
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

THRESHOLDS = (-6.0, -5.0, -4.0, -3.5, -3.0, -2.0, -1.0, 0.0)


def ask(q, chain) -> dict:
    """One question end to end, as a row of the result."""
    a = chain.invoke(q.question)
    return {"id": q.id, "type": q.type, "answerable": q.answerable, "relevance": round(a.sources[0].relevance, 3) if a.sources else None,
            "second_look": "second_look_ms" in a.timings, **graded(q, a)}


def by_threshold(rows: list[dict], thresholds) -> dict:
    """Per threshold: the answers a second look gave that it would still give (relevance at or above it)."""
    return {str(t): answered_counts([r for r in rows if r["second_look"] and not r["declined"] and r["relevance"] >= t])
            for t in thresholds}


def main() -> None:
    parser = chosen_questions_parser(__doc__.splitlines()[0])
    parser.add_argument("--thresholds", nargs="+", type=float, default=list(THRESHOLDS))
    args = parser.parse_args()
    base = Settings()
    rerank = base.rerank.model_copy(update={"second_look_threshold": min(args.thresholds)})
    service = Service(base.model_copy(update={"rerank": rerank}))
    chain, rows = service.answer_chain(), []
    for name, q in one_turn_questions(service, args.sets, args.ids):
        rows.append({"set": name, **ask(q, chain)})
        print(name, q.id, rows[-1]["relevance"], rows[-1]["second_look"], "declined" if rows[-1]["declined"] else "answered", file=sys.stderr)
    missing = sorted(set(args.ids) - {r["id"] for r in rows})
    looked = [r for r in rows if r["second_look"]]
    write_result(args.out, {"selection": args.selection, "ids_not_found": missing, "shipped_threshold": base.rerank.second_look_threshold,
                            "asked": len(rows), "second_looks": {"answerable": sum(r["answerable"] for r in looked),
                                                                 "unanswerable": sum(not r["answerable"] for r in looked)},
                            "by_threshold": by_threshold(rows, args.thresholds), "rows": rows})
    print(by_threshold(rows, args.thresholds))


if __name__ == "__main__":
    main()
