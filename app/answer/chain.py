"""The answer chain: question -> retrieve -> select context -> prompt -> LLM -> checked, cited sentences.

Read top to bottom in ``AnswerChain.prepare`` (an LCEL sequence of steps,
each taking and returning a frozen ``AnswerState``, app/answer/state.py, up to
the prompt) and ``AnswerChain.ask`` (that pipeline now; an ``AnswerStream`` of
the LLM's tokens, app/answer/stream.py; then the checks of
app/answer/checks.py, one ordered list of ``Answer -> Answer`` steps, in
``AnswerStream.result()``).
The embedded model reads prompts at about 38 tokens a second on 2 cores, so
the context is not whole abstracts: each retrieved talk contributes its title
and its sentences most relevant to the question, numbered [1]..[n] (one
number a talk), within ``retrieval.context_tokens``.

A follow-up that refers back ("the first one", "that talk", "both") is resolved
to the previous answer's cited talks without the model (``resolve``,
app/answer/referents.py) and those talks are pinned first (``pin``); other
follow-ups are condensed by the model as before. A comparison that names its two
subjects ("X vs Y", "how does the X talk differ from the Y talk?") has each side
searched for on its own and their best talks pinned first (``retrieve_sides``).
A yes/no question's answer is read from source [1] alone first (``polarity.read_polarity``,
one word), and the model is told to begin with it (app/answer/polarity.py).
A question with a word read as absent, or below the relevance floor as typed, is
restated once by the model in the talks' vocabulary (``Restater``, app/answer/restate.py):
a word the restatement drops is not absent, and a restatement close enough to the
talks is searched for instead. A plain question the model declines although its
first source is close is asked once more from that source alone (``SecondLook``,
app/answer/second_look.py); a question about one talk's record the model declines is
answered from source [1]'s record when the model, asked in one word, reads it as the
talk the question describes (``RecordLook``, app/answer/record_look.py); asked the same before the answer when the
question's rare topic words are missing from source [1] (``read_topic_match``, app/answer/topic_doubt.py; for every
such question with ``retrieval.record_topic_match_all``), a "no" declines it.
"""

from __future__ import annotations

import time
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Iterator

from langchain_core.embeddings import Embeddings
from langchain_core.messages import HumanMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda

from app.answer.aggregate import answer_from_records
from app.answer.checks import answer_checks
from app.answer.context import select_sources, too_far, whole_abstract
from app.answer.guard import stop_runaway
from app.answer.list_floor import judge_listed
from app.answer.model_calls import llm_error, model_call
from app.answer.preview import extractive_preview
from app.answer.pinning import judged_first, pin_first, pin_follow_up, side_logits, side_talks
from app.answer.polarity import read_polarity
from app.answer.prompting import AnswerPrompts
from app.answer.record_look import RecordLook, read_topic_match, record_look
from app.answer.record_refusal import asks_about_record
from app.answer.record_topic import TopicSearch
from app.answer.records import asks_record, with_notes
from app.answer.referents import about_line, resolve
from app.answer.restate import Restater
from app.answer.result import Answer, AnswerWarning
from app.answer.rewrite import searched_for, usable_rewrite
from app.answer.second_look import SecondLook, second_look
from app.answer.state import AnswerState, RetrievedTalk
from app.answer.stream import AnswerStream
from app.answer.turns import last_cited
from app.core.config import Settings
from app.core.errors import LLMUnavailableError
from app.core.question import check_question
from app.models.english_words import EnglishWords
from app.models.tokens import encoding
from app.retrieval.retriever import TalkRetriever
from app.retrieval.subjects import read_subjects

if TYPE_CHECKING:  # `search` runs this chain without a model: chat model classes load with the model
    from langchain_core.language_models.chat_models import BaseChatModel

# ------------------------------------------------------------------ the chain


