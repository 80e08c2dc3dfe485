"""The two tests behind `talkqa eval-compare`: a paired bootstrap interval and an exact sign test.

Both work on per-question differences B − A, because the two runs answer the
same questions: pairing removes the question-to-question spread (an easy
question is easy for both), which an unpaired comparison of two means keeps.
The bootstrap gives an interval for the mean difference without assuming a
distribution (the scores are bounded, lumpy fractions); the sign test asks
only which side did better on each question, so one large difference cannot
carry it. scipy is not a dependency, so the binomial tail is computed exactly
with integers.
"""

from __future__ import annotations

from math import comb
from typing import Sequence

import numpy as np

#: Differences this small are ties: two runs' identical scores can differ in the last float bit.
TIE_TOLERANCE = 1e-9
RESAMPLES = 10_000
SEED = 20  # fixed, so a committed comparison is reproduced to the digit


def paired_bootstrap(diffs: Sequence[float], resamples: int = RESAMPLES, seed: int = SEED,
                     level: float = 0.95) -> tuple[float, float] | None:
    """Percentile interval of the mean of ``diffs``, resampling questions with replacement (None without any)."""
    if not len(diffs):
        return None
    values = np.asarray(diffs, dtype=float)
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), size=(resamples, len(values)))].mean(axis=1)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low), float(high)


def sign_test(wins: int, losses: int) -> float:
    """Two-sided exact binomial p-value of ``wins`` against ``losses`` under p = 0.5 (ties left out by the caller)."""
    n = wins + losses
    if n == 0:
        return 1.0
    tail = sum(comb(n, i) for i in range(min(wins, losses) + 1))
    return min(1.0, 2 * tail / 2**n)


def outcome(diff: float, higher_is_better: bool) -> str:
    """"B", "A" or "tie": which side did better on one question."""
    if abs(diff) <= TIE_TOLERANCE:
        return "tie"
    return "B" if (diff > 0) == higher_is_better else "A"
