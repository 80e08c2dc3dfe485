"""What one evaluation run is asked to do (``EvalOptions``) and works with (``EvalRun``), and which questions it answers."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from app.answer.chain import AnswerChain
from app.core.config import Settings
from eval.baseline import NaiveChain
from eval.dataset import JUDGE_PAIRS, JUDGE_PAIRS_CURRENT, QUESTIONS, TYPES, Question
from eval.judges import DeterministicJudge, Judge

SYSTEMS = ("ours", "baseline")  # the order of every table (eval/report.py keeps the same)
FAST_MODEL = "smollm2-135m"


@dataclass
class EvalOptions:
    out: Path
    questions: Path = QUESTIONS
    #: Question sets to answer side by side (eval.dataset.QUESTION_SETS); None: the ``questions`` file alone.
    sets: tuple[str, ...] | None = None
    #: The labelled pair files; each is split into tune and test halves on its own (eval.judges.split_pairs).
    pairs: tuple[Path, ...] = (JUDGE_PAIRS, JUDGE_PAIRS_CURRENT)
    limit: int | None = None
    judge: str = "deterministic"  # deterministic | llm | both
    fast: bool = False
    llm_judge_pairs: int = 10_000  # the LLM judge's check: every labelled test pair unless capped
    det_threshold: float | None = None
    progress: bool = True
    report_every: int = 10
    #: Ask the adversarial set (eval/data/injections.jsonl) and report obeyed / copied / runaway answers per split.
    injections: bool = True
    meta: dict = field(default_factory=dict)


@dataclass
class EvalRun:
    """Everything one evaluation run works with, built by ``eval.harness.prepare_run``."""

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


def fast_settings(settings: Settings) -> Settings:
    """The fast mode's settings: the small embedded model."""
    # 160 tokens: the 135M model sometimes runs on, copying its sources, to the 320-token default.
    llm = settings.llm.model_copy(update={"backend": "local", "local_model": FAST_MODEL, "max_tokens": min(settings.llm.max_tokens, 160)})
    return settings.model_copy(update={"llm": llm})


def pick_questions(questions: list[Question], limit: int | None) -> list[Question]:
    """The first ``limit`` questions taken round-robin over types within each set, the sets in turn
    (id order within a type): every type of every set early."""
    if limit is None or limit >= len(questions):
        return list(questions)
    by_type: dict[tuple[str, str], list[Question]] = defaultdict(list)
    for q in questions:
        by_type[(q.split, q.type)].append(q)
    rank = {t: i for i, t in enumerate(TYPES)}
    splits = list(dict.fromkeys(q.split for q in questions))
    order = sorted(by_type, key=lambda st: (rank.get(st[1], len(TYPES)), st[1], splits.index(st[0])))
    picked: list[Question] = []
    while len(picked) < limit:
        for t in order:
            if by_type[t] and len(picked) < limit:
                picked.append(by_type[t].pop(0))
    return sorted(picked, key=lambda q: q.id)
