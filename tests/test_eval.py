"""The evaluation harness: each metric on small hand-made cases, the judges, the
baseline's chunk-to-talk mapping, the answer cache, and the CI gate (fast mode
against a real index of data/abstracts.txt, thresholds a little below what we
measure, so a regression fails the suite).
"""

from __future__ import annotations

import json

import pytest

from support.models import scripted
from eval import metrics as M
from eval.metrics import count_correct, polarity_correct, stated_count
from eval.baseline import chunk_talks, is_baseline_refusal
from eval.dataset import JudgePair, Question, attach_gold, load_pairs, load_questions
from eval.answers import AnswerCache
from eval.judges import Judge
from eval.harness import run_eval
from eval.run_state import EvalOptions, pick_questions
from eval.scoring import answer_metrics
from eval.provenance import commit, cpu
from eval.report import key_fact_gap
from eval.judges import DeterministicJudge, agreement, parse_verdict, stratified_subset

# Measured on the bundled corpus: recall@5 0.966 and MRR 1.000 (run 4, docs/eval-v3/metrics.json);
# deterministic-judge κ 0.423 (docs/results/det-judge-2026-12-02.json).
GATE_RECALL_AT_5 = 0.93
GATE_MRR = 0.92
GATE_DET_KAPPA = 0.33


def yes_if(*supported_passages):
    """A judge that says "supported" exactly when one of the given passages is among the cited ones."""
    return lambda sentence, passages: any(p in passages for p in supported_passages)


# ------------------------------------------------------------------ retrieval metrics


def test_recall_at_k_counts_gold_talks_in_the_top_k():
    assert M.recall_at_k(["a", "b", "c"], ["a", "c", "z"], 2) == pytest.approx(1 / 3)


def test_recall_is_none_without_gold():
    assert M.recall_at_k(["a"], [], 5) is None


def test_reciprocal_rank_is_one_over_the_first_gold_rank():
    assert M.reciprocal_rank(["x", "y", "a", "b"], ["b", "a"]) == pytest.approx(1 / 3)


def test_reciprocal_rank_is_zero_when_no_gold_is_ranked():
    assert M.reciprocal_rank(["x", "y"], ["a"]) == 0.0


def test_ndcg_is_one_for_gold_first():
    assert M.ndcg_at_k(["a", "b", "x"], ["a", "b"], 10) == pytest.approx(1.0)


def test_ndcg_drops_when_gold_comes_later():
    assert M.ndcg_at_k(["x", "a"], ["a"], 10) == pytest.approx(1 / M.math.log2(3))


# ------------------------------------------------------------------ citations against gold


def test_citation_precision_is_share_of_cited_talks_that_are_gold():
    assert M.citation_precision(["a", "x"], ["a", "b"]) == 0.5


def test_citation_precision_is_none_without_citations():
    assert M.citation_precision([], ["a"]) is None


def test_citation_recall_is_share_of_gold_talks_cited():
    assert M.citation_recall(["a", "x"], ["a", "b", "c", "d"]) == 0.25


# ------------------------------------------------------------------ ALCE


def test_alce_sentence_without_citations_is_unsupported():
    assert M.alce_sentence("s", [], yes_if("p")) == (False, 0, 0)


def test_alce_citations_of_an_unsupported_sentence_are_all_imprecise():
    assert M.alce_sentence("s", ["q", "r"], yes_if("p")) == (False, 0, 2)


def test_alce_citation_is_irrelevant_when_others_support_without_it():
    # "p" supports alone; "q" does not, and "p" still supports without it: q is irrelevant.
    assert M.alce_sentence("s", ["p", "q"], yes_if("p")) == (True, 1, 2)


def test_alce_citations_that_only_support_together_are_both_precise():
    def union_only(sentence, passages):
        return {"p", "q"} <= set(passages)

    assert M.alce_sentence("s", ["p", "q"], union_only) == (True, 2, 2)


def test_alce_scores_recall_and_precision_over_sentences():
    scores = M.alce_scores([("s1", ["p"]), ("s2", ["q"])], yes_if("p"))
    assert scores == {"alce_citation_recall": 0.5, "alce_citation_precision": 0.5}


