"""Retrieval choices measured on the dev questions (eval/data/questions.jsonl), no LLM.

Usage: .venv/bin/python bench/retrieval.py [--table models|latency|fusion] [--latency-questions N] [--out FILE.json]

``--table models`` (default; bench/rerank.py): MiniLM vs bge-small, without and
with the cross-encoder over N = 10/20/40 candidates, talk- and sentence-level,
abstention ROC AUC and latency (``--latency-questions 0``: the quality columns only, which do not
depend on the machine's load). ``--table latency``: only the latency columns of the shipped
and no-cross-encoder paths (a quick re-run on an idle machine). ``--table fusion``: the table below.

Fusion table variants: fusion (rrf, weighted, dense only, bm25 only) and notes as chunks
of their own or not. For each: talk-level recall@5, MRR and nDCG@10 over the
ranking, context recall (gold talks among the talks handed to the model) and
the mean number of talks handed over, overall and for the question types the
variant should matter to. Also retrieval latency p50/p95 in-process.

Every table is also written as JSON with its provenance (bench/provenance.py) to ``--out``
(default bench/out/retrieval-<table>.json; a doc's artefact goes under docs/results/).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.config import Settings  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from app.models.embeddings import MiniLMEmbeddings, cached_embeddings  # noqa: E402
from app.retrieval.retriever import TalkRetriever  # noqa: E402
from app.index.store import TalkStore  # noqa: E402
from eval import metrics as M  # noqa: E402
from eval.dataset import attach_gold, load_questions  # noqa: E402
from ingest.indexer import ingest  # noqa: E402

TYPES = ("speaker_bio", "link_reference", "multi_talk")


def measure(retriever: TalkRetriever, questions) -> dict:
    rows, times = [], []
    for q in questions:
        if not q.gold_talks:
            continue
        started = time.perf_counter()
        ranked = retriever.rank_talks(q.question)
        context = [t.talk_id for t in retriever.select(ranked, q.question)]
        times.append((time.perf_counter() - started) * 1000)
        ranking = [t.talk_id for t in ranked]
        rows.append(
            {
                "type": q.type,
                "recall@5": M.recall_at_k(ranking, q.gold_talks, 5),
                "mrr": M.reciprocal_rank(ranking, q.gold_talks),
                "ndcg@10": M.ndcg_at_k(ranking, q.gold_talks, 10),
                "context_recall": M.recall_at_k(context, q.gold_talks, len(context)) if context else 0.0,
                "talks": len(context),
            }
        )
    out = {"all": {k: statistics.mean(r[k] for r in rows) for k in ("recall@5", "mrr", "ndcg@10", "context_recall", "talks")}}
    for t in TYPES:
        sub = [r for r in rows if r["type"] == t]
        out[t] = {k: statistics.mean(r[k] for r in sub) for k in ("recall@5", "mrr", "context_recall", "talks")}
    times.sort()
    out["latency"] = {"p50": times[len(times) // 2], "p95": times[int(0.95 * (len(times) - 1))]}
    return out


def fusion_table(out: Path) -> None:
    model = MiniLMEmbeddings()
    questions = load_questions()
    results = {}
    for notes in (True, False):
        settings = Settings(_env_file=None, data_dir=ROOT / "bench" / "out" / f"retrieval-notes-{notes}")
        settings.chunks.notes_as_chunks = notes
        store = TalkStore(settings, cached_embeddings(settings, model))
        ingest(settings, store)
        qs = attach_gold(load_questions(), store.catalog())
        fusions = ("rrf", "weighted", "dense", "bm25") if notes else ("rrf", "weighted")
        for fusion in fusions:
            settings.retrieval.fusion = fusion
            retriever = TalkRetriever(store=store, settings=settings.retrieval)
            for q in qs[:5]:
                retriever.rank_talks(q.question)  # warm-up
            results[f"fusion={fusion}, notes_as_chunks={notes}"] = measure(retriever, qs)
    print(f"{len(questions)} questions ({sum(1 for q in questions if q.type != 'unanswerable')} with gold talks)")
    header = "| variant | recall@5 | MRR | nDCG@10 | context recall | talks handed over | " + " | ".join(
        f"{t} R@5 / MRR" for t in TYPES) + " | p50 / p95 ms |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for name, r in results.items():
        a = r["all"]
        cells = [f"{a['recall@5']:.3f}", f"{a['mrr']:.3f}", f"{a['ndcg@10']:.3f}", f"{a['context_recall']:.3f}", f"{a['talks']:.1f}"]
        cells += [f"{r[t]['recall@5']:.3f} / {r[t]['mrr']:.3f}" for t in TYPES]
        cells.append(f"{r['latency']['p50']:.1f} / {r['latency']['p95']:.1f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    write_result(out, {"questions": len(questions), "with_gold_talks": sum(1 for q in questions if q.type != "unanswerable"),
                       "variants": results})


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--table", choices=("models", "latency", "fusion"), default="models")
    parser.add_argument("--latency-questions", type=int, default=100)
    parser.add_argument("--out", type=Path, help="the JSON written (default bench/out/retrieval-<table>.json)")
    args = parser.parse_args()
    out = args.out or ROOT / "bench" / "out" / f"retrieval-{args.table}.json"
    if args.table == "fusion":
        fusion_table(out)
    elif args.table == "latency":
        from bench.rerank import latency_table

        latency_table(out, latency_questions=args.latency_questions)
    else:
        from bench.rerank import models_table

        models_table(out, latency_questions=args.latency_questions)


if __name__ == "__main__":
    main()
