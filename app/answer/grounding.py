"""How well an answer sentence is supported by the passages it cites.

There is no NLI model offline, so support is measured with two cheap signals
that fail differently: the embedding similarity of the sentence to the
closest sentence of its cited passages (meaning, paraphrase-tolerant), and
the share of the sentence's content words found in those passages (specific
facts: names, numbers, terms). Both in [0, 1]; support is their weighted mean.
``support_matrix`` also keeps, per passage, the closest sentence: the
evidence attribution records and the chat highlights. The evaluation (eval/judges.py) reports
how often this agrees with labelled pairs, so the figure comes with its own
error bar.
"""

from __future__ import annotations

import re

import numpy as np
from langchain_core.embeddings import Embeddings

from app.core.text import NEGATION, content_words, split_sentences

WEAK_SUPPORT = 0.5
_SIM_WEIGHT = 0.6


def _units(passage: str) -> list[str]:
    return split_sentences(passage) or [passage]


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
    """Support of ``sentences[i]`` by the union of ``passages[i]`` (passage texts), in [0, 1] (the judge's score)."""
    texts = list(dict.fromkeys([*sentences, *(u for group in passages for p in group for u in _units(p))]))
    vectors = dict(zip(texts, np.asarray(embeddings.embed_documents(texts), dtype=np.float32))) if texts else {}
    scores = []
    for sentence, cited in zip(sentences, passages):
        units = [u for p in cited for u in _units(p)]
        if not units:
            scores.append(0.0)
            continue
        sim = max(float(vectors[sentence] @ vectors[u]) for u in units)
        words = content_words(sentence)
        overlap = len(words & set().union(*(content_words(p) for p in cited))) / len(words) if words else 1.0
        scores.append(round(max(0.0, _SIM_WEIGHT * sim + (1 - _SIM_WEIGHT) * overlap), 4))
    return scores


def is_supported(score: float | None) -> bool:
    """Is a support score strong enough to show the sentence as supported?"""
    return score is not None and score >= WEAK_SUPPORT


# ------------------------------------------------------------------ disagreements a similarity score misses

_NUMBER_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20", "hundred": "100",
    "thousand": "1000", "million": "1000000", "half": "0.5", "twice": "2", "double": "2", "triple": "3",
}
#: A number written in digits ("1.0", "6.84", "1,000"; not the "2" of "L2").
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![\w])")
#: Words whose swap turns a statement into its opposite (either direction).
_OPPOSITES = [
    ("stochastic", "deterministic"), ("increase", "decrease"), ("increases", "decreases"), ("linear", "nonlinear"),
    ("upper", "lower"), ("exponential", "polynomial"), ("convex", "nonconvex"), ("convex", "non-convex"),
    ("faster", "slower"), ("larger", "smaller"), ("more", "fewer"), ("improves", "worsens"), ("improves", "degrades"),
    ("benign", "harmful"), ("global", "local"), ("sufficient", "necessary"), ("lower bound", "upper bound"),
    ("supervised", "unsupervised"), ("continuous", "discrete"), ("finite", "infinite"), ("wide", "narrow"),
    ("low", "high"), ("positive", "negative"), ("overparameterized", "underparameterized"), ("easy", "hard"),
    ("efficient", "inefficient"), ("tractable", "intractable"), ("stable", "unstable"), ("before", "after"),
]


def numbers_in(text: str) -> set[str]:
    """The numbers written in digits ("1,000" read as "1000"). "1.0" stays apart from "1": a source holds some small
    integer almost always (a count, a list item), so a figure is read as written."""
    return {number.replace(",", "") for number in _NUMBER.findall(text)}


def _numbers(text: str) -> set[str]:
    """The numbers in digits and in words ("three" as "3")."""
    return numbers_in(text) | {_NUMBER_WORDS[w] for w in re.findall(r"[a-z]+", text.lower()) if w in _NUMBER_WORDS}


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z][a-z\-]+", text.lower()))


def contradictions(sentence: str, passages: list[str]) -> list[str]:
    """Ways ``sentence`` disagrees with ``passages`` that embeddings and word overlap miss.

    * a number the passages do not contain ("13.53%" where they say 6.84%, "three layers" where they say two);
    * an opposite swapped in ("deterministic" where the passage says "stochastic");
    * a negation the closest passage sentence does not have, or the reverse.

    (Names the passages never mention were tried too: on the labelled pairs they flagged supported
    paraphrases nearly as often as unsupported ones, so they are not checked.)
    """
    text = " ".join(passages)
    problems = []
    missing_numbers = _numbers(sentence) - _numbers(text)
    if missing_numbers:
        problems.append(f"number not in the source: {', '.join(sorted(missing_numbers))}")
    mine, theirs = _words(sentence), _words(text)
    for a, b in _OPPOSITES:
        for x, y in ((a, b), (b, a)):
            if x in mine and x not in theirs and y in theirs and y not in mine:
                problems.append(f"says {x!r} where the source says {y!r}")
    units = [u for p in passages for u in _units(p)]
    if units:
        closest = max(units, key=lambda u: len(_words(u) & mine))
        if bool(NEGATION.search(sentence)) != bool(NEGATION.search(closest)) and len(_words(closest) & mine) >= 3:
            problems.append("negation differs from the closest source sentence")
    return problems