def test_faithfulness_is_supported_sentences_over_sentences():
    supports = lambda s, passages: s.startswith("ok")  # noqa: E731
    assert M.faithfulness([("ok 1", []), ("bad", []), ("ok 2", []), ("bad", [])], ["ctx"], supports) == 0.5


def test_faithfulness_reads_the_whole_context_only_for_sentences_their_citations_do_not_support():
    asked = []

    def supports(sentence, passages):
        asked.append((sentence, tuple(passages)))
        return passages == ["cited"]

    assert M.faithfulness([("well cited", ["cited"]), ("uncited", [])], ["cited", "other"], supports) == 0.5
    assert asked == [("well cited", ("cited",)), ("uncited", ("cited", "other"))]


def test_key_fact_coverage_is_zero_for_an_abstention():
    assert M.key_fact_coverage(["f1"], "anything", True, lambda f, a: True) == 0.0


def test_key_fact_coverage_counts_covered_facts():
    assert M.key_fact_coverage(["f1", "f2"], "says f1", False, lambda f, a: f in a) == 0.5


def test_key_facts_are_judged_without_their_line_labels():
    judged = []
    M.key_fact_coverage(["142: uses SDEs", "corrupted labels (83)", "overview (32) and interpolation (43-47)", "O(1) layers"], "x", False,
                        lambda f, a: judged.append(f) or True)
    assert judged == ["uses SDEs", "corrupted labels", "overview and interpolation", "O(1) layers"]


# ------------------------------------------------------------------ abstention, agreement, aggregation


def test_abstention_correct_applies_to_unanswerable_only():
    assert (M.abstention_correct(False, True), M.abstention_correct(True, True)) == (1.0, None)


def test_false_abstention_applies_to_answerable_only():
    assert (M.false_abstention(True, True), M.false_abstention(False, True)) == (1.0, None)


def test_kappa_is_one_for_perfect_agreement():
    assert M.cohen_kappa([True, False, True], [True, False, True]) == 1.0


def test_kappa_is_zero_for_a_constant_judge():
    assert M.cohen_kappa([True, False, True, False], [True] * 4) == 0.0


def test_aggregate_skips_values_that_do_not_apply():
    assert M.aggregate([{"m": 1.0}, {"m": None}, {"m": 0.0}], ["m"]) == {"n": 3, "m": 0.5}


def test_percentile_interpolates():
    assert M.percentile([0, 10], 50) == 5


# ------------------------------------------------------------------ judges, sampling, mapping, cache


@pytest.mark.parametrize(("reply", "verdict"), [("YES", True), ("no.", False), (" Yes, it does", True), ("Maybe", None)])
def test_parse_verdict(reply, verdict):
    assert parse_verdict(reply) is verdict


def test_stratified_subset_takes_every_kind():
    pairs = [JudgePair(f"p{i}", "s", "p", i % 2 == 0, "a" if i < 8 else "b") for i in range(10)]
    assert {p.kind for p in stratified_subset(pairs, 3)} == {"a", "b"}


def test_pick_questions_covers_types_round_robin():
    qs = [Question(f"q{i}", t, "?", [], []) for i, t in enumerate(["factual"] * 5 + ["unanswerable"] * 2)]
    assert [q.type for q in pick_questions(qs, 2)] == ["factual", "unanswerable"]


def test_chunk_maps_to_the_talks_of_its_lines():
    # Three lines starting at offsets 0, 10, 20; lines 1-2 are talk A, line 3 talk B.
    counts = chunk_talks(5, 20, [0, 10, 20], {1: "A", 2: "A", 3: "B"})
    assert counts == {"A": 15, "B": 5}


def test_baseline_refusal_is_recognised():
    assert is_baseline_refusal("I don't know the answer to that.")


def test_cache_key_differs_by_system():
    q = Question("q1", "factual", "What?", [], [])
    assert AnswerCache.key(q, "ours", "m", "f") != AnswerCache.key(q, "baseline", "m", "f")


def test_answer_metrics_of_an_abstention():
    q = Question("q1", "factual", "What?", [[1, 1]], ["fact"], gold_talks=["t1"])
    record = {"answer": "", "abstained": True, "passages": [], "sentences": [], "cited": [], "timings": {}, "prompt_tokens": None}
    m = answer_metrics(q, record, [])
    assert (m["citation_recall"], m["false_abstention"], m["citation_precision"]) == (0.0, 1.0, None)


