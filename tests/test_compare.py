"""`talkqa eval-compare`: paired comparison of two evaluation runs (eval/compare.py).

Unit tests write small synthetic run folders (results.jsonl as `talkqa eval`
writes it) to tmp_path; the CLI tests run `talkqa` on runs committed under docs/.
"""

from __future__ import annotations

import json
import random

import pytest

from app.core.errors import InputError
from eval.compare import compare
from eval.compare_report import to_markdown
from eval.compare_stats import paired_bootstrap, sign_test
from eval.report import score_rows
from support.settings import TESTS

DOCS = TESTS.parent / "docs"
KFC = "key_fact_coverage[det]"


def answered(kfc: float, *, answerable: bool = True, abstained: bool = False, **more) -> dict:
    """One system's entry for one question: retrieval scores and answer metrics, as eval/harness.py writes them."""
    metrics = {KFC: kfc, "abstention_correct": None if answerable else float(abstained),
               "false_abstention": float(abstained) if answerable else None, "sentences": 3, **more}
    return {"retrieval": {"recall@5": 1.0}, "metrics": metrics}


def write_run(folder, questions: dict[str, dict], types: dict[str, str] | None = None):
    """A run folder holding results.jsonl: {qid: {system: entry}}."""
    folder.mkdir()
    rows = [{"id": q, "type": (types or {}).get(q, "factual"), "question": f"question {q}", "systems": systems}
            for q, systems in questions.items()]
    (folder / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return folder


def ours(scores: dict[str, float], **kw) -> dict[str, dict]:
    return {q: {"ours": answered(v, **kw)} for q, v in scores.items()}


def summary(result, metric=KFC, group=None):
    rows = result.overall if group is None else result.by_type[group]
    return next(s for s in rows if s.metric == metric)


# ------------------------------------------------------------------ the statistics


def test_the_bootstrap_interval_contains_the_true_mean_difference(tmp_path):
    rng = random.Random(7)
    a = {f"q{i:03}": rng.uniform(0, 0.8) for i in range(60)}
    b = {q: v + 0.1 + rng.gauss(0, 0.05) for q, v in a.items()}  # B is better by 0.1 on average
    result = compare(write_run(tmp_path / "a", ours(a)), write_run(tmp_path / "b", ours(b)), metrics=[KFC])
    s = summary(result)
    assert s.ci_low < 0.1 < s.ci_high
    assert s.ci_low > 0  # 60 questions are enough to tell 0.1 from nothing
    assert s.diff == pytest.approx(sum(b.values()) / 60 - sum(a.values()) / 60)


def test_a_constant_difference_has_an_interval_of_one_point():
    assert paired_bootstrap([0.25] * 8) == pytest.approx((0.25, 0.25))


@pytest.mark.parametrize("wins, losses, p", [(10, 0, 0.001953125), (0, 10, 0.001953125), (8, 2, 0.109375), (5, 5, 1.0), (0, 0, 1.0)])
def test_the_sign_test_is_the_exact_two_sided_binomial_tail(wins, losses, p):
    assert sign_test(wins, losses) == pytest.approx(p)


def test_ties_count_in_the_mean_but_not_in_the_sign_test(tmp_path):
    a = {f"q{i}": 0.5 for i in range(15)}
    b = {q: (1.0 if i < 10 else 0.5) for i, q in enumerate(a)}
    s = summary(compare(write_run(tmp_path / "a", ours(a)), write_run(tmp_path / "b", ours(b))))
    assert (s.n, s.b_better, s.ties, s.a_better) == (15, 10, 5, 0)
    assert s.sign_p == pytest.approx(0.001953125)
    assert s.diff == pytest.approx(5 / 15)


# ------------------------------------------------------------------ pairing


def test_each_question_type_gets_its_own_summary(tmp_path):
    types = {"f1": "factual", "f2": "factual", "c1": "conceptual", "c2": "conceptual"}
    a = {"f1": 0.0, "f2": 0.0, "c1": 1.0, "c2": 1.0}
    b = {"f1": 1.0, "f2": 1.0, "c1": 0.0, "c2": 0.0}
    result = compare(write_run(tmp_path / "a", ours(a), types), write_run(tmp_path / "b", ours(b), types))
    assert summary(result).diff == 0
    assert (summary(result, group="factual").diff, summary(result, group="factual").b_better) == (1.0, 2)
    assert (summary(result, group="conceptual").diff, summary(result, group="conceptual").a_better) == (-1.0, 2)


def test_questions_in_one_run_only_are_reported_and_left_out(tmp_path):
    a = write_run(tmp_path / "a", ours({"q1": 0.0, "q2": 0.0, "q3": 0.5}))
    b = write_run(tmp_path / "b", ours({"q2": 1.0, "q3": 0.5, "q4": 1.0}))
    result = compare(a, b)
    assert (result.only_in_a, result.only_in_b) == (["q1"], ["q4"])
    assert [q.id for q in result.questions] == ["q2", "q3"]
    assert "only in A: q1; only in B: q4" in to_markdown(result)


def test_an_answer_metric_pairs_only_questions_answered_on_both_sides(tmp_path):
    a = write_run(tmp_path / "a", ours({"q1": 1.0, "q2": 1.0}))
    b_questions = ours({"q1": 1.0})
    b_questions["q2"] = {"ours": {"retrieval": {"recall@5": 0.0}}}  # retrieved, never answered
    result = compare(a, write_run(tmp_path / "b", b_questions))
    assert summary(result).n == 1
    assert (summary(result, "recall@5").n, summary(result, "recall@5").a_better) == (2, 1)


def test_abstention_is_right_when_an_unanswerable_question_is_declined_or_an_answerable_one_answered(tmp_path):
    a = {"u": {"ours": answered(0.0, answerable=False, abstained=False)}, "k": {"ours": answered(0.0, abstained=True)}}
    b = {"u": {"ours": answered(0.0, answerable=False, abstained=True)}, "k": {"ours": answered(0.0, abstained=False)}}
    s = summary(compare(write_run(tmp_path / "a", a), write_run(tmp_path / "b", b)), "abstention_right")
    assert (s.mean_a, s.mean_b, s.b_better) == (0.0, 1.0, 2)


def test_a_latency_asked_for_by_name_is_won_by_the_faster_side(tmp_path):
    a = write_run(tmp_path / "a", ours({"q1": 0.5}, total_ms=900.0))
    b = write_run(tmp_path / "b", ours({"q1": 0.5}, total_ms=600.0))
    s = summary(compare(a, b, metrics=["total_ms"]), "total_ms")
    assert (s.higher_is_better, s.diff, s.b_better) == (False, -300.0, 1)


def test_two_systems_of_one_run_are_compared(tmp_path):
    run = write_run(tmp_path / "run", {"q1": {"ours": answered(1.0), "baseline": answered(0.5)}})
    s = summary(compare(run, run, "ours", "baseline"))
    assert (s.mean_a, s.mean_b, s.a_better) == (1.0, 0.5, 1)


def test_the_small_scores_file_compares_like_the_full_results(tmp_path):
    """scores.jsonl (what a committed run keeps) drops answers and passages, not scores."""
    full = write_run(tmp_path / "full", {"q1": {"ours": {**answered(1.0), "answer": {"answer": "long text"}, "ranking": ["t1"]},
                                                "baseline": answered(0.5)}})
    rows = [json.loads(line) for line in (full / "results.jsonl").read_text().splitlines()]
    small = tmp_path / "small"
    small.mkdir()
    (small / "scores.jsonl").write_text("".join(json.dumps(r) + "\n" for r in score_rows(rows)))
    assert "long text" not in (small / "scores.jsonl").read_text()
    assert compare(small, small, "ours", "baseline").overall == compare(full, full, "ours", "baseline").overall


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize("problem, message", [
    ("missing folder", "no such run folder"),
    ("no shared question", "share no question id"),
    ("unknown metric", "unknown metric 'bleu'"),
    ("unknown system", "has no system 'gpt'"),
    ("same side twice", "both sides are ours"),
    ("broken line", "results.jsonl:2: not a JSON line"),
])
def test_bad_input_is_an_input_error_that_says_what_is_wrong(tmp_path, problem, message):
    a = write_run(tmp_path / "a", ours({"q1": 0.5}))
    b = write_run(tmp_path / "b", ours({"q2": 0.5} if problem == "no shared question" else {"q1": 0.7}))
    if problem == "broken line":
        with (b / "results.jsonl").open("a") as f:
            f.write('{"id": "q9", \n')
    args = {"missing folder": (a, tmp_path / "nowhere"), "same side twice": (a, a)}.get(problem, (a, b))
    kwargs = {"unknown metric": {"metrics": ["bleu"]}, "unknown system": {"system_b": "gpt"}}.get(problem, {})
    with pytest.raises(InputError, match=message):
        compare(*args, **kwargs)


# ------------------------------------------------------------------ through the CLI, on committed runs


def test_the_cli_compares_two_committed_runs_as_json(talkqa, tmp_path):
    result = talkqa.run("eval-compare", DOCS / "eval-fast", DOCS / "eval-fast-rrf", data_dir=tmp_path / "data")
    assert result.exit_code == 0, result.stderr
    assert "| key_fact_coverage[det] |" in result.stdout and "## By question type" in result.stdout
    as_json = json.loads(talkqa.run("eval-compare", DOCS / "eval-fast", "--systems", "ours,baseline", "--json",
                                    data_dir=tmp_path / "data").stdout)
    assert (as_json["a"]["system"], as_json["b"]["system"], len(as_json["questions"])) == ("ours", "baseline", 100)
    assert {"mrr", KFC} <= set(as_json["metrics"])


def test_the_cli_refuses_runs_committed_without_per_question_scores_in_one_line(talkqa, tmp_path):
    result = talkqa.run("eval-compare", DOCS / "eval-v2", DOCS / "eval-v3", data_dir=tmp_path / "data")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "no per-question results" in result.stderr and "Traceback" not in result.stderr
