"""How many gold talks of a topical list question reach the model at all: `bench/list_recall.py --out F`.

A topical "which talks / how many talks" question (one the record scan does not answer,
app/retrieval/record_terms.py) is answered by the model choosing among the talks retrieval hands it,
so the recall of its list can be no higher than the share of gold talks among them. For every
counting and multi_talk question of the chosen sets with no literal condition, this writes: the gold
talks, the talks handed over (the shipped retriever and cut, ``Service.retrieval_only``), how many
gold talks are among them, and each gold talk's rank in the hybrid ranking; the totals give recall
among the handed-over talks and recall@K of the ranking (K = 5 … 40), and, with ``--cross-encoder``,
recall@K when the cross-encoder reorders the hybrid top 40 by each talk's best sentence logit.
No generation; the embedding model and the cross-encoder only. It uses the data dir of the settings
(``TALKQA_DATA_DIR``): ingest first. Run it on seen sets only: it reads the gold talks of every question.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.config import RerankSettings, Settings  # noqa: E402
from app.retrieval.record_terms import record_condition  # noqa: E402
from app.retrieval.relevance import judge_talks  # noqa: E402
from app.service import Service  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from eval.dataset import QUESTION_SETS, attach_gold, load_questions  # noqa: E402

CUTS = (5, 10, 20, 40)
#: Talks of the hybrid ranking the cross-encoder reorders.
POOL = 40


def cross_encoder_order(retriever, catalog, question: str) -> list[str]:
    """The hybrid top ``POOL`` talks reordered by the cross-encoder's best sentence logit for each."""
    ranked = retriever.rank_talks(question)[:POOL]
    catalog.fetch([e.talk_id for e in ranked])
    talks = [catalog.by_id[e.talk_id] for e in ranked]
    judged = judge_talks(question, ranked, talks, retriever.store.embeddings, retriever.reranker, RerankSettings())
    return [j.talk.id for j in sorted(judged, key=lambda j: -max(j.logits.values(), default=float("-inf")))]


def recall_at(rows: list[dict], key: str) -> dict[str, float]:
    """Share of all gold talks within the first K of ``key``'s ranks, per K."""
    gold = sum(r["gold"] for r in rows)
    return {str(k): round(sum(sum(1 for x in r[key] if x <= k) for r in rows) / gold, 3) for k in CUTS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=sorted(QUESTION_SETS), required=True)
    parser.add_argument("--cross-encoder", action="store_true", help="also the cross-encoder's order of the hybrid top 40")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    service = Service(Settings())
    retriever = service.retriever()
    catalog = retriever.latest_catalog()
    rows = []
    for name in args.sets:
        questions = [q for path in QUESTION_SETS[name] for q in load_questions(path) if q.type in ("counting", "multi_talk")]
        attach_gold(questions, catalog)
        for q in (q for q in questions if record_condition(q.question) is None):
            gold = set(q.gold_talks)
            handed = [s.talk.id for s in service.retrieval_only(q.question).sources]
            ranking = [t.talk_id for t in retriever.rank_talks(q.question)]
            row = {"set": name, "id": q.id, "type": q.type, "gold": len(gold), "handed_over": len(handed),
                   "gold_handed_over": len(gold & set(handed)),
                   "hybrid_ranks": sorted(ranking.index(g) + 1 if g in ranking else 999 for g in gold)}
            if args.cross_encoder:
                order = cross_encoder_order(retriever, catalog, q.question)
                row["cross_encoder_ranks"] = sorted(order.index(g) + 1 if g in order else 999 for g in gold)
            rows.append(row)
    totals = {"questions": len(rows), "gold": sum(r["gold"] for r in rows),
              "gold_handed_over": sum(r["gold_handed_over"] for r in rows),
              "mean_handed_over": round(sum(r["handed_over"] for r in rows) / max(len(rows), 1), 2),
              "hybrid_recall_at": recall_at(rows, "hybrid_ranks")}
    totals["recall_handed_over"] = round(totals["gold_handed_over"] / max(totals["gold"], 1), 3)
    if args.cross_encoder:
        totals["cross_encoder_recall_at"] = recall_at(rows, "cross_encoder_ranks")
    write_result(args.out, {"sets": args.sets, "totals": totals, "questions": rows})
    print(json.dumps(totals, indent=1))


if __name__ == "__main__":
    main()