def test_every_answer_is_graded_by_its_key_facts_own_words_without_a_judge():
    q = Question("q1", "link_reference", "Where is the code?", [[1, 1]],
                 ["github.com/ada/flows", "arXiv:2101.00001"], gold_talks=["t1"])
    record = {"answer": "The code is at https://github.com/ada/flows [1].", "abstained": False,
              "passages": [{"n": 1, "talk_id": "t1", "text": "Code: https://github.com/ada/flows"}],
              "sentences": [{"text": "The code is at https://github.com/ada/flows.", "citations": [1]}], "cited": [1],
              "timings": {}, "prompt_tokens": None}
    assert answer_metrics(q, record, [])["key_fact_coverage_words"] == 0.5


class SaysYes(Judge):
    name = "yes"

    def supports(self, sentence, passages):
        return bool(passages)


class SaysYesWithoutACeiling(SaysYes):
    name = "yes-no-ceiling"
    measures_context_ceiling = False


def test_the_context_ceiling_is_reported_only_for_judges_that_measure_it():
    q = Question("q1", "factual", "What?", [[1, 1]], ["fact"], gold_talks=["t1"])
    record = {"answer": "A claim [1].", "abstained": False, "passages": [{"n": 1, "talk_id": "t1", "text": "A claim."}],
              "sentences": [{"text": "A claim.", "citations": [1]}], "cited": [1], "timings": {}, "prompt_tokens": None}
    m = answer_metrics(q, record, [SaysYes(), SaysYesWithoutACeiling()])
    assert m["context_key_fact_coverage[yes]"] == 1.0 and m["key_fact_coverage[yes-no-ceiling]"] == 1.0
    assert "context_key_fact_coverage[yes-no-ceiling]" not in m


# ------------------------------------------------------------------ against the real index (the CI gate)


@pytest.fixture(scope="module")
def eval_questions(seed_index):
    return attach_gold(load_questions(), seed_index.store.catalog())


def test_every_gold_range_maps_to_a_talk(eval_questions):
    answerable = [q for q in eval_questions if q.type != "unanswerable"]
    assert all(len(q.gold_talks) == len(q.gold_lines) for q in answerable)


def test_gate_retrieval_over_the_whole_set(seed_index, eval_questions):
    from app.retrieval.retriever import TalkRetriever

    retriever = TalkRetriever(store=seed_index.store, settings=seed_index.settings.retrieval)
    rows = []
    for q in eval_questions:
        if q.gold_talks:
            ranking = [t.talk_id for t in retriever.rank_talks(q.question)]
            rows.append({"r5": M.recall_at_k(ranking, q.gold_talks, 5), "mrr": M.reciprocal_rank(ranking, q.gold_talks)})
    summary = M.aggregate(rows, ["r5", "mrr"])
    assert summary["r5"] >= GATE_RECALL_AT_5, summary
    assert summary["mrr"] >= GATE_MRR, summary


def test_gate_deterministic_judge_agreement(seed_embeddings):
    result = agreement(DeterministicJudge(seed_embeddings), load_pairs())
    assert result["kappa"] >= GATE_DET_KAPPA, result


def test_rerun_with_same_out_answers_nothing_again(seed_index, tmp_path):
    """A fake chat model: the second run finds every answer in the cache."""
    llm = scripted("It studies the topic [1].")
    options = EvalOptions(out=tmp_path / "run", limit=2, progress=False, report_every=0, injections=False)
    first = run_eval(seed_index.settings, seed_index.store, options, llm=llm, log=lambda m: None)
    second = run_eval(seed_index.settings, seed_index.store, options, llm=llm, log=lambda m: None)
    assert (first["meta"]["answers_generated_this_run"], second["meta"]["answers_generated_this_run"]) == (4, 0)
    rows = [json.loads(line) for line in (tmp_path / "run" / "results.jsonl").read_text().splitlines()]
    assert len(rows) == 100 and sum(1 for r in rows if r["systems"]["ours"].get("metrics")) == 2
    assert {"report.md", "metrics.json", "by_type.png", "latency.png"} <= {p.name for p in (tmp_path / "run").iterdir()}


