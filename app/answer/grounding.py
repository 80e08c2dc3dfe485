"""How well an answer sentence is supported by the passages it cites.

There is no NLI model offline, so support is measured with two cheap signals
that fail differently: the embedding similarity of the sentence to the
closest sentence of its cited passages (meaning, paraphrase-tolerant), and
the share of the sentence's content words found in those passages (specific
facts: names, numbers, terms). Both in [0, 1]; support is their weighted mean.
The closest sentence of each cited passage is kept as the sentence's
evidence (the chat highlights it). The evaluation (eval/judges.py) reports
how often this agrees with labelled pairs, so the figure comes with its own
error bar.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from app.text import content_words, split_sentences

WEAK_SUPPORT = 0.5
_SIM_WEIGHT = 0.6


@dataclass
class Support:
    """A sentence's support score and, for each passage it cites, the index of the closest unit."""

    score: float
    evidence: list[int]


def _units(passage: str) -> list[str]:
    return split_sentences(passage) or [passage]


def score_sentences(sentences: list[str], cited: list[list[list[str]]], embeddings: Embeddings) -> list[Support]:
    """Support of ``sentences[i]`` by the passages it cites, ``cited[i]``, each given as its units (sentences)."""
    texts = list(dict.fromkeys([*sentences, *(u for group in cited for units in group for u in units)]))
    vectors = dict(zip(texts, np.asarray(embeddings.embed_documents(texts), dtype=np.float32))) if texts else {}
    results = []
    for sentence, passages in zip(sentences, cited):
        sims = [[float(vectors[sentence] @ vectors[u]) for u in units] for units in passages]
        best = [int(np.argmax(row)) if row else -1 for row in sims]  # -1: an empty passage has no evidence
        if not any(sims):
            results.append(Support(0.0, best))
            continue
        sim = max(max(row) for row in sims if row)
        words = content_words(sentence)
        source_words = set().union(*(content_words(u) for units in passages for u in units))
        overlap = len(words & source_words) / len(words) if words else 1.0
        results.append(Support(round(max(0.0, _SIM_WEIGHT * sim + (1 - _SIM_WEIGHT) * overlap), 4), best))
    return results


def support_matrix(sentences: list[str], passages: list[list[str]], embeddings: Embeddings) -> tuple[np.ndarray, np.ndarray]:
    """Support of every sentence by every passage (given as its units), and the index of the closest unit.

    Returns ``(scores[i, k], best_unit[i, k])``, each of shape (sentences, passages).
    """
    texts = list(dict.fromkeys([*sentences, *(u for units in passages for u in units)]))
    vectors = dict(zip(texts, np.asarray(embeddings.embed_documents(texts), dtype=np.float32))) if texts else {}
    passage_words = [set().union(*(content_words(u) for u in units)) if units else set() for units in passages]
    scores = np.zeros((len(sentences), len(passages)), dtype=np.float32)
    best_unit = np.full((len(sentences), len(passages)), -1, dtype=np.int64)
    for i, sentence in enumerate(sentences):
        words = content_words(sentence)
        for k, units in enumerate(passages):
            if not units:
                continue
            sims = [float(vectors[sentence] @ vectors[u]) for u in units]
            best_unit[i, k] = int(np.argmax(sims))
            overlap = len(words & passage_words[k]) / len(words) if words else 1.0
            scores[i, k] = max(0.0, _SIM_WEIGHT * max(sims) + (1 - _SIM_WEIGHT) * overlap)
    return scores, best_unit


def support_scores(sentences: list[str], passages: list[list[str]], embeddings: Embeddings) -> list[float]:
    """Support of ``sentences[i]`` by the union of ``passages[i]`` (passage texts), in [0, 1]."""
    cited = [[_units(p) for p in group] for group in passages]
    return [s.score for s in score_sentences(sentences, cited, embeddings)]


def is_supported(score: float | None) -> bool:
    """Is a support score strong enough to show the sentence as supported?"""
    return score is not None and score >= WEAK_SUPPORT
