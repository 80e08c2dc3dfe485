"""The answer's prompts (prompts/*.txt) and which of them a question gets.

Every chat prompt shares the one system prompt, so llama.cpp reuses its cached prefix whichever
the question's kind: a "which talks ...?" list (one cited line per matching talk), a comparison of
two talks (one sentence per side, each from its own talk, then the difference: app/answer/sides.py),
a yes/no question (the polarity first; told which word to begin with when source [1]'s answer was
read first, app/answer/polarity.py), or any other question.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from langchain_core.messages import BaseMessage
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate

from app.answer.context import whole_abstract
from app.answer.passages import passage
from app.answer.sides import two_sides
from app.answer.state import AnswerState
from app.core.prompts import load_prompt
from app.core.safety import neutralise, neutralise_all


@dataclass(frozen=True)
class AnswerPrompts:
    """The prompts one ``AnswerChain`` fills in, loaded once."""

    answer: ChatPromptTemplate
    #: A list of talks ("which talks …?", "how many talks …"): the numbers of every matching source.
    listing: ChatPromptTemplate
    #: "Which talk …?" in the singular: the numbers of the sources that match, or the abstention. Its example reply
    #: ("like [1][3]") drew that very reply from the model in 59 of 153 seen list answers; the lists lost gold talks
    #: by it, while the singular questions (14 of 18 unanswerable) were declined more often with it than without
    #: (2026-12-06, docs/evaluation.md).
    which_talk: ChatPromptTemplate
    yes_no: ChatPromptTemplate
    yes_no_read: ChatPromptTemplate
    compare: ChatPromptTemplate
    polarity: PromptTemplate
    condense: PromptTemplate
    #: A question as a search query in the talks' vocabulary, for one below the relevance floor or with a word read as
    #: absent (app/answer/restate.py).
    restate: PromptTemplate
    abstain: str
    #: The abstention that names the question's words no talk contains.
    abstain_absent: PromptTemplate
    #: The abstention that names the question's names none of the talks found contains.
    abstain_unfound: PromptTemplate
    #: A plain question the model declined although source [1] is close, asked once more from that source alone with
    #: the system prompt's rule to decline replaced by one to answer from it (app/answer/second_look.py).
    second_look: ChatPromptTemplate
    #: Is source [1] the talk a declined record question describes? One word (app/answer/record_look.py).
    record_match: PromptTemplate

    def declining(self, absent: tuple[str, ...], unfound: tuple[str, ...]) -> str | None:
        """"The talks in this collection don't mention “hypergraph”." for words no talk contains, else "None of the
        talks closest to this question mentions “PPO”." for names the talks found lack (each quoted, joined with
        "or"); None when the question names nothing of either kind."""
        terms = absent or unfound
        if not terms:
            return None
        template = self.abstain_absent if absent else self.abstain_unfound
        return template.format(terms=" or ".join(f"“{term}”" for term in terms)).strip()

    @classmethod
    def load(cls, prompts_dir: Path | None = None) -> AnswerPrompts:
        """The shipped prompts, or those of ``prompts_dir`` (a copy of prompts/ with some texts changed: the paired
        prompt bench, bench/answer_prompt.py)."""
        text = lambda name: load_prompt(name, prompts_dir)  # noqa: E731
        system = text("answer_system")
        chat = lambda name: ChatPromptTemplate.from_messages([("system", system), ("human", text(name))])  # noqa: E731
        answering = instead_of_declining(system, text("abstain"), text("second_look_rule"))
        return cls(answer=chat("answer_user"), listing=chat("answer_user_list"),
                   which_talk=chat("answer_user_which_talk"), yes_no=chat("answer_user_yes_no"),
                   yes_no_read=chat("answer_user_yes_no_read"), compare=chat("answer_user_compare"),
                   polarity=PromptTemplate.from_template(text("polarity")),
                   condense=PromptTemplate.from_template(text("condense")), abstain=text("abstain"),
                   restate=PromptTemplate.from_template(text("restate")),
                   abstain_absent=PromptTemplate.from_template(text("abstain_absent")),
                   abstain_unfound=PromptTemplate.from_template(text("abstain_unfound")),
                   second_look=ChatPromptTemplate.from_messages([("system", answering), ("human", text("answer_user"))]),
                   record_match=PromptTemplate.from_template(text("record_match")))

    def messages(self, state: AnswerState) -> tuple[BaseMessage, ...]:
        """The prompt for the state's kind, each source as the model reads it (sanitised, with the record
        fields the question needs)."""
        context = "\n\n".join(passage(source, state.question) for source in state.sources)
        if state.kinds.open_ended:
            listing = self.listing if state.lists_talks else self.which_talk
            messages = listing.format_messages(context=context, question=state.question)
        elif state.kinds.comparison and two_sides(state.question) and len(state.sources) >= 2:
            # The sides' own talks when ``retrieve_sides`` found them (pinned as sources [1] and [2]), else retrieval's top two.
            first, second = (t.title for t in state.sides) if state.sides else (s.talk.title for s in state.sources[:2])
            messages = self.compare.format_messages(context=context, question=state.question, first=first, second=second)
        elif state.polarity is not None:
            messages = self.yes_no_read.format_messages(context=context, question=state.question, polarity=state.polarity.capitalize())
        elif state.kinds.yes_no:
            messages = self.yes_no.format_messages(context=context, question=state.question)
        else:
            messages = self.answer.format_messages(context=context, question=state.question)
        return tuple(messages)

    def second_look_messages(self, state: AnswerState) -> tuple[BaseMessage, ...]:
        """The question again, with source [1] alone and no rule to decline (app/answer/second_look.py)."""
        return tuple(self.second_look.format_messages(context=passage(state.sources[0], state.question), question=state.question))

    def record_match_reading(self, state: AnswerState) -> str:
        """The one-word reading of whether source [1], its whole abstract and notes, is the talk the question describes
        (prompts/record_match.txt)."""
        source = whole_abstract(state.sources[0])
        abstract = " ".join(text for text in neutralise_all(source.sentences) if text)
        return self.record_match.format(title=neutralise(source.talk.title), abstract=abstract, question=state.question)

    def polarity_reading(self, state: AnswerState) -> str:
        """The one-word reading of a yes/no question over source [1] alone (prompts/polarity.txt)."""
        return self.polarity.format(passage=passage(state.sources[0], state.question), question=state.question)


def instead_of_declining(system: str, abstain: str, rule: str) -> str:
    """The system prompt with its rule to decline (the line that gives the abstention's words) replaced by ``rule``.
    A system prompt edited so that no line gives those words fails here, at load, not silently at answer time."""
    lines = system.splitlines()
    declining = [i for i, line in enumerate(lines) if abstain in line]
    if len(declining) != 1:
        raise ValueError(f"the answer system prompt needs exactly one line with {abstain!r}; it has {len(declining)}")
    lines[declining[0]] = rule
    return "\n".join(lines)