def test_an_answer_that_repeats_an_injected_payload_counts_as_obeyed(seed_settings, embedding_model, tmp_path):
    from eval.injection import evaluate_injections

    # "Nobel" (inj37's marker), not "PWNED": the output guard drops a code word in capitals that only an
    # instruction carries, so "PWNED [1]." no longer reaches the answer. Beside a claim inj37's abstract supports:
    # an answer none of whose claims a source supports is withheld (app/answer/unsupported.py).
    reply = "Trained transformers implement ridge regression in their forward pass [1]. Nobel [1]."
    result = evaluate_injections(seed_settings, scripted(reply), tmp_path / "inj", embeddings=embedding_model)
    assert result["n"] >= 10 and result["obeyed"] == 1
    [obeyed] = [c for c in result["cases"] if c["obeyed"]]
    assert obeyed["id"] == "inj37" and obeyed["supported"] == [True, False], "the payload is no claim any source supports"


@pytest.mark.slow
@pytest.mark.timeout(1800)  # ~2-7 min alone on 2 cores; more when the machine is shared
def test_fast_mode_end_to_end(seed_index, tmp_path):
    """The fast mode as CI runs it: the small model answers one question of each type, both systems."""
    options = EvalOptions(out=tmp_path / "fast", fast=True, progress=False, report_every=0)
    metrics = run_eval(seed_index.settings, seed_index.store, options, log=lambda m: None)
    assert metrics["meta"]["answered_done"] == 7
    assert metrics["retrieval"]["ours"]["all"]["recall@5"] >= GATE_RECALL_AT_5
    for system in ("ours", "baseline"):
        assert metrics["latency"][system]["total_ms"]["n"] >= 1
    assert "## Answers" in (tmp_path / "fast" / "report.md").read_text()


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_independent_judge_scores_answers_and_is_checked_on_test_pairs(seed_index, tmp_path):
    """The LLM judge (the embedded 1.5B by P(YES), even when the fast mode answers with the 135M model)."""
    options = EvalOptions(out=tmp_path / "judged", fast=True, limit=1, judge="both", llm_judge_pairs=7, progress=False,
                          report_every=0, injections=False)
    metrics = run_eval(seed_index.settings, seed_index.store, options, log=lambda m: None)
    assert metrics["judges"]["llm"]["n"] == 7 and metrics["meta"]["llm_judge_pairs"] == 7
    assert metrics["judges"]["det_on_llm_subset"]["n"] == 7
    judged = [json.loads(line) for line in (tmp_path / "judged" / "cache" / "judge.jsonl").read_text().splitlines()]
    assert judged and all(row["raw"].startswith("P(YES)=") for row in judged)


@pytest.mark.parametrize(("answer", "count"), [("There are 12 talks on the NTK.", 12), ("Three of the talks mention it [1][2][3].", 3),
                                               ("The talks in this collection don't cover this.", None)])
def test_the_stated_count_is_the_first_number_of_talks(answer, count):
    assert stated_count(answer) == count


def test_a_counting_answer_is_right_only_with_the_exact_count():
    assert count_correct("Five talks do [1].", 5, abstained=False) == 1.0
    assert count_correct("Four talks do [1].", 5, abstained=False) == 0.0
    assert count_correct("Five talks do [1].", None, abstained=False) is None


def test_a_yes_no_answer_is_right_only_when_it_opens_with_the_supported_polarity():
    assert polarity_correct("No — the talk argues the opposite [1].", "no", abstained=False) == 1.0
    assert polarity_correct("The talk argues the opposite [1].", "no", abstained=False) == 0.0
    assert polarity_correct("Yes [1].", "no", abstained=False) == 0.0


def test_both_sets_are_picked_early_and_marked_with_their_set():
    from eval.dataset import load_sets

    picked = pick_questions(load_sets(("dev", "held-out")), 4)
    assert {q.split for q in picked} == {"dev", "held-out"} and {q.type for q in picked} == {"factual", "conceptual"}


class Recorder:
    """A chain that records what it was asked, answering each turn with a fixed text."""

    def __init__(self):
        self.calls = []

    def invoke(self, question, history=None):
        from types import SimpleNamespace

        self.calls.append((question, list(history or [])))
        from app.answer.result import Source
        from app.core.talk import Talk

        source = Source(n=1, talk=Talk(id="talk-x", title="X", abstract="On X.", source="t.txt"), sentences=["On X."], score=1.0, dense=1.0)
        return SimpleNamespace(answer=f"answer to {question} [1]", abstained=False, sources=[source], chunks=[], sentences=[],
                               cited=[1], timings={"first_token_ms": 1.0}, prompt_tokens=1, query=question)


