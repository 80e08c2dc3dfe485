"""Answers made of markers (issue 23): where the cited talk's record holds the name or the link, it is stated.

A marker standing for a person gets the speaker (``state_markers``); one standing for a link says nothing and
the record's links replace it (says-nothing, ``record_sentences``).

Pure text: talks built here, no index, no model; and one answer through the checks with the scripted model.
"""

from __future__ import annotations

import pytest

from app.answer.records import about_one_talk, asks_lines, asks_record, compares_talks, record_sentences, state_markers
from app.answer.result import Answer, Sentence, Source
from app.answer.state import AnswerState
from app.core.talk import Talk
from app.service import Service
from support.models import scripted

ORIGAMI = Talk(id="a", title="Quantum origami", abstract="We fold lattices.", speaker="Ada Quill",
               links=["https://arxiv.org/abs/2401.00001"], source="s")
HIVES = Talk(id="b", title="Beekeeping logs", abstract="Hive weights.", speaker="Bram Hive", source="s")
SOURCES = [Source(1, ORIGAMI, ["We fold lattices."], 1.0, 1.0), Source(2, HIVES, ["Hive weights."], 1.0, 1.0)]


def test_a_marker_after_by_gets_the_speaker():
    assert state_markers("The talk by [1] proposes a fold.", "What does the origami talk propose?", SOURCES) == \
        "The talk by Ada Quill [1] proposes a fold."


def test_several_markers_standing_for_people_get_each_speaker():
    assert state_markers("The speakers are [1] and [2].", "Who gave the origami and the beekeeping talks?", SOURCES) == \
        "The speakers are Ada Quill [1] and Bram Hive [2]."


@pytest.mark.parametrize(("text", "question"), [
    ("The code is [2].", "Where is the code of the beekeeping talk?"),  # a link slot: the record path states links
    ("The preprint is [1].", "Which preprint is the origami talk based on?"),
    ("The results are [1].", "What are the results of the origami talk?"),  # not a record question
    ("It is shown in [1].", "What is shown?"),
])
def test_a_slot_the_record_cannot_fill_is_left_as_it_is(text, question):
    assert state_markers(text, question, SOURCES) == text


def test_a_link_slot_becomes_the_records_link_through_the_checks(seed_index):
    chain = Service(seed_index.settings, store=seed_index.store).answer_chain(llm=scripted("The paper is [1]."))
    answer = chain.invoke("Give the arXiv link of the talk on imbalanced classification in high dimensions.")
    assert not answer.abstained and "https://arxiv.org/abs/2502.11323" in answer.answer
    assert [s.kind for s in answer.sentences] == ["record"]


def test_a_follow_up_the_model_refuses_is_answered_from_the_named_talks_record_through_the_chain(seed_index):
    from app.answer.turns import Turn

    chain = Service(seed_index.settings, store=seed_index.store).answer_chain(
        llm=scripted("The talks in this collection don't cover this."))
    first = "Is there a talk on imbalanced classification in high dimensions?"
    talk = chain.ask(first).sources[0].talk
    answer = chain.invoke("Who was that work done with?", [Turn.user(first), Turn("assistant", "Yes.", (talk.id,))])
    assert not answer.abstained and "Kangjie Zhou" in answer.answer


@pytest.mark.parametrize(("question", "one_talk"), [
    ("Who was the doctoral advisor of the speaker who bounded how many linear pieces ReLU nets cut?", True),  # a description
    ("Which talks use kernels, and how many are there?", False),
    ("Count the talks on diffusion.", False),
])
def test_how_many_asked_is_a_count_and_inside_a_description_of_the_talk_is_not(question, one_talk):
    assert about_one_talk(question) is one_talk


@pytest.mark.parametrize(("question", "asks"), [
    ("Which lines of the file hold the origami talk?", True),
    ("Where in the corpus is the talk on folding lattices?", True),
    ("What line of abstracts.txt is the origami talk on?", True),
    ("neural nets executing procedures: what line of work, what size target", False),
    ("One talk moved to a newer line of research. Which line was it?", False),
])
def test_a_line_of_the_file_is_asked_for_and_a_line_of_research_is_not(question, asks):
    assert asks_lines(question) is asks


@pytest.mark.parametrize(("lines", "where"), [([(7, 7)], "line 7 of"), ([(7, 8)], "lines 7-8 of"), ([(7, 7), (90, 90)], "lines 7, 90 of")])
def test_the_record_gives_one_line_in_the_singular(lines, where):
    talk = ORIGAMI.model_copy(update={"lines": lines})
    [stated] = record_sentences("Which lines hold it?", [Source(1, talk, ["We fold lattices."], 1.0, 1.0)], [])
    assert where in stated.text


@pytest.mark.parametrize(("question", "asks"), [
    ("Who supervised the PhD of the speaker on tensor networks?", True),
    ("How much data does fine-tuning need to match supervised learning, in the talk on covariate shift?", False),
    ("Which talk explains why self-supervised contrastive methods fail on pairs?", False),
])
def test_supervision_of_a_person_asks_for_the_record_and_supervised_learning_does_not(question, asks):
    assert asks_record(question) is asks


@pytest.mark.parametrize(("question", "compares"), [
    ("adam versus sgd generalization talk: speaker's employer, postdoc host", False),
    ("sgd on overparameterized linear regression, vs ridge: reference links", False),
    ("equivariance recipes: the two compared, the verdict, collaborators", True),
    ("How does the Adam talk's speaker compare with the SGD talk's on where they studied?", True),
    ("Who gave the talk on robustness to both adversarial inputs and bit flips, and where did he intern?", False),
    ("Where did both speakers do their PhD?", True),
    ("Which of the two talks is about both depth and width, and who gave it?", True),
])
def test_what_a_record_question_s_topic_compares_or_joins_does_not_make_it_a_comparison(question, compares):
    assert compares_talks(question) is compares


def test_the_chain_reads_such_a_question_as_one_talk_s_record():
    state = AnswerState.start("equivariance via data augmentation versus built-in architecture: co-authors").with_query(
        "equivariance via data augmentation versus built-in architecture: co-authors")
    assert not state.kinds.comparison and about_one_talk(state.question)
