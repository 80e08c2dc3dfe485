"""Follow-ups and comparisons with the embedded model: which talks each answer cites and was given.

Usage (under the CPU lock): flock /tmp/talkqa-cpu.lock .venv/bin/python bench/followups.py \
    --questions eval/data/questions-dev-v3.jsonl --type follow_up --out bench/out/followups.json

Each question is answered by our chain as the evaluation answers it (eval/answers.py: a
follow-up's earlier turns first, with the same history the chat keeps). Per question: the
gold talks, whether the answer cites them and whether they were in its context, the query
it was searched for, and the answer text. Only our chain (no baseline, no judge): it is the
quick before/after of issue #23's follow-ups and comparisons, not the evaluation.

``--retrieval-only`` runs without the chat model (no lock needed): each earlier turn "cites" every talk
retrieved for it, best first, and the follow-up's sources are what retrieval (and reference resolution)
give it; ``gold_first`` says whether its source [1] is a gold talk. A proxy for the resolution and
pinning alone, not for answers.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.answer.turns import Turn  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.index.store import TalkStore  # noqa: E402
from app.models.embeddings import cached_embeddings  # noqa: E402
from app.service import Service  # noqa: E402
from bench.provenance import provenance  # noqa: E402
from eval.answers import answer_record  # noqa: E402
from eval.dataset import attach_gold, load_questions  # noqa: E402


def row(q, record: dict, seconds: float) -> dict:
    by_n = {p["n"]: p["talk_id"] for p in record["passages"]}
    cited = [by_n[n] for n in record["cited"] if n in by_n]
    context = [p["talk_id"] for p in record["passages"]]
    return {
        "id": q.id, "question": q.question, "history": q.history, "gold": q.gold_talks,
        "gold_cited": not record["abstained"] and all(g in cited for g in q.gold_talks),
        "gold_first_cited": bool(cited) and cited[0] in q.gold_talks,
        "gold_in_context": all(g in context for g in q.gold_talks),
        "abstained": record["abstained"], "query": record.get("query"), "cited": cited,
        "answer": record["answer"], "seconds": round(seconds, 1),
        "sentences": [{"text": x["text"], "talks": [by_n[n] for n in x["citations"] if n in by_n]} for x in record["sentences"]],
    }


def retrieval_row(q, chain) -> dict:
    """The follow-up's sources without a model, its earlier turns citing every talk retrieved for them."""
    history: list = []
    for earlier in q.history:
        sources = chain.invoke(earlier, history).sources
        history += [Turn.user(earlier), Turn("assistant", "", tuple(s.talk.id for s in sources))]
    answer = chain.invoke(q.question, history)
    context = [s.talk.id for s in answer.sources]
    return {"id": q.id, "question": q.question, "gold": q.gold_talks, "query": answer.query, "context": context,
            "gold_first": bool(context) and context[0] in q.gold_talks, "gold_in_context": all(g in context for g in q.gold_talks)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--type", required=True, help="the question type to answer (follow_up, comparison, ...)")
    parser.add_argument("--ids", help="comma-separated question ids (default: every question of --type)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--retrieval-only", action="store_true", help="no chat model: the proxy described above")
    args = parser.parse_args()
    settings = Settings()
    store = TalkStore(settings, cached_embeddings(settings))
    wanted = set(args.ids.split(",")) if args.ids else None
    questions = [q for q in load_questions(args.questions) if q.type == args.type and (wanted is None or q.id in wanted)]
    if not questions:
        parser.error(f"no question of type {args.type!r} in {args.questions}")
    attach_gold(questions, store.catalog())
    if args.retrieval_only:
        chain = Service(settings, store=store).answer_chain(llm=None)
        rows = [retrieval_row(q, chain) for q in questions]
        summary = {key: sum(r[key] for r in rows) for key in ("gold_first", "gold_in_context")}
        args.out.write_text(json.dumps({**provenance(), "questions": len(rows), "summary": summary, "rows": rows}, indent=1) + "\n")
        print(json.dumps(summary))
        return
    chain = Service(settings, store=store).answer_chain()
    rows: list[dict] = []
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for q in questions:  # the artefact is rewritten after each question: a run cut short keeps what it answered
        started = time.perf_counter()
        rows.append(row(q, answer_record("ours", chain, q), time.perf_counter() - started))
        print(json.dumps({k: rows[-1][k] for k in ("id", "gold_cited", "gold_in_context", "seconds")}), file=sys.stderr)
        summary = {key: sum(r[key] for r in rows) for key in ("gold_cited", "gold_first_cited", "gold_in_context", "abstained")}
        args.out.write_text(json.dumps({**provenance(), "questions": len(rows), "of": len(questions), "summary": summary,
                                        "rows": rows}, indent=1) + "\n")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
