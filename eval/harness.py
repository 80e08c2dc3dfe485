"""Run the evaluation: retrieval over every question, answers from both systems, judges, metrics.

Answers are cached in ``<out>/cache/answers.jsonl`` under a key of question id,
question text, system, chat model, and a hash of the prompts and settings, so
a re-run with the same ``--out`` only answers what is not there yet (and an
interrupted run resumes). LLM-judge verdicts are cached the same way.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from tqdm import tqdm

from app.answer.chain import AnswerChain
from app.answer.passages import passage
from app.core.answer_fingerprint import answer_fingerprint
from app.core.prompts import PROMPTS
from app.core.config import DEFAULT_CORPUS, Settings
from app.index.store import TalkStore
from eval import metrics as M
from eval.baseline import NaiveChain
from eval.dataset import JUDGE_PAIRS, QUESTIONS, TYPES, Question, attach_gold, line_to_talk, load_pairs, load_questions
from eval.judges import DeterministicJudge, Judge, LLMJudge, agreement, stratified_subset

SYSTEMS = ("ours", "baseline")
FAST_MODEL = "smollm2-135m"
RETRIEVAL_KEYS = ("recall@5", "recall@10", "mrr", "ndcg@10", "context_recall")
ANSWER_KEYS = (
    "citation_precision",
    "citation_recall",
    "abstention_correct",
    "false_abstention",
    "first_token_ms",
    "total_ms",
    "prompt_tokens",
    "sentences",
)
JUDGED_KEYS = ("faithfulness", "alce_citation_recall", "alce_citation_precision", "key_fact_coverage", "context_key_fact_coverage")


@dataclass
class EvalOptions:
    out: Path
    questions: Path = QUESTIONS
    pairs: Path = JUDGE_PAIRS
    limit: int | None = None
    judge: str = "deterministic"  # deterministic | llm | both
    fast: bool = False
    llm_judge_pairs: int = 60
    det_threshold: float | None = None
    progress: bool = True
    report_every: int = 10
    #: Ask the adversarial set (eval/data/injections.jsonl) and report obeyed / copied / runaway answers per split.
    injections: bool = True
    meta: dict = field(default_factory=dict)


def fast_settings(settings: Settings) -> Settings:
    """The fast mode's settings: the small embedded model."""
    # 160 tokens: the 135M model sometimes runs on, copying its sources, to the 320-token default.
    llm = settings.llm.model_copy(update={"backend": "local", "local_model": FAST_MODEL, "max_tokens": min(settings.llm.max_tokens, 160)})
    return settings.model_copy(update={"llm": llm})


def pick_questions(questions: list[Question], limit: int | None) -> list[Question]:
    """The first ``limit`` questions taken round-robin over types (id order within a type): every type early."""
    if limit is None or limit >= len(questions):
        return list(questions)
    by_type: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        by_type[q.type].append(q)
    order = [t for t in TYPES if t in by_type] + [t for t in by_type if t not in TYPES]
    picked: list[Question] = []
    while len(picked) < limit:
        for t in order:
            if by_type[t] and len(picked) < limit:
                picked.append(by_type[t].pop(0))
    return sorted(picked, key=lambda q: q.id)


def run_fingerprint(settings: Settings, prompts_dir: Path = PROMPTS) -> str:
    """A hash of everything that changes an answer besides the question (shared with feedback records)."""
    return answer_fingerprint(settings, prompts_dir)


def model_name(settings: Settings) -> str:
    from app.models.llm import describe

    return describe(settings)


class AnswerCache:
    """JSON Lines of finished answers, keyed; appended as answers finish."""

    def __init__(self, path: Path):
        self.path = path
        self.rows: dict[str, dict] = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError:  # a line cut by a kill
                        continue
                    self.rows[row["key"]] = row

    @staticmethod
    def key(q: Question, system: str, model: str, fingerprint: str) -> str:
        raw = json.dumps([q.id, q.question, system, model, fingerprint])
        return hashlib.sha256(raw.encode()).hexdigest()[:24]

    def get(self, key: str) -> dict | None:
        return self.rows.get(key)

    def put(self, row: dict) -> None:
        self.rows[row["key"]] = row
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


# ------------------------------------------------------------------ the two systems, in common terms


