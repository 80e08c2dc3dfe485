"""A comparison describes each of its two talks from its own abstract, once (app/answer/sides.py)."""

from __future__ import annotations

from app.answer.result import Answer, Sentence, Source
from app.answer.sides import contrast_sides
from app.core.talk import Talk

TALKS = (Talk(id="a", title="Over-squashing via curvature", abstract="Negative curvature edges cause over-squashing.", source="t.txt"),
         Talk(id="b", title="Rewiring graphs", abstract="Adding edges relieves bottlenecks.", source="t.txt"))
SOURCES = [Source(n=i, talk=t, sentences=[t.abstract], score=1.0, dense=1.0, lead=t.abstract) for i, t in enumerate(TALKS, 1)]
QUESTION = "Two talks address over-squashing. How does each explain it?"


def answer_with(*sentences: Sentence, question: str = QUESTION) -> Answer:
    return Answer(question=question, query=question, sources=SOURCES, sentences=list(sentences))


def test_a_side_the_answer_leaves_out_gets_its_own_talks_sentence():
    one_side = Sentence("Edges of negative curvature cause over-squashing.", [1], 0.8)
    sentences = contrast_sides(answer_with(one_side)).sentences
    assert sentences[0] == one_side
    assert (sentences[1].text, sentences[1].citations) == ("“Rewiring graphs”: Adding edges relieves bottlenecks.", [2])


def test_the_same_passage_on_both_sides_is_kept_once_for_the_side_it_supports_best():
    first = Sentence("Negative curvature edges cause over-squashing in graphs.", [1], 0.9)
    copy = Sentence("Negative curvature edges cause the over-squashing in graphs.", [2], 0.4)
    sentences = contrast_sides(answer_with(first, copy)).sentences
    assert sentences[0] == first and copy not in sentences and sentences[1].citations == [2]


def test_both_sides_described_are_left_as_they_are():
    both = [Sentence("Curvature explains it.", [1], 0.7), Sentence("Rewiring relieves it.", [2], 0.7)]
    assert contrast_sides(answer_with(*both)).sentences == both


def test_a_comparison_of_one_talk_with_a_method_gets_no_second_side():
    one = Sentence("It tunes hyperparameters online.", [1], 0.7)
    assert contrast_sides(answer_with(one, question="How does it compare with Bayesian optimization?")).sentences == [one]


# ------------------------------------------------------------------ which questions have two sides

import pytest  # noqa: E402

from app.answer.sides import two_sides  # noqa: E402


@pytest.mark.parametrize("question", [
    "What distinguishes the talk on spectral pruning from the sparse coding talk?",
    "How does the talk on score matching relate to the one on denoising autoencoders?",
    "Do the mirror descent talk and the talk on natural gradients take the same view of geometry?",
    "Which talk proves a lower bound, the one on bandits or the one on online learning?",
    "How does the talk that surveys sparse recovery compare with the one proposing a greedy pursuit?",
    "One talk showed that pruning helps, and another argued that it hurts. How do they differ?",
    "One talk argues easy examples can go, another finds networks that need no training; how do their claims compare?",
])
def test_two_talks_named_and_related_are_two_sides(question):
    assert two_sides(question)


@pytest.mark.parametrize("question", [
    "How does the optimiser from the momentum talk compare with plain gradient descent?",
    "What is the difference between weak and strong convexity according to the two-layer network talk?",
    "gradient flow vs mirror flow: how does the implicit bias talk treat them",
    "How does the pruning talk compare another loss with cross-entropy?",
])
def test_two_things_inside_one_talk_are_one_side(question):
    assert not two_sides(question)
