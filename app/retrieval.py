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
(app/relevance.py): the logits decide the cut (and, if configured, the order),
and each returned document carries its sentence order and the question's
relevance score for the answer chain (context selection and abstention).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import bm25s
from bm25s.tokenization import Tokenizer
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from app.config import RerankSettings, RetrievalSettings
from app.relevance import abstain_score, cut_talks, judge_talks, order_talks
from app.store import TalkStore
from app.talk import Catalog

#: "Which talks ...", "list all talks", "what talks": the user wants every match, not a top 5.
_OPEN_ENDED = re.compile(
    # "What does the talk show ...?" is about one talk; "what talks ...", "which (other) talks" ask for a list.
    r"\b(?:which|what|list|name|find|all|any|every)\b(?:\s+(?!(?:does|did|do|is|was|the|this|that)\b)\w+){0,3}?\s+"
    r"(?:talks?|speakers?|abstracts?|presentations?|seminars?)\b"
    r"|\b(?:talks|speakers|abstracts)\s+(?:that|which|about|on|discussing|covering)\b",
    re.IGNORECASE,
)


_COMPARISON = re.compile(r"\b(?:compare[sd]?|comparison|contrast|differ(?:s|ent|ence|ences)?|versus|vs\.?|both|two talks|each)\b", re.IGNORECASE)


def is_comparison(question: str) -> bool:
    """Does the question set two talks side by side?"""
    return bool(_COMPARISON.search(question))


def is_open_ended(query: str) -> bool:
    """Does the question ask for every talk on a subject?"""
    return bool(_OPEN_ENDED.search(query))


def _stemmer():
    try:
        import Stemmer

        return Stemmer.Stemmer("english").stemWord
    except ImportError:  # PyStemmer is optional; unstemmed BM25 still works
        return None


@dataclass
class ChunkHit:
    doc: Document
    dense: float = 0.0  # cosine similarity, 0 when the dense retriever did not return it
    bm25: float = 0.0
    fused: float = 0.0


class TalkRetriever(BaseRetriever):
    """Dense + BM25 over chunks, fused and grouped into talks."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: TalkStore
    settings: RetrievalSettings
    k: int | None = None  # overrides settings.k (e.g. --k)
    #: The cross-encoder (``CrossEncoderReranker``) and its settings; None: hybrid scores only.
    reranker: Any = None
    rerank: RerankSettings | None = None
    _catalog: Catalog = PrivateAttr()
    _chunks: list[Document] = PrivateAttr()
    _bm25: bm25s.BM25 = PrivateAttr()
    _tokenizer: Tokenizer = PrivateAttr()
    _row_of: dict[str, int] = PrivateAttr()

    def model_post_init(self, __context) -> None:
        self._catalog = self.store.catalog()
        self._chunks = self.store.chunks(self._catalog)
        self._row_of = {doc.id: i for i, doc in enumerate(self._chunks)}
        self._tokenizer = Tokenizer(stopwords="en", stemmer=_stemmer())
        corpus = [self._index_text(doc) for doc in self._chunks]
        tokens = self._tokenizer.tokenize(corpus, return_as="tuple", show_progress=False)
        self._bm25 = bm25s.BM25()
        self._bm25.index(tokens, show_progress=False)

    @staticmethod
    def _index_text(doc: Document) -> str:
        meta = doc.metadata
        return " ".join([meta.get("title", ""), meta.get("speaker", ""), doc.page_content])

    @property
    def catalog(self) -> Catalog:
        return self._catalog

    # ----------------------------------------------------------- the two retrievers

    def _dense(self, query: str, n: int) -> list[ChunkHit]:
        hits = self.store.vectorstore.similarity_search_with_score(query, k=min(n, len(self._chunks)))
        live = self._catalog.by_id
        return [ChunkHit(doc=doc, dense=1.0 - float(distance)) for doc, distance in hits if doc.metadata.get("talk_id") in live]

    def _lexical(self, query: str, n: int) -> list[ChunkHit]:
        tokens = self._tokenizer.tokenize([query], update_vocab=False, return_as="ids", show_progress=False)
        if not tokens or not tokens[0]:
            return []
        rows, scores = self._bm25.retrieve(tokens, k=min(n, len(self._chunks)), show_progress=False, n_threads=1)
        return [ChunkHit(doc=self._chunks[int(r)], bm25=float(s)) for r, s in zip(rows[0], scores[0]) if s > 0]

    # ----------------------------------------------------------- fusion and grouping

    def rank_talks(self, query: str) -> list[dict]:
        """Every candidate talk with its scores, best first (before the top-k cut)."""
        n = self.settings.candidates
        fusion = self.settings.fusion
        dense = self._dense(query, n) if fusion != "bm25" else []
        lexical = self._lexical(query, n) if fusion != "dense" else []
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
        return sorted(talks.values(), key=lambda t: t["score"], reverse=True)

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
        talks = [self._catalog.by_id[e["talk_id"]] for e in top]
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
        for entry, extra in selected:
            talk = self._catalog.by_id[entry["talk_id"]]
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

