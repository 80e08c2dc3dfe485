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
* when the model's whole reply declines: every sentence of it, markers aside, is the abstention word for word or says
  nothing (``says_nothing``: the question written back as a statement, an empty slot). Held-out-27 showed both kinds
  that slipped past a word-for-word test: "[1] The talks in this collection don't cover this." (ez026, as held-out-18's
  l010 before it) and "Classifiers as piecewise-constant maps: why deep nets shrug off dimension [1]." (ez009) — each
  with its gold talk as source [1], each turned into the abstention by the checks.

Its tokens replace the declined ones in the answer's stream: the abstention's opening words are held back until the
reply leaves them, so a reader never sees a decline that is then taken back. A reply that said nothing in words of its
own has been streamed by the time it ends: the second reply follows it after a paragraph break, and the checks drop the
restatement, as they would have. The second reply goes through the same checks as any answer: a sentence that only
restates the question is dropped, and an answer with nothing left is the abstention again.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from langchain_core.messages import BaseMessage

from app.answer.citations import parse_citations, says_nothing, strip_markers
from app.answer.records import asks_record
from app.answer.result import Answer, AnswerWarning
from app.answer.state import AnswerState

if TYPE_CHECKING:
    from app.answer.prompting import AnswerPrompts

Tokens = Iterator[str | AnswerWarning]


def wants_second_look(state: AnswerState, threshold: float | None) -> bool:
    """Is the question one a second look may answer if the model declines it (see the module docstring)?"""
    kinds = state.kinds
    if threshold is None or not state.sources or state.pinned or state.sides:
        return False
    if kinds.open_ended or kinds.comparison or kinds.yes_no or asks_record(state.question):
        return False
    return state.sources[0].relevance >= threshold


def declines(reply: str, state: AnswerState, abstention: str) -> bool:
    """Does the whole reply decline: is each of its sentences, markers aside, the abstention or one that says nothing?"""
    read = " ".join(t for source in state.sources for t in (source.talk.title, *source.sentences))
    sentences, _ = parse_citations(reply, set(range(1, len(state.sources) + 1)))
    return all(strip_markers(s.text) == abstention or says_nothing(s.text, state.question, read) for s in sentences)


def second_look(state: AnswerState, threshold: float | None, generate: Callable[[list[BaseMessage]], Tokens],
                prompts: AnswerPrompts, abstention: str) -> SecondLook | None:
    """The second look for this question's answer, or None when the question is not one it may answer."""
    if not wants_second_look(state, threshold):
        return None
    return SecondLook(generate, prompts.second_look_messages(state), abstention, partial(declines, state=state, abstention=abstention))


@dataclass
class SecondLook:
    """The tokens of one answer, with the second look in place of a declined first reply.

    ``generate`` streams the model's reply to some messages (the chain's ``model_tokens``); ``messages`` are the second
    look's; ``declines(reply)``: does the first reply say nothing but the decline (``declines`` above). ``took_ms`` is set
    once the second look ran (the answer's ``timings`` report it)."""

    generate: Callable[[list[BaseMessage]], Tokens]
    messages: tuple[BaseMessage, ...]
    abstention: str
    declines: Callable[[str], bool]
    took_ms: float | None = None

    def tokens(self, first: Tokens) -> Tokens:
        """``first``'s tokens as they come (held back while they may still be the abstention), then, if the whole reply
        declined, the second look's: in place of a held abstention, after a paragraph break otherwise."""
        held: list[str | AnswerWarning] = []
        streamed = False
        try:
            for token in first:
                held.append(token)
                if not streamed and not self.abstention.startswith(_without_markers(_text(held))):
                    yield from held
                    streamed = True
                elif streamed:
                    yield token
            if not self.declines(_text(held)):
                if not streamed:
                    yield from held
                return
            started = time.perf_counter()
            if streamed:
                yield "\n\n"
            else:
                yield from (t for t in held if isinstance(t, AnswerWarning))
            yield from self.generate(list(self.messages))
            self.took_ms = round((time.perf_counter() - started) * 1000, 1)
        finally:
            close = getattr(first, "close", None)
            if close is not None:
                close()

    def reporting(self, finish: Callable[[Answer], Answer]) -> Callable[[Answer], Answer]:
        """``finish`` (the answer's checks), with ``second_look_ms`` in the answer's timings when the second look ran."""
        def timed(answer: Answer) -> Answer:
            if self.took_ms is None:
                return finish(answer)
            return finish(replace(answer, timings={**answer.timings, "second_look_ms": self.took_ms}))
        return timed


#: A marker the model has begun and not closed yet.
_OPEN_MARKER = re.compile(r"\[[\d\s,;]*$")


def _without_markers(text: str) -> str:
    """The reply so far without its markers, a marker still being written ("[1", "[") included."""
    return strip_markers(_OPEN_MARKER.sub("", text))


def _text(tokens: Iterable[str | AnswerWarning]) -> str:
    return "".join(t for t in tokens if isinstance(t, str)).strip()