def answer_ours(chain: AnswerChain, q: Question) -> dict:
    a = chain.invoke(q.question)
    called = a.timings.get("first_token_ms") is not None
    return {
        "answer": a.answer,
        "abstained": a.abstained,
        "passages": [{"n": s.n, "talk_id": s.talk.id, "text": passage(s, q.question)} for s in a.sources],
        "sentences": [{"text": s.text, "citations": s.citations} for s in a.sentences],
        "cited": a.cited,
        "timings": a.timings,
        "prompt_tokens": a.prompt_tokens if called else None,
    }


def answer_baseline(chain: NaiveChain, q: Question) -> dict:
    a = chain.invoke(q.question)
    return {
        "answer": a.answer,
        "abstained": a.abstained,
        "passages": [{"n": i, "talk_id": d.metadata.get("talk_id", ""), "text": d.page_content} for i, d in enumerate(a.chunks, 1)],
        "sentences": [{"text": s.text, "citations": s.citations} for s in a.sentences],
        "cited": a.cited,
        "timings": a.timings,
        "prompt_tokens": a.prompt_tokens,
    }


# ------------------------------------------------------------------ per-question metrics


def retrieval_metrics(ranking: list[str], context: list[str], gold: list[str]) -> dict:
    return {
        "recall@5": M.recall_at_k(ranking, gold, 5),
        "recall@10": M.recall_at_k(ranking, gold, 10),
        "mrr": M.reciprocal_rank(ranking, gold),
        "ndcg@10": M.ndcg_at_k(ranking, gold, 10),
        "context_recall": M.recall_at_k(context, gold, len(context)) if gold else None,
    }


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
    }
    sentences = [] if abstained else record["sentences"]
    cited_pairs = [(s["text"], [by_n[n]["text"] for n in s["citations"] if n in by_n]) for s in sentences]
    context = [p["text"] for p in record["passages"]]
    for judge in judges:
        if isinstance(judge, DeterministicJudge):  # warm its memo in one embedding batch
            judge.scores([(s, c) for s, c in cited_pairs if c] + [(s, context) for s, _ in cited_pairs if context])
        alce = M.alce_scores(cited_pairs, judge.supports)
        out[f"alce_citation_recall[{judge.name}]"] = alce["alce_citation_recall"]
        out[f"alce_citation_precision[{judge.name}]"] = alce["alce_citation_precision"]
        out[f"faithfulness[{judge.name}]"] = M.faithfulness([s for s, _ in cited_pairs], context, judge.supports)
        out[f"key_fact_coverage[{judge.name}]"] = M.key_fact_coverage(q.key_facts, record["answer"], abstained, judge.covers)
        # The ceiling of the line above: the key facts present in what the model was given.
        out[f"context_key_fact_coverage[{judge.name}]"] = M.key_fact_coverage(q.key_facts, "\n".join(context), False, judge.covers)
    return out


# ------------------------------------------------------------------ the run


def evaluate_retrieval(chain: AnswerChain, baseline: NaiveChain, questions: list[Question]) -> dict[str, dict[str, dict]]:
    """{qid: {system: {ranking, context, metrics}}} for every question (no LLM)."""
    out: dict[str, dict[str, dict]] = {}
    retriever = chain.retriever
    for q in questions:
        ranked = retriever.rank_talks(q.question)
        ranking = [t["talk_id"] for t in ranked]
        # What the chain hands the model (with the cross-encoder's cut when it is on).
        context = [d.metadata["talk_id"] for d in retriever.invoke(q.question)]
        b_ranking = baseline.rank_talks(q.question)
        b_context = list(dict.fromkeys(d.metadata["talk_id"] for d in baseline.retrieve(q.question)))
        out[q.id] = {
            "ours": {"ranking": ranking[:10], "context": context, "metrics": retrieval_metrics(ranking, context, q.gold_talks)},
            "baseline": {"ranking": b_ranking[:10], "context": b_context, "metrics": retrieval_metrics(b_ranking, b_context, q.gold_talks)},
        }
    return out


def summarise(rows: list[dict], keys: list[str]) -> dict:
    """{"all": aggregate, "by_type": {type: aggregate}} over rows carrying a "type"."""
    by_type: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_type[r["type"]].append(r)
    order = [t for t in TYPES if t in by_type] + sorted(t for t in by_type if t not in TYPES)
    return {"all": M.aggregate(rows, keys), "by_type": {t: M.aggregate(by_type[t], keys) for t in order}}


