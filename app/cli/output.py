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


def warning_lines(answer) -> list[str]:
    """What the output guard removed or noticed (app/answer/guard.py), one line each."""
    lines = []
    for warning in answer.warnings:
        removed = f": \"{warning.text[:100]}\"" if warning.text else ""
        lines.append(click.style(f"⚠ {warning.message}{removed}", fg="yellow"))
    return lines


def sources_lines(answer) -> list[str]:
    """After an answer: what retrieval searched for when it is not the question (a follow-up made standalone, a question
    restated in the talks' words), then the "Sources:" block, the cited talks (every source when none is cited)."""
    if not answer.sources:
        return []
    searched = [f"\nSearched for: {answer.query}"] if answer.query.strip() != answer.question.strip() else []
    lines = [*searched, "\nSources:"]
    for source in answer.cited_sources:
        link = f"  {source.talk.links[0]}" if source.talk.links else ""
        lines.append(_source_line(source) + link)
    return lines


def answer_text(answer) -> str:
    """What ``talkqa ask`` prints for a checked answer: its sentences (unsupported ones flagged), the
    support, the sources. Styled with ``click.style``: ``click.echo`` drops the styles off a terminal.
    The HTTP API sends this text to a one-off ``talkqa ask`` (app/cli/client.py), so both print the same."""
    from app.answer.attribution import render

    if answer.abstained or not answer.sentences:
        lines = [answer.answer]
    else:
        weak = answer.weak_sentences
        note = f" ({len(weak)} of {len(answer.sentences)} sentences not supported by a source)" if weak else ""
        lines = [render(answer.sentences, flag=click.style(" ⚠ unsupported", fg="yellow")), f"\nSupport: {answer.support:.2f}{note}"]
    return "\n".join(lines + warning_lines(answer) + sources_lines(answer))


def retrieval_only_text(answer) -> str:
    """What ``talkqa search`` and ``ask --no-llm`` print: each talk and its best sentences."""
    if not answer.sources:
        return "No talk matches the question."
    lines = []
    for source in answer.sources:
        lines.append(click.style(_source_line(source), bold=True))
        lines.extend(f"    {sentence}" for sentence in source.sentences)
    return "\n".join(lines)


class Draft:
    """The model's draft as it comes, on a terminal, made readable (app/answer/draft.py: no row of
    markers); erased once the checked answer is ready."""

    def __init__(self, enabled: bool, sources=()):
        self.enabled = enabled
        self.sources = sources
        self.first = ""  # shown before the model's tokens (the extractive preview), erased with them
        self.raw = ""
        self.text = ""  # what is on the screen

    def show_first(self, text: str) -> None:
        """Text shown before the model's tokens and erased with them; the model's draft is made
        readable on its own, so a list answer's markers still become lines after it."""
        if self.enabled:
            self.first += text
            self.write("")

    def write(self, token: str) -> None:
        if self.enabled:
            self.raw += token
            shown = self.first + draft(self.raw, self.sources)
            click.echo(shown[len(self.text):], nl=False)  # the draft only grows
            self.text = shown

    def erase(self) -> None:
        if not self.enabled or not self.text:
            return
        width = shutil.get_terminal_size().columns or 80
        rows = sum(max(1, -(-len(line) // width)) for line in self.text.split("\n"))
        click.echo(f"\r\033[{rows - 1}F\033[J" if rows > 1 else "\r\033[J", nl=False)
        self.text = ""


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
