"""Rankings that might find more gold talks of a topical list question: `bench/list_ranking_probes.py --out F`.

bench/list_recall.py showed that a topical "which talks / how many talks" list is capped by
retrieval: the hybrid ranking has about two thirds of the gold talks in its top 10. This asks
whether another ranking built from the models the product ships would find more, before any of
them is wired in. Every probe scores every chunk of the live index (not only the 40 each
retriever fetches), so the first row, the shipped scores over all chunks, is the reference:

* ``hybrid``: cosine (MiniLM, the chunk) + BM25 relative to the best hit, a talk's best chunk;
* ``dense`` / ``bm25``: either part alone;
* ``feedback``: the query vector moved towards the mean vector of the hybrid top 5 talks
  (pseudo-relevance feedback, weight 0.5), then + BM25;
* ``sentences``: MiniLM cosine of a talk's best sentence instead of its chunk, + BM25;
* ``chunk_and_sentences``: chunk cosine + best-sentence cosine + BM25;
* ``bge``: bge-small-en-v1.5 (the other shipped embedder) on the chunk, + BM25;
* ``cross_encoder_abstract``: the hybrid top 40 reordered by the cross-encoder on the whole
  record text (bench/list_recall.py reorders by each talk's best sentence).

Output: recall@K (K = 5, 10, 12, 20, 40) of the gold talks per probe, over the counting and
multi_talk questions with no literal condition (app/retrieval/record_terms.py). No generation.
It reads the gold talks: run it on seen sets, or on a blind set for its totals only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.config import Settings  # noqa: E402
from app.models.embeddings import BgeSmallEmbeddings  # noqa: E402
from app.retrieval.record_terms import record_condition  # noqa: E402
from app.service import Service  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from eval.dataset import QUESTION_SETS, attach_gold, load_questions  # noqa: E402

CUTS = (5, 10, 12, 20, 40)
FEEDBACK_TALKS, FEEDBACK_WEIGHT = 5, 0.5
POOL = 40
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass
class ChunkTable:
    """Every chunk of the live generation: its talk, its text and its stored MiniLM vector (unit length)."""

    talk_ids: list[str]
    texts: list[str]
    vectors: np.ndarray

    @property
    def talks(self) -> list[str]:
        return sorted(set(self.talk_ids))


def chunk_table(retriever) -> ChunkTable:
    """The live generation's chunks as stored in Chroma (the vectors ingest wrote)."""
    snapshot = retriever.store.current.snapshot()
    stored = retriever.store.vectorstore_of(snapshot.live.base).get(include=["documents", "metadatas", "embeddings"])
    rows = [i for i, meta in enumerate(stored["metadatas"]) if snapshot.has_talk(meta["talk_id"])]
    vectors = np.array([stored["embeddings"][i] for i in rows], dtype=np.float32)
    return ChunkTable([stored["metadatas"][i]["talk_id"] for i in rows], [stored["documents"][i] for i in rows],
                      vectors / np.linalg.norm(vectors, axis=1, keepdims=True))


def best_per_talk(scores: np.ndarray, owners: list[str], talks: list[str]) -> np.ndarray:
    """A talk's best score among its chunks (or sentences), in ``talks`` order."""
    at = {t: i for i, t in enumerate(talks)}
    out = np.full(len(talks), -1.0)
    for score, owner in zip(scores, owners):
        out[at[owner]] = max(out[at[owner]], score)
    return out


