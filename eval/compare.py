"""Paired comparison of two evaluation runs, or of two systems in one run (`talkqa eval-compare`).

This is how a change is judged (issue 20): the same questions, answered before
and after, compared question by question. Each side is (run folder, system);
questions are paired on their id, and a metric enters the comparison for the
questions where both sides hold a value (a question answered in one run only
still counts for the retrieval metrics). Questions present in one run only
are listed, never silently dropped.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import InputError
from eval.compare_stats import RESAMPLES, SEED, outcome, paired_bootstrap, sign_test
from eval.dataset import TYPES

#: Score files a run folder may hold, smallest first: scores.jsonl (committed beside metrics.json) or results.jsonl.
SCORE_FILES = ("scores.jsonl", "results.jsonl")
#: Metrics in the order a reader looks for them; a judge's name follows in brackets, e.g. key_fact_coverage[det].
ORDER = ("key_fact_coverage", "key_fact_coverage_words", "alce_citation_recall", "alce_citation_precision", "abstention_right", "citation_recall",
         "citation_precision", "faithfulness", "context_key_fact_coverage", "recall@5", "recall@10", "mrr", "ndcg@10",
         "context_recall", "first_token_ms", "total_ms", "prompt_tokens")
#: Costs, not scores: compared only when asked for by name, and lower wins.
LOWER_IS_BETTER = ("first_token_ms", "total_ms", "prompt_tokens")
#: Folded into abstention_right (one score for both kinds of question), or a count that is neither good nor bad.
NOT_COMPARED = ("abstention_correct", "false_abstention", "sentences")


@dataclass(frozen=True)
class Side:
    """One side of the comparison: a run folder, a system in it, and what its metrics.json says it ran."""

    run: str
    system: str
    model: str | None
    fingerprint: str | None
    judge: str | None
    questions: int


@dataclass(frozen=True)
class MetricSummary:
    """One metric over the paired questions: means, B − A with its bootstrap interval, and the sign test."""

    metric: str
    higher_is_better: bool
    n: int
    mean_a: float
    mean_b: float
    diff: float
    ci_low: float
    ci_high: float
    b_better: int
    ties: int
    a_better: int
    sign_p: float


@dataclass(frozen=True)
class PairedScore:
    a: float | None
    b: float | None
    better: str | None  # "A", "B", "tie"; None when one side has no value


@dataclass(frozen=True)
class QuestionResult:
    id: str
    type: str
    scores: dict[str, PairedScore]


@dataclass(frozen=True)
class Comparison:
    a: Side
    b: Side
    metrics: list[str]
    overall: list[MetricSummary]
    by_type: dict[str, list[MetricSummary]]
    questions: list[QuestionResult]
    only_in_a: list[str]
    only_in_b: list[str]
    changed_text: list[str]  # paired ids whose question text differs between the runs
    resamples: int = RESAMPLES
    seed: int = SEED


@dataclass(frozen=True)
class RunScores:
    side: Side
    types: dict[str, str]
    texts: dict[str, str]
    values: dict[str, dict[str, float]]  # question id -> metric -> value (metrics that apply only)


def base_name(metric: str) -> str:
    return metric.split("[", 1)[0]


def metric_order(metric: str) -> tuple:
    base = base_name(metric)
    return (ORDER.index(base) if base in ORDER else len(ORDER), metric)


def question_values(entry: dict) -> dict[str, float]:
    """One system's scores on one question; abstention_right is 1 when it answered an answerable question
    or declined an unanswerable one."""
    answer = entry.get("metrics") or {}
    values = {k: v for k, v in {**(entry.get("retrieval") or {}), **answer}.items()
              if isinstance(v, (int, float)) and not isinstance(v, bool) and k not in NOT_COMPARED}
    if answer.get("abstention_correct") is not None:
        values["abstention_right"] = float(answer["abstention_correct"])
    elif answer.get("false_abstention") is not None:
        values["abstention_right"] = 1.0 - answer["false_abstention"]
    return values


def read_rows(run: Path) -> list[dict]:
    if not run.is_dir():
        raise InputError(f"{run}: no such run folder (give a folder written by `talkqa eval --out`)")
    path = next((run / name for name in SCORE_FILES if (run / name).is_file()), None)
    if path is None:
        raise InputError(f"{run} holds no per-question results ({' or '.join(SCORE_FILES)}); only runs written since "
                         "issue 20 keep scores.jsonl beside metrics.json, so re-run `talkqa eval --out` to compare")
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise InputError(f"{path}:{number}: not a JSON line ({err.msg})") from None
    return rows


def load_side(run: Path, system: str) -> RunScores:
    rows = read_rows(run)
    present = sorted({s for r in rows for s in r.get("systems", {})})
    if system not in present:
        raise InputError(f"{run} has no system {system!r} (it holds: {', '.join(present) or 'none'})")
    meta = {}
    if (run / "metrics.json").is_file():
        try:
            meta = json.loads((run / "metrics.json").read_text(encoding="utf-8")).get("meta", {})
        except json.JSONDecodeError:
            meta = {}  # the scores are what is compared; a damaged metrics.json only loses the header
    side = Side(str(run), system, meta.get("model"), meta.get("fingerprint"), meta.get("judge"), len(rows))
    return RunScores(side, {r["id"]: r["type"] for r in rows}, {r["id"]: r.get("question", "") for r in rows},
                     {r["id"]: question_values(r["systems"].get(system, {})) for r in rows})


def choose_metrics(a: RunScores, b: RunScores, shared: list[str], asked: list[str] | None) -> list[str]:
    """The metrics both sides hold on at least one shared question: every score by default, or those asked for
    (a name without a judge, e.g. key_fact_coverage, means every judge's)."""
    held = {m for q in shared for m in a.values[q].keys() & b.values[q].keys()}
    if not asked:
        chosen = {m for m in held if base_name(m) not in LOWER_IS_BETTER}
    else:
        chosen = set()
        for name in asked:
            matches = {m for m in held if name in (m, base_name(m))}
            if not matches:
                raise InputError(f"unknown metric {name!r}: both sides hold {', '.join(sorted(held, key=metric_order)) or 'none'}")
            chosen |= matches
    if not chosen:
        raise InputError("the two sides share no metric on their shared questions (was either run answered?)")
    return sorted(chosen, key=metric_order)


def summarise(metric: str, pairs: list[tuple[float, float]], resamples: int, seed: int) -> MetricSummary | None:
    if not pairs:
        return None
    higher = base_name(metric) not in LOWER_IS_BETTER
    diffs = [b - a for a, b in pairs]
    verdicts = [outcome(d, higher) for d in diffs]
    b_better, a_better = verdicts.count("B"), verdicts.count("A")
    low, high = paired_bootstrap(diffs, resamples, seed)
    n = len(pairs)
    return MetricSummary(metric, higher, n, sum(a for a, _ in pairs) / n, sum(b for _, b in pairs) / n, sum(diffs) / n,
                         low, high, b_better, verdicts.count("tie"), a_better, sign_test(b_better, a_better))


def compare(run_a: Path, run_b: Path, system_a: str = "ours", system_b: str = "ours", metrics: list[str] | None = None,
            resamples: int = RESAMPLES, seed: int = SEED) -> Comparison:
    """Pair side B against side A question by question; raises InputError for anything a user can fix."""
    if Path(run_a).resolve() == Path(run_b).resolve() and system_a == system_b:
        raise InputError(f"both sides are {system_a} in {run_a}: give a second run, or two systems (--systems ours,baseline)")
    a, b = load_side(Path(run_a), system_a), load_side(Path(run_b), system_b)
    shared = [q for q in a.values if q in b.values]
    if not shared:
        raise InputError(f"{run_a} and {run_b} share no question id: they were run on different question sets")
    chosen = choose_metrics(a, b, shared, metrics)
    questions = []
    for q in shared:
        scores = {}
        for m in chosen:
            va, vb = a.values[q].get(m), b.values[q].get(m)
            better = None if va is None or vb is None else outcome(vb - va, base_name(m) not in LOWER_IS_BETTER)
            scores[m] = PairedScore(va, vb, better)
        questions.append(QuestionResult(q, a.types[q], scores))
    by_type_ids: dict[str, list[QuestionResult]] = defaultdict(list)
    for qr in questions:
        by_type_ids[qr.type].append(qr)
    types = [t for t in TYPES if t in by_type_ids] + sorted(t for t in by_type_ids if t not in TYPES)

    def summaries(group: list[QuestionResult]) -> list[MetricSummary]:
        found = (summarise(m, [(qr.scores[m].a, qr.scores[m].b) for qr in group if qr.scores[m].better], resamples, seed)
                 for m in chosen)
        return [s for s in found if s is not None]

    return Comparison(
        a.side, b.side, chosen, summaries(questions), {t: summaries(by_type_ids[t]) for t in types}, questions,
        only_in_a=[q for q in a.values if q not in b.values], only_in_b=[q for q in b.values if q not in a.values],
        changed_text=[q for q in shared if a.texts[q] != b.texts[q]], resamples=resamples, seed=seed)
