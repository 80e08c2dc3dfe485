"""A follow-up's reference to the previous answer's talks, resolved without a model (app/answer/referents.py)."""

from __future__ import annotations

import pytest

from app.answer.pinning import pin_first, pin_follow_up
from app.answer.referents import about_line, resolve
from app.answer.state import RetrievedTalk
from app.core.talk import Talk


def talk(i: str, title: str, abstract: str = "An abstract.") -> Talk:
    return Talk(id=i, title=title, abstract=abstract, source="talks.txt")


NTK = [talk("a", "Kernel regime of wide networks"), talk("b", "Langevin sampling lower bounds", "We sample from log-concave laws."),
       talk("c", "Finite group invariances", "How much a group helps generalisation.")]


@pytest.mark.parametrize("question, expected", [
    ("Who gave the first one, and where did they do their PhD?", ("a",)),
    ("What does the second say about privacy?", ("b",)),
    ("And the last talk?", ("c",)),
])
def test_an_ordinal_picks_that_position_of_the_previous_answer(question, expected):
    assert resolve(question, NTK).talk_ids == expected


def test_the_one_about_a_subject_picks_the_previous_talk_that_matches_it():
    assert resolve("Of those two, take the one about sampling: what lower bounds does it prove?", NTK).talk_ids == ("b",)


def test_the_one_about_a_subject_no_previous_talk_has_is_no_reference():
    assert resolve("What about the talk on protein folding?", NTK) is None


def test_the_one_about_a_subject_no_talk_words_for_is_the_one_a_search_for_it_ranks_highest():
    search = lambda topic: ["z", "c", "b"]  # noqa: E731 - a search whose best hit was not in the previous answer
    assert resolve("Of those, the one on symmetry: what does it prove?", NTK, search).talk_ids == ("c",)


@pytest.mark.parametrize("question", [
    "For the one that uses Langevin dynamics, what does it prove?",
    "Of those, the one aimed at log-concave laws: what does it prove?",
    "And the one using random walks, who gave it?",
])
def test_a_relative_clause_or_participle_after_the_one_names_its_subject(question):
    assert resolve(question, NTK, lambda topic: ["z", "b", "c"]).talk_ids == ("b",)


@pytest.mark.parametrize("question", ["And who gave the Langevin sampling one, and where did he study?",
                                      "Where did the speaker of the log-concave talk do her PhD?"])
def test_words_before_one_or_talk_name_its_subject(question):
    assert resolve(question, NTK).talk_ids == ("b",)


@pytest.mark.parametrize("question", ["Who gave the other one?", "Is the best one by a student?", "Who gave the same talk?"])
def test_words_of_position_or_judgement_before_one_name_no_subject(question):
    assert getattr(resolve(question, NTK, lambda topic: ["c"]), "how", None) != "about"


def test_words_after_that_one_that_name_no_subject_leave_it_the_main_talk():
    resolved = resolve("Who worked on that one with the speaker?", NTK, lambda topic: ["c"])
    assert (resolved.talk_ids, resolved.how) == (("a",), "singular")


def test_the_one_listed_first_points_at_the_list_not_at_a_subject():
    assert getattr(resolve("Who gave the one listed first?", NTK, lambda topic: ["c"]), "how", None) != "about"


def test_a_search_for_the_subject_outranks_a_generic_word_the_wrong_talk_shares():
    talks = [talk("a", "Applications of kernels", "An application to vision."), talk("b", "Inviscid regularisation", "Euler flows.")]
    assert resolve("Take the one with an application to compressible fluids: who?", talks, lambda topic: ["b", "a"]).talk_ids == ("b",)


def test_the_one_about_a_subject_a_search_finds_among_none_of_them_is_no_reference():
    assert resolve("What about the talk on protein folding?", NTK, lambda topic: ["x", "y"]) is None


@pytest.mark.parametrize("question", ["Who gave it?", "Where did she do her PhD?", "Who gave that talk?", "Is the speaker a student?"])
def test_a_pronoun_is_the_previous_answers_main_talk(question):
    assert resolve(question, NTK).talk_ids == ("a",)


@pytest.mark.parametrize("question", ["Do both of them deal with implicit bias?", "Which of those has a speaker bio?"])
def test_both_or_those_are_every_previous_talk(question):
    assert resolve(question, NTK).talk_ids == ("a", "b", "c")


def test_the_two_papers_of_one_talk_are_not_two_talks():
    assert resolve("What are the two papers it's based on?", NTK).talk_ids == ("a",)


def test_a_question_without_a_reference_is_not_resolved():
    assert resolve("Which talks discuss diffusion models?", NTK) is None


def test_nothing_cited_before_resolves_nothing():
    assert resolve("Who gave the first one?", []) is None


def test_an_ordinal_beyond_the_previous_list_is_no_reference():
    assert resolve("Who gave the fifth one?", NTK[:2]) is None


def test_the_query_shows_what_the_follow_up_is_about():
    assert about_line("Who gave it?", NTK[:1]) == "Who gave it? (about: Kernel regime of wide networks)"


def test_pinned_talks_come_first_and_keep_their_retrieval_scores():
    hits = tuple(RetrievedTalk(talk=t, score=s, dense=s, relevance=0.7) for t, s in zip(NTK, (0.9, 0.8, 0.5)))
    pinned = pin_first(hits, [NTK[2], talk("z", "Not retrieved")])
    assert [(r.talk.id, r.score) for r in pinned] == [("c", 0.5), ("z", 0.0), ("a", 0.9)]
    assert pinned[1].relevance == 0.7


def test_an_ordinal_before_a_noun_that_is_no_talk_is_no_reference():
    assert resolve("Who is the last author?", NTK) is None


def _hits() -> tuple[RetrievedTalk, ...]:
    return tuple(RetrievedTalk(talk=t, score=s, dense=s, relevance=0.7) for t, s in zip(NTK, (0.9, 0.8, 0.5)))


def test_a_follow_up_asking_its_talks_record_reads_that_talk_alone():
    pinned = pin_follow_up(_hits(), [NTK[1]], "For the one on sampling, who were the co-authors?", open_ended=False)
    assert [r.talk.id for r in pinned] == ["b"]


def test_a_follow_up_about_its_talks_research_keeps_the_other_sources():
    pinned = pin_follow_up(_hits(), [NTK[1]], "For the one on sampling, what lower bound does it prove?", open_ended=False)
    assert [r.talk.id for r in pinned] == ["b", "a", "c"]


@pytest.mark.parametrize("question", [
    "Not the one about sampling; the other one: what does it prove?",
    "Other than the talk on Langevin sampling, who gave the other one?",
])
def test_the_one_excluded_of_two_leaves_the_other(question):
    assert resolve(question, NTK[:2]).talk_ids == ("a",)


def test_the_one_excluded_of_more_leaves_the_one_a_search_for_the_rest_ranks_highest():
    search = lambda text: ["c", "a"] if "invariance" in text else ["b"]  # noqa: E731 - a search that reads the rest of the question
    assert resolve("Not the one about sampling, the other one: which invariances help?", NTK, search).talk_ids == ("c",)


def test_excluding_a_subject_no_previous_talk_has_is_no_reference():
    assert resolve("Not the talk on protein folding: what did it find?", NTK[:2]) is None
