"""Where each question falls against the relevance floor: the cross-encoder logit that declines without the model.

Usage (no generation; ingest first, ``TALKQA_DATA_DIR`` as for `talkqa ask`):
    .venv/bin/python bench/relevance_floor.py --sets held-out-18 --out docs/results/relevance-floor-DATE.json

Every question without a conversation history of the chosen sets goes through the shipped retriever once. Per
question it records ``logit`` (the question's relevance, the best cross-encoder logit of the first talks: what
``rerank.abstain_threshold`` is compared with, app/answer/context.py) and ``dense`` (the best dense cosine of the
first five talks); per set, how many answerable and unanswerable questions fall below each of a few floors. A
question below the shipped floor is declined "The talks in this collection don't cover this." without the model.

``--answer-from LOW`` (under the CPU lock: it generates) then asks every question whose logit lies in [LOW, shipped
floor) again, end to end, with the floor lowered to LOW: what the model would say to the questions the floor declines
today. Per question: declined or not, the gold talks cited, key facts by words (eval/metrics.py) and the answer.
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
from bench.followups import row  # noqa: E402
from eval import metrics as M  # noqa: E402
from eval.answers import answer_record  # noqa: E402
from eval.dataset import QUESTION_SETS, attach_gold, load_questions  # noqa: E402

FLOORS = (-6.5, -7.0, -8.0, -9.0, -10.0)


def answer_band(questions: list, service: Service, low: float) -> list[dict]:
    """Each question answered by our chain twice: with the shipped floor (``declined_at_floor``: a list read off the
    records is answered before the floor is consulted, so not every question below it is declined), then with the
    floor at ``low``, where the floor declines none of them (the rest of the row). Both chains share the index, the
    embeddings and the loaded chat model."""
    attach_gold(questions, service.store.catalog())
    llm = service.chat_model()
    shipped = service.answer_chain(llm=llm)
    at_floor = {q.id: answer_record("ours", shipped, q)["abstained"] for q in questions}
    rerank = service.settings.rerank.model_copy(update={"abstain_threshold": low})
    lowered = Service(service.settings.model_copy(update={"rerank": rerank}), store=service.store).answer_chain(llm=llm)
    out = []
    for q in questions:
        record = answer_record("ours", lowered, q)
        out.append({"id": q.id, "type": q.type, "answerable": q.answerable, "declined_at_floor": at_floor[q.id],
                    "declined": record["abstained"], "gold_cited": row(q, record, 0.0)["gold_cited"],
                    "key_facts_by_words": M.key_fact_coverage(q.key_facts, record["answer"], record["abstained"], M.states_by_words)
                    if q.answerable else None, "answer": record["answer"]})
        print(q.id, "declined" if out[-1]["declined"] else "answered", file=sys.stderr)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=sorted(QUESTION_SETS), required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--answer-from", type=float, metavar="LOW", help="answer the questions in [LOW, floor) end to end")
    args = parser.parse_args()
    settings = Settings()
    service = Service(settings)
    retriever = service.retriever()
    rows, asked = [], {}
    for name in args.sets:
        for path in QUESTION_SETS[name]:
            for q in load_questions(path):
                if q.history:
                    continue
                docs = retriever.invoke(q.question)
                asked[q.id] = q
                rows.append({"set": name, "id": q.id, "type": q.type, "answerable": q.answerable,
                             "logit": round(float(docs[0].metadata.get("question_relevance", -20.0)), 3) if docs else -20.0,
                             "dense": round(max((float(d.metadata.get("dense", 0.0)) for d in docs[:5]), default=0.0), 4)})
    below = {name: {str(floor): {kind: sum(r["logit"] < floor for r in rows if r["set"] == name and r["answerable"] == answerable)
                                 for kind, answerable in (("answerable", True), ("unanswerable", False))}
                    for floor in FLOORS} for name in args.sets}
    counts = {name: {"answerable": sum(r["answerable"] for r in rows if r["set"] == name),
                     "unanswerable": sum(not r["answerable"] for r in rows if r["set"] == name)} for name in args.sets}
    result = {"shipped_floor": settings.rerank.abstain_threshold, "questions": counts, "below": below, "rows": rows}
    if args.answer_from is not None:
        band = [asked[r["id"]] for r in rows if args.answer_from <= r["logit"] < settings.rerank.abstain_threshold]
        result["answered_from"] = args.answer_from
        result["band"] = answer_band(band, service, args.answer_from)
    write_result(args.out, result)
    for name in args.sets:
        print(name, counts[name], below[name])


if __name__ == "__main__":
    main()
