"""Per-question scores: retrieval of both systems, each answer's citations and grounding, the judges' agreement."""

from __future__ import annotations

import sys

from tqdm import tqdm

from app.answer.chain import AnswerChain
from eval import metrics as M
from eval.baseline import NaiveChain
from eval.dataset import Question, load_pairs
from eval.judges import PASSAGE_SEPARATOR, DeterministicJudge, Judge, LLMJudge, agreement, split_pairs, stratified_subset
from eval.run_state import EvalRun


#: The retrieval scores of a question, in the order reports show them.
RETRIEVAL_KEYS = ("recall@5", "recall@10", "mrr", "ndcg@10", "context_recall")


def retrieval_metrics(ranking: list[str], context: list[str], gold: list[str]) -> dict:
    return {
        "recall@5": M.recall_at_k(ranking, gold, 5),
        "recall@10": M.recall_at_k(ranking, gold, 10),
        "mrr": M.reciprocal_rank(ranking, gold),
        "ndcg@10": M.ndcg_at_k(ranking, gold, 10),
        "context_recall": M.recall_at_k(context, gold, len(context)) if gold else None,
    }


def evaluate_retrieval(chain: AnswerChain, baseline: NaiveChain, questions: list[Question]) -> dict[str, dict[str, dict]]:
    """{qid: {system: {ranking, context, metrics}}} for every question (no LLM)."""
    out: dict[str, dict[str, dict]] = {}
    retriever = chain.retriever
    for q in questions:
        if q.history:  # a follow-up is retrieved with its conversation: scored through its answer only
            nothing = {"ranking": [], "context": [], "metrics": dict.fromkeys(RETRIEVAL_KEYS)}
            out[q.id] = {"ours": nothing, "baseline": nothing}
            continue
        ranked = retriever.rank_talks(q.question)
        ranking = [t.talk_id for t in ranked]
        # What the chain hands the model (with the cross-encoder's cut when it is on).
        context = [d.metadata["talk_id"] for d in retriever.invoke(q.question)]
        b_ranking = baseline.rank_talks(q.question)
        b_context = list(dict.fromkeys(d.metadata["talk_id"] for d in baseline.retrieve(q.question)))
        out[q.id] = {
            "ours": {"ranking": ranking[:10], "context": context, "metrics": retrieval_metrics(ranking, context, q.gold_talks)},
            "baseline": {"ranking": b_ranking[:10], "context": b_context, "metrics": retrieval_metrics(b_ranking, b_context, q.gold_talks)},
        }
    return out


def _judged_metrics(q: Question, record: dict, judge: Judge, cited_pairs: list[tuple[str, list[str]]], context: list[str]) -> dict:
    """One judge's grounding metrics of one answer (keys suffixed ``[judge name]``)."""
    abstained = record["abstained"]
    if isinstance(judge, DeterministicJudge):  # warm its memo in one embedding batch
        judge.scores([(s, c) for s, c in cited_pairs if c] + [(s, context) for s, _ in cited_pairs if context])
    alce = M.alce_scores(cited_pairs, judge.supports)
    # The judge's calls are ordered by the text they read first: both context-wide metrics one after the other,
    # so the LLM judge evaluates the long context once per answer and reuses it (llama.cpp's prompt cache).
    out = {
        f"alce_citation_recall[{judge.name}]": alce["alce_citation_recall"],
        f"alce_citation_precision[{judge.name}]": alce["alce_citation_precision"],
        f"faithfulness[{judge.name}]": M.faithfulness(cited_pairs, context, judge.supports),
    }
    if judge.measures_context_ceiling:
        # The ceiling of key-fact coverage: the key facts present in what the model was given. Joined exactly
        # as a judge joins passages, so this reads the very text faithfulness just read (and reuses it).
        out[f"context_key_fact_coverage[{judge.name}]"] = M.key_fact_coverage(
            q.key_facts, PASSAGE_SEPARATOR.join(context), False, judge.covers)
    out[f"key_fact_coverage[{judge.name}]"] = M.key_fact_coverage(q.key_facts, record["answer"], abstained, judge.covers)
    return out


def answer_metrics(q: Question, record: dict, judges: list[Judge]) -> dict:
    """Citation, abstention, latency and (per judge) grounding metrics of one answer."""
    by_n = {p["n"]: p for p in record["passages"]}
    cited_talks = [by_n[n]["talk_id"] for n in record["cited"] if n in by_n]
    abstained = record["abstained"]
    out: dict = {
        "citation_precision": None if abstained else M.citation_precision(cited_talks, q.gold_talks),
        "citation_recall": M.citation_recall([] if abstained else cited_talks, q.gold_talks),
        "abstention_correct": M.abstention_correct(q.answerable, abstained),
        "false_abstention": M.false_abstention(q.answerable, abstained),
        "first_token_ms": record["timings"].get("first_token_ms"),
        "total_ms": record["timings"].get("total_ms"),
        "prompt_tokens": record.get("prompt_tokens"),
        "sentences": None if abstained else len(record["sentences"]),
        "count_correct": M.count_correct(record["answer"], q.count, abstained),
        "polarity_correct": M.polarity_correct(record["answer"], q.polarity, abstained),
        # No judge and no model: the key facts' own words in the answer (a floor for prose, fair for links and names).
        "key_fact_coverage_words": M.key_fact_coverage(q.key_facts, record["answer"], abstained, M.states_by_words),
    }
    sentences = [] if abstained else record["sentences"]
    cited_pairs = [(s["text"], [by_n[n]["text"] for n in s["citations"] if n in by_n]) for s in sentences]
    context = [p["text"] for p in record["passages"]]
    for judge in judges:
        out.update(_judged_metrics(q, record, judge, cited_pairs, context))
    return out


def check_judges(run: EvalRun) -> None:
    """Each judge's agreement with the labelled pairs: the deterministic judge on all of them, and the
    LLM judge on the test halves (its prompt and cut were chosen on the tune halves; at most
    ``llm_judge_pairs`` of them, stratified by kind), with the deterministic judge on the same pairs."""
    files = [load_pairs(path) for path in run.options.pairs]
    pairs = [p for file in files for p in file]
    run.judge_agreement = {"det": agreement(run.det, pairs)}
    llm_judge = next((j for j in run.judges if isinstance(j, LLMJudge)), None)
    if llm_judge is None:
        return
    test = [p for file in files for p in split_pairs(file)[1]]
    subset = stratified_subset(test, run.options.llm_judge_pairs)
    run.meta["llm_judge_pairs"] = len(subset)
    bar = tqdm(total=len(subset), desc="LLM judge on labelled pairs", file=sys.stderr, disable=not run.options.progress)
    run.judge_agreement["llm"] = agreement(llm_judge, subset, progress=lambda: bar.update(1))
    bar.close()
    run.judge_agreement["det_on_llm_subset"] = agreement(run.det, subset)
