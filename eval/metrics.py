"""Metric functions: small, pure, one behaviour each (tested in tests/test_eval.py).

A metric returns ``None`` when it does not apply to a question (e.g. citation
precision of an answer without citations); ``aggregate`` averages the values
that apply.
"""

from __future__ import annotations

import re

import math
from statistics import mean
from typing import Callable, Iterable, Sequence

# ------------------------------------------------------------------ retrieval (talk level)


def recall_at_k(ranking: Sequence[str], gold: Iterable[str], k: int) -> float | None:
    """Share of the gold talks among the first ``k`` ranked talks."""
    gold = set(gold)
    if not gold:
        return None
    return len(gold & set(ranking[:k])) / len(gold)


def reciprocal_rank(ranking: Sequence[str], gold: Iterable[str]) -> float | None:
    """1 / rank of the first gold talk (0 when none is ranked)."""
    gold = set(gold)
    if not gold:
        return None
    for rank, talk in enumerate(ranking, start=1):
        if talk in gold:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranking: Sequence[str], gold: Iterable[str], k: int = 10) -> float | None:
    """Binary-relevance nDCG@k; the ideal ranking puts min(|gold|, k) gold talks first."""
    gold = set(gold)
    if not gold:
        return None
    dcg = sum(1.0 / math.log2(i + 2) for i, talk in enumerate(ranking[:k]) if talk in gold)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(gold), k)))
    return dcg / ideal


# ------------------------------------------------------------------ citations against gold talks


def citation_precision(cited: Iterable[str], gold: Iterable[str]) -> float | None:
    """Share of the cited talks that are gold talks (None without citations or gold)."""
    cited, gold = set(cited), set(gold)
    if not cited or not gold:
        return None
    return len(cited & gold) / len(cited)


def citation_recall(cited: Iterable[str], gold: Iterable[str]) -> float | None:
    """Share of the gold talks that are cited (0 when nothing is cited)."""
    cited, gold = set(cited), set(gold)
    if not gold:
        return None
    return len(cited & gold) / len(gold)


# ------------------------------------------------------------------ ALCE-style citation quality

#: supports(sentence, passages) -> bool: does the union of ``passages`` support ``sentence``?
Supports = Callable[[str, list[str]], bool]


def alce_sentence(sentence: str, cited: list[str], supports: Supports) -> tuple[bool, int, int]:
    """(supported by the union of its citations, precise citations, citations) for one sentence.

    ALCE (Gao et al. 2023): a citation is *irrelevant* when it alone does not
    support the sentence and the other citations still do. Citations of a
    sentence the union does not support are all imprecise.
    """
    if not cited:
        return False, 0, 0
    if not supports(sentence, cited):
        return False, 0, len(cited)
    if len(cited) == 1:
        return True, 1, 1
    precise = 0
    for i, passage in enumerate(cited):
        alone = supports(sentence, [passage])
        others = cited[:i] + cited[i + 1 :]
        irrelevant = not alone and supports(sentence, others)
        precise += not irrelevant
    return True, precise, len(cited)


def alce_scores(sentences: list[tuple[str, list[str]]], supports: Supports) -> dict[str, float | None]:
    """ALCE citation recall (supported sentences / sentences) and precision (precise / all citations)."""
    if not sentences:
        return {"alce_citation_recall": None, "alce_citation_precision": None}
    results = [alce_sentence(text, cited, supports) for text, cited in sentences]
    citations = sum(r[2] for r in results)
    return {
        "alce_citation_recall": sum(r[0] for r in results) / len(results),
        "alce_citation_precision": sum(r[1] for r in results) / citations if citations else None,
    }


def faithfulness(sentences: list[tuple[str, list[str]]], context: list[str], supports: Supports) -> float | None:
    """Supported sentences / all sentences, against everything the model was given (cited or not).

    ``sentences`` are (sentence, its cited passages). A sentence its own citations support counts as
    supported by the context they are part of, so the judge reads the whole context only for the others:
    an answer its citations fully support costs the LLM judge no long-context read here (ALCE has already
    asked about the citations, and the judges cache that verdict).
    """
    if not sentences:
        return None
    if not context:
        return 0.0
    return sum(bool(cited and supports(s, cited)) or supports(s, context) for s, cited in sentences) / len(sentences)


#: Key facts name the line of the talk they belong to: a comparison's start with it ("142: ..."), a
#: multi-talk question's end with it in brackets ("... corrupted labels (83)", "(43-47)"). Labels,
#: not content: the judge's number check would read them as numbers the answer lacks.
_LINE_REF = re.compile(
    r"^\s*\d+(?:\s*[-–]\s*\d+)?\s*:\s*"
    r"|\s*(?<!\w)\(\s*\d{1,3}(?:\s*[-–]\s*\d{1,3})?(?:\s*(?:,|and)\s*\d{1,3}(?:\s*[-–]\s*\d{1,3})?)*\s*\)"
)


