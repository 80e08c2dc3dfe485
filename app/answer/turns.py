"""One turn of a conversation, typed: who spoke, what they said, and (an answer) the talks it cited, in order.

A follow-up ("Who gave the first one?") refers to the talks the previous
answer cited; text with its [n] markers stripped no longer says which talks
those were, so every surface (the web session, the HTTP API, the evaluation)
keeps them beside the text, and app/answer/referents.py resolves the
reference from them instead of asking the model to guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from app.answer.citations import strip_markers
from app.answer.result import Answer


@dataclass(frozen=True)
class Turn:
    role: str
    text: str
    #: An assistant turn: the talks its answer cited, in the order it first cited them (empty: none, or abstained).
    talk_ids: tuple[str, ...] = ()

    @classmethod
    def user(cls, text: str) -> "Turn":
        return cls("user", text)

    @classmethod
    def answered(cls, answer: Answer) -> "Turn":
        """The assistant turn of a finished answer: its text without markers, its cited talks in citing order."""
        return cls("assistant", strip_markers(answer.answer), cited_talk_ids(answer))


def cited_talk_ids(answer: Answer) -> tuple[str, ...]:
    """The talks an answer cited, in the order the answer first cites them (none for an abstention)."""
    if answer.abstained:
        return ()
    by_n = {s.n: s.talk.id for s in answer.sources}
    return tuple(dict.fromkeys(by_n[n] for n in answer.cited if n in by_n))


def as_turns(history: Iterable) -> tuple[Turn, ...]:
    """``history`` as ``Turn``s: each item a ``Turn`` or a (role, text) pair (a caller without cited talks)."""
    return tuple(item if isinstance(item, Turn) else Turn(item[0], item[1]) for item in history or ())


def last_cited(history: tuple[Turn, ...]) -> tuple[str, ...]:
    """The talks the last answer of the conversation cited (what a follow-up's "it" or "the first one" means)."""
    for turn in reversed(history):
        if turn.role == "assistant":
            return turn.talk_ids
    return ()
