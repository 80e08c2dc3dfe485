"""Yes/no answers (issue 23): a "Yes" that its own supporting sentence negates becomes that sentence's "No".

Pure: answers built here, as the checks leave them (sentences attributed, evidence set).
"""

from __future__ import annotations

from app.answer.polarity import check_polarity
from app.answer.result import Answer, Sentence, Source
from app.core.talk import Talk

SHARPNESS = "Does adaptive sharpness predict generalization?"
TALK = Talk(id="t", title="Adaptive sharpness", abstract="A.", source="s")


def _answer(question: str, first: str, source_sentence: str) -> Answer:
    source = Source(n=1, talk=TALK, sentences=["We study sharpness.", source_sentence], score=1.0, dense=1.0)
    sentence = Sentence(first, [1], 0.8, evidence={1: 1})
    return Answer(question=question, query=question, answer=f"{first} [1]", sources=[source], sentences=[sentence], cited=[1])


def test_a_yes_resting_on_a_negated_sentence_becomes_no():
    answer = check_polarity(_answer(SHARPNESS, "Yes, sharpness predicts generalization.",
                                    "We find that sharpness does not correlate well with generalization."))
    assert answer.answer.startswith("No — the talk says: “We find that sharpness does not correlate") and answer.cited == [1]


def test_a_yes_resting_on_an_affirmative_sentence_stays():
    answer = _answer(SHARPNESS, "Yes, sharpness predicts generalization.", "Sharpness predicts generalization across settings.")
    assert check_polarity(answer) == answer


def test_a_no_is_never_turned_into_a_yes():
    answer = _answer(SHARPNESS, "No, it does not.", "Sharpness predicts generalization across settings.")
    assert check_polarity(answer) == answer


def test_a_question_that_negates_itself_is_left_alone():
    question = "Does adaptive sharpness not predict generalization?"
    answer = _answer(question, "Yes, it does not.", "We find that sharpness does not correlate well with generalization.")
    assert check_polarity(answer) == answer
