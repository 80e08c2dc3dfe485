"""A second look: a plain question the model declined although its first source is close is asked once more.

The embedded 1.5B model declines some questions its first source plainly answers: "How can a big ReLU net with random,
untrained weights pull two classes apart so that a straight line can split them?" got "The talks in this collection
don't cover this." with a talk on exactly that as source [1]. On the seen sets the model declined 17 answerable
questions above the relevance floor and 7 unanswerable ones. Asked again with source [1] alone and the system prompt's
rule to decline replaced by one to answer from it (``AnswerPrompts.second_look``), it answered most answerable ones
with their key facts — and stated something false for unanswerable ones whose first source was far or that asked for
the record. So the second look is only for:

* a plain question: no list ("which talks ...?"), comparison or yes/no question (each has its own prompt), no question
  about the record (speaker, links, co-authors: records.py states those from the record, and a second look there wrote
  empty slots and made-up people), no follow-up about cited talks (its sources are those talks, however far);
* whose first source's relevance reaches ``rerank.second_look_threshold``;
* when the model's whole reply is the abstention, word for word, markers aside: "[1] The talks in this collection don't
  cover this." is the same decline (held-out-18's l010, a plain question with its gold talk as source [1]).

A reply that declines in other words is left alone. Following one that only restates the question ("Classifiers as
piecewise-constant maps: … [1].", held-out-27's ez009) was tried: on the seen sets it answered 3 more answerable
questions (2 with a key fact) and 1 unanswerable one; on the blind held-out-28 no answerable one and 1 unanswerable
one, with made-up facts. A small model writes the question back when its sources lack the answer, which is what a near
miss is, so it was reverted (docs/evaluation.md, twentieth session).

Its tokens replace the declined ones in the answer's stream: the abstention's opening words are held back until the
reply leaves them, so a reader never sees a decline that is then taken back. The second reply goes through the same
checks as any answer: a sentence that only restates the question is dropped, and an answer with nothing left is the
abstention again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable

from langchain_core.messages import BaseMessage

from app.answer.declined import Tokens, after_declining
from app.answer.records import asks_record
from app.answer.result import Answer, AnswerWarning
from app.answer.state import AnswerState

if TYPE_CHECKING:
    from app.answer.prompting import AnswerPrompts


def wants_second_look(state: AnswerState, threshold: float | None) -> bool:
    """Is the question one a second look may answer if the model declines it (see the module docstring)?"""
    kinds = state.kinds
    if threshold is None or not state.sources or state.pinned or state.sides:
        return False
    if kinds.open_ended or kinds.comparison or kinds.yes_no or asks_record(state.question):
        return False
    return state.sources[0].relevance >= threshold


def second_look(state: AnswerState, threshold: float | None, generate: Callable[[list[BaseMessage]], Tokens],
                prompts: AnswerPrompts, abstention: str) -> SecondLook | None:
    """The second look for this question's answer, or None when the question is not one it may answer."""
    return SecondLook(generate, prompts.second_look_messages(state), abstention) if wants_second_look(state, threshold) else None


@dataclass
class SecondLook:
    """The tokens of one answer, with the second look in place of a declined first reply.

    ``generate`` streams the model's reply to some messages (the chain's ``model_tokens``); ``messages`` are the second
    look's. ``took_ms`` is set once the second look ran (the answer's ``timings`` report it)."""

    generate: Callable[[list[BaseMessage]], Tokens]
    messages: tuple[BaseMessage, ...]
    abstention: str
    took_ms: float | None = None

    def tokens(self, first: Tokens) -> Tokens:
        """``first``'s tokens as they come, except a reply that is the abstention word for word, markers aside: the second
        look's instead (app/answer/declined.py)."""
        return after_declining(first, self.abstention, self._instead)

    def _instead(self, held: list[str | AnswerWarning]) -> Tokens:
        started = time.perf_counter()
        yield from (t for t in held if isinstance(t, AnswerWarning))
        yield from self.generate(list(self.messages))
        self.took_ms = round((time.perf_counter() - started) * 1000, 1)

    def reporting(self, finish: Callable[[Answer], Answer]) -> Callable[[Answer], Answer]:
        """``finish`` (the answer's checks), with ``second_look_ms`` in the answer's timings when the second look ran."""
        def timed(answer: Answer) -> Answer:
            if self.took_ms is None:
                return finish(answer)
            return finish(replace(answer, timings={**answer.timings, "second_look_ms": self.took_ms}))
        return timed