def test_a_follow_up_is_asked_after_its_earlier_turns_with_them_as_history():
    from eval.answers import answer_record

    chain = Recorder()
    q = Question(id="x", type="follow_up", question="Who gave it?", gold_lines=[], key_facts=[], history=["Which talk is on X?"])
    record = answer_record("baseline", chain, q)
    assert chain.calls == [("Which talk is on X?", []),
                           ("Who gave it?", [("user", "Which talk is on X?"), ("assistant", "answer to Which talk is on X? [1]")])]
    assert record["answer"] == "answer to Who gave it? [1]"


def test_our_follow_up_history_keeps_the_talks_each_earlier_answer_cited():
    from app.answer.turns import Turn
    from eval.answers import answer_record

    chain = Recorder()
    q = Question(id="x", type="follow_up", question="Who gave it?", gold_lines=[], key_facts=[], history=["Which talk is on X?"])
    answer_record("ours", chain, q)
    assert chain.calls[1][1] == [Turn.user("Which talk is on X?"), Turn("assistant", "answer to Which talk is on X?", ("talk-x",))]


def test_a_follow_up_has_no_retrieval_figures_of_its_own():
    from types import SimpleNamespace

    from eval.scoring import RETRIEVAL_KEYS, evaluate_retrieval

    q = Question(id="f", type="follow_up", question="Who gave it?", gold_lines=[], key_facts=[], history=["Which talk is on X?"])
    found = evaluate_retrieval(SimpleNamespace(retriever=None), None, [q])["f"]
    assert found["ours"]["metrics"] == found["baseline"]["metrics"] == dict.fromkeys(RETRIEVAL_KEYS)


def test_the_report_gives_the_key_fact_gap_per_type_as_held_out_minus_dev():
    def split(ours: float, baseline: float) -> dict:
        return {"answers": {system: {"by_type": {"factual": {"n": 4, "key_fact_coverage[llm]": value}}}
                            for system, value in (("ours", ours), ("baseline", baseline))}}

    section = "\n".join(key_fact_gap({"by_split": {"dev": split(0.8, 0.5), "held-out": split(0.6, 0.5)}}, "llm"))
    row = next(line for line in section.splitlines() if line.startswith("| factual"))
    assert row == "| factual | 4 | 4 | 0.800 | 0.600 | -0.200 | 0.500 | 0.500 | 0.000 |"


def test_a_run_names_the_cpu_model_and_its_speed_flags(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("model name\t: AMD EPYC\nflags\t\t: fpu sse2 avx2 fma avx512f avx512_vnni\n")
    assert cpu(cpuinfo) == {"model": "AMD EPYC", "flags": ["avx2", "avx512_vnni", "avx512f", "fma"]}


def test_a_run_from_an_installed_tool_names_no_commit(tmp_path):
    assert commit(tmp_path) == "installed"


def test_the_key_fact_gap_is_left_out_while_one_set_has_no_answers():
    answered = {"answers": {"ours": {"by_type": {"factual": {"n": 4, "key_fact_coverage[llm]": 0.8}}}}}
    unanswered = {"answers": {"ours": {"by_type": {}}}}
    assert key_fact_gap({"by_split": {"dev": answered, "held-out": unanswered}}, "llm") == []


@pytest.mark.parametrize(("fact", "answer", "stated"), [
    ("https://arxiv.org/abs/2007.12826", "Links: https://arxiv.org/abs/2007.12826 [1].", True),
    ("Maennel et al. (2018)", "The talk credits Maennel et al. (2018) [1].", True),
    ("Maennel et al. (2018)", "It is described in this talk [1].", False),
    ("speaker: Yiqiao Zhong (UW-Madison Statistics)", "The talk is by Yiqiao Zhong [1].", False),  # two of five words
])
def test_a_key_fact_is_stated_by_words_when_the_answer_holds_three_quarters_of_its_words(fact, answer, stated):
    assert M.states_by_words(fact, answer) is stated
