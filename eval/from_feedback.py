"""Feedback entries (app/core/feedback_log.py) as evaluation questions, for ``talkqa feedback --export``.

The answers people disliked become regression questions in the format of eval/dataset.py
(``talkqa eval --questions``), with the gold talks, type and key facts left for a person to fill in.
"""

from __future__ import annotations

import json
from pathlib import Path

from app.core.errors import InputError

#: The type exported questions get until a person sets one of eval/dataset.py's TYPES.
EXPORT_TYPE = "feedback"


def as_question(entry: dict) -> dict:
    """One entry as an evaluation question (eval/dataset.py's fields, plus what the person filling in needs).

    ``gold_talks`` (talk ids) or ``gold_lines`` (lines of data/abstracts.txt), ``key_facts`` and
    ``type`` are for a person to fill in; until then evaluation reports the question's retrieval
    and citation metrics as not measurable, and its answer metrics without key facts.
    """
    cited = [{"talk_id": c.get("talk_id"), "title": c.get("title")} for c in entry.get("citations") or []]
    notes = f"From feedback {entry['id']} ({entry.get('rating') or 'unrated'}"
    notes += f", {entry['time'][:10]})" if entry.get("time") else ")"
    if entry.get("comment"):
        notes += f": {entry['comment']}"
    notes += ". Fill in type, gold_talks (or gold_lines) and key_facts."
    return {
        "id": f"fb-{entry['id']}",
        "type": EXPORT_TYPE,
        "question": entry.get("question", ""),
        "gold_lines": [],
        "gold_talks": [],
        "key_facts": [],
        "notes": notes,
        "feedback": {
            "rating": entry.get("rating"),
            "comment": entry.get("comment"),
            "answer": entry.get("answer"),
            "cited": cited,
            "model": entry.get("model"),
            "fingerprint": entry.get("fingerprint"),
        },
    }


def as_questions(entries: list[dict]) -> list[dict]:
    """Entries with a question, as evaluation questions (one a distinct question, the latest entry's)."""
    by_question: dict[str, dict] = {}
    for entry in entries:
        if (entry.get("question") or "").strip():
            by_question[entry["question"].strip()] = entry
    return [as_question(e) for e in by_question.values()]


def write_questions(path: Path, entries: list[dict]) -> int:
    """Write ``entries`` as evaluation questions (JSON Lines); returns how many questions."""
    questions = as_questions(entries)
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")
    except OSError as err:
        raise InputError(f"cannot write {path}: {err.strerror or err}") from None
    return len(questions)
