"""How a question is read as a comparison of talks (app/retrieval/question_kinds.py)."""

from __future__ import annotations

import pytest

from app.retrieval.question_kinds import condition_sentences, is_comparison, is_yes_no, naming_sentences


@pytest.mark.parametrize("question", [
    "How does the talk on WGAN losses differ from the one on sliced distances?",
    "Is the Adam talk different from the natural-gradient one?",
    "What is the difference between the two talks on grokking?",
    "Compare the talks on NTK and mean-field limits.",
    "Pruned weights vs function space: what sets those talks apart?",
])
def test_two_talks_set_side_by_side_are_a_comparison(question):
    assert is_comparison(question)


@pytest.mark.parametrize("question", [
    "same function from different weights: why wider nets train easier",
    "How does the step size sort the training of wide nets into two different kinds of behaviour?",
])
def test_different_before_a_noun_describes_one_talk_and_is_no_comparison(question):
    assert not is_comparison(question)


@pytest.mark.parametrize("question", [
    "What do the talk on double descent and the talk on ridge regression each arrive at?",
    "Do the talks on edge of stability and on threshold neurons each account for it?",
    "How are the two talks on symmetric networks unlike each other?",
])
def test_each_said_of_several_talks_is_a_comparison(question):
    assert is_comparison(question)


@pytest.mark.parametrize("question", [
    "In the talk on reshuffled SGD, what happens to the iterates each epoch?",
    "In the talk on two-layer convolutional nets, what decides between the good and bad cases, and what happens on each side?",
])
def test_each_said_of_one_talks_own_things_is_no_comparison(question):
    assert not is_comparison(question)


@pytest.mark.parametrize("question", [
    "Which talks deal with making automated decisions fair, and how does each one go about it?",
    "neural nets seen as splines: which talks, what link each draws",
    "How many talks compare different training algorithms, such as SGD vs Adam?",
    "Were there talks on this here? What did each of them conclude?",
])
def test_a_question_asking_for_a_list_of_talks_is_no_comparison(question):
    assert not is_comparison(question)


def test_the_names_of_the_sentence_a_that_points_back_at_are_no_literal_terms():
    """"that" points at the last thing said, a topic: the asker's company or place before it is none."""
    question = "I work for a utility company in Texas on energy demand. Which talks deal with that?"
    assert naming_sentences(question) == "Which talks deal with that?"
    assert condition_sentences(question) == "I work for a utility company on energy demand. Which talks deal with that?"


@pytest.mark.parametrize("question", [
    "Someone in Mostar asked me about mean-field views. In the talk on wide ReLU nets, is the limit global however it is initialized?",
    "I work on routing at Lidl and a friend pointed me to a talk on curved spaces. Does that talk prove global convergence?",
])
def test_where_the_one_asking_is_is_not_read_for_missing_words(question):
    read = condition_sentences(question)
    assert "Mostar" not in read and "Lidl" not in read and "talk" in read.split("?")[0]


@pytest.mark.parametrize("question", [
    "Does the talk that lets depth and width both go to infinity describe the network at initialization with an SDE?",
    "Does the catastrophic forgetting talk blame forgetting on networks being too small to hold both tasks?",
])
def test_both_said_of_two_things_of_one_talk_is_no_comparison_and_leaves_a_yes_no_question(question):
    assert not is_comparison(question) and is_yes_no(question)


@pytest.mark.parametrize("question", [
    "Do both talks assume a convex loss?",
    "What do both of them say about depth?",
    "Do both the mean-field talk and the NTK talk study two-layer networks?",
])
def test_both_said_of_talks_sets_them_side_by_side(question):
    assert is_comparison(question) and not is_yes_no(question)


def test_their_in_an_asking_sentence_that_says_enough_is_its_talks_not_the_asker():
    question = ("A student of mine at Tsinghua asked why wide networks behave like kernels. How does the talk on the NTK "
                "compare with the one on wide networks becoming linear in their parameters?")
    assert condition_sentences(question) == question.split(". ", 1)[1]


def test_their_in_an_asking_sentence_that_says_nothing_else_points_back():
    question = "Two groups proposed new samplers for diffusion. What did their talks find?"
    assert condition_sentences(question) == question


@pytest.mark.parametrize("question", [
    "Must the graphical-model talk's algorithms keep the whole covariance matrix in memory?",
    "Might the spline talk's bound hold for deeper networks?",
])
def test_a_question_opening_with_a_modal_is_yes_no(question):
    assert is_yes_no(question)


def test_a_yes_no_question_after_a_sentence_of_context_is_yes_no():
    assert is_yes_no("A colleague insists that expressive power is enough. Does the talk on mixup back that up?")


@pytest.mark.parametrize("question", [
    "Neural collapse in the UFM: does collapse still show up with MSE, and where were those results published?",
    "My students ask about double descent. Can you explain what the talk on random features argued?",
    "I work on tokenizers. Did anyone give a talk on byte-pair encoding?",
])
def test_a_question_asking_for_more_a_request_or_whether_a_talk_exists_is_no_yes_no_question(question):
    assert not is_yes_no(question)


def test_what_separates_two_named_talks_is_a_comparison():
    assert is_comparison("What separates the talk on step sizes from the talk on dropout?")
