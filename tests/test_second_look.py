"""A plain question the model declined although its first source is close is asked once more, from that source alone
and without the rule to decline (app/answer/second_look.py). Fast tests: the step's parts, then a scripted model over
the real seed index and cross-encoder; the embedded model's own second look is the slow test at the end."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from app.answer.prompting import instead_of_declining
from app.answer.result import AnswerWarning
from app.answer.second_look import SecondLook, wants_second_look
from app.answer.state import AnswerState
from app.retrieval.question_kinds import QuestionKinds
from app.service import Service
from support.models import scripted

ABSTAIN = "The talks in this collection don't cover this."
CLOSE = "How is tropical geometry used to study neural networks?"


def state_of(question: str, relevance: float = 0.0, **fields) -> AnswerState:
    """A question's state after retrieval, its first source at ``relevance``."""
    start = AnswerState.start(question)
    return replace(start, query=question, kinds=QuestionKinds.of(question, question),
                   sources=(SimpleNamespace(relevance=relevance),), **fields)


def look_with(*second_reply: str) -> SecondLook:
    return SecondLook(lambda messages: iter(second_reply), (), ABSTAIN)


# ------------------------------------------------------------------ which questions get one


def test_a_plain_question_whose_first_source_is_close_may_get_a_second_look():
    assert wants_second_look(state_of(CLOSE, relevance=-3.0), -3.5)


def test_a_question_whose_first_source_is_far_gets_none():
    assert not wants_second_look(state_of(CLOSE, relevance=-4.0), -3.5)


def test_without_a_threshold_no_question_gets_one():
    assert not wants_second_look(state_of(CLOSE, relevance=5.0), None)


@pytest.mark.parametrize("question", ["Which talks discuss tropical geometry?",
                                      "How does the tropical geometry talk differ from the spline talk?",
                                      "Does tropical geometry bound the number of linear regions?",
                                      "Who gave the talk on tropical geometry of neural networks?",
                                      "Where can I find the slides of the tropical geometry talk?"])
def test_lists_comparisons_yes_no_and_record_questions_get_none(question):
    assert not wants_second_look(state_of(question, relevance=5.0), -3.5)


def test_a_follow_up_about_cited_talks_gets_none():
    assert not wants_second_look(state_of(CLOSE, relevance=5.0, pinned=(SimpleNamespace(id="t1"),)), -3.5)


# ------------------------------------------------------------------ the tokens


def test_a_reply_that_is_the_abstention_is_replaced_by_the_second_look():
    look = look_with("Tropical ", "maps [1].")
    assert "".join(look.tokens(iter(["The talks in ", "this collection don't cover this."]))) == "Tropical maps [1]."
    assert look.took_ms is not None


def test_a_reply_that_only_opens_like_the_abstention_is_passed_on_whole():
    look = look_with("never used")
    tokens = ["The talks ", "in this ", "collection study tropical maps [1]."]
    assert list(look.tokens(iter(tokens))) == tokens and look.took_ms is None


def test_an_abstention_with_a_marker_before_it_is_replaced_unseen():
    look = look_with("Tropical ", "maps [1].")
    assert "".join(look.tokens(iter(["[", "1", "] The talks in ", "this collection don't cover this."]))) == "Tropical maps [1]."


def test_an_abstention_with_a_marker_after_it_is_replaced():
    assert "".join(look_with("Maps [1].").tokens(iter([ABSTAIN, " [1]"]))) == "Maps [1]."


def test_a_reply_that_restates_the_question_is_passed_on_whole():
    look = look_with("never used")
    tokens = ["Tropical geometry ", "is handy [1]."]
    assert list(look.tokens(iter(tokens))) == tokens and look.took_ms is None


def test_a_warning_of_the_declined_reply_is_kept():
    warning = AnswerWarning("runaway", "stopped")
    assert list(look_with("Maps [1].").tokens(iter([ABSTAIN, warning]))) == [warning, "Maps [1]."]


def test_the_system_prompt_loses_its_rule_to_decline_and_nothing_else():
    system = f"Rules:\n- Cite.\n- Only if nothing fits, reply only: {ABSTAIN}\nExample."
    assert instead_of_declining(system, ABSTAIN, "- Answer from [1].") == "Rules:\n- Cite.\n- Answer from [1].\nExample."


def test_a_system_prompt_without_a_rule_to_decline_fails_at_load():
    with pytest.raises(ValueError, match="exactly one line"):
        instead_of_declining("Rules:\n- Cite.", ABSTAIN, "- Answer from [1].")


# ------------------------------------------------------------------ in the chain


def chain_with(seed_index, *replies: str):
    return Service(seed_index.settings, store=seed_index.store).answer_chain(llm=scripted(*replies))


def test_a_close_question_the_model_declines_is_answered_by_its_second_look(seed_index):
    chain = chain_with(seed_index, ABSTAIN, "Tropical geometry describes the linear regions of ReLU networks [1].")
    answer = chain.invoke(CLOSE)
    assert not answer.abstained and "second_look_ms" in answer.timings
    assert "Source [1] was found for this question" in chain.llm.prompts[1]
    assert answer.sources[0].talk.title in chain.llm.prompts[1] and answer.sources[1].talk.title not in chain.llm.prompts[1]


def test_a_decline_that_cites_its_first_source_gets_the_second_look_too(seed_index):
    chain = chain_with(seed_index, "[1] " + ABSTAIN, "Tropical geometry describes the linear regions of ReLU networks [1].")
    answer = chain.invoke(CLOSE)
    assert not answer.abstained and "second_look_ms" in answer.timings


def test_a_second_look_that_only_restates_the_question_leaves_the_decline(seed_index):
    chain = chain_with(seed_index, ABSTAIN, "Tropical geometry is handy for studying neural networks [1].")
    answer = chain.invoke("Why is tropical geometry handy for studying neural networks?")
    assert len(chain.llm.prompts) == 2 and answer.abstained


def test_a_declined_record_question_gets_no_second_look(seed_index):
    chain = chain_with(seed_index, ABSTAIN, "NO")
    chain.invoke("Who gave the talk on tropical geometry of neural networks?")
    assert len(chain.llm.prompts) == 2 and "Is the talk above the one the question describes?" in chain.llm.prompts[1]


# ------------------------------------------------------------------ the embedded model


@pytest.mark.slow
def test_the_embedded_model_answers_a_question_it_first_declined(seed_index):
    """Tuning set held-out-25's ex004: declined by the model with its gold talk as source [1] (docs/evaluation.md)."""
    settings = seed_index.settings.model_copy(update={"llm": seed_index.settings.llm.model_copy(update={"backend": "local", "local_model": "qwen-1.5b"})})
    answer = Service(settings, store=seed_index.store).answer_chain().invoke("policy gradient talk: the llm fine-tuning snag and the control benchmark")
    assert not answer.abstained and "second_look_ms" in answer.timings
    assert any("vanishing gradient" in answer.sources[n - 1].talk.text.casefold() for n in answer.cited)
