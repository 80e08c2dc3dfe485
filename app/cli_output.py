"""How the CLI prints answers: the model's draft (erased on a terminal), sources, retrieval-only results, JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click

from app.answer.draft import draft


def _source_line(source) -> str:
    talk = source.talk
    speaker = f" — {talk.speaker}" if talk.speaker else ""
    return f"[{source.n}] {talk.title}{speaker} ({Path(talk.source).name} lines {talk.line_ranges()})"


def print_sources(answer) -> None:
    if not answer.sources:
        return
    click.echo("\nSources:")
    for source in answer.cited_sources:
        link = f"  {source.talk.links[0]}" if source.talk.links else ""
        click.echo(_source_line(source) + link)


def print_retrieval_only(answer) -> None:
    if not answer.sources:
        click.echo("No talk matches the question.")
        return
    for source in answer.sources:
        click.echo(click.style(_source_line(source), bold=True))
        for sentence in source.sentences:
            click.echo(f"    {sentence}")


class Draft:
    """The model's draft as it comes, on a terminal, made readable (app/answer/draft.py: no row of
    markers); erased once the checked answer is ready."""

    def __init__(self, enabled: bool, sources=()):
        self.enabled = enabled
        self.sources = sources
        self.raw = ""
        self.text = ""  # what is on the screen

    def write(self, token: str) -> None:
        if self.enabled:
            self.raw += token
            shown = draft(self.raw, self.sources)
            click.echo(shown[len(self.text):], nl=False)  # the draft only grows
            self.text = shown

    def erase(self) -> None:
        if not self.enabled or not self.text:
            return
        width = shutil.get_terminal_size().columns or 80
        rows = sum(max(1, -(-len(line) // width)) for line in self.text.split("\n"))
        click.echo(f"\r\033[{rows - 1}F\033[J" if rows > 1 else "\r\033[J", nl=False)


def print_json(payload) -> None:
    click.echo(json.dumps(payload, indent=2, ensure_ascii=False))


def print_feedback(entries: list[dict]) -> None:
    """``talkqa feedback``: one line an entry (time, rating, question, comment); the count on stderr."""
    marks = {"up": "👍", "down": "👎", None: "· "}
    for entry in entries:
        comment = f"  — {entry['comment']}" if entry.get("comment") else ""
        when = (entry.get("first_time") or entry.get("time") or "")[:16].replace("T", " ")
        click.echo(f"{when}  {marks.get(entry.get('rating'), '? ')}  {entry.get('question', '')}{comment}")
    click.echo(f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}", err=True)
