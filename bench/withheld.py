"""What the support check withholds (app/answer/unsupported.py), end to end, for the kinds of question it was not chosen on.

Usage (under the CPU lock: it generates; ingest first, ``TALKQA_DATA_DIR`` as for `talkqa ask`):
    .venv/bin/python bench/withheld.py --sets dev held-out ... --types yes_no comparison multi_talk --limit 15 \
        --out docs/results/withheld-DATE.json

The check was chosen on stored answers to factual, conceptual, record and unanswerable questions. This asks the first
``--limit`` questions of each of ``--types`` (in set order; a follow-up after its earlier turns, as the eval asks it)
once with the shipped chain: the check runs inside it, and what it left out is in the answer's warnings, so one generation shows both sides. Per question: declined or not,
the gold talks cited and key facts by words of the answer shown (``bench.restate.graded``), the warnings' kinds, and,
when the whole answer was withheld, its text and the key facts by words it had.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.config import Settings  # noqa: E402
from app.service import Service  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from bench.restate import graded, one_turn_questions  # noqa: E402
from eval import metrics as M  # noqa: E402
from eval.answers import asked_as_a_user  # noqa: E402
from eval.dataset import QUESTION_SETS  # noqa: E402


def row(name: str, q, chain) -> dict:
    """One question end to end: the answer graded, and what the check left out of it."""
    a = asked_as_a_user("ours", chain, q)
    withheld = next((w.text for w in a.warnings if w.kind == "unsupported_answer"), None)
    draft_facts = (M.key_fact_coverage(q.key_facts, withheld, False, M.states_by_words)
                   if withheld is not None and q.answerable else None)
    return {"set": name, "id": q.id, "type": q.type, "answerable": q.answerable, **graded(q, a),
            "warnings": [w.kind for w in a.warnings], "withheld": withheld, "withheld_key_facts_by_words": draft_facts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=sorted(QUESTION_SETS), required=True)
    parser.add_argument("--types", nargs="+", required=True)
    parser.add_argument("--limit", type=int, default=15, help="questions of each type (the first, in set order)")
    parser.add_argument("--skip", type=int, default=0, help="of each type, the first this many are passed over")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    service = Service(Settings())
    chain = service.answer_chain()
    taken, rows = Counter(), []
    for name, q in one_turn_questions(service, args.sets, conversations=True):
        if q.type not in args.types or taken[q.type] >= args.limit + args.skip:
            continue
        taken[q.type] += 1
        if taken[q.type] <= args.skip:
            continue
        rows.append(row(name, q, chain))
        print(name, q.id, q.type, rows[-1]["warnings"], file=sys.stderr)
    summary = {t: {"asked": sum(1 for r in rows if r["type"] == t),
                   "withheld": sum(1 for r in rows if r["type"] == t and r["withheld"] is not None),
                   "withheld_with_key_fact": sum(1 for r in rows if r["type"] == t and r["withheld_key_facts_by_words"]),
                   "number_dropped": sum(1 for r in rows if r["type"] == t and "unsourced_number" in r["warnings"])}
               for t in args.types}
    write_result(args.out, {"types": args.types, "limit": args.limit, "skip": args.skip, "summary": summary, "rows": rows})
    print(summary)


if __name__ == "__main__":
    main()
