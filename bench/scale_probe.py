"""In-process search timings for bench/scale.py, run in a fresh process against one code tree and data dir.

Prints one JSON object: the time to build the service and answer the first
query (index open, lexical index, models), then p50/p95 over ``QUERIES`` of
``Service.retrieval_only`` (what ``talkqa search`` does: retrieval, the
cross-encoder, sentence selection), of the retriever alone, and of its
hybrid ranking alone (query embedding, Chroma's dense search, BM25, fusion:
the part that could grow with the corpus), wall and CPU time, and this
process's peak RSS. The code under test comes from
PYTHONPATH (bench/scale.py points it at the tree it measures), settings from
TALKQA_* variables.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time

QUERIES = [
    "phase transitions in neural networks", "neural tangent kernel", "lottery ticket hypothesis",
    "graph neural network positional encodings", "tropical geometry of deep networks", "mean field games reinforcement learning",
    "stochastic gradient descent convergence", "implicit regularization of gradient descent", "transformers in-context learning",
    "optimal transport and generative models", "sharpness and generalization", "language models and the brain",
    "diffusion models score matching", "kernel methods in high dimensions", "Q-learning two timescale",
    "feature learning two-layer networks", "random matrix theory of deep learning", "equivariant networks symmetry",
    "interpretability of computation", "sparse recovery compressed sensing",
]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    from app.core.config import Settings
    from app.service import Service

    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    started = time.perf_counter()
    service = Service(Settings())
    service.retrieval_only(QUERIES[0])
    first = time.perf_counter() - started
    retriever = service.retriever()
    full, bare, cpu, rank, rank_cpu = [], [], [], [], []
    for _ in range(rounds):
        for q in QUERIES:
            t, c = time.perf_counter(), time.process_time()
            service.retrieval_only(q)
            full.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            t = time.perf_counter()
            retriever.invoke(q)
            bare.append((time.perf_counter() - t) * 1000)
            t, c = time.perf_counter(), time.process_time()
            retriever.rank_talks(q)  # dense + BM25 + fusion: the part that could grow with the corpus
            rank.append((time.perf_counter() - t) * 1000)
            rank_cpu.append((time.process_time() - c) * 1000)
    print(json.dumps({
        "first_query_s": round(first, 3),
        "search_p50_ms": round(statistics.median(full), 1), "search_p95_ms": round(pct(full, 0.95), 1),
        "search_cpu_p50_ms": round(statistics.median(cpu), 1),
        "retriever_p50_ms": round(statistics.median(bare), 1), "retriever_p95_ms": round(pct(bare, 0.95), 1),
        "hybrid_p50_ms": round(statistics.median(rank), 1), "hybrid_p95_ms": round(pct(rank, 0.95), 1),
        "hybrid_cpu_p50_ms": round(statistics.median(rank_cpu), 1),
        "queries": len(full),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }))


if __name__ == "__main__":
    main()
