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

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from app.core.config import RerankSettings, RetrievalSettings
from app.core.talk import Talk
from app.index.lexical import LexicalIndex
from app.index.snapshot import IndexSnapshot
from app.index.store import TalkStore
from app.retrieval.fusion import RankedTalk, fuse
from app.retrieval.question_kinds import is_open_ended
from app.retrieval.relevance import abstain_score, cut_talks, judge_talks, order_talks, talk_relevances


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

    def model_post_init(self, __context) -> None:
        # No usable index: IndexStateError here, before any model loads; the BM25 index is loaded (or built) now too.
        self.store.current.snapshot().lexical

    @property
    def catalog(self) -> IndexSnapshot:
        """The live talks: records fetched by id as needed (``.talks`` loads them all, for whole-corpus features).

        The generation the last question was answered from: each question asks for the live one (``rank_talks``).
        """
        return self.store.current.pinned

    def latest_catalog(self) -> IndexSnapshot:
        """The live talks of the newest committed generation (the talk browser; a question re-pins by itself)."""
        return self.store.current.snapshot()

    @property
    def lexical(self) -> LexicalIndex:
        return self.store.current.pinned.lexical

    # ----------------------------------------------------------- fusion and grouping

    def rank_talks(self, query: str, snapshot: IndexSnapshot | None = None) -> list[RankedTalk]:
        """Every candidate talk with its scores, best first (before the top-k cut), in ``snapshot`` (default: the live one)."""
        snapshot = snapshot or self.store.current.snapshot()
        n, fusion = self.settings.candidates, self.settings.fusion
        dense = snapshot.dense(query, n) if fusion != "bm25" else []
        lexical = snapshot.bm25(query, n) if fusion != "dense" else []
        # Only talks of the pinned generation (a chunk of a talk an ingest is adding or removing is not one).
        return [t for t in fuse(dense, lexical, fusion, self.settings.rrf_k) if snapshot.has_talk(t.talk_id)]

    def select(self, ranked: list[RankedTalk], query: str) -> list[RankedTalk]:
        """The top-k talks; for an open-ended question, every talk whose relevance holds, up to max_k."""
        k = self.k or self.settings.k
        if not ranked:
            return []
        relevance = [0.5 * t.dense + 0.5 * t.bm25 for t in ranked]
        best = max(relevance)
        if not is_open_ended(query):
            # A talk far below the best one is noise the model would try to use.
            return [t for t, r in zip(ranked[:k], relevance) if r >= self.settings.closed_cut * best]
        keep = [t for t, r in zip(ranked, relevance) if r >= self.settings.relative_cut * best]
        return keep[: self.settings.max_k] if len(keep) > k else ranked[: max(k, len(keep))]

    def judged_select(self, ranked: list[RankedTalk], query: str, snapshot: IndexSnapshot | None = None) -> list[tuple[RankedTalk, dict]]:
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
        catalog = snapshot or self.catalog
        catalog.fetch([e.talk_id for e in selected + top])  # one read for every record used below
        talks = [catalog.by_id[e.talk_id] for e in top]
        judged = judge_talks(query, top, talks, self.store.embeddings, self.reranker, settings)
        score = round(abstain_score(judged, settings), 4)
        if settings.cut == "logit":
            judged = cut_talks(order_talks(judged, settings), self.k or self.settings.k, self.settings.max_k, is_open_ended(query), settings)
        by_id = {j.talk.id: j for j in judged}
        out = []
        for entry in selected if settings.cut == "hybrid" else [j.entry for j in judged]:
            extra: dict = {"question_relevance": score}
            if entry.talk_id in by_id:  # talks beyond ``candidates`` keep the cheap sentence order
                j = by_id[entry.talk_id]
                extra.update(relevance=round(j.relevance, 4), sentence_order=j.sentence_order())
            out.append((entry, extra))
        return out

    def talk_relevances(self, query: str, talks: list[Talk]) -> list[float] | None:
        """Each talk's cross-encoder relevance to ``query``, read as ``judged_select`` reads it; None without a cross-encoder."""
        if self.reranker is None:
            return None
        return talk_relevances(query, talks, self.store.embeddings, self.reranker, self.rerank or RerankSettings())

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        snapshot = self.store.current.snapshot()  # one generation for the whole question
        ranked = self.rank_talks(query, snapshot)
        if self.reranker is not None:
            selected = self.judged_select(ranked, query, snapshot)
        else:
            selected = [(entry, {}) for entry in self.select(ranked, query)]
        docs = []
        snapshot.fetch([entry.talk_id for entry, _ in selected])  # the records of the talks returned, one read
        by_id = snapshot.by_id
        for entry, extra in selected:
            talk = by_id[entry.talk_id]
            docs.append(
                Document(
                    id=talk.id,
                    page_content=talk.abstract,
                    metadata={
                        "talk_id": talk.id,
                        "score": round(entry.score, 5),
                        "dense": round(entry.dense, 4),
                        "bm25": round(entry.bm25, 4),
                        "chunks": [c.page_content for c in entry.chunks],
                        **extra,
                    },
                )
            )
        return docs

