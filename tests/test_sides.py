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