def latency_summary(rows: list[dict]) -> dict:
    out = {}
    for key in ("first_token_ms", "total_ms", "prompt_tokens"):
        values = [r[key] for r in rows if r.get(key) is not None]
        out[key] = {
            "n": len(values),
            "mean": round(sum(values) / len(values), 1) if values else None,
            "p50": M.percentile(values, 50),
            "p90": M.percentile(values, 90),
        }
    return out


def build_metrics(results: list[dict], judge_agreement: dict, meta: dict, judge_names: list[str]) -> dict:
    answer_keys = list(ANSWER_KEYS) + [f"{k}[{j}]" for j in judge_names for k in JUDGED_KEYS]
    metrics = {"meta": meta, "judges": judge_agreement, "retrieval": {}, "answers": {}, "latency": {}}
    for system in SYSTEMS:
        ret_rows = [{"type": r["type"], **r["systems"][system]["retrieval"]} for r in results]
        metrics["retrieval"][system] = summarise(ret_rows, list(RETRIEVAL_KEYS))
        ans_rows = [{"type": r["type"], **r["systems"][system]["metrics"]} for r in results if r["systems"][system].get("metrics")]
        metrics["answers"][system] = summarise(ans_rows, answer_keys)
        metrics["latency"][system] = latency_summary(ans_rows)
    return metrics


@dataclass
class EvalRun:
    """Everything one evaluation run works with, built by ``prepare_run``."""

    settings: Settings
    options: EvalOptions
    questions: list[Question]
    to_answer: list[Question]
    chain: AnswerChain
    baseline: NaiveChain
    det: DeterministicJudge
    judges: list[Judge]
    model: str
    meta: dict
    judge_agreement: dict = field(default_factory=dict)
    retrieval: dict = field(default_factory=dict)
    per_question: dict = field(default_factory=dict)
    injection: dict | None = None
    started: float = field(default_factory=time.time)


def prepare_run(settings: Settings, store: TalkStore, options: EvalOptions, llm, log: Callable[[str], None]) -> EvalRun:
    """Questions with their gold talks, both systems over the same index and model, and the judges."""
    from app.models.tokens import encoding
    from app.service import Service

    if options.fast:
        settings = fast_settings(settings)
    limit = options.limit if options.limit is not None else (len(TYPES) if options.fast else None)
    catalog = store.catalog()
    corpus = next((p for p in settings.corpus if Path(p).name == DEFAULT_CORPUS.name), DEFAULT_CORPUS)
    questions = attach_gold(load_questions(options.questions), catalog, Path(corpus).name)
    to_answer = pick_questions(questions, limit) if limit != 0 else []

    needs_llm = bool(to_answer) or options.judge in ("llm", "both")
    service = Service(settings, store=store)
    if needs_llm and llm is None:
        llm = service.chat_model()
    chain = service.answer_chain(llm=llm)
    enc = encoding(settings.chunks.encoding, settings.cache_dir / "tiktoken")
    log(f"baseline: chunking {Path(corpus).name} and embedding its chunks")
    baseline = NaiveChain(corpus, store.embeddings, llm, line_to_talk(catalog, Path(corpus).name), lambda t: len(enc.encode(t)))

    det = DeterministicJudge(store.embeddings, **({"threshold": options.det_threshold} if options.det_threshold is not None else {}))
    model = model_name(settings)
    judges: list[Judge] = [det] if options.judge in ("deterministic", "both") else []
    if options.judge in ("llm", "both"):
        judges.append(LLMJudge(llm, model, Path(options.out) / "cache" / "judge.jsonl"))
    meta = {
        "model": model,
        "fingerprint": run_fingerprint(settings),
        "questions": len(questions),
        "answered": len(to_answer),
        "fast": options.fast,
        "judge": options.judge,
        "llm_judge_pairs": 0,
        "det_threshold": det.threshold,
        "index_talks": len(catalog.talks),
        "baseline_chunks": len(baseline.docs),
        **options.meta,
    }
    return EvalRun(settings, options, questions, to_answer, chain, baseline, det, judges, model, meta)


