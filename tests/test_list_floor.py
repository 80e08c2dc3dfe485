"""A list of talks leaves out the talks the cross-encoder judges clearly off the question (issue 23).

The model's reply to a list prompt is source numbers only; a number whose talk is judged below
``rerank.list_floor`` goes before the talks are named. Pure answers and states built here first; then the chain on
the seed index with the real cross-encoder and a scripted reply.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from support.models import scripted

from app.answer.list_floor import drop_weak_choices, judge_listed
from app.answer.result import Answer, Source
from app.answer.state import AnswerState, RetrievedTalk
from app.core.talk import Talk
from app.service import Service

LIST = "Which talks use the notion of a neuromanifold?"


def _talk(talk_id: str) -> Talk:
    return Talk(id=talk_id, title=f"Talk {talk_id}", abstract="An abstract.", source="t.txt")


def _answer(reply: str, logits: list[float | None], question: str = LIST) -> Answer:
    sources = [Source(n=i + 1, talk=_talk(f"t{i + 1}"), sentences=["A sentence."], score=1.0, dense=0.5, talk_relevance=logit)
               for i, logit in enumerate(logits)]
    return Answer(question=question, query=question, answer=reply, sources=sources)


def test_a_listed_talk_below_the_floor_and_far_below_the_best_is_left_out():
    assert drop_weak_choices(_answer("[1][2][3]", [2.0, -9.5, -4.0]), -9.0, 5.0).answer == "[1][3]"


def test_a_talk_below_the_floor_but_near_the_best_one_stays():
    assert drop_weak_choices(_answer("[1][2]", [-6.0, -9.5]), -9.0, 5.0).answer == "[1][2]"


def test_the_best_chosen_talk_stays_however_low():
    assert drop_weak_choices(_answer("[1][2]", [-12.0, -10.5]), -9.0, 1.0).answer == "[2]"


def test_a_talk_not_judged_stays():
    assert drop_weak_choices(_answer("[1][2]", [2.0, None]), -9.0, 5.0).answer == "[1][2]"


def test_a_question_for_one_talk_keeps_its_choice():
    answer = _answer("[1][2]", [2.0, -9.5], question="Which talk uses the notion of a neuromanifold?")
    assert drop_weak_choices(answer, -9.0, 5.0).answer == "[1][2]"


def test_a_reply_in_words_is_left_to_the_other_checks():
    reply = "Two talks do [1][2]."
    assert drop_weak_choices(_answer(reply, [2.0, -9.5]), -9.0, 5.0).answer == reply


def test_no_floor_keeps_every_choice():
    assert drop_weak_choices(_answer("[1][2]", [2.0, -9.5]), None, 5.0).answer == "[1][2]"


def _state(question: str, logits: list[float | None]) -> AnswerState:
    hits = tuple(RetrievedTalk(talk=_talk(f"t{i}"), score=1.0, dense=0.5, talk_relevance=logit) for i, logit in enumerate(logits))
    return replace(AnswerState.start(question).with_query(question), retrieved=hits)


def test_a_lists_unjudged_talks_get_their_logit():
    asked = []
    judge = lambda query, talks: asked.extend(t.id for t in talks) or [-3.0] * len(talks)  # noqa: E731
    state = judge_listed(_state(LIST, [1.0, None, None]), judge, -9.0)
    assert asked == ["t1", "t2"] and [h.talk_relevance for h in state.retrieved] == [1.0, -3.0, -3.0]


@pytest.mark.parametrize("question, floor", [("Which talk uses the notion of a neuromanifold?", -9.0), (LIST, None)])
def test_no_talk_is_judged_for_one_talk_or_without_a_floor(question, floor):
    judge = lambda query, talks: pytest.fail("judged")  # noqa: E731
    assert judge_listed(_state(question, [1.0, None]), judge, floor).retrieved[1].talk_relevance is None


# -- the chain on the seed index, with the real cross-encoder


def _prepared(seed_index, floor: float | None) -> AnswerState:
    settings = seed_index.settings.model_copy(update={"rerank": seed_index.settings.rerank.model_copy(update={"list_floor": floor})})
    return Service(settings, store=seed_index.store).answer_chain(llm=None).prepare().invoke(AnswerState.start(LIST))


def test_every_source_of_a_list_has_its_own_relevance(seed_index):
    assert all(source.talk_relevance is not None for source in _prepared(seed_index, -9.0).sources)


def test_judging_a_list_does_not_change_what_the_model_reads(seed_index):
    assert _prepared(seed_index, -9.0).messages == _prepared(seed_index, None).messages


def test_a_list_answer_names_only_the_chosen_talks_the_cut_keeps(seed_index):
    rerank = seed_index.settings.rerank
    sources = _prepared(seed_index, rerank.list_floor).sources
    bar = min(rerank.list_floor, max(s.talk_relevance for s in sources) - rerank.list_margin)
    weak = [s for s in sources if s.talk_relevance < bar]
    assert weak and len(weak) < len(sources)  # the question this test needs: some talks on each side
    reply = "".join(f"[{s.n}]" for s in sources)
    answer = Service(seed_index.settings, store=seed_index.store).answer_chain(llm=scripted(reply)).invoke(LIST)
    assert sorted(answer.cited) == [s.n for s in sources if s.talk_relevance >= bar]