class AnswerChain:
    """Retrieval-augmented answering with cited talks (one per process; cheap to call)."""

    def __init__(self, settings: Settings, retriever: TalkRetriever, llm: BaseChatModel | None, embeddings: Embeddings):
        self.settings = settings
        self.retriever = retriever
        self.llm = llm
        self.embeddings = embeddings
        self.enc = encoding(settings.chunks.encoding, settings.cache_dir / "tiktoken")
        self.prompts = AnswerPrompts.load()
        self.abstain_text = self.prompts.abstain
        self.english = EnglishWords(settings.cache_dir / "tiktoken", settings.chunks.encoding)

    @property
    def catalog(self):
        """The talks retrieval reads (an ``IndexSnapshot``: records fetched by id as needed)."""
        return self.retriever.catalog

    def latest_catalog(self):
        """The talks of the newest committed index generation (for listings: the talk browser, ``/api/talks``)."""
        return self.retriever.latest_catalog()

    # -- the pipeline, top to bottom --------------------------------------

    def prepare(self) -> Runnable:
        """Everything before the LLM: ``AnswerState.start(question, history)`` -> the state with its prompt, a new one a step."""
        restater = self.restater
        readers = {"llm": self.llm, "prompts": self.prompts, "abstains": self._abstains}  # the one-word readings of source [1]
        return (
            RunnableLambda(self.resolve)
            | RunnableLambda(self.condense)
            | RunnableLambda(lambda state: state.with_absent(self.retriever.lexical, self.english.is_everyday))
            | RunnableLambda(restater.recheck_absent if restater else lambda state: state)
            | RunnableLambda(self.retrieve)
            | RunnableLambda(TopicSearch.step(self.hits, self.settings))
            | RunnableLambda(restater.search_again if restater else lambda state: state)
            | RunnableLambda(self.retrieve_sides)
            | RunnableLambda(self.pin)
            | RunnableLambda(self.judged_lead)
            | RunnableLambda(partial(judge_listed, judge=self.retriever.talk_relevances, floor=self.settings.rerank.list_floor))
            | RunnableLambda(self.select_context)
            | RunnableLambda(self.widen)
            | RunnableLambda(self.add_record)
            | RunnableLambda(lambda state: state.with_unfound(self.english.is_everyday))
            | RunnableLambda(partial(read_polarity, **readers))
            | RunnableLambda(partial(read_topic_match, is_everyday=self.english.is_everyday,
                                     every=self.settings.retrieval.record_topic_match_all, **readers)
                             if self.settings.retrieval.record_topic_match else lambda state: state)
            | RunnableLambda(self.build_messages)
        )

    def resolve(self, state: AnswerState, config: RunnableConfig) -> AnswerState:
        """A follow-up that refers to the previous answer's talks ("the first one", "that talk", "both"):
        those talks, found without the model (app/answer/referents.py; "the one about X" may search for X),
        and the query says what it is about."""
        ids = last_cited(state.history)
        found = self.catalog.fetch(list(ids)) if ids else {}
        search = lambda topic: [hit.talk.id for hit in self.hits(topic, config)]  # noqa: E731
        referents = resolve(state.question, [found[i] for i in ids if i in found], search)
        if referents is None:
            return state
        talks = tuple(found[i] for i in referents.talk_ids)
        return replace(state, pinned=talks).with_query(about_line(state.question, list(talks)))

    def condense(self, state: AnswerState, config: RunnableConfig) -> AnswerState:
        """The standalone question for retrieval: the question itself unless there is history, or when the rewrite (a guess is
        not searched for) is no question or adds a name or number (app/answer/rewrite.py). Resolved follow-ups keep theirs.
        A list question's sentences that only say who asks and why are not searched for (``searched_for``)."""
        if state.pinned:
            return state
        history = state.history[-6:]
        if not history or self.llm is None:
            return state.with_query(searched_for(state.question) if self.settings.retrieval.list_search_asked else state.question)
        lines = [f"{turn.role.capitalize()}: {turn.text}" for turn in history]
        prompt = self.prompts.condense.format(history="\n".join(lines), question=state.question)
        reply = model_call(lambda: (self.llm | StrOutputParser()).invoke([HumanMessage(prompt)], config))
        return state.with_query(usable_rewrite(reply, [turn.text for turn in history] + [state.question]) or state.question)

    def retrieve(self, state: AnswerState, config: RunnableConfig) -> AnswerState:
        """The retriever's talks for the query, as typed hits."""
        return replace(state, retrieved=self.hits(state.query, config))

    @property
    def restater(self) -> Restater | None:
        """The restatement steps (app/answer/restate.py); None without a model, cross-encoder or ``rerank.restated_threshold``."""
        threshold = self.settings.rerank.restated_threshold if self.settings.rerank.enabled else None
        return None if self.llm is None or threshold is None else Restater(self.llm, self.prompts.restate, threshold, self.hits,
                                                                            partial(too_far, settings=self.settings))

    def hits(self, query: str, config: RunnableConfig) -> tuple[RetrievedTalk, ...]:
        """The retriever's talks for ``query`` (the one place its ``Document``s are read)."""
        by_id = self.catalog.by_id
        return tuple(RetrievedTalk.from_document(doc, by_id) for doc in self.retriever.invoke(query, config))

    def retrieve_sides(self, state: AnswerState, config: RunnableConfig) -> AnswerState:
        """A comparison naming its two subjects (app/retrieval/subjects.py): each side searched for on its own, its best
        talk pinned first in question order, then the rest of retrieval (app/answer/pinning.py). A follow-up's talks or
        unread subjects leave the order as it is; subjects the best talk holds both of make it a question about that talk."""
        subjects = read_subjects(state.question) if state.kinds.comparison and not state.pinned else None
        if subjects is None:
            return state
        if state.retrieved and subjects.of_one_talk(state.retrieved[0].talk):
            return replace(state, kinds=replace(state.kinds, comparison=False))  # one talk's two things: no comparison
        per_side = [self.hits(subjects.query(i), config) for i in range(2)]
        best = side_talks(per_side, state.retrieved, side_logits(per_side, subjects, self.retriever.talk_relevances), self.settings.rerank.side_weight)
        talks = [hit.talk for hit in best or ()]
        return replace(state, sides=tuple(talks), retrieved=pin_first(state.retrieved, talks, best)) if best else state

    def pin(self, state: AnswerState) -> AnswerState:
        """The talks a follow-up refers to first, then the rest of retrieval; alone when it asks their record."""
        pinned = list(state.pinned)
        return replace(state, retrieved=pin_follow_up(state.retrieved, pinned, state.question, state.kinds.open_ended)) if pinned else state

    def judged_lead(self, state: AnswerState) -> AnswerState:
        """A question about one talk's record (bio, links, references): the talk the cross-encoder clearly judges best goes
        first, whose record the answer then reads (``judged_first``). Not for a follow-up's talks or a comparison's sides."""
        if state.pinned or state.sides or not asks_about_record(state.question):
            return state
        return replace(state, retrieved=judged_first(state.retrieved))

    def select_context(self, state: AnswerState) -> AnswerState:
        """Each talk's title plus its sentences most relevant to the query, within the token budget."""
        count = lambda text: len(self.enc.encode(text))  # noqa: E731
        return replace(state, sources=select_sources(state.query, list(state.retrieved), self.embeddings, count, self.settings.retrieval))

    def widen(self, state: AnswerState) -> AnswerState:
        """The talk a question is about gets its whole abstract (a comparison: the two talks it compares): the asked-for
        fact is often in a sentence the relevance order ranks low ("exponential in depth"). Not for "which talks ...?"."""
        if not state.sources or state.kinds.open_ended or not self.settings.retrieval.whole_top_talk:
            return state
        whole = 2 if state.kinds.comparison else 1
        return replace(state, sources=tuple(whole_abstract(s) if i < whole else s for i, s in enumerate(state.sources)))

    def add_record(self, state: AnswerState) -> AnswerState:
        """A question about the person, co-authors or papers of one talk: its notes join the top source
        (a follow-up about several earlier talks: each of theirs)."""
        if not state.sources or not asks_record(state.question) or state.kinds.open_ended:
            return state
        return replace(state, sources=tuple(with_notes(s) if i < max(1, len(state.pinned)) else s for i, s in enumerate(state.sources)))

    def build_messages(self, state: AnswerState) -> AnswerState:
        """The prompt for the question's kind (app/answer/prompting.py)."""
        return replace(state, messages=self.prompts.messages(state))

    def _abstains(self, state: AnswerState) -> bool:
        """Abstain without the model: the question names what no talk contains, or nothing retrieved is close."""
        far = bool(state.absent or state.unfound) or state.topic_match == "no" or too_far(state.sources, self.settings)
        return self.llm is not None and not state.pinned and far

    # -- running it ---------------------------------------------------------

    def check_question(self, question: str) -> str:
        """The question stripped, or the ``InputError`` of app/core/question.py (limits in characters and words)."""
        return check_question(question, self.settings.max_question_tokens, self.enc)

    def ask(self, question: str, history: list | None = None, *, strict: bool = False) -> AnswerStream:
        """Start answering: retrieval runs now, so ``.query``, ``.sources`` and ``.preview`` are ready on the
        stream before its first token; iterate it for the tokens, then ``.result()`` gives the ``Answer``.
        ``strict`` leaves out the sentences no source supports."""
        started = time.perf_counter()
        state = self.prepare().invoke(AnswerState.start(self.check_question(question), history))
        retrieve_ms = round((time.perf_counter() - started) * 1000, 1)
        # A follow-up about talks already cited is answered from them, however far its wording is from them.
        abstain = self._abstains(state)
        abstention = self.prompts.declining(state.absent, state.unfound) or self.abstain_text
        preview = extractive_preview(state.sources, open_ended=state.kinds.open_ended, comparison=state.kinds.comparison,
                                     abstention=abstention if abstain else None)
        answer = Answer(question=state.question, query=state.query, sources=list(state.sources), preview=preview, polarity=state.polarity,
                        pinned=len(state.pinned), absent_terms=list(state.absent or state.unfound),
                        timings={"retrieve_ms": retrieve_ms, "preview_ms": round((time.perf_counter() - started) * 1000, 1)})
        finish = partial(self._finish, started=started, strict=strict)
        literal = self.llm is not None and state.kinds.open_ended and not state.restated  # the user's own terms only
        listed = answer_from_records(self.catalog, state.query, answer, self.retriever.talk_relevances,
                                     self.settings.rerank) if literal else None
        if listed is not None:
            return AnswerStream(listed, (listed.answer,), partial(self._finish, started=started, checked=False), started)
        if self.llm is None:
            return AnswerStream(answer, (), finish, started)
        if abstain:
            return AnswerStream(replace(answer, answer=abstention, abstained=True), (abstention,), finish, started)
        prompt_tokens = sum(len(self.enc.encode(str(m.content))) for m in state.messages)
        tokens = model_tokens(self.llm, list(state.messages))
        look = after_a_decline(state, self.llm, self.prompts, self.abstain_text, self.settings.rerank.second_look_threshold)
        return AnswerStream(replace(answer, prompt_tokens=prompt_tokens), look.tokens(tokens) if look else tokens,
                            look.reporting(finish) if look else finish, started, settled_at_end=state.kinds.open_ended or state.kinds.yes_no)

    def _finish(self, answer: Answer, *, started: float, strict: bool = False, checked: bool = True) -> Answer:
        """After the last token: the checks of app/answer/checks.py, in order (a retrieval-only answer has none,
        nor has one read off the records: ``checked=False``)."""
        checking = time.perf_counter()
        if self.llm is not None and checked:
            for check in answer_checks(self.embeddings, self.abstain_text, strict=strict, rerank=self.settings.rerank):
                answer = check(answer)
        timings = {**answer.timings, "first_token_ms": answer.timings.get("first_token_ms"),
                   "checks_ms": round((time.perf_counter() - checking) * 1000, 1)}
        return replace(answer, timings={**timings, "total_ms": round((time.perf_counter() - started) * 1000, 1)})

    def invoke(self, question: str, history: list | None = None, *, strict: bool = False) -> Answer:
        """The whole answer at once (the evaluation and the JSON output use this)."""
        return self.ask(question, history, strict=strict).result()


def after_a_decline(state: AnswerState, llm: BaseChatModel, prompts: AnswerPrompts, abstention: str,
                    threshold: float | None) -> RecordLook | SecondLook | None:
    """What follows a reply that declines: a record question's one-word reading of source [1], else a plain question's
    second look, else nothing (the decline stands)."""
    return record_look(state, llm, prompts, abstention) or second_look(state, threshold, partial(model_tokens, llm), prompts, abstention)


def model_tokens(llm: BaseChatModel, messages: list) -> Iterator[str | AnswerWarning]:
    """The model's tokens (a ``RUNAWAY`` warning where a repetition stopped them); failures as ``LLMUnavailableError``."""
    try:
        # The chat model's own stream, not a ``llm | parser`` sequence: closing a RunnableSequence's
        # stream reads the rest of the generation, so a client who left would hold the model.
        for chunk in stop_runaway(llm.stream(messages)):
            token = chunk if isinstance(chunk, AnswerWarning) else str(chunk.text)
            if token:
                yield token
    except LLMUnavailableError:
        raise
    except Exception as err:
        raise llm_error(err) from None