def check_judges(run: EvalRun) -> None:
    """Each judge's agreement with the labelled pairs (the LLM judge on a stratified subset, the
    deterministic judge on the same subset too, for a like-for-like comparison)."""
    pairs = load_pairs(run.options.pairs)
    run.judge_agreement = {"det": agreement(run.det, pairs)}
    llm_judge = next((j for j in run.judges if isinstance(j, LLMJudge)), None)
    if llm_judge is None:
        return
    subset = stratified_subset(pairs, run.options.llm_judge_pairs)
    run.meta["llm_judge_pairs"] = len(subset)
    bar = tqdm(total=len(subset), desc="LLM judge on labelled pairs", file=sys.stderr, disable=not run.options.progress)
    run.judge_agreement["llm"] = agreement(llm_judge, subset, progress=lambda: bar.update(1))
    bar.close()
    run.judge_agreement["det_on_llm_subset"] = agreement(run.det, subset)


def results_rows(run: EvalRun) -> list[dict]:
    """One row a question: gold, and per system its retrieval and (when answered) its answer and metrics."""
    rows = []
    for q in run.questions:
        row = {"id": q.id, "type": q.type, "question": q.question, "gold_talks": q.gold_talks, "key_facts": q.key_facts, "systems": {}}
        for system in SYSTEMS:
            found = run.retrieval[q.id][system]
            entry = {"retrieval": found["metrics"], "ranking": found["ranking"], "context": found["context"]}
            entry.update(run.per_question.get(q.id, {}).get(system, {}))
            row["systems"][system] = entry
        rows.append(row)
    return rows


def write_run(run: EvalRun, final: bool) -> dict:
    """Write the report folder from what is done so far; returns metrics.json's content."""
    from eval.report import write_report

    rows = results_rows(run)
    run.meta.update(seconds=round(time.time() - run.started, 1), finished=final, answered_done=len(run.per_question))
    metrics = build_metrics(rows, run.judge_agreement, run.meta, [j.name for j in run.judges])
    if run.injection is not None:
        metrics["injection"] = run.injection
    write_report(Path(run.options.out), metrics, rows)
    return metrics


def answer_questions(run: EvalRun) -> int:
    """Both systems answer every picked question (cached answers are reused); returns how many were generated."""
    cache = AnswerCache(Path(run.options.out) / "cache" / "answers.jsonl")
    fingerprint = run.meta["fingerprint"]
    bar = tqdm(total=len(run.to_answer), desc=f"answering ({run.model})", unit="q", file=sys.stderr, disable=not run.options.progress)
    fresh = 0
    for i, q in enumerate(run.to_answer, start=1):
        run.per_question[q.id] = {}
        for system in SYSTEMS:
            key = AnswerCache.key(q, system, run.model, fingerprint)
            record = cache.get(key)
            if record is None:
                record = answer_ours(run.chain, q) if system == "ours" else answer_baseline(run.baseline, q)
                record.update({"key": key, "qid": q.id, "system": system, "model": run.model})
                cache.put(record)
                fresh += 1
            run.per_question[q.id][system] = {
                "answer": {k: record[k] for k in ("answer", "abstained", "passages", "sentences", "cited", "timings", "prompt_tokens")},
                "metrics": answer_metrics(q, record, run.judges),
            }
        bar.update(1)
        if run.options.report_every and i % run.options.report_every == 0 and i < len(run.to_answer):
            write_run(run, final=False)
    bar.close()
    return fresh


def run_eval(
    settings: Settings,
    store: TalkStore,
    options: EvalOptions,
    *,
    llm=None,
    log: Callable[[str], None] | None = None,
) -> dict:
    """The whole evaluation; writes the report folder and returns metrics.json's content."""
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    Path(options.out).mkdir(parents=True, exist_ok=True)
    run = prepare_run(settings, store, options, llm, log)
    log(f"retrieval metrics over {len(run.questions)} questions, both systems")
    run.retrieval = evaluate_retrieval(run.chain, run.baseline, run.questions)
    check_judges(run)
    fresh = answer_questions(run)
    run.meta["answers_generated_this_run"] = fresh
    if options.injections and run.to_answer and run.chain.llm is not None:
        from eval.injection import SPLITS, evaluate_injections

        splits = ("held-out",) if options.fast else SPLITS  # the fast mode asks the held-out styles only
        log(f"asking the injected-instruction set ({', '.join(splits)} styles)")
        run.injection = evaluate_injections(run.settings, run.chain.llm, Path(options.out) / "injection", embeddings=store.embeddings,
                                            splits=splits)
    metrics = write_run(run, final=True)
    log(f"report written to {options.out} ({run.meta['seconds']} s; {fresh} answers generated, {2 * len(run.to_answer) - fresh} from cache)")
    return metrics
