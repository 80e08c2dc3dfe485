"""Comparison sides, retrieval only: how much each side's cross-encoder logit should weigh (``rerank.side_weight``).

Usage (no chat model; a data dir with the seed ingested):
    .venv/bin/python bench/side_weight.py --out docs/results/side-weight-sweep-2026-12-08.json

Every seen two-talk comparison whose two subjects are read (app/retrieval/subjects.py), once each across the
question sets: each side searched for on its own as the chain does, each candidate talk judged by the cross-encoder on
its side's own words, then the pair ``side_talks`` picks at each weight. The questions are split in two halves by a
hash of their id: the weight is chosen on half 0 and half 1 reports it (both printed by one run, so half 1 is no blind
check: every question here was seen).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.answer.pinning import side_logits, side_talks  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.retrieval.subjects import read_subjects  # noqa: E402
from app.service import Service  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from eval.dataset import QUESTION_SETS, attach_gold, load_questions  # noqa: E402

WEIGHTS = (0.0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 1.0)


def comparisons(catalog) -> list:
    """Each seen one-turn comparison with two gold talks and read subjects, once."""
    seen, out = set(), []
    for paths in QUESTION_SETS.values():
        for q in (q for path in paths for q in load_questions(path)):
            if q.id in seen or q.history or q.type != "comparison" or read_subjects(q.question) is None:
                continue
            seen.add(q.id)
            attach_gold([q], catalog)
            if len(q.gold_talks) == 2:
                out.append(q)
    return out


def half(question_id: str) -> int:
    return int(hashlib.sha1(question_id.encode()).hexdigest(), 16) % 2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    chain = Service(Settings()).answer_chain(llm=None)
    rows = []
    for q in comparisons(chain.catalog):
        subjects = read_subjects(q.question)
        whole = chain.hits(q.question, {})
        per_side = [chain.hits(subjects.query(i), {}) for i in range(2)]
        judged = side_logits(per_side, subjects, chain.retriever.talk_relevances)
        picks = {str(w): [h.talk.id for h in side_talks(per_side, whole, judged, w) or ()] for w in WEIGHTS}
        rows.append({"id": q.id, "half": half(q.id), "gold": q.gold_talks,
                     "right": {w: pick == q.gold_talks for w, pick in picks.items()}})
    summary = {f"half {h}": {"questions": sum(r["half"] == h for r in rows),
                             "in order": {str(w): sum(r["right"][str(w)] for r in rows if r["half"] == h) for w in WEIGHTS}}
               for h in (0, 1)}
    write_result(args.out, {"summary": summary, "rows": rows})
    print(summary)


if __name__ == "__main__":
    main()