class Probes:
    """The scores of every probe for one question, a talk each, over the whole live generation."""

    def __init__(self, retriever, table: ChunkTable) -> None:
        self.retriever, self.table, self.talks = retriever, table, table.talks
        self.snapshot = retriever.store.current.snapshot()
        self.minilm, self.bge = retriever.store.embeddings, BgeSmallEmbeddings()
        self.sentences = [(s, t) for text, t in zip(table.texts, table.talk_ids) for s in _SENTENCE_END.split(text) if len(s) > 30]
        self.sentence_vectors = np.array(self.minilm.embed_documents([s for s, _ in self.sentences]))
        self.bge_vectors = np.array(self.bge.embed_documents(table.texts))
        row_of = {t: i for i, t in enumerate(self.talks)}
        centroids = np.zeros((len(self.talks), table.vectors.shape[1]), dtype=np.float32)
        for vector, owner in zip(table.vectors, table.talk_ids):
            centroids[row_of[owner]] += vector
        self.centroids = centroids / np.linalg.norm(centroids, axis=1, keepdims=True)

    def _per_talk(self, chunk_scores: np.ndarray) -> np.ndarray:
        return best_per_talk(chunk_scores, self.table.talk_ids, self.talks)

    def _bm25(self, question: str) -> np.ndarray:
        hits = self.snapshot.bm25(question, len(self.table.texts))
        top = max((h.bm25 for h in hits), default=0.0) or 1.0
        at = {t: i for i, t in enumerate(self.talks)}
        out = np.zeros(len(self.talks))
        for hit in hits:
            row = at.get(hit.doc.metadata["talk_id"])
            if row is not None:
                out[row] = max(out[row], hit.bm25 / top)
        return out

    def scores(self, question: str) -> dict[str, np.ndarray]:
        query = np.array(self.minilm.embed_query(question), dtype=np.float32)
        dense, bm25 = self._per_talk(self.table.vectors @ query), self._bm25(question)
        hybrid = dense + bm25
        moved = query + FEEDBACK_WEIGHT * self.centroids[np.argsort(-hybrid)[:FEEDBACK_TALKS]].mean(axis=0)
        moved /= np.linalg.norm(moved)
        sentences = best_per_talk(self.sentence_vectors @ query, [t for _, t in self.sentences], self.talks)
        bge = self._per_talk(self.bge_vectors @ np.array(self.bge.embed_query(question)))
        return {"hybrid": hybrid, "dense": dense, "bm25": bm25, "feedback": self._per_talk(self.table.vectors @ moved) + bm25,
                "sentences": sentences + bm25, "chunk_and_sentences": dense + sentences + bm25, "bge": bge + bm25,
                "cross_encoder_abstract": self._cross_encoder(question, hybrid)}

    def _cross_encoder(self, question: str, hybrid: np.ndarray) -> np.ndarray:
        """The hybrid top ``POOL`` reordered by the cross-encoder on each whole record; the rest below them."""
        top = list(np.argsort(-hybrid)[:POOL])
        catalog = self.retriever.latest_catalog()
        catalog.fetch([self.talks[i] for i in top])
        logits = self.retriever.reranker.score(question, [catalog.by_id[self.talks[i]].text for i in top])
        out = np.full(len(self.talks), -1e9)
        for i, logit in zip(top, logits):
            out[i] = float(logit)
        return out


def ranks_of(scores: np.ndarray, talks: list[str], gold: set[str]) -> list[int]:
    """The 1-based rank of each gold talk under ``scores``."""
    position = {talks[i]: r + 1 for r, i in enumerate(np.argsort(-scores, kind="stable"))}
    return sorted(position.get(g, len(talks) + 1) for g in gold)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=sorted(QUESTION_SETS), required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    retriever = Service(Settings()).retriever()
    catalog = retriever.latest_catalog()
    probes = Probes(retriever, chunk_table(retriever))
    ranks: dict[str, list[list[int]]] = {}
    gold_total = questions = 0
    for name in args.sets:
        rows = [q for path in QUESTION_SETS[name] for q in load_questions(path) if q.type in ("counting", "multi_talk")]
        attach_gold(rows, catalog)
        for q in (q for q in rows if record_condition(q.question) is None):
            gold = set(q.gold_talks)
            gold_total, questions = gold_total + len(gold), questions + 1
            for probe, scores in probes.scores(q.question).items():
                ranks.setdefault(probe, []).append(ranks_of(scores, probes.talks, gold))
    recall = {probe: {str(k): round(sum(sum(1 for r in q if r <= k) for q in per_q) / max(gold_total, 1), 3) for k in CUTS}
              for probe, per_q in ranks.items()}
    write_result(args.out, {"sets": args.sets, "questions": questions, "gold": gold_total, "recall_at": recall})
    print(json.dumps({"questions": questions, "gold": gold_total, "recall_at": recall}, indent=1))


if __name__ == "__main__":
    main()
