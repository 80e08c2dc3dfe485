"""Both systems' answers in common terms, cached: ``<out>/cache/answers.jsonl``.

Answers are keyed on question id, question text, system, chat model, and a hash
of the prompts and settings, so a re-run with the same ``--out`` only answers
what is not there yet (and an interrupted run resumes).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from tqdm import tqdm

from app.answer.passages import passage
from app.answer.turns import Turn
from eval.dataset import Question
from eval.run_output import write_run
from eval.run_state import SYSTEMS, EvalRun
from eval.scoring import answer_metrics

#: The fields of an answer record the report carries (the cache adds key, qid, system, model).
RECORD_FIELDS = ("answer", "abstained", "passages", "sentences", "cited", "timings", "prompt_tokens")


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


def _passages(system: str, answer, question: str) -> list[dict]:
    """What the system gave its model, numbered as its citations: our sources' passages, or the baseline's chunks."""
    if system == "ours":
        return [{"n": s.n, "talk_id": s.talk.id, "text": passage(s, question)} for s in answer.sources]
    return [{"n": i, "talk_id": d.metadata.get("talk_id", ""), "text": d.page_content} for i, d in enumerate(answer.chunks, 1)]


def asked_as_a_user(system: str, chain, q: Question):
    """``system``'s answer to ``q``, a follow-up after its earlier turns (see ``answer_record``)."""
    history: list = []
    for earlier in q.history:
        before = chain.invoke(earlier, history)
        history += [Turn.user(earlier), Turn.answered(before)] if system == "ours" else [("user", earlier), ("assistant", before.answer)]
    return chain.invoke(q.question, history)


def answer_record(system: str, chain, q: Question) -> dict:
    """``system``'s answer to ``q`` (``chain`` is ours or the baseline) as a record of ``RECORD_FIELDS``.

    A follow-up is asked as a user would: its earlier turns first, each answered by the same system,
    then the follow-up with that conversation as history (the record is the follow-up's answer). Ours
    keeps each answer's cited talks in its history, as the chat does (``Turn``); the baseline keeps
    (role, text) pairs, as the quickstart chain it stands for does.
    """
    a = asked_as_a_user(system, chain, q)
    # Ours may abstain before calling the model: then no prompt was sent.
    called = system != "ours" or a.timings.get("first_token_ms") is not None
    return {
        "answer": a.answer,
        "abstained": a.abstained,
        "passages": _passages(system, a, q.question),
        # ``model_citations``: the markers the model wrote, where attribution moved or added some (labelled pairs
        # are drawn from such sentences too: bench/candidate_pairs.py).
        "sentences": [{"text": s.text, "citations": s.citations, "kind": s.kind,
                       "model_citations": s.model_citations} for s in a.sentences],
        "cited": a.cited,
        "timings": a.timings,
        "prompt_tokens": a.prompt_tokens if called else None,
        "query": a.query if system == "ours" else q.question,  # what it searched for (a resolved follow-up: "... (about: <title>)")
    }


def _cached_record(run: EvalRun, cache: AnswerCache, q: Question, system: str) -> tuple[dict, bool]:
    """The system's record for ``q`` from the cache, or generated now and cached; and whether it is new."""
    key = AnswerCache.key(q, system, run.model, run.meta["fingerprint"])
    record = cache.get(key)
    if record is not None:
        return record, False
    chain = run.chain if system == "ours" else run.baseline
    record = answer_record(system, chain, q)
    record.update({"key": key, "qid": q.id, "system": system, "model": run.model})
    cache.put(record)
    return record, True


def answer_questions(run: EvalRun) -> int:
    """Both systems answer every picked question (cached answers are reused); returns how many were generated."""
    cache = AnswerCache(Path(run.options.out) / "cache" / "answers.jsonl")
    bar = tqdm(total=len(run.to_answer), desc=f"answering ({run.model})", unit="q", file=sys.stderr, disable=not run.options.progress)
    fresh = 0
    for i, q in enumerate(run.to_answer, start=1):
        run.per_question[q.id] = {}
        for system in SYSTEMS:
            record, new = _cached_record(run, cache, q, system)
            fresh += new
            run.per_question[q.id][system] = {
                "answer": {k: record[k] for k in RECORD_FIELDS},
                "metrics": answer_metrics(q, record, run.judges),
            }
        bar.update(1)
        if run.options.report_every and i % run.options.report_every == 0 and i < len(run.to_answer):
            write_run(run, final=False)
    bar.close()
    return fresh
