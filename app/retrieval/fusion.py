"""Fusion of the dense and the BM25 ranking into one ranking of talks: a pure function.

Each retriever returns chunks (``ChunkHit``) with its own score. A chunk's fused score is
either the sum of its cosine and its BM25 relative to the best BM25 hit ("weighted": scores,
not ranks) or the sum of 1 / (rrf_k + rank + 1) over the rankings it is in ("rrf"). A talk
takes the best fused score of its chunks, its best cosine and best relative BM25, and keeps its
chunks (for the prompt). No index is needed to call it, so it is tested on hand-made hits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from langchain_core.documents import Document

from app.index.snapshot import ChunkHit


@dataclass
class RankedTalk:
    """One talk in the fused ranking, with the scores that placed it and the chunks that were found."""

    talk_id: str
    score: float = 0.0  # the best fused score of its chunks
    dense: float = 0.0  # the best cosine similarity of its chunks
    bm25: float = 0.0  # the best BM25 of its chunks, relative to the best BM25 hit of the query
    chunks: list[Document] = field(default_factory=list)


def fuse(dense: list[ChunkHit], lexical: list[ChunkHit], method: str = "weighted", rrf_k: int = 60) -> list[RankedTalk]:
    """The talks of both rankings, best fused score first (``method``: "weighted" or "rrf")."""
    top_bm25 = max((h.bm25 for h in lexical), default=0.0) or 1.0
    merged: dict[str, ChunkHit] = {}
    for ranking in (dense, lexical):
        for rank, hit in enumerate(ranking):
            chunk = merged.setdefault(hit.doc.id, ChunkHit(doc=hit.doc))
            chunk.dense = max(chunk.dense, hit.dense)
            chunk.bm25 = max(chunk.bm25, hit.bm25)
            chunk.fused += hit.dense + hit.bm25 / top_bm25 if method == "weighted" else 1.0 / (rrf_k + rank + 1)
    talks: dict[str, RankedTalk] = {}
    for chunk in merged.values():
        talk_id = chunk.doc.metadata["talk_id"]
        talk = talks.setdefault(talk_id, RankedTalk(talk_id=talk_id))
        talk.score = max(talk.score, chunk.fused)
        talk.dense = max(talk.dense, chunk.dense)
        talk.bm25 = max(talk.bm25, chunk.bm25 / top_bm25)
        talk.chunks.append(chunk.doc)
    return sorted(talks.values(), key=lambda t: t.score, reverse=True)
