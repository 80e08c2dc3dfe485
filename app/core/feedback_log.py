"""What users thought of answers: 👍/👎 and a comment, kept in ``<data dir>/feedback.jsonl``.

Each entry holds what is needed to look at the answer again without the
session that produced it: the question (and the query retrieval used), the
answer, its citations and timings, the chat model and the settings
fingerprint (app/core/answer_fingerprint.py: the same hash evaluation runs carry).

The file is append-only JSON Lines, one full entry a line: rating an answer
again or adding a comment appends the entry anew, and the last line of an id
wins. Appending never rewrites what is there, so a killed writer costs at most
its own half line, which readers skip.

Turning entries into evaluation questions is eval's job (eval/from_feedback.py).
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path

FEEDBACK_FILE = "feedback.jsonl"

#: Ratings as stored; None is "no rating" (a rating taken back, or a comment alone).
RATINGS = ("up", "down")


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
