"""Where each question falls against the relevance floor: the cross-encoder logit that declines without the model.

Usage (no generation; ingest first, ``TALKQA_DATA_DIR`` as for `talkqa ask`):
    .venv/bin/python bench/relevance_floor.py --sets held-out-18 --out docs/results/relevance-floor-DATE.json

Every question without a conversation history of the chosen sets goes through the shipped retriever once. Per
question it records ``logit`` (the question's relevance, the best cross-encoder logit of the first talks: what
``rerank.abstain_threshold`` is compared with, app/answer/context.py) and ``dense`` (the best dense cosine of the
first five talks); per set, how many answerable and unanswerable questions fall below each of a few floors. A
question below the shipped floor is declined "The talks in this collection don't cover this." without the model.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.config import Settings  # noqa: E402
from app.service import Service  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from eval.dataset import QUESTION_SETS, load_questions  # noqa: E402

FLOORS = (-6.5, -7.0, -8.0, -9.0, -10.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=sorted(QUESTION_SETS), required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    settings = Settings()
    retriever = Service(settings).retriever()
    rows = []
    for name in args.sets:
        for path in QUESTION_SETS[name]:
            for q in load_questions(path):
                if q.history:
                    continue
                docs = retriever.invoke(q.question)
                rows.append({"set": name, "id": q.id, "type": q.type, "answerable": q.answerable,
                             "logit": round(float(docs[0].metadata.get("question_relevance", -20.0)), 3) if docs else -20.0,
                             "dense": round(max((float(d.metadata.get("dense", 0.0)) for d in docs[:5]), default=0.0), 4)})
    below = {name: {str(floor): {kind: sum(r["logit"] < floor for r in rows if r["set"] == name and r["answerable"] == answerable)
                                 for kind, answerable in (("answerable", True), ("unanswerable", False))}
                    for floor in FLOORS} for name in args.sets}
    counts = {name: {"answerable": sum(r["answerable"] for r in rows if r["set"] == name),
                     "unanswerable": sum(not r["answerable"] for r in rows if r["set"] == name)} for name in args.sets}
    write_result(args.out, {"shipped_floor": settings.rerank.abstain_threshold, "questions": counts, "below": below, "rows": rows})
    for name in args.sets:
        print(name, counts[name], below[name])


if __name__ == "__main__":
    main()
