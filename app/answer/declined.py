"""A reply that declines: told apart from the start of an answer while the model writes it, so a step that follows a
decline (app/answer/second_look.py, app/answer/record_look.py) can hold its words back and a reader never sees a
decline that is then taken back."""

from __future__ import annotations

import re
from typing import Callable, Iterable, Iterator

from app.answer.citations import strip_markers
from app.answer.result import AnswerWarning

Tokens = Iterator[str | AnswerWarning]

#: A marker the model has begun and not closed yet ("[", "[1").
_OPEN_MARKER = re.compile(r"\[[\d\s,;]*$")


def after_declining(first: Tokens, abstention: str, instead: Callable[[list[str | AnswerWarning]], Tokens]) -> Tokens:
    """``first``'s tokens as they come, except a reply that is the abstention word for word, markers aside ("[1] The
    talks in this collection don't cover this." declines too): then ``instead(held)``'s, given the declined reply's
    tokens. Words that could still become the abstention are held back until the reply leaves it."""
    held: list[str | AnswerWarning] = []
    try:
        for token in first:
            held.append(token)
            if not abstention.startswith(_without_markers(_text(held))):
                yield from held
                yield from first
                return
        if _without_markers(_text(held)) != abstention:
            yield from held
            return
        yield from instead(held)
    finally:
        close = getattr(first, "close", None)
        if close is not None:
            close()


def _without_markers(text: str) -> str:
    """The reply so far without its markers, one still being written included."""
    return strip_markers(_OPEN_MARKER.sub("", text))


def _text(tokens: Iterable[str | AnswerWarning]) -> str:
    return "".join(t for t in tokens if isinstance(t, str)).strip()
