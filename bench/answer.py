"""Benchmark answering: retrieval latency, and first-token / total time with the embedded model.

Usage: .venv/bin/python bench/answer.py [--questions N] [--model qwen-1.5b|smollm2-135m]

Ingests the seed into a fresh data dir under bench/out/ (if needed), then
1. retrieval p50/p95 in-process over every dev question (eval/data/questions.jsonl),
   the retriever alone (dense + BM25 + fusion) and with context selection;
2. the first N answerable dev questions through the embedded model: first token,
   total time, prompt tokens, share of answer sentences with a valid citation.
A benchmark, not a test: figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.answer.state import AnswerState  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.models.embeddings import cached_embeddings  # noqa: E402
from app.service import Service  # noqa: E402
from app.index.store import TalkStore  # noqa: E402
from ingest.indexer import ingest  # noqa: E402


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--model", default="qwen-1.5b")
    args = parser.parse_args()

    settings = Settings(_env_file=None, data_dir=ROOT / "bench" / "out" / "data")
    settings.llm.backend = "local"
    settings.llm.local_model = args.model
    store = TalkStore(settings, cached_embeddings(settings))
    ingest(settings, store)
    questions = [json.loads(line) for line in (ROOT / "eval" / "data" / "questions.jsonl").read_text().splitlines() if line.strip()]

    service = Service(settings, store=store)
    chain = service.answer_chain(llm=None)
    for q in questions[:5]:  # warm-up: sentence embeddings into the cache
        chain.prepare().invoke(AnswerState.start(q["question"]))
    retrieve, prepare = [], []
    for q in questions:
        started = time.perf_counter()
        chain.retriever.invoke(q["question"])
        retrieve.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        chain.prepare().invoke(AnswerState.start(q["question"]))
        prepare.append((time.perf_counter() - started) * 1000)
    print(f"retrieval over {len(questions)} questions: p50 {pct(retrieve, 50):.1f} ms, p95 {pct(retrieve, 95):.1f} ms")
    print(f"retrieval + context selection: p50 {pct(prepare, 50):.1f} ms, p95 {pct(prepare, 95):.1f} ms")
    preview = [chain.ask(q["question"]).result().timings["preview_ms"] for q in questions]
    print(f"extractive preview ready (question -> quotes): p50 {pct(preview, 50):.1f} ms, p95 {pct(preview, 95):.1f} ms")

    load = time.perf_counter()
    chain = service.answer_chain()
    print(f"model load ({args.model}): {time.perf_counter() - load:.1f} s")
    answerable = [q for q in questions if q["type"] != "unanswerable"][: args.questions]
    rows = []
    for q in answerable:
        answer = chain.invoke(q["question"])
        cited = sum(1 for s in answer.sentences if s.citations)
        rows.append(
            {
                "id": q["id"],
                "first_token_s": (answer.timings.get("first_token_ms") or answer.timings["total_ms"]) / 1000,
                "total_s": answer.timings["total_ms"] / 1000,
                "prompt_tokens": answer.prompt_tokens,
                "sentences": len(answer.sentences),
                "cited": cited,
                "abstained": answer.abstained,
            }
        )
        r = rows[-1]
        print(f"  {q['id']}: first token {r['first_token_s']:.1f} s, total {r['total_s']:.1f} s, "
              f"{r['prompt_tokens']} prompt tokens, {cited}/{len(answer.sentences)} sentences cited"
              + (" (abstained)" if answer.abstained else ""))
    sentences = sum(r["sentences"] for r in rows)
    print(
        f"{len(rows)} answers: first token median {statistics.median(r['first_token_s'] for r in rows):.1f} s "
        f"(max {max(r['first_token_s'] for r in rows):.1f}), total median {statistics.median(r['total_s'] for r in rows):.1f} s "
        f"(max {max(r['total_s'] for r in rows):.1f}), prompt tokens median {statistics.median(r['prompt_tokens'] for r in rows):.0f}, "
        f"sentences with a valid citation {sum(r['cited'] for r in rows)}/{sentences}, abstained {sum(r['abstained'] for r in rows)}"
    )


if __name__ == "__main__":
    main()
