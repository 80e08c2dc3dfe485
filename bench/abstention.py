"""Which signal tells "the collection does not answer this" apart from an answerable question? (issue 9)

Usage: .venv/bin/python bench/abstention.py [--out docs/results/abstention-DATE.json]

Every dev question (eval/data/questions.jsonl: 87 answerable, 13 unanswerable)
goes through the shipped retriever once (hybrid ranking, the cross-encoder over
the first talks' best sentences). Per question it records:

* ``logit``: the shipped signal, the best cross-encoder logit of the first 3 talks;
* ``dense``: the best dense cosine of the first 5 talks (the signal before the cross-encoder);
* ``coverage``: the share of the question's words (the BM25 tokenizer's: stemmed,
  stop words out) that occur anywhere in the collection. A question about a
  subject the talks never name ("Kolmogorov-Arnold networks") uses words the
  collection lacks; one written from a talk uses its words.

It prints the ROC AUC of each signal alone and of logistic-regression
combinations, out of sample (leave-one-out: each question scored by a model
fitted on the other 99), so that the combination's figure is not fitted on the
question it reports. No LLM; ~1 minute on 2 idle cores.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.config import Settings  # noqa: E402
from app.service import Service  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from bench.rerank import fit_logistic, loo_scores, roc_auc  # noqa: E402
from eval.dataset import load_questions  # noqa: E402
from ingest.indexer import ingest  # noqa: E402


def coverage(lexical, query: str) -> float:
    """Share of the query's words (the index's tokenizer: stemmed, stop words out) the collection contains."""
    known = lexical.tokenizer.get_vocab_dict()
    fresh = type(lexical.tokenizer)(stopwords=lexical.tokenizer.stopwords, stemmer=lexical.tokenizer.stemmer)
    words = [w for w in fresh.tokenize([query], return_as="tuple", show_progress=False).vocab if w]
    return sum(w in known for w in words) / len(words) if words else 1.0


def loo_auc(x: np.ndarray, y: np.ndarray) -> float:
    """ROC AUC of leave-one-out logistic-regression scores."""
    scores = loo_scores(x, y)
    return roc_auc([s for s, a in zip(scores, y) if a], [s for s, a in zip(scores, y) if not a])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "abstention.json")
    args = parser.parse_args()

    settings = Settings(_env_file=None, data_dir=ROOT / "bench" / "out" / "data")
    service = Service(settings)
    ingest(settings, service.store)
    retriever = service.retriever()
    questions = load_questions(ROOT / "eval" / "data" / "questions.jsonl")
    rows = []
    for q in questions:
        docs = retriever.invoke(q.question)
        rows.append(
            {
                "id": q.id,
                "type": q.type,
                "answerable": q.answerable,
                "logit": float(docs[0].metadata.get("question_relevance", float("-inf"))) if docs else -20.0,
                "dense": max((float(d.metadata.get("dense", 0.0)) for d in docs[:5]), default=0.0),
                "coverage": coverage(retriever.lexical, q.question),
            }
        )
    y = np.array([r["answerable"] for r in rows], dtype=float)
    table = {}
    for name in ("logit", "dense", "coverage"):
        values = [r[name] for r in rows]
        table[name] = roc_auc([v for v, a in zip(values, y) if a], [v for v, a in zip(values, y) if not a])
    for combo in (("logit", "dense"), ("logit", "coverage"), ("logit", "dense", "coverage")):
        x = np.column_stack([[r[c] for r in rows] for c in combo])
        table[" + ".join(combo) + " (LOO)"] = loo_auc(x, y)
    x = np.column_stack([[r["logit"] for r in rows], [r["coverage"] for r in rows]])
    w, b, mean, std = fit_logistic(x, y)
    raw = w / std
    fitted = {"coverage_weight": float(raw[1] / raw[0]), "bias_over_logit_weight": float((b - (raw * mean).sum()) / raw[0])}
    for name, auc in table.items():
        print(f"{name:32s} ROC AUC {auc:.3f}")
    print("logit + w x coverage, fitted on all 100:", json.dumps(fitted))
    for r in sorted(rows, key=lambda r: r["logit"])[:20]:
        print(f"  {r['id']} {r['type']:14s} logit {r['logit']:7.2f} dense {r['dense']:.3f} coverage {r['coverage']:.2f}")
    write_result(args.out, {"questions": len(rows), "answerable": int(y.sum()), "auc": table, "fitted": fitted, "rows": rows})


if __name__ == "__main__":
    main()
