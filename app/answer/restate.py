"""A question in a user's everyday words, restated in the talks' vocabulary and searched for again.

Why: on three blind sets of questions written in users' own words (held-out-20, -22 and -23), ours declined 12, 19
and 11 of 30 answerable questions that the naive chain answered, most of them because the cross-encoder judged the
question, as typed, below the relevance floor (17 of the 19 on held-out-22): "flat-piece counts for conv nets vs
dense ones" shares no word with an abstract about linear regions. Lowering the floor answered near misses with the
model's own knowledge as often as it gained answers, and clause-by-clause scoring gained nothing blind
(docs/evaluation.md). The model does know the field's words. Asked for a search query "in the technical vocabulary a
machine-learning research abstract would use" (prompts/restate.txt), it writes "Comparison of flat-piece counts for
convolutional neural networks (CNNs) and dense neural networks", which the same cross-encoder judges relevant.

So a question below the floor is restated once (a short generation, about 2 s on 2 cores) and the restatement
searched for; when its relevance reaches ``rerank.restated_threshold`` the restatement's talks are the sources and the
query shown ("searched for: …"). The model still answers the question as the user typed it, and the absent-word
and missing-name rules still read that question, so a near miss that names what no talk has is declined as before.
Not for a follow-up about cited talks (answered from them however it is worded) or a list naming a literal term ("how
many talks mention CIFAR?", read off the records), and never when the absent-word rule has already declined. A
comparison is restated as a whole; its sides are then still searched for one by one, as typed
(``AnswerChain.retrieve_sides``). A topical list ("I'm writing a policy brief … Which talks treat fairness through
causal reasoning?", seen held-out-48 fu008, declined as typed) is searched for as a list of what its restatement names
("Which talks are about fairness in automated decision-making?"), so that it is still answered as a list of every talk
found (docs/evaluation.md, thirty-second session).

Chosen on the seen sets (docs/evaluation.md, bench/restate.py): which questions are restated, the prompt, the
threshold. Reported on held-out-24, written blind before any of this was run.

The same restatement also rechecks a word the absent-word rule reads as absent (app/retrieval/absent_terms.py). The
rule cannot tell an everyday word no abstract uses ("wobbles", "clump", "backfires") from a name no talk holds
("Sinkhorn", "Paxos"); the model can: told to keep every specific name, it keeps "Sinkhorn" and writes "oscillation"
for "wobbles". So a word the restatement drops is not absent, and the question goes on to retrieval (and, below the
floor, to the restatement's search). An empty restatement keeps the decline. Chosen on the seen sets with an ad hoc
probe and ``bench/restate.py --absent`` (docs/evaluation.md); measured blind, with the restatement, on held-out-25
(answerable questions declined 9 -> 5 of 30, unanswerable ones declined 9 -> 9 of 15).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable

from langchain_core.messages import HumanMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import PromptTemplate
from langchain_core.runnables import RunnableConfig

from app.answer.model_calls import model_call
from app.answer.state import AnswerState, RetrievedTalk
from app.retrieval.record_terms import record_condition

if TYPE_CHECKING:  # `search` imports the chain without a model: chat model classes load with the model
    from langchain_core.language_models.chat_models import BaseChatModel

#: A query, not an answer: a reply longer than this is not searched for.
MAX_WORDS = 40
#: The prompt's own label, when the model repeats it.
_LABEL = re.compile(r"^\s*(?:search\s+)?query\s*:\s*", re.IGNORECASE)


def parse_restatement(reply: str, question: str) -> str | None:
    """The reply's first line as a search query; None when it is empty, too long to be a query, or the question itself
    (searching for it again would find the same talks)."""
    lines = [line for line in reply.strip().splitlines() if line.strip()]
    query = _LABEL.sub("", lines[0]).strip().strip('"“”').strip() if lines else ""
    if not query or len(query.split()) > MAX_WORDS or query.casefold() == question.strip().casefold():
        return None
    return query


def restated_query(llm: BaseChatModel, prompt: str, question: str, config: RunnableConfig | None = None) -> str | None:
    """The model's restatement of ``question`` (``prompt``: prompts/restate.txt filled in), parsed."""
    reply = (llm | StrOutputParser()).invoke([HumanMessage(prompt)], config)
    return parse_restatement(reply, question)


