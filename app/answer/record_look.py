"""A question about one talk's record that the model declined: answered from the record of source [1] when the model,
asked only that, reads source [1] as the talk the question describes.

Asked for a talk's speaker, links or papers in few words ("relative entropy online learning talk - link for details",
"polynomial-activation shallow nets and tensor rank: arxiv link, co-authors"), the embedded 1.5B model declines some
whose talk is source [1], its link or bio in the prompt: asked again, it declined 10 of the 14 record questions the
stored evaluation runs show it declining with their gold talk first (docs/evaluation.md, twenty-first session).
Nothing in the retrieval scores tells those apart from a near miss (a question about a topic the collection lacks,
whose closest talk shares its words): the cross-encoder put both between −6 and +6, and answering declined record
questions from their first talk's record when the cross-encoder favoured it was reverted in the eleventh session after
it gave a near miss's links (held-out-14's j008). So the model is asked one thing more, in one word, over source [1]
alone: is this the talk the question describes (prompts/record_match.txt)? On "yes" the answer is that talk's record
facts (app/answer/record_refusal.py), as for a follow-up about a talk a reference named; on "no", or when the record
holds nothing asked, the decline stands. On the seen sets it answered 7 of those 10 from the record and 1 of the 4
near misses the model declined (j008 again); on the blind held-out-29, 1 link question and nothing else.

The same reading runs before the answer for a record question whose rare topic words source [1] lacks
(``read_topic_match``, app/answer/topic_doubt.py): on "no" the chain declines without writing an answer, so a near
miss's links or bio are not handed over; on "yes" the reading after a decline is not asked again. Off-topic and
near-miss questions in everyday words ("spam filtering for text messages: speaker") have no such word;
``retrieval.record_topic_match_all`` reads every record question. It is off: on the seen sets, reading them all
declined 14 more of 151 unanswerable record questions that had been answered, but also 4 of 110 answerable ones read
that had been answered with a key fact, and on the blind held-out-48 its only two "no"s were about the right talk
(docs/evaluation.md, thirty-first session).

The reply's words are held back while they can still become the abstention (app/answer/declined.py); after a "yes"
none is shown, and the checks write the answer from the record.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable

from langchain_core.runnables import RunnableConfig

from app.answer.declined import Tokens, after_declining
from app.answer.model_calls import model_call
from app.answer.polarity import one_word_polarity
from app.answer.record_refusal import asks_about_record
from app.answer.result import Answer, AnswerWarning
from app.answer.state import AnswerState
from app.answer.topic_doubt import doubted_words

if TYPE_CHECKING:  # `search` imports the chain without a model: chat model classes load with the model
    from langchain_core.language_models.chat_models import BaseChatModel

    from app.answer.prompting import AnswerPrompts


def wants_record_look(state: AnswerState) -> bool:
    """A fresh question about one talk's record (not a follow-up about cited talks, whose record is read anyway, nor a
    comparison's sides), with a source to read."""
    return bool(state.sources) and not state.pinned and not state.sides and asks_about_record(state.question)


def read_topic_match(state: AnswerState, config: RunnableConfig, *, llm: BaseChatModel | None, prompts: AnswerPrompts,
                     is_everyday: Callable[[str], bool], abstains: Callable[[AnswerState], bool], every: bool) -> AnswerState:
    """The chain's step before the answer: a question about one talk's record whose topic's rare words source [1] lacks
    (app/answer/topic_doubt.py), or with ``every`` any such question, gets the same one-word reading first
    (``AnswerState.topic_match``), so that a near miss's record is declined rather than given. Not read without a
    model, nor when the answer abstains anyway."""
    if llm is None or not wants_record_look(state) or abstains(state):
        return state
    talk = state.sources[0].talk
    if not every and not doubted_words(state.question, f"{talk.title}\n{talk.text}", is_everyday):
        return state
    prompt = prompts.record_match_reading(state)
    return replace(state, topic_match=model_call(lambda: one_word_polarity(llm, prompt, config)))


def record_look(state: AnswerState, llm: BaseChatModel, prompts: AnswerPrompts, abstention: str) -> RecordLook | None:
    """The reading for this question's answer, or None when the question is not one it is for. A reading taken before
    the answer (``AnswerState.topic_match``, app/answer/topic_doubt.py) is not asked again."""
    if not wants_record_look(state):
        return None
    read = lambda: state.topic_match or one_word_polarity(llm, prompts.record_match_reading(state))  # noqa: E731
    return RecordLook(lambda: model_call(read), abstention)


@dataclass
class RecordLook:
    """The tokens of one answer to a record question, with the one-word reading after a declined reply.

    ``read`` asks the model whether source [1] is the talk asked about and returns "yes", "no" or None; ``abstention`` is
    the decline's text. ``recognised`` and ``took_ms`` are set once the reading ran."""

    read: Callable[[], str | None]
    abstention: str
    recognised: bool = False
    took_ms: float | None = None

    def tokens(self, first: Tokens) -> Tokens:
        """``first``'s tokens as they come; after a decline, nothing if source [1] is read as the talk asked about (the
        checks answer from its record), else the decline."""
        return after_declining(first, self.abstention, self._instead)

    def _instead(self, held: list[str | AnswerWarning]) -> Tokens:
        started = time.perf_counter()
        self.recognised = self.read() == "yes"
        self.took_ms = round((time.perf_counter() - started) * 1000, 1)
        yield from (t for t in held if isinstance(t, AnswerWarning) or not self.recognised)

    def reporting(self, finish: Callable[[Answer], Answer]) -> Callable[[Answer], Answer]:
        """``finish`` (the answer's checks) given the decline marked as recognised, when it was, and ``record_look_ms``
        in the timings when the reading ran."""
        def marked(answer: Answer) -> Answer:
            if self.took_ms is None:
                return finish(answer)
            timings = {**answer.timings, "record_look_ms": self.took_ms}
            return finish(replace(answer, answer=answer.answer or self.abstention, recognised=self.recognised, timings=timings))
        return marked
