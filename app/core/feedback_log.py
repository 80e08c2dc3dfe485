"""What users thought of answers: 👍/👎 and a comment, kept in ``<data dir>/feedback.jsonl``.

Each entry holds what is needed to look at the answer again without the
session that produced it: the question (and the query retrieval used), the
answer, its citations and timings, the chat model and the settings
fingerprint (app/core/answer_fingerprint.py: the same hash evaluation runs carry).

The file is append-only JSON Lines, one full entry a line: rating an answer
again or adding a comment appends the entry anew, and the last line of an id
wins. Appending never rewrites what is there, so a killed writer costs at most
its own half line, which readers skip.

``as_questions`` turns entries into the question format of eval/dataset.py
(``talkqa eval --questions``): the answers people disliked become regression
questions, with the gold talks, type and key facts left for a person to fill in.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path

from app.core.errors import InputError

FEEDBACK_FILE = "feedback.jsonl"

#: Ratings as stored; None is "no rating" (a rating taken back, or a comment alone).
RATINGS = ("up", "down")

#: The type exported questions get until a person sets one of eval/dataset.py's TYPES.
EXPORT_TYPE = "feedback"


def new_id() -> str:
    return uuid.uuid4().hex[:12]


class FeedbackLog:
    """The feedback file of one data dir; safe to use from the web server's threads."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> "FeedbackLog":
        return cls(Path(data_dir) / FEEDBACK_FILE)

    # ------------------------------------------------------------- writing

    def save(self, entry: dict) -> dict:
        """Append ``entry`` (it must have an ``id``); stamps ``time``; returns what was written."""
        if not entry.get("id"):
            raise ValueError("a feedback entry needs an id")
        if entry.get("rating") not in (*RATINGS, None):
            raise ValueError(f"rating must be one of {RATINGS} or None, not {entry.get('rating')!r}")
        row = {**entry, "time": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        line = (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line)  # one write a line: lines of concurrent writers do not interleave
            finally:
                os.close(fd)
        return row

    # ------------------------------------------------------------- reading

    def entries(self) -> list[dict]:
        """Every entry in its latest version, in the order entries were first written."""
        if not self.path.exists():
            return []
        latest: dict[str, dict] = {}
        with self.path.open(encoding="utf-8", errors="replace") as f:
            for line in f:
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:  # the half line of a killed writer
                    continue
                if isinstance(row, dict) and row.get("id"):
                    if row["id"] in latest:
                        row = {**row, "first_time": latest[row["id"]].get("first_time", latest[row["id"]].get("time"))}
                    latest[row["id"]] = row
        return list(latest.values())


def select(entries: list[dict], rating: str | None = None) -> list[dict]:
    """The entries with ``rating`` ("up" or "down"); all rated or commented ones for None."""
    if rating is None:
        return [e for e in entries if e.get("rating") or e.get("comment")]
    return [e for e in entries if e.get("rating") == rating]


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
