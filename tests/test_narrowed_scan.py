"""A long record scan for a question that asks for more than its literal term keeps the talks closest to the question.

"Which talks study whether SGD stays close to a minimum …?" scans for "SGD"; the talks the cross-encoder judges far
below the best one only share the word. Pure scans and a fake judge first; then the chain on the seed index with the
real cross-encoder and a chat model that must not be called.
"""

from __future__ import annotations

import re

import pytest
from support.models import scripted

from app.answer.aggregate import answer_from_records, listed_what, record_answer
from app.answer.narrowed_scan import closest_matches, narrows_the_term
from app.answer.result import Answer
from app.core.talk import Talk
from app.retrieval.record_scan import RecordMatch, ScanResult
from app.retrieval.record_terms import record_condition
from app.service import Service
from eval.metrics import stated_count

NARROWER = "Which talks study whether SGD stays close to a minimum by linearizing its dynamics?"


def _scan(question: str, n: int) -> ScanResult:
    talks = [Talk(id=f"t{i}", title=f"Talk {i}", abstract="We run SGD.", source="s.txt") for i in range(n)]
    return ScanResult(record_condition(question), tuple(RecordMatch(t, "We run SGD.") for t in talks))


def _judge(logits: list[float]):
    return lambda _question, talks: logits[: len(talks)]


@pytest.mark.parametrize("question", [
    NARROWER,
    "Which talks prove bounds on the NTK's lowest eigenvalue?",
    "Which talks relate infinite-width networks to Gaussian processes?",
])
def test_a_condition_that_says_more_than_its_term_narrows_it(question):
    assert narrows_the_term(listed_what(question), _scan(question, 1))


@pytest.mark.parametrize("question", [
    "Which talks mention SGD?",
    "Which talks cite a paper from ICLR 2022?",
    "Which talks discuss SGD?",
    "Which talks point to code on GitHub?",
])
def test_a_condition_asking_for_the_term_itself_does_not_narrow_it(question):
    assert not narrows_the_term(listed_what(question), _scan(question, 1))


def test_a_question_whose_wording_gives_no_phrase_does_not_narrow_its_term():
    assert not narrows_the_term(None, _scan("In how many talks does SGD come up?", 1))


def test_a_long_narrowed_scan_keeps_the_talks_within_the_margin_of_the_best():
    narrowed = closest_matches(NARROWER, listed_what(NARROWER), _scan(NARROWER, 4), _judge([2.0, -2.9, -3.1, -8.0]), 5.0, 4, 200)
    assert [m.talk.id for m in narrowed.scan.matches] == ["t0", "t1"] and narrowed.scanned == 4


def test_a_scan_shorter_than_the_least_length_stands_whole():
    assert closest_matches(NARROWER, listed_what(NARROWER), _scan(NARROWER, 3), _judge([2.0, -8.0, -9.0]), 5.0, 4, 200) is None


def test_a_scan_longer_than_the_most_judged_stands_whole_and_is_not_judged():
    def judge(_question, _talks):
        raise AssertionError("a scan past the bound is not judged")
    assert closest_matches(NARROWER, listed_what(NARROWER), _scan(NARROWER, 5), judge, 5.0, 4, 4) is None


def test_without_a_cross_encoder_or_a_margin_the_scan_stands_whole():
    scan = _scan(NARROWER, 4)
    assert closest_matches(NARROWER, listed_what(NARROWER), scan, lambda _q, _t: None, 5.0, 4, 200) is None
    assert closest_matches(NARROWER, listed_what(NARROWER), scan, _judge([2.0, -8.0, -9.0, -9.0]), None, 4, 200) is None


def test_a_narrowed_answer_counts_the_talks_it_lists_and_says_how_they_were_chosen():
    scan = _scan(NARROWER, 4)
    narrowed = closest_matches(NARROWER, listed_what(NARROWER), scan, _judge([2.0, -2.9, -3.1, -8.0]), 5.0, 4, 200)
    answer = record_answer(Answer(question=NARROWER, query=NARROWER), scan, narrowed)
    first = answer.answer.splitlines()[0]
    assert first == ("2 talks in the collection study whether SGD stays close to a minimum by linearizing its dynamics "
                     "(the closest to the question of the 4 that mention “SGD”):")
    assert stated_count(answer.answer) == len(answer.cited) == 2


class _Records:
    """A catalog snapshot whose every talk is a candidate record (the scan then reads each one)."""

    def __init__(self, talks: list[Talk]):
        self.talks = talks

    def matching(self, _candidates, limit: int) -> list[Talk]:
        return self.talks[:limit]


def _svm_talks(n: int) -> _Records:
    return _Records([Talk(id=f"t{i}", title=f"Talk {i}", abstract="We train SVMs.", source="s.txt") for i in range(n)])


ONE_DESCRIBED = "Which talk covers three directions in implicit bias, beginning with a fast solver for SVMs?"


def test_a_question_describing_one_of_several_talks_with_its_term_is_left_to_retrieval():
    assert answer_from_records(_svm_talks(3), ONE_DESCRIBED, Answer(question=ONE_DESCRIBED, query=ONE_DESCRIBED)) is None


def test_a_question_describing_the_one_talk_with_its_term_is_answered_from_the_scan():
    answer = answer_from_records(_svm_talks(1), ONE_DESCRIBED, Answer(question=ONE_DESCRIBED, query=ONE_DESCRIBED))
    assert answer.cited == [1]


def test_a_question_for_one_talk_that_asks_for_the_term_itself_lists_every_talk_with_it():
    question = "Which talk mentions SVMs?"
    assert answer_from_records(_svm_talks(3), question, Answer(question=question, query=question)).cited == [1, 2, 3]


# -- the chain on the seed index, with the real cross-encoder


def test_a_narrower_list_is_answered_from_the_scans_closest_talks_without_the_model(seed_index):
    llm = scripted("[1]")
    chain = Service(seed_index.settings, store=seed_index.store).answer_chain(llm=llm)
    every = chain.invoke("How many talks mention SGD?")
    narrowed = chain.invoke(NARROWER)
    assert 0 < len(narrowed.cited) < len(every.cited)
    assert re.search(rf"of the {len(every.cited)} that mention “SGD”\):", narrowed.answer)
    assert {s.talk.id for s in narrowed.sources} < {s.talk.id for s in every.sources}
    assert llm.prompts == []


def test_a_question_describing_one_of_the_talks_with_its_term_is_answered_by_the_model(seed_index):
    llm = scripted("The talk proposes it [1].")
    chain = Service(seed_index.settings, store=seed_index.store).answer_chain(llm=llm)
    answer = chain.invoke("Which talk proposes a probabilistic notion of stability for SGD?")
    assert len(llm.prompts) == 1
    assert "talks in the collection" not in answer.answer