#: What the restatement prompt itself puts in a list's restatement ("number of talks on X in machine learning research
#: abstracts", "machine learning research on object detection"): the talks and abstracts asked about, and the field
#: every talk is in, not a topic of theirs. The cross-encoder finds "machine learning research on object detection"
#: close to any abstract (−0.95, against −7.9 for "object detection"; held-out-49 fv044, read after its blind run).
_ML = r"(?:machine[- ]learning|ml|deep[- ]learning)"
_ABOUT_THE_TALKS = re.compile(
    rf"\b(?:(?:in|from|of|across)\s+)?(?:the\s+)?(?:{_ML}\s+)?(?:research\s+)?(?:abstracts?|talks?|seminars?)\b"
    r"|\b(?:the\s+)?(?:number|count|list)\s+of\b"
    rf"|\b(?:{_ML}\s+)?research\s+(?:on|into|in|involving|about|for|of|that|with)\b|\b(?:in|of|for|within|across)\s+{_ML}(?:\s+research)?\s*$",
    re.IGNORECASE)
#: Words a topic does not open or close with once the talks are taken out of it ("with figures …", "… in").
_LOOSE_ENDS = re.compile(r"^(?:(?:with|on|about|in|of|for|that|which|and)\s+)+|(?:\s+(?:with|on|about|in|of|for|and))+$", re.IGNORECASE)


def as_list(restatement: str) -> str:
    """A list question's restatement asked as a list again: "Spectral bias of deep networks" -> "Which talks are about
    spectral bias of deep networks?" (an acronym keeps its capitals), which retrieval and the list answer read as one.
    What the prompt's own words say of the talks ("in machine learning research abstracts") is no topic and goes;
    "" when nothing else is left (the list is declined, as it was as typed)."""
    topic = _LOOSE_ENDS.sub("", " ".join(_ABOUT_THE_TALKS.sub(" ", restatement).split()).strip(" ?.,:;")).strip()
    if len(topic) < 3:
        return ""
    if topic[:1].isupper() and topic[1:2].islower():
        topic = topic[0].lower() + topic[1:]
    return f"Which talks are about {topic}?"


def close_enough(hits, threshold: float) -> bool:
    """Is the restatement's search close enough to answer from: its relevance (the cross-encoder's, on the first
    ``RetrievedTalk``) at least ``threshold``?"""
    return bool(hits) and hits[0].relevance is not None and hits[0].relevance >= threshold


def keeps_any(restatement: str, words: tuple[str, ...]) -> bool:
    """Does the restatement still use one of ``words`` (case aside, a plural "s"/"es" aside)?"""
    text = restatement.casefold()
    return any(form in text for word in words for form in {word.casefold(), word.casefold().removesuffix("s"),
                                                           word.casefold().removesuffix("es")} if len(form) >= 3)


@dataclass(frozen=True)
class Restater:
    """The two chain steps that read the model's restatement of a question; it is asked for at most once a question
    (``AnswerState.restatement``: None until asked, "" when the reply was no usable query)."""

    llm: BaseChatModel
    prompt: PromptTemplate
    #: ``rerank.restated_threshold``: the restatement's relevance its talks need to answer.
    threshold: float
    #: The retriever's talks for a query, and whether talks are below the relevance floor (app/answer/chain.py).
    search: Callable[[str, RunnableConfig], tuple[RetrievedTalk, ...]]
    too_far: Callable[[tuple[RetrievedTalk, ...]], bool]

    def restated(self, state: AnswerState, config: RunnableConfig) -> AnswerState:
        """The state with the question's restatement (asked for if it was not yet): of its standalone query, which is the
        question itself unless a follow-up was condensed."""
        if state.restatement is not None:
            return state
        prompt = self.prompt.format(question=state.query)
        return replace(state, restatement=model_call(lambda: restated_query(self.llm, prompt, state.query, config)) or "")

    def recheck_absent(self, state: AnswerState, config: RunnableConfig) -> AnswerState:
        """Words read as absent that the restatement drops were everyday words: the question is not declined for them."""
        if not state.absent:
            return state
        state = self.restated(state, config)
        return replace(state, absent=()) if state.restatement and not keeps_any(state.restatement, state.absent) else state

    def search_again(self, state: AnswerState, config: RunnableConfig) -> AnswerState:
        """A question too far from the talks found (not a follow-up about cited talks, not declined for an absent word):
        its restatement's talks and query, when their relevance reaches the threshold. A list is searched for as one
        (``as_list``), so that it is still answered as a list of every talk found."""
        if state.absent or state.pinned or (state.lists_talks and record_condition(state.query)) or not self.too_far(state.retrieved):
            return state  # a list naming a literal term is read off the records, as typed (app/answer/aggregate.py)
        state = self.restated(state, config)
        query = as_list(state.restatement) if state.lists_talks else state.restatement  # "" when no usable query
        hits = self.search(query, config) if query else ()
        return replace(state, query=query, retrieved=hits, restated=True) if close_enough(hits, self.threshold) else state
