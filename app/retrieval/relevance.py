"""Relevance judged by the cross-encoder, where a ranking decides something.

The hybrid retriever (app/retrieval/retriever.py) ranks talks well but its scores do
not say whether a talk *answers* the question, only that it shares words and
topic with it. The cross-encoder (app/models/reranker.py) says that, at a cost
per (query, text) pair. So, once a question:

1. every candidate talk (the first ``rerank.candidates`` talks handed over) is split into
   sentences (abstract, then notes), and each sentence gets a cheap score:
   cosine similarity with the query (sentence vectors come from the embedding
   cache after first use) plus a bonus for the query's content words;
2. each talk's best ``rerank.sentences_per_talk`` sentences by that cheap score
   go to the cross-encoder, all talks in one batch;
3. a talk's relevance is its best sentence's logit.

What the logits then decide (measured in bench/retrieval.py, docs/benchmarks.md):

* abstention: ``abstain_score``, the best logit of the first talks; below
  ``rerank.abstain_threshold`` the collection does not answer;
* the sentences of each talk handed to the model (scored ones first, by logit);
* optionally (``rerank.cut = "logit"``; it lost on the dev questions), the talks
  kept and their order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from langchain_core.embeddings import Embeddings

from app.core.config import RerankSettings
from app.core.talk import Talk
from app.core.text import content_words, split_sentences
from app.retrieval.fusion import RankedTalk


def talk_sentences(talk: Talk) -> list[str]:
    """A talk's sentences as the prompt may quote them: the abstract's, then the notes'."""
    return split_sentences(talk.abstract) + [s for note in talk.notes for s in split_sentences(note)]


def cheap_scores(query_vector: np.ndarray, vectors: np.ndarray, sentences: list[str], query_terms: set[str]) -> np.ndarray:
    """Cosine similarity plus a small bonus for sharing the query's content words (no model run)."""
    if not sentences:
        return np.zeros(0, dtype=np.float32)
    overlap = np.array([len(query_terms & content_words(s)) / (len(query_terms) or 1) for s in sentences], dtype=np.float32)
    return vectors @ query_vector + 0.3 * overlap


@dataclass
class JudgedTalk:
    """One candidate talk with its sentences, their cheap scores and the cross-encoder logits of the best ones."""

    talk: Talk
    entry: RankedTalk | None  # the talk in the retriever's fused ranking; None: judged outside it (``talk_relevances``)
    sentences: list[str]
    cheap: np.ndarray
    logits: dict[int, float] = field(default_factory=dict)  # sentence index -> logit

    @property
    def relevance(self) -> float:
        """The best sentence's logit (−inf when nothing was scored)."""
        return max(self.logits.values(), default=float("-inf"))

    def sentence_order(self) -> list[int]:
        """Sentence indices, most relevant first: judged ones by logit, then the rest by cheap score."""
        judged = sorted(self.logits, key=lambda i: -self.logits[i])
        rest = [int(i) for i in np.argsort(-self.cheap, kind="stable") if int(i) not in self.logits]
        return judged + rest


def judge_talks(
    query: str,
    entries: list[RankedTalk] | list[None],
    talks: list[Talk],
    embeddings: Embeddings,
    reranker,
    settings: RerankSettings,
) -> list[JudgedTalk]:
    """Cross-encoder relevance of each candidate talk, through its best sentences (one batch)."""
    pools = [talk_sentences(t) or [t.abstract] for t in talks]
    unique = list(dict.fromkeys(s for pool in pools for s in pool))
    query_vector = np.asarray(embeddings.embed_query(query), dtype=np.float32)
    vectors = dict(zip(unique, np.asarray(embeddings.embed_documents(unique), dtype=np.float32))) if unique else {}
    terms = content_words(query)
    judged, pairs = [], []
    for talk, entry, pool in zip(talks, entries, pools):
        cheap = cheap_scores(query_vector, np.stack([vectors[s] for s in pool]), pool, terms)
        item = JudgedTalk(talk=talk, entry=entry, sentences=pool, cheap=cheap)
        for i in np.argsort(-cheap, kind="stable")[: settings.sentences_per_talk]:
            pairs.append((len(judged), int(i)))
        judged.append(item)
    texts = list(dict.fromkeys(judged[t].sentences[i] for t, i in pairs))
    logits = dict(zip(texts, reranker.score(query, texts).tolist()))
    for t, i in pairs:
        judged[t].logits[i] = logits[judged[t].sentences[i]]
    return judged


def talk_relevances(query: str, talks: list[Talk], embeddings: Embeddings, reranker, settings: RerankSettings) -> list[float]:
    """Each talk's relevance as ``judge_talks`` reads it, for talks judged after retrieval (a list's talks beyond the
    first ``candidates``: app/answer/list_floor.py)."""
    return [j.relevance for j in judge_talks(query, [None] * len(talks), talks, embeddings, reranker, settings)]


def abstain_score(judged: list[JudgedTalk], settings: RerankSettings) -> float:
    """How strongly the collection answers the question: best logit (+ weight × best dense cosine) of the first talks."""
    top = judged[: settings.abstain_talks]
    if not top:
        return float("-inf")
    best_logit = max(j.relevance for j in top)
    best_dense = max(j.entry.dense for j in top)
    return best_logit + settings.dense_weight * best_dense


def order_talks(judged: list[JudgedTalk], settings: RerankSettings) -> list[JudgedTalk]:
    """The candidates in the order answers use: "hybrid" keeps the retriever's, "fused" adds the logits' rank.

    Fused: reciprocal rank fusion of the hybrid rank and the cross-encoder rank
    (ties keep the hybrid order).
    """
    if settings.order != "fused":
        return list(judged)
    by_logit = sorted(range(len(judged)), key=lambda i: -judged[i].relevance)
    ce_rank = {i: r for r, i in enumerate(by_logit)}
    k = settings.rrf_k
    fused = {i: 1 / (k + i + 1) + 1 / (k + ce_rank[i] + 1) for i in range(len(judged))}
    return [judged[i] for i in sorted(range(len(judged)), key=lambda i: (-fused[i], i))]


def cut_talks(judged: list[JudgedTalk], k: int, max_k: int, open_ended: bool, settings: RerankSettings) -> list[JudgedTalk]:
    """Which of the ordered candidates go to the model.

    Open-ended questions keep every talk whose logit is at least ``keep_logit``
    (up to ``max_k``; at least the best one). Other questions keep the top k
    but drop talks whose logit is below ``drop_logit``: noise the model would try to use.
    """
    if not judged:
        return []
    if open_ended:
        keep = [j for j in judged if j.relevance >= settings.keep_logit][:max_k]
        return keep or judged[:1]
    top = judged[:k]
    kept = [j for j in top if j.relevance >= settings.drop_logit]
    return kept or top[:1]


def cheap_orders(query: str, pools: list[list[str]], embeddings: Embeddings) -> list[list[int]]:
    """Each pool's sentence indices by cheap score, best first."""
    query_vector = np.asarray(embeddings.embed_query(query), dtype=np.float32)
    unique = list(dict.fromkeys(s for pool in pools for s in pool))
    vectors = dict(zip(unique, np.asarray(embeddings.embed_documents(unique), dtype=np.float32))) if unique else {}
    terms = content_words(query)
    orders = []
    for pool in pools:
        if not pool:
            orders.append([])
            continue
        cheap = cheap_scores(query_vector, np.stack([vectors[s] for s in pool]), pool, terms)
        orders.append([int(i) for i in np.argsort(-cheap, kind="stable")])
    return orders
