"""Run the evaluation: retrieval over every question, answers from both systems, judges, metrics.

The steps live in modules of their own: eval/run_state.py (options, the run, picking questions),
eval/scoring.py (retrieval and answer metrics, the judges' agreement), eval/answers.py (both
systems' answers, cached in ``<out>/cache/answers.jsonl`` so a re-run with the same ``--out``
only answers what is not there yet) and eval/run_output.py (rows, aggregates, the report folder).
LLM-judge verdicts are cached the same way (eval/judges.py).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from app.core.answer_fingerprint import answer_fingerprint
from app.core.config import DEFAULT_CORPUS, Settings
from app.index.store import TalkStore
from eval.answers import answer_questions
from eval.baseline import NaiveChain
from eval.dataset import TYPES, attach_gold, line_to_talk, load_questions, load_sets, set_name
from eval.judges import PROBABILITY_PROMPTS, DeterministicJudge, Judge, LLMJudge
from eval.provenance import run_provenance
from eval.run_output import write_run
from eval.run_state import EvalOptions, EvalRun, fast_settings, pick_questions
from eval.scoring import check_judges, evaluate_retrieval

__all__ = ["EvalOptions", "prepare_run", "run_eval"]


def _judges(store: TalkStore, options: EvalOptions, judge_settings: Settings) -> tuple[DeterministicJudge, list[Judge]]:
    """The deterministic judge (always: it is checked on the labelled pairs), and the judges that score answers.

    The LLM judge is the configured chat model (``judge_settings``: never the fast mode's 135M answer
    model); the embedded model judges by P(YES) (eval/yes_probability.py), another model in words.
    """
    det = DeterministicJudge(store.embeddings, **({"threshold": options.det_threshold} if options.det_threshold is not None else {}))
    judges: list[Judge] = [det] if options.judge in ("deterministic", "both") else []
    if options.judge in ("llm", "both"):
        from app.models.llm import chat_model, describe
        from app.models.llm_local import LlamaCppChatModel
        from eval.yes_probability import YesProbability

        judge_llm = chat_model(judge_settings)
        scorers = None
        if isinstance(judge_llm, LlamaCppChatModel):  # one context per judge prompt, each with its own prompt cache
            contexts = [judge_llm.weights] + [judge_llm.another_context() for _ in PROBABILITY_PROMPTS[1:]]
            scorers = [YesProbability(context) for context in contexts]
        judges.append(LLMJudge(judge_llm, describe(judge_settings), Path(options.out) / "cache" / "judge.jsonl", yes_probability=scorers))
    return det, judges


def prepare_run(settings: Settings, store: TalkStore, options: EvalOptions, llm, log: Callable[[str], None]) -> EvalRun:
    """Questions with their gold talks, both systems over the same index and model, and the judges."""
    from app.models.llm import describe
    from app.models.tokens import encoding
    from app.service import Service

    judge_settings = settings
    if options.fast:
        settings = fast_settings(settings)
    limit = options.limit if options.limit is not None else (len(TYPES) if options.fast else None)
    catalog = store.catalog()
    corpus = next((p for p in settings.corpus if Path(p).name == DEFAULT_CORPUS.name), DEFAULT_CORPUS)
    loaded = load_sets(options.sets) if options.sets else load_questions(options.questions, split=set_name(options.questions))
    questions = attach_gold(loaded, catalog, Path(corpus).name)
    to_answer = pick_questions(questions, limit) if limit != 0 else []

    needs_llm = bool(to_answer) or options.judge in ("llm", "both")
    service = Service(settings, store=store)
    if needs_llm and llm is None:
        llm = service.chat_model()
    chain = service.answer_chain(llm=llm)
    enc = encoding(settings.chunks.encoding, settings.cache_dir / "tiktoken")
    log(f"baseline: chunking {Path(corpus).name} and embedding its chunks")
    baseline = NaiveChain(corpus, store.embeddings, llm, line_to_talk(catalog, Path(corpus).name), lambda t: len(enc.encode(t)))

    model = describe(settings)
    det, judges = _judges(store, options, judge_settings)
    meta = {
        "model": model,
        "fingerprint": answer_fingerprint(settings),
        "questions": len(questions),
        "answered": len(to_answer),
        "fast": options.fast,
        "judge": options.judge,
        "llm_judge_pairs": 0,
        "det_threshold": det.threshold,
        "index_talks": len(catalog.talks),
        "baseline_chunks": len(baseline.docs),
        **run_provenance(),
        **options.meta,
    }
    return EvalRun(settings, options, questions, to_answer, chain, baseline, det, judges, model, meta)


def _ask_injections(run: EvalRun, store: TalkStore, log: Callable[[str], None]) -> None:
    from eval.injection import SPLITS, evaluate_injections

    splits = ("held-out",) if run.options.fast else SPLITS  # the fast mode asks the held-out styles only
    log(f"asking the injected-instruction set ({', '.join(splits)} styles)")
    run.injection = evaluate_injections(run.settings, run.chain.llm, Path(run.options.out) / "injection", embeddings=store.embeddings,
                                        splits=splits)


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
        _ask_injections(run, store, log)
    metrics = write_run(run, final=True)
    log(f"report written to {options.out} ({run.meta['seconds']} s; {fresh} answers generated, {2 * len(run.to_answer) - fresh} from cache)")
    return metrics
