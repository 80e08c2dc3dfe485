"""A question about one talk's record searched for by its topic alone, when the whole question is too far from the talks.

Why: "Who gave the talk counting how many flat pieces a convolutional net with kinked activations splits its input
into, and where did they do their PhD?" asks two things, the talk (its topic) and its record (the speaker, the PhD).
The cross-encoder reads the whole question against abstracts, which never say who gave the talk nor where anyone
studied: the record words pull the question below the relevance floor, and it is declined before the model although
its topic alone is close to the right talk. The model's restatement (app/answer/restate.py) did not rescue these on
held-out-29: it keeps the record words and lands as far. So a record question below the floor is searched for again by
its topic part, the question without the words that ask for the record (records.RECORD_WORDS and the bio facets) and
without question words and fillers; when that search is not below the floor, its best talk alone is the source (``query``
is the topic part, shown as "searched for: …"): held-out-31's fd019, blind, had its talk first among five and was
answered with source [5]'s speaker. The model still answers the question as typed, and the record steps still read it.

Chosen on the seen sets (dev to held-out-30: the filler words, the "X: speaker, lab" form, the rule of searching again
only below the floor); judged blind on held-out-31, which then showed the borrowed speaker, so the talk alone was chosen
knowing it; reported on held-out-32, written blind before either was run (docs/evaluation.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import partial
from typing import Callable

from langchain_core.runnables import RunnableConfig

from app.answer.bio_facts import FACETS
from app.answer.context import too_far
from app.answer.pinning import judged_first
from app.answer.record_refusal import asks_about_record
from app.answer.records import RECORD_WORDS, SHORT_TAIL
from app.answer.state import AnswerState, RetrievedTalk
from app.core.config import Settings

#: What a record question asks of the talk, besides its topic.
_ASKING = (*RECORD_WORDS, *(facet.asked for facet in FACETS))
#: Question words, pronouns and the everyday words of record requests ("what school", "his current job", "where can I
#: read"), chosen on the seen sets.
_FILLER = re.compile(r"\b(?:who|what|where|which|whose|when|did|does|do|is|was|are|were|the|their|his|her|he|she|they|them|"
                     r"speaker'?s?|current|now|and|also|give|gave|get|got|find|name|names|for|details|to|read|list|listed|"
                     r"school|job|post|degrees?|work|works|worked|earn\w*|from|can|i|me|any|its|it)\b", re.IGNORECASE)


def topic_part(question: str) -> str:
    """The question without what it asks of the record, question words and fillers ("" when nothing is left)."""
    head, colon, tail = question.partition(":")
    text = head if colon and len(tail.split()) <= SHORT_TAIL else question
    for asking in _ASKING:
        text = asking.sub(" ", text)
    text = _FILLER.sub(" ", text)
    return re.sub(r"\s+", " ", re.sub(r"\s+([,?.])", r"\1", text)).strip(" ,?.-–")


@dataclass(frozen=True)
class TopicSearch:
    """The chain step that searches for a far record question's topic part (after ``AnswerChain.retrieve``)."""

    #: The retriever's talks for a query, and whether talks are below the relevance floor (app/answer/chain.py).
    search: Callable[[str, RunnableConfig], tuple[RetrievedTalk, ...]]
    too_far: Callable[[tuple[RetrievedTalk, ...]], bool]

    @classmethod
    def step(cls, search: Callable[[str, RunnableConfig], tuple[RetrievedTalk, ...]], settings: Settings) -> Callable:
        """The step for the chain: this search, or none when ``retrieval.record_topic_search`` is off."""
        return cls(search, partial(too_far, settings=settings)) if settings.retrieval.record_topic_search else lambda state: state

    def __call__(self, state: AnswerState, config: RunnableConfig) -> AnswerState:
        """A fresh question about one talk's record, below the floor as typed: its topic part's best talk alone (the
        cross-encoder's clear favourite first, ``judged_first``) and the topic part as the query, when the topic part's
        talks are not below the floor. Alone, as a follow-up that asks its talk's record is answered
        (``pin_follow_up``): another source's speaker or links could only be borrowed. Not for a follow-up about cited
        talks, a list of talks, or a question declined for an absent word."""
        if state.absent or state.pinned or state.lists_talks or not asks_about_record(state.question) or not self.too_far(state.retrieved):
            return state
        topic = topic_part(state.query)
        hits = self.search(topic, config) if topic and topic.casefold() != state.query.casefold() else ()
        return replace(state, query=topic, retrieved=judged_first(hits)[:1]) if hits and not self.too_far(hits) else state
