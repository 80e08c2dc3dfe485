"""A conversation as a Markdown file: every question, its checked answer, and the talks it cites with their links.

Written from the session's own record of each answer (the ``ask --json``
shape kept in the session state), not from the chat's HTML, so the file says
what the answer said and cited, and reads well in any Markdown viewer.
"""

from __future__ import annotations

import re
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from app.core.talk import format_ranges


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _citation(c: dict) -> str:
    line = f"{c['n']}. **{_one_line(c.get('title') or 'Untitled talk')}**"
    if c.get("speaker"):
        line += f" — {_one_line(c['speaker'])}"
    if c.get("lines"):
        line += f" (lines {format_ranges([tuple(r) for r in c['lines']], '–')})"
    if c.get("talk_id"):
        line += f" · `{c['talk_id']}`"
    parts = [line]
    parts += [f"   - <{url}>" for url in c.get("links") or []]
    if c.get("snippet"):
        parts.append(f"   > {_one_line(c['snippet'])}")
    return "\n".join(parts)


def turns(state: dict) -> list[dict]:
    """(question, answer record or None, shown text) for each exchange in a session's state."""
    messages = state.get("messages") or []
    answers = state.get("answers") or {}
    out = []
    for i, message in enumerate(messages):
        if message.get("role") != "user":
            continue
        reply = messages[i + 1] if i + 1 < len(messages) and messages[i + 1].get("role") == "assistant" else None
        out.append({
            "question": str(message.get("content") or ""),
            "answer": answers.get(i + 1),
            "shown": str(reply.get("content") or "") if reply else "",
        })
    return out


def conversation_markdown(state: dict, now: datetime | None = None) -> str:
    """The session as Markdown: a heading a question, the answer with its [n] markers, its sources."""
    now = now or datetime.now(timezone.utc)
    exchanges = turns(state)
    lines = ["# talkqa conversation", "", f"_Exported {now:%Y-%m-%d %H:%M} UTC · {len(exchanges)} question{'s' if len(exchanges) != 1 else ''}_", ""]
    for k, turn in enumerate(exchanges, 1):
        lines += [f"## {k}. {_one_line(turn['question'])}", ""]
        record = turn["answer"]
        if record is None:  # a failed turn: what the chat said
            lines += [turn["shown"].strip() or "_(no answer)_", ""]
            continue
        if record.get("query") and _one_line(record["query"]) != _one_line(turn["question"]):
            lines += [f"_Searched for: {_one_line(record['query'])}_", ""]
        lines += [(record.get("answer") or "").strip() or "_(no answer text)_", ""]
        if record.get("abstained"):
            lines += ["_Not covered by the talks._", ""]
        citations = record.get("citations") or []
        if citations:
            lines += ["**Sources**", ""] + [_citation(c) for c in citations] + [""]
        if record.get("support") is not None and not record.get("abstained"):
            lines += [f"_Support {record['support']:.2f}_", ""]
    return "\n".join(lines).rstrip() + "\n"


def write_export(state: dict, folder: Path | None = None) -> Path | None:
    """The conversation written to a fresh file (None when there is nothing to export yet)."""
    if not turns(state):
        return None
    folder = Path(folder or tempfile.mkdtemp(prefix="talkqa-export-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"talkqa-conversation-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}.md"
    path.write_text(conversation_markdown(state), encoding="utf-8")
    return path
