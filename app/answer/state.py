"""The typed state an answer is built in, before the model: each step of the chain returns a new version.

``AnswerChain.prepare`` is an LCEL sequence of steps, each a function from
``AnswerState`` to ``AnswerState`` (``dataclasses.replace``): the question and
history go in; the standalone query, its kinds, the retrieved talks, the
numbered sources and the prompt come out. Nothing is changed in place, so a
step can be read (and tested) alone, and what the model was given is exactly
the last state's ``messages``.

The retriever speaks LangChain: ``Document``s whose metadata carries the
talk id and its scores. They become typed ``RetrievedTalk``s once, here, at
the boundary; no later step reads a metadata key.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable

from langchain_core.documents import Document
from langchain_core.messages import BaseMessage

from app.answer.missing_names import missing_names
from app.answer.records import compares_talks
from app.answer.result import Source
from app.answer.turns import Turn, as_turns
from app.core.talk import Talk
from app.retrieval.absent_terms import absent_terms
from app.retrieval.question_kinds import QuestionKinds, condition_sentences, lists_talks

if TYPE_CHECKING:
    from app.index.lexical import LexicalIndex


@dataclass(frozen=True)
class RetrievedTalk:
    """One talk the retriever returned, with the scores the answer uses."""

    talk: Talk
    #: The fused retrieval score and the dense cosine similarity of the talk's best chunk.
    score: float
    dense: float
    #: The question's relevance from the cross-encoder (the same for every talk of a question); None without it.
    relevance: float | None = None
    #: This talk's own relevance: the cross-encoder's logit for its best sentence; None when it was not judged.
    talk_relevance: float | None = None
    #: The talk's sentence indices, most relevant first, when the cross-encoder judged them; None: not judged.
    sentence_order: tuple[int, ...] | None = None

    @classmethod
    def from_document(cls, doc: Document, talks_by_id: dict[str, Talk]) -> "RetrievedTalk":
        """The retriever's ``Document`` (app/retrieval/retriever.py names its metadata) as a typed hit."""
        meta = doc.metadata
        order = meta.get("sentence_order")
        return cls(
            talk=talks_by_id[meta["talk_id"]],
            score=meta["score"],
            dense=meta["dense"],
            relevance=meta.get("question_relevance"),
            talk_relevance=meta.get("relevance"),
            sentence_order=None if order is None else tuple(order),
        )


@dataclass(frozen=True)
class AnswerState:
    """Everything known about one question before the model answers it."""

    question: str
    #: Earlier turns, oldest first (each answer with the talks it cited): what a follow-up refers to.
    history: tuple[Turn, ...] = ()
    #: The earlier talks a follow-up refers to (app/answer/referents.py), read once: sources [1].. whatever retrieval finds.
    pinned: tuple[Talk, ...] = ()
    #: A comparison's sides (app/retrieval/subjects.py), each the best talk of its own search, in question order:
    #: sources [1] and [2], the compare prompt's first and second. Empty: retrieval's order stands.
    sides: tuple[Talk, ...] = ()
    #: The standalone query retrieval uses: the question itself unless a follow-up was condensed.
    query: str = ""
    kinds: QuestionKinds = field(default_factory=lambda: QuestionKinds(open_ended=False, comparison=False))
    retrieved: tuple[RetrievedTalk, ...] = ()
    #: Words of the question no talk contains (app/retrieval/absent_terms.py): the answer says so and stops there.
    absent: tuple[str, ...] = ()
    #: The question restated by the model in the talks' vocabulary (app/answer/restate.py): None until it was asked
    #: for, "" when the reply was no usable query.
    restatement: str | None = None
    #: The query is the restatement's (its search answers the question): the model's words, whose capitals set no literal
    #: condition of the user's ("… compression in neural Networks"; held-out-50 fw006, read after its blind run).
    restated: bool = False
    #: Names the question writes that none of its sources contains (app/answer/missing_names.py): said, and no more.
    unfound: tuple[str, ...] = ()
    #: The numbered sources the model reads, best first.
    sources: tuple[Source, ...] = ()
    #: A yes/no question's answer read from source [1] alone ("yes" / "no"; app/answer/polarity.py); None: not read.
    polarity: str | None = None
    #: A record question whose topic's rare words source [1] lacks (app/answer/topic_doubt.py; any record question with
    #: ``retrieval.record_topic_match_all``): is source [1] the talk it describes, read in one word before the answer
    #: ("yes" / "no"; "no" declines)? None: not read.
    topic_match: str | None = None
    #: The prompt: the chat messages given to the model.
    messages: tuple[BaseMessage, ...] = ()

    @classmethod
    def start(cls, question: str, history: list | None = None) -> "AnswerState":
        """``history``: ``Turn``s, or (role, text) pairs from a caller that has no cited talks."""
        return cls(question=question, history=as_turns(history))

    @property
    def reads_missing_words(self) -> bool:
        """Is a word the talks lack this question's answer? Not for a follow-up about cited talks or a list of talks (the
        list says what it found; "which talk …?" in the singular asks for one talk, not a list).

        A comparison is read too (since 2026-12-06): one side that no talk mentions ("… compare with the talk on
        grokking?") leaves nothing to compare, and the model described the present side alone (blind held-out-33 to
        -35: ff033, fg033, fg034, fh033, fh034). On the seen comparisons that are no list (dev to held-out-35, no
        model run: bench/missing_names.py --comparisons, docs/results/absent-in-comparisons-2026-12-06.json), a word read
        as absent or a name its sources lack was in 2 of the 123 answerable ones, both below the relevance floor already
        (ev008, fa004; m017's "2sED" was a digit misread, app/answer/missing_names.py), and in 13 of the 35 unanswerable
        ones, 11 of them above the floor."""
        return not (self.pinned or self.lists_talks)

    @property
    def lists_talks(self) -> bool:
        """Does the question ask for a list of talks ("which talks …?"; not "which talk …?", which seeks one)?"""
        return lists_talks(self.query)

    def with_absent(self, lexical: LexicalIndex, is_everyday: Callable[[str], bool]) -> "AnswerState":
        """The state with the question's words no talk contains (app/retrieval/absent_terms.py), which the answer then
        names instead of using a neighbouring talk's facts (``reads_missing_words`` says for which questions). Singular
        questions joined on 2026-12-05: of the seen questions with such a word, every open-ended
        one in the singular was unanswerable (8, two of them answered with a neighbour's list) and both plural ones answerable."""
        if not self.reads_missing_words:
            return self
        return replace(self, absent=absent_terms(self.question, lexical.holds_word, is_everyday, len(lexical.live_talks)))

    def with_unfound(self, is_everyday: Callable[[str], bool]) -> "AnswerState":
        """The state with the names of the question none of its sources contains, when no word is absent from every
        talk already; the same questions as ``with_absent``. Names of the sentences that say what is asked
        (``condition_sentences``): "A colleague at DeepMind insists … Does the talk on expressive power and mixup back
        that up?" does not ask about DeepMind (held-out-52 fy017, declined for it; read after its blind runs)."""
        if self.absent or not self.reads_missing_words:
            return self
        texts = [f"{s.talk.title}\n{s.talk.text}" for s in self.sources]
        return replace(self, unfound=missing_names(condition_sentences(self.question), texts, is_everyday))

    def with_query(self, query: str) -> "AnswerState":
        """The state with its standalone query, and the question's kinds read once from it."""
        kinds = QuestionKinds.of(self.question, query)
        return replace(self, query=query, kinds=replace(kinds, comparison=kinds.comparison and compares_talks(self.question)))
