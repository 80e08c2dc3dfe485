"""Hybrid retrieval of talks: dense (Chroma) + BM25 (bm25s), fused, grouped by talk.

A LangChain ``BaseRetriever``: ``invoke(query)`` returns one ``Document`` per
talk, best first, whose metadata carries the talk id, the fused score, the
dense similarity of its best chunk and which retrievers found it. A talk's
duplicate occurrences are one talk already (ingest merged them), and its
chunks collapse into it here.

Fusion is reciprocal rank fusion over chunk ranks by default (``retrieval.fusion``;
bench/retrieval.py compares it with a weighted sum of scores and with each
retriever alone on the dev questions: see docs/benchmarks.md). Scores
that mean something on their own (dense cosine similarity, BM25 presence)
decide how many talks an open-ended question gets ("Which talks ...?":
keep talks while their relevance stays near the best, up to ``max_k``) and
feed the abstention decision.

With a cross-encoder (``reranker``, app/models/reranker.py), the top
``rerank.candidates`` talks are judged through their best sentences
(app/retrieval/relevance.py): the logits decide the cut (and, if configured, the order),
and each returned document carries its sentence order and the question's
relevance score for the answer chain (context selection and abstention).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from app.core.config import RerankSettings, RetrievalSettings
from app.index.lexical import LexicalIndex
from app.index.live_talks import LiveTalks
from app.retrieval.question_kinds import is_open_ended
from app.retrieval.relevance import abstain_score, cut_talks, judge_talks, order_talks
from app.index.store import TalkStore


@dataclass
class ChunkHit:
    doc: Document
    dense: float = 0.0  # cosine similarity, 0 when the dense retriever did not return it
    bm25: float = 0.0
    fused: float = 0.0


@dataclass
class _Pinned:
    """What the retriever reads: the live index, its saved lexical index, its talk records."""

    talks: LiveTalks
    lexical: LexicalIndex


class _Current:
    """The pinned state, shared by a retriever and its ``model_copy``s (one per ``k``), followed to new generations."""

    def __init__(self, store: TalkStore):
        self.store = store
        self.lock = threading.Lock()
        self.pinned = self._pin(None)

    def _pin(self, previous: _Pinned | None) -> _Pinned:
        live = self.store.live()  # no usable index: IndexStateError here, before any model loads
        # The records already read stay readable (a question in flight on another thread may still look up
        # a talk the new generation dropped); ids are content hashes, so a cached record is that talk.
        talks = LiveTalks(self.store, live, inherit=previous.talks if previous else None)
        return _Pinned(talks, self.store.lexical_index(live))

    def get(self) -> _Pinned:
        """The pinned state, re-pinned when an ingest has committed another generation since (a few metadata reads)."""
        pinned = self.pinned
        if self.store.live_stamp() != (pinned.talks.live.base, pinned.talks.generation):
            with self.lock:
                if self.store.live_stamp() != (self.pinned.talks.live.base, self.pinned.talks.generation):
                    self.pinned = self._pin(self.pinned)
                pinned = self.pinned
        return pinned


class TalkRetriever(BaseRetriever):
    """Dense + BM25 over chunks, fused and grouped into talks.

    Nothing here is O(corpus) per process or per question: the BM25 index is
    the one ingest saved (memory-mapped), dense search is Chroma's HNSW, and
    only the chunks and talk records of the candidates are read from Chroma.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: TalkStore
    settings: RetrievalSettings
    k: int | None = None  # overrides settings.k (e.g. --k)
    #: The cross-encoder (``CrossEncoderReranker``) and its settings; None: hybrid scores only.
    reranker: Any = None
    rerank: RerankSettings | None = None
    _current: _Current = PrivateAttr()

    def model_post_init(self, __context) -> None:
        self._current = _Current(self.store)

    @property
    def catalog(self) -> LiveTalks:
        """The live talks: records fetched by id as needed (``.talks`` loads them all, for whole-corpus features).

        The generation the last question was answered from: each question checks for a newer one (``rank_talks``).
        """
        return self._current.pinned.talks

    def latest_catalog(self) -> LiveTalks:
        """The live talks of the newest committed generation (the talk browser; a question re-pins by itself)."""
        return self._current.get().talks

    @property
    def lexical(self) -> LexicalIndex:
        return self._current.pinned.lexical

    # ----------------------------------------------------------- the two retrievers

    def _dense(self, query: str, n: int, size: int) -> list[ChunkHit]:
        if not size:
            return []
        hits = self.store.vectorstore.similarity_search_with_score(query, k=min(n, size))
        return [ChunkHit(doc=doc, dense=1.0 - float(distance)) for doc, distance in hits]

    @staticmethod
    def _lexical(query: str, n: int, lexical: LexicalIndex) -> list[ChunkHit]:
        return [ChunkHit(doc=doc, bm25=score) for doc, score in lexical.search(query, n)]

    # ----------------------------------------------------------- fusion and grouping

    def rank_talks(self, query: str) -> list[dict]:
        """Every candidate talk with its scores, best first (before the top-k cut)."""
        pinned = self._current.get()
        n = self.settings.candidates
        fusion = self.settings.fusion
        dense = self._dense(query, n, pinned.lexical.size) if fusion != "bm25" else []
        lexical = self._lexical(query, n, pinned.lexical) if fusion != "dense" else []
        top_bm25 = max((h.bm25 for h in lexical), default=0.0) or 1.0
        merged: dict[str, ChunkHit] = {}
        for ranked in (dense, lexical):
            for rank, hit in enumerate(ranked):
                entry = merged.setdefault(hit.doc.id, ChunkHit(doc=hit.doc))
                entry.dense = max(entry.dense, hit.dense)
                entry.bm25 = max(entry.bm25, hit.bm25)
                if fusion == "weighted":  # scores, not ranks: cosine and BM25 relative to the best hit
                    entry.fused += hit.dense + hit.bm25 / top_bm25
                else:
                    entry.fused += 1.0 / (self.settings.rrf_k + rank + 1)
        talks: dict[str, dict] = {}
        for hit in merged.values():
            talk_id = hit.doc.metadata["talk_id"]
            entry = talks.setdefault(talk_id, {"talk_id": talk_id, "score": 0.0, "dense": 0.0, "bm25": 0.0, "chunks": []})
            entry["score"] = max(entry["score"], hit.fused)
            entry["dense"] = max(entry["dense"], hit.dense)
            entry["bm25"] = max(entry["bm25"], hit.bm25 / top_bm25)
            entry["chunks"].append(hit.doc)
        # Only talks of the pinned generation (a chunk of a talk an ingest is adding or removing is not one).
        live = [t for t in talks.values() if pinned.lexical.has_talk(t["talk_id"])]
        return sorted(live, key=lambda t: t["score"], reverse=True)

    def select(self, ranked: list[dict], query: str) -> list[dict]:
        """The top-k talks; for an open-ended question, every talk whose relevance holds, up to max_k."""
        k = self.k or self.settings.k
        if not ranked:
            return []
        relevance = [0.5 * t["dense"] + 0.5 * t["bm25"] for t in ranked]
        best = max(relevance)
        if not is_open_ended(query):
            # A talk far below the best one is noise the model would try to use.
            return [t for t, r in zip(ranked[:k], relevance) if r >= self.settings.closed_cut * best]
        keep = [t for t, r in zip(ranked, relevance) if r >= self.settings.relative_cut * best]
        return keep[: self.settings.max_k] if len(keep) > k else ranked[: max(k, len(keep))]

    def judged_select(self, ranked: list[dict], query: str) -> list[tuple[dict, dict]]:
        """The talks handed over, with what the cross-encoder found: (entry, extra metadata).

        "hybrid" cut: the retriever's own selection, its first ``candidates`` talks judged.
        "logit" cut: the hybrid top ``candidates`` judged, and the logits choose among them.
        """
        settings = self.rerank or RerankSettings()
        if settings.cut == "hybrid":
            selected = self.select(ranked, query)
            top = selected[: settings.candidates]
        else:
            selected = top = ranked[: settings.candidates]
        if not top:
            return []
        self.catalog.fetch([e["talk_id"] for e in selected + top])  # one read for every record used below
        talks = [self.catalog.by_id[e["talk_id"]] for e in top]
        judged = judge_talks(query, top, talks, self.store.embeddings, self.reranker, settings)
        score = round(abstain_score(judged, settings), 4)
        if settings.cut == "logit":
            judged = cut_talks(order_talks(judged, settings), self.k or self.settings.k, self.settings.max_k, is_open_ended(query), settings)
        by_id = {j.talk.id: j for j in judged}
        out = []
        for entry in selected if settings.cut == "hybrid" else [j.entry for j in judged]:
            extra: dict = {"question_relevance": score}
            if entry["talk_id"] in by_id:  # talks beyond ``candidates`` keep the cheap sentence order
                j = by_id[entry["talk_id"]]
                extra.update(relevance=round(j.relevance, 4), sentence_order=j.sentence_order())
            out.append((entry, extra))
        return out

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        ranked = self.rank_talks(query)
        if self.reranker is not None:
            selected = self.judged_select(ranked, query)
        else:
            selected = [(entry, {}) for entry in self.select(ranked, query)]
        docs = []
        self.catalog.fetch([entry["talk_id"] for entry, _ in selected])  # the records of the talks returned, one read
        by_id = self.catalog.by_id
        for entry, extra in selected:
            talk = by_id[entry["talk_id"]]
            docs.append(
                Document(
                    id=talk.id,
                    page_content=talk.abstract,
                    metadata={
                        "talk_id": talk.id,
                        "score": round(entry["score"], 5),
                        "dense": round(entry["dense"], 4),
                        "bm25": round(entry["bm25"], 4),
                        "chunks": [c.page_content for c in entry["chunks"]],
                        **extra,
                    },
                )
            )
        return docs

