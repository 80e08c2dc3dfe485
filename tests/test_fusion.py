"""Fusion of the dense and BM25 rankings into talks (app/retrieval/fusion.py), on hand-made hits: no index."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document

from app.index.snapshot import ChunkHit
from app.retrieval.fusion import fuse


def chunk(chunk_id: str, talk_id: str) -> Document:
    return Document(id=chunk_id, page_content=f"text of {chunk_id}", metadata={"talk_id": talk_id})


def test_weighted_fusion_adds_the_cosine_and_the_bm25_relative_to_the_best():
    a, b = chunk("a1", "A"), chunk("b1", "B")
    dense = [ChunkHit(a, dense=0.5), ChunkHit(b, dense=0.4)]
    lexical = [ChunkHit(b, bm25=10.0), ChunkHit(a, bm25=2.0)]
    ranked = fuse(dense, lexical, "weighted")
    assert [t.talk_id for t in ranked] == ["B", "A"]
    assert ranked[0].score == pytest.approx(0.4 + 1.0) and ranked[1].score == pytest.approx(0.5 + 0.2)
    assert ranked[0].bm25 == pytest.approx(1.0) and ranked[1].bm25 == pytest.approx(0.2)


def test_rrf_uses_ranks_not_scores():
    a, b = chunk("a1", "A"), chunk("b1", "B")
    dense = [ChunkHit(a, dense=0.9), ChunkHit(b, dense=0.1)]
    lexical = [ChunkHit(a, bm25=1.0), ChunkHit(b, bm25=0.9)]
    ranked = fuse(dense, lexical, "rrf", rrf_k=60)
    assert ranked[0].talk_id == "A" and ranked[0].score == pytest.approx(2 / 61)
    assert ranked[1].score == pytest.approx(2 / 62)


def test_a_talk_takes_its_best_chunk_and_keeps_every_chunk_found():
    first, second = chunk("a1", "A"), chunk("a2", "A")
    ranked = fuse([ChunkHit(first, dense=0.3), ChunkHit(second, dense=0.7)], [], "weighted")
    assert len(ranked) == 1 and ranked[0].score == pytest.approx(0.7) and ranked[0].dense == pytest.approx(0.7)
    assert [d.id for d in ranked[0].chunks] == ["a1", "a2"]


def test_a_chunk_found_by_one_retriever_only_has_zero_for_the_other():
    only_lexical = chunk("c1", "C")
    ranked = fuse([], [ChunkHit(only_lexical, bm25=3.0)], "weighted")
    assert ranked[0].dense == 0.0 and ranked[0].score == pytest.approx(1.0)


def test_nothing_found_is_an_empty_ranking():
    assert fuse([], [], "weighted") == []
