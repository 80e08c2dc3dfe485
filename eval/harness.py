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
from app.answer.prompts import PROMPTS
from app.config import DEFAULT_CORPUS, Settings
from app.store import TalkStore
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
JUDGED_KEYS = ("faithfulness", "alce_citation_recall", "alce_citation_precision", "key_fact_coverage")


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
    """A hash of everything that changes an answer besides the question: prompts and settings."""
    digest = hashlib.sha256()
    for path in sorted(prompts_dir.glob("*.txt")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    relevant = {
        "chunks": settings.chunks.model_dump(),
        "embedding": settings.embedding.model_dump(exclude={"threads", "batch_size"}),
        "retrieval": settings.retrieval.model_dump(),
        "llm": settings.llm.model_dump(exclude={"api_key", "threads", "timeout_s"}),
    }
    digest.update(json.dumps(relevant, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:16]


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


def ours_passage(source) -> str:
    """A numbered source as the model saw it: title, speaker, selected sentences."""
    speaker = f" (speaker: {source.talk.speaker})" if source.talk.speaker else ""
    return f"{source.talk.title}{speaker}\n{source.snippet}"


def answer_ours(chain: AnswerChain, q: Question) -> dict:
    a = chain.invoke(q.question)
    called = a.timings.get("first_token_ms") is not None
    return {
        "answer": a.answer,
        "abstained": a.abstained,
        "passages": [{"n": s.n, "talk_id": s.talk.id, "text": ours_passage(s)} for s in a.sources],
        "sentences": [{"text": s["text"], "citations": s["citations"]} for s in a.sentences],
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
        "sentences": a.sentences,
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


def run_eval(
    settings: Settings,
    store: TalkStore,
    options: EvalOptions,
    *,
    llm=None,
    log: Callable[[str], None] | None = None,
) -> dict:
    """The whole evaluation; writes the report folder and returns metrics.json's content."""
    from app.service import build_chain
    from app.models.tokens import encoding
    from eval.report import write_report

    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    started = time.time()
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    if options.fast:
        settings = fast_settings(settings)
    limit = options.limit if options.limit is not None else (len(TYPES) if options.fast else None)
    catalog = store.catalog()
    corpus = next((p for p in settings.corpus if Path(p).name == DEFAULT_CORPUS.name), DEFAULT_CORPUS)
    questions = attach_gold(load_questions(options.questions), catalog, Path(corpus).name)
    to_answer = pick_questions(questions, limit) if limit != 0 else []

    needs_llm = bool(to_answer) or options.judge in ("llm", "both")
    if needs_llm and llm is None:
        from app.models.llm import chat_model

        llm = chat_model(settings)
    chain = build_chain(settings, llm=llm, with_llm=llm is not None, store=store)
    enc = encoding(settings.chunks.encoding, settings.cache_dir / "tiktoken")
    log(f"baseline: chunking {Path(corpus).name} and embedding its chunks")
    baseline = NaiveChain(corpus, store.embeddings, llm, line_to_talk(catalog, Path(corpus).name), lambda t: len(enc.encode(t)))

    log(f"retrieval metrics over {len(questions)} questions, both systems")
    retrieval = evaluate_retrieval(chain, baseline, questions)

    det = DeterministicJudge(store.embeddings, **({"threshold": options.det_threshold} if options.det_threshold is not None else {}))
    judges: list[Judge] = []
    if options.judge in ("deterministic", "both"):
        judges.append(det)
    model = model_name(settings)
    llm_judge = None
    if options.judge in ("llm", "both"):
        llm_judge = LLMJudge(llm, model, out / "cache" / "judge.jsonl")
        judges.append(llm_judge)

    pairs = load_pairs(options.pairs)
    judge_agreement = {"det": agreement(det, pairs)}
    if llm_judge is not None:
        subset = stratified_subset(pairs, options.llm_judge_pairs)
        bar = tqdm(total=len(subset), desc="LLM judge on labelled pairs", file=sys.stderr, disable=not options.progress)
        judge_agreement["llm"] = agreement(llm_judge, subset, progress=lambda: bar.update(1))
        bar.close()
        # The deterministic judge on the same subset, for a like-for-like comparison.
        judge_agreement["det_on_llm_subset"] = agreement(det, subset)

    fingerprint = run_fingerprint(settings)
    cache = AnswerCache(out / "cache" / "answers.jsonl")
    meta = {
        "model": model,
        "fingerprint": fingerprint,
        "questions": len(questions),
        "answered": len(to_answer),
        "fast": options.fast,
        "judge": options.judge,
        "llm_judge_pairs": len(stratified_subset(pairs, options.llm_judge_pairs)) if llm_judge else 0,
        "det_threshold": det.threshold,
        "index_talks": len(catalog.talks),
        "baseline_chunks": len(baseline.docs),
        **options.meta,
    }
    per_question: dict[str, dict] = {}

    def results_rows() -> list[dict]:
        rows = []
        for q in questions:
            row = {"id": q.id, "type": q.type, "question": q.question, "gold_talks": q.gold_talks, "key_facts": q.key_facts, "systems": {}}
            for system in SYSTEMS:
                entry = {"retrieval": retrieval[q.id][system]["metrics"], "ranking": retrieval[q.id][system]["ranking"],
                         "context": retrieval[q.id][system]["context"]}
                if q.id in per_question and system in per_question[q.id]:
                    entry.update(per_question[q.id][system])
                row["systems"][system] = entry
            rows.append(row)
        return rows

    def write(final: bool) -> dict:
        rows = results_rows()
        meta["seconds"] = round(time.time() - started, 1)
        meta["finished"] = final
        meta["answered_done"] = len(per_question)
        metrics = build_metrics([r for r in rows], judge_agreement, meta, [j.name for j in judges])
        write_report(out, metrics, rows)
        return metrics

    bar = tqdm(total=len(to_answer), desc=f"answering ({model})", unit="q", file=sys.stderr, disable=not options.progress)
    fresh = 0
    for i, q in enumerate(to_answer, start=1):
        per_question[q.id] = {}
        for system in SYSTEMS:
            key = AnswerCache.key(q, system, model, fingerprint)
            record = cache.get(key)
            if record is None:
                record = answer_ours(chain, q) if system == "ours" else answer_baseline(baseline, q)
                record.update({"key": key, "qid": q.id, "system": system, "model": model})
                cache.put(record)
                fresh += 1
            per_question[q.id][system] = {
                "answer": {k: record[k] for k in ("answer", "abstained", "passages", "sentences", "cited", "timings", "prompt_tokens")},
                "metrics": answer_metrics(q, record, judges),
            }
        bar.update(1)
        if options.report_every and i % options.report_every == 0 and i < len(to_answer):
            write(final=False)
    bar.close()
    meta["answers_generated_this_run"] = fresh
    metrics = write(final=True)
    log(f"report written to {out} ({meta['seconds']} s; {fresh} answers generated, {2 * len(to_answer) - fresh} from cache)")
    return metrics
