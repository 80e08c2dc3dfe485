"""Comparisons retrieved per side (issue #23): each side's best talk first, in the question's order.

The ordering is tested on hand-made hits (app/answer/pinning.py); the whole path on the seed index with
dev comparisons (eval/data/questions.jsonl), whose two gold talks must become sources [1] and [2].
"""

from __future__ import annotations

import pytest

from app.answer.pinning import pin_first, side_talks
from app.answer.state import AnswerState, RetrievedTalk
from app.core.talk import Talk
from app.service import Service
from eval.dataset import QUESTIONS, attach_gold, load_questions


def hit(i: str, score: float, relevance: float = 0.5) -> RetrievedTalk:
    return RetrievedTalk(talk=Talk(id=i, title=f"Talk {i}", abstract="An abstract.", source="t.txt"), score=score,
                         dense=score, relevance=relevance)


def test_each_sides_best_talk_is_chosen_in_the_sides_order():
    assert [h.talk.id for h in side_talks([(hit("b", 0.9), hit("c", 0.5)), (hit("a", 0.8), hit("b", 0.4))], ())] == ["b", "a"]


def test_a_side_whose_best_talk_the_other_side_took_gets_its_next_best():
    assert [h.talk.id for h in side_talks([(hit("a", 0.9),), (hit("a", 0.8), hit("c", 0.6))], ())] == ["a", "c"]


def test_a_talk_best_for_both_sides_goes_to_the_side_it_fits_far_better():
    assert [h.talk.id for h in side_talks([(hit("a", 0.9), hit("b", 0.8)), (hit("a", 1.5), hit("c", 0.5))], ())] == ["b", "a"]


def test_the_whole_questions_scores_decide_between_close_talks_of_a_side():
    sides = [(hit("a", 0.9),), (hit("c", 0.8), hit("d", 0.7))]
    assert [h.talk.id for h in side_talks(sides, (hit("d", 0.6),))] == ["a", "d"]


def test_a_sides_own_words_judged_by_the_cross_encoder_outweigh_close_fused_scores():
    sides = [(hit("a", 0.9),), (hit("c", 0.05), hit("d", 0.04))]
    assert [h.talk.id for h in side_talks(sides, (), [[1.0], [-2.0, 3.0]], weight=0.05)] == ["a", "d"]


def test_without_weight_the_logits_change_nothing():
    sides = [(hit("a", 0.9),), (hit("c", 0.05), hit("d", 0.04))]
    assert [h.talk.id for h in side_talks(sides, (), [[1.0], [-2.0, 3.0]], weight=0.0)] == ["a", "c"]


def test_a_side_with_no_talk_of_its_own_reads_no_sides():
    assert side_talks([(hit("a", 0.9),), (hit("a", 0.8),)], ()) is None


def test_the_sides_talks_come_first_then_the_rest_of_retrieval_without_repeats():
    retrieved = (hit("x", 0.9), hit("b", 0.8), hit("y", 0.7), hit("z", 0.6))
    sides = (hit("a", 0.5, relevance=2.0), hit("b", 0.4))
    pinned = pin_first(retrieved, [s.talk for s in sides], sides)
    assert [r.talk.id for r in pinned] == ["a", "b", "x", "y"]


def test_a_side_talk_retrieval_missed_keeps_its_own_scores_and_the_questions_relevance():
    sides = (hit("a", 0.5, relevance=2.0),)
    first = pin_first((hit("x", 0.9, relevance=-1.0),), [sides[0].talk], sides)[0]
    assert (first.score, first.relevance) == (0.5, -1.0)


# ------------------------------------------------------------------ the seed index, dev comparisons

#: Dev comparisons that name their subjects: one query puts q079's and q083's gold talks first and second but in
#: the wrong order (docs/results/comparison-sides-dev-before.json); q086 was in order already and must stay so.
PER_SIDE = ["q079", "q083", "q086"]


@pytest.fixture(scope="module")
def dev_comparisons(seed_index) -> dict:
    questions = [q for q in load_questions(QUESTIONS) if q.type == "comparison"]
    return {q.id: q for q in attach_gold(questions, seed_index.store.catalog())}


@pytest.fixture(scope="module")
def prepare(seed_index):
    return Service(seed_index.settings, store=seed_index.store).answer_chain(llm=None).prepare()


@pytest.mark.parametrize("qid", PER_SIDE)
def test_the_two_gold_talks_of_a_dev_comparison_are_sources_one_and_two_in_order(qid, dev_comparisons, prepare):
    q = dev_comparisons[qid]
    state = prepare.invoke(AnswerState.start(q.question))
    assert [s.talk.id for s in state.sources[:2]] == q.gold_talks


def test_the_compare_prompt_names_the_sides_talks(dev_comparisons, prepare):
    state = prepare.invoke(AnswerState.start(dev_comparisons["q077"].question))
    prompt = str(state.messages[-1].content)
    assert len(state.sides) == 2 and all(f'("{talk.title}")' in prompt for talk in state.sides)


def test_a_comparison_without_named_subjects_keeps_one_query(dev_comparisons, prepare):
    assert prepare.invoke(AnswerState.start(dev_comparisons["q078"].question)).sides == ()


def test_two_subjects_of_one_talk_are_read_as_a_question_about_that_talk(prepare):
    """Seen held-out-38 fk019: both subjects searched apart put another talk first for a speaker question."""
    state = prepare.invoke(AnswerState.start("language models vs brain recordings talk: who gave it?"))
    assert state.sides == () and not state.kinds.comparison
    assert state.sources[0].talk.speaker == "Mariya Toneva"