def key_fact_coverage(facts: list[str], answer: str, abstained: bool, covers: Callable[[str, str], bool]) -> float | None:
    """Share of the key facts the answer states (0 for an abstention; None without key facts)."""
    if not facts:
        return None
    if abstained or not answer.strip():
        return 0.0
    return sum(covers(_LINE_REF.sub("", fact), answer) for fact in facts) / len(facts)


#: Words a key fact shares with any answer ("the", "is", "of") or that only frame it ("speaker", "given").
_FRAME_WORDS = frozenset("the a an and or of in on for to by at is are was were be its it this that with from as "
                         "speaker talk paper link links given gives only other".split())
#: Share of a key fact's words an answer must contain for the fact to count as stated, fixed before any run it grades.
TOKENS_STATED = 0.75


def fact_words(text: str) -> set[str]:
    """The words of a key fact or an answer, case-folded: each URL whole and its runs of letters and digits (a fact
    "robotics.ntua.gr" is stated by "https://robotics.ntua.gr")."""
    urls = set(re.findall(r"https?://\S+?(?=[\s,;)\]]|\.(?:\s|$)|$)", text))
    return {u.casefold().rstrip("/") for u in urls} | {w.casefold() for w in re.findall(r"[^\W_]+", text)}


def states_by_words(fact: str, answer: str) -> bool:
    """Does the answer contain at least ``TOKENS_STATED`` of the fact's own words (URLs, names, ids, years)?

    A string-match grader, not a judgement of meaning: blind to paraphrase (a reworded fact is a miss) and to
    context (a quoted line that holds the words counts). No step of the product reads key facts, so it is an
    independent check of link and reference answers, whose key facts are exact strings of the record."""
    words = fact_words(_LINE_REF.sub("", fact)) - _FRAME_WORDS
    if not words:
        return False
    said = fact_words(answer)
    return sum(w in said for w in words) / len(words) >= TOKENS_STATED


# ------------------------------------------------------------------ abstention


def abstention_correct(answerable: bool, abstained: bool) -> float | None:
    """On an unanswerable question: 1 when the system abstained."""
    return None if answerable else float(abstained)


def false_abstention(answerable: bool, abstained: bool) -> float | None:
    """On an answerable question: 1 when the system abstained anyway."""
    return float(abstained) if answerable else None


# ------------------------------------------------------------------ agreement


def cohen_kappa(truth: Sequence[bool], predicted: Sequence[bool]) -> float:
    """Cohen's kappa of two binary labelings (0 when agreement is what chance gives)."""
    n = len(truth)
    if n == 0 or n != len(predicted):
        raise ValueError("kappa needs two labelings of the same non-zero length")
    observed = sum(a == b for a, b in zip(truth, predicted)) / n
    p_true, p_pred = sum(truth) / n, sum(predicted) / n
    expected = p_true * p_pred + (1 - p_true) * (1 - p_pred)
    if expected == 1.0:
        return 1.0 if observed == 1.0 else 0.0
    return (observed - expected) / (1 - expected)


def accuracy(truth: Sequence[bool], predicted: Sequence[bool]) -> float:
    return sum(a == b for a, b in zip(truth, predicted)) / len(truth)


# ------------------------------------------------------------------ aggregation


def aggregate(rows: list[dict], keys: Iterable[str] | None = None) -> dict[str, float | None]:
    """Mean of each metric over the rows where it applies (not None); also ``n`` rows."""
    keys = list(keys) if keys is not None else sorted({k for r in rows for k in r})
    out: dict[str, float | None] = {"n": len(rows)}
    for key in keys:
        values = [r[key] for r in rows if r.get(key) is not None]
        out[key] = round(mean(values), 4) if values else None
    return out


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in [0, 100]) of the values, None when empty."""
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    pos = (len(values) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return values[lo] + (values[hi] - values[lo]) * (pos - lo)


# ------------------------------------------------------------------ counting and yes/no questions (issue 23)

NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_COUNT = re.compile(r"\b(\d{1,4}|" + "|".join(NUMBER_WORDS) + r")\s+(?:[\w-]+\s+){0,3}?talks?\b", re.IGNORECASE)


def stated_count(answer: str) -> int | None:
    """The first number the answer gives for talks ("12 talks", "three of the talks"), or None."""
    match = _COUNT.search(answer or "")
    if not match:
        return None
    word = match.group(1).lower()
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def count_correct(answer: str, count: int | None, abstained: bool) -> float | None:
    """1 when a counting question's answer states the right number of talks, 0 otherwise; None for other questions."""
    if count is None:
        return None
    return float(not abstained and stated_count(answer) == count)


def stated_polarity(answer: str) -> str | None:
    """"yes" or "no" when the answer opens with it (as the issue asks: polarity first), else None."""
    match = re.match(r"\W*(yes|no)\b", answer or "", re.IGNORECASE)
    return match.group(1).lower() if match else None


def polarity_correct(answer: str, polarity: str | None, abstained: bool) -> float | None:
    """1 when a yes/no question's answer opens with the polarity the gold talk supports; None for other questions."""
    if polarity is None:
        return None
    return float(not abstained and stated_polarity(answer) == polarity)
