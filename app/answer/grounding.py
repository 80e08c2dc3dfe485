"""How well an answer sentence is supported by the passages it cites.

There is no NLI model offline, so support is measured with two cheap signals
that fail differently: the embedding similarity of the sentence to the
closest sentence of its cited passages (meaning, paraphrase-tolerant), and
the share of the sentence's content words found in those passages (specific
facts: names, numbers, terms). Both in [0, 1]; support is their weighted mean.
The evaluation (eval/judges.py) reports how often this agrees with labelled
pairs, so the figure comes with its own error bar.
"""

from __future__ import annotations

import numpy as np
from langchain_core.embeddings import Embeddings

from app.text import content_words, split_sentences

WEAK_SUPPORT = 0.5
_SIM_WEIGHT = 0.6


def _units(passage: str) -> list[str]:
    return split_sentences(passage) or [passage]


def support_scores(sentences: list[str], passages: list[list[str]], embeddings: Embeddings) -> list[float]:
    """Support of ``sentences[i]`` by the union of ``passages[i]`` (the passages it cites), in [0, 1]."""
    units = sorted({u for group in passages for p in group for u in _units(p)})
    texts = list(dict.fromkeys([*sentences, *units]))
    vectors = dict(zip(texts, np.asarray(embeddings.embed_documents(texts), dtype=np.float32))) if texts else {}
    scores = []
    for sentence, cited in zip(sentences, passages):
        if not cited:
            scores.append(0.0)
            continue
        cited_units = [u for p in cited for u in _units(p)]
        sim = max(float(vectors[sentence] @ vectors[u]) for u in cited_units)
        words = content_words(sentence)
        source_words = set().union(*(content_words(p) for p in cited))
        overlap = len(words & source_words) / len(words) if words else 1.0
        scores.append(round(max(0.0, _SIM_WEIGHT * sim + (1 - _SIM_WEIGHT) * overlap), 4))
    return scores


def is_supported(score: float) -> bool:
    return score >= WEAK_SUPPORT

