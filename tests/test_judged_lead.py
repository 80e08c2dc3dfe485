"""A question about one talk's record leads with the talk the cross-encoder clearly judges best (issue 23).

The answer reads its first source's record (bio, links, references), so a first talk the fused ranking chose but
the cross-encoder judges far below another means another speaker's facts. Pure hits built here; then the chain's
order on the seed index with the real cross-encoder.
"""

from __future__ import annotations

import pytest

from app.answer.pinning import LEAD, judged_first
from app.answer.state import AnswerState, RetrievedTalk
from app.core.talk import Talk
from app.service import Service


def _hit(talk_id: str, logit: float | None) -> RetrievedTalk:
    talk = Talk(id=talk_id, title=f"Talk {talk_id}", abstract="An abstract.", source="t.txt")
    return RetrievedTalk(talk=talk, score=1.0, dense=0.5, relevance=0.0, talk_relevance=logit)


def _order(hits: tuple[RetrievedTalk, ...]) -> list[str]:
    return [h.talk.id for h in hits]


def test_a_talk_judged_far_better_than_the_first_leads():
    hits = (_hit("a", -8.0), _hit("b", -8.0 + LEAD + 1), _hit("c", -9.0))
    assert _order(judged_first(hits)) == ["b", "a", "c"]


def test_a_talk_judged_only_a_little_better_leaves_the_order():
    hits = (_hit("a", -3.0), _hit("b", -3.0 + LEAD - 0.5))
    assert _order(judged_first(hits)) == ["a", "b"]


def test_an_unjudged_first_talk_leaves_the_order():
    hits = (_hit("a", None), _hit("b", 5.0))
    assert _order(judged_first(hits)) == ["a", "b"]


@pytest.mark.parametrize("question", [
    "Where did the speaker on the edge of stability do their PhD?",
    "Which papers does the talk on Hamiltonian Monte Carlo for Bayesian neural networks list?",
    "Is there code on GitHub for the talk on imbalanced classification in high dimensions?",
])
def test_no_judged_talk_is_far_ahead_of_a_record_questions_first_source(seed_index, question):
    prepare = Service(seed_index.settings, store=seed_index.store).answer_chain(llm=None).prepare()
    talks = prepare.invoke(AnswerState.start(question)).retrieved  # the sources, in this order
    judged = [t.talk_relevance for t in talks if t.talk_relevance is not None]
    assert talks[0].talk_relevance is not None and max(judged) - talks[0].talk_relevance < LEAD
