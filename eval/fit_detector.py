"""Fit the instruction detector's weights and threshold (app/core/instruction_weights.json) on the TUNE part only.

    python -m eval.fit_detector            # writes app/core/instruction_weights.json, prints the tune figures

Tune data: the injected sentences of the *tune* styles of eval/data/injections.jsonl (positives);
as research prose (negatives) the other sentences of those abstracts, the sentences of the
odd-numbered lines of data/abstracts.txt and the tune half of eval/data/benign_instructions.jsonl.
The held-out styles, the even lines of the corpus and the held-out benign sentences are not read here.

The vocabulary of the language check (``app/core/corpus_vocabulary.json``) is written first: the words of the
odd-numbered lines of data/abstracts.txt.

Model: L2-regularised logistic regression over ``app.core.instructions.FEATURES`` (numpy gradient
descent, classes weighted equally). Threshold: the highest recall on the tune positives with no
corpus sentence of the odd lines flagged beyond 0.1% and at most 10% of the tune benign sentences.
"Suspicious" (the output guard's lower bar for a source sentence an answer copies nearly verbatim, or
the only source of a code word in capitals): the lowest score at most 2% of the tune research
sentences reach.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from app.core.instruction_features import FEATURES, VOCABULARY, features
from app.core.instructions import WEIGHTS
from app.core.safety import strip_markup
from app.core.config import PROJECT_ROOT
from app.core.text import split_sentences

DATA = PROJECT_ROOT / "eval" / "data"
L2 = 0.005
STEPS = 4000
RATE = 0.5
#: Share of the tune research sentences allowed at or above the "suspicious" bar (the guard's bar for verbatim copies).
SUSPICIOUS_SHARE = 0.02


def corpus_sentences(parity: int) -> list[tuple[int, str]]:
    """(line number, sentence) of data/abstracts.txt lines whose 1-based number has this parity (1 odd, 0 even; None all)."""
    lines = (PROJECT_ROOT / "data" / "abstracts.txt").read_text(encoding="utf-8").splitlines()
    return [(i, s) for i, line in enumerate(lines, 1) if parity is None or i % 2 == parity for s in split_sentences(line)]


def case_sentences(cases: list[dict]) -> tuple[list[str], list[str]]:
    """The injected sentences of ``cases`` (markup removed) and the other sentences of their abstracts."""
    positives, negatives = [], []
    for case in cases:
        injected = case["injected_sentences"]
        positives += [t for t in (strip_markup(s) for s in injected) if t]
        rest = case["abstract"]
        for s in injected:
            rest = rest.replace(s, " ")
        negatives += split_sentences(strip_markup(rest))
    return positives, negatives


def benign_sentences(split: str) -> list[str]:
    rows = [json.loads(line) for line in (DATA / "benign_instructions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["text"] for r in rows if r["split"] == split]


def tune_data(splits: tuple[str, ...] = ("tune",)) -> tuple[list[str], list[str], list[str]]:
    """Positives, corpus negatives, benign negatives: all from the tune part (``splits``: the committed fit reads
    "tune" only; bench/detector_more_data.py fits on more)."""
    cases = [json.loads(line) for line in (DATA / "injections.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    positives, negatives = case_sentences([c for c in cases if c["split"] in splits])
    return positives, negatives + [s for _, s in corpus_sentences(1)], [b for split in splits for b in benign_sentences(split)]


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    w, b = np.zeros(x.shape[1]), 0.0
    weight = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    for _ in range(STEPS):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        g = weight * (p - y)
        w -= RATE * (x.T @ g / len(y) + L2 * w)
        b -= RATE * g.mean()
    return w, b


def fit_on(positives: list[str], negatives: list[str], benign: list[str]) -> dict:
    """Weights, bias, threshold and suspicious bar fitted on these sentences, with the fit's own figures."""
    matrix = lambda texts: np.array([[features(t)[k] for k in FEATURES] for t in texts])  # noqa: E731
    xp, xn, xb = matrix(positives), matrix(negatives), matrix(benign)
    x = np.vstack([xp, xn, xb])
    y = np.concatenate([np.ones(len(xp)), np.zeros(len(xn) + len(xb))])
    w, b = fit(x, y)
    prob = lambda m: 1 / (1 + np.exp(-(m @ w + b)))  # noqa: E731
    sp, sn, sb = prob(xp), prob(xn), prob(xb)
    # Candidate thresholds halfway between neighbouring scores, so no sentence sits on the threshold.
    levels = np.unique(np.concatenate([sp, sn, sb]))
    best = None
    for t in (levels[:-1] + levels[1:]) / 2:
        fp, fb, recall = (sn >= t).mean(), (sb >= t).mean(), (sp >= t).mean()
        if fp <= 0.001 and fb <= 0.10 and (best is None or recall > best[1]):
            best = (float(t), float(recall), float(fp), float(fb))
    threshold, recall, fp, fb = best
    # The guard's lower bar for a source sentence an answer copies verbatim: the lowest level that at most
    # SUSPICIOUS_SHARE of the tune research sentences reach.
    suspicious = min(float(t) for t in (levels[:-1] + levels[1:]) / 2 if (sn >= t).mean() <= SUSPICIOUS_SHARE)
    return {
        "weights": {k: round(float(v), 4) for k, v in zip(FEATURES, w)},
        "bias": round(float(b), 4),
        "threshold": round(threshold, 4),
        "suspicious": round(suspicious, 4),
        "tune": {"positives": len(sp), "recall": round(recall, 4), "negatives": len(sn), "false_positive_rate": round(fp, 5),
                 "benign": len(sb), "benign_flagged": round(fb, 4)},
    }


def fitted() -> dict:
    """The weights file's content, fitted afresh (deterministic: plain gradient descent from zeros)."""
    return {
        "fitted_by": "python -m eval.fit_detector",
        "data": "tune styles of eval/data/injections.jsonl, odd lines of data/abstracts.txt, tune half of eval/data/benign_instructions.jsonl",
        **fit_on(*tune_data()),
    }


def vocabulary() -> dict:
    """The vocabulary file's content: every word (lower-cased letters) of the odd lines of data/abstracts.txt,
    what the language check (``instruction_features.unusual``) takes for English research prose."""
    found = {w.casefold() for _, s in corpus_sentences(1) for w in re.findall(r"[A-Za-zÀ-ÿ]+", s)}
    return {"written_by": "python -m eval.fit_detector", "data": "odd lines of data/abstracts.txt", "words": sorted(found)}


def main() -> None:
    Path(VOCABULARY).write_text(json.dumps(vocabulary(), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    out = fitted()
    Path(WEIGHTS).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
