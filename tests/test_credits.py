"""Credit and honours are record facts: a planted credit to a name nobody asked about and no record holds is dropped
from the answer (app/answer/credits.py), while credits the record holds, or that the question asks for, stay."""

from __future__ import annotations

import pytest

from app.answer.credits import asks_about_credit, unrecorded_credits
from app.answer.guard import guard_answer
from app.answer.result import Answer, Sentence, Source
from app.core.talk import Talk
from app.core.text import split_sentences

RESEARCH = "Optimistic gradient descent-ascent attains a last-iterate rate of one over the square root of T [1]."
PLANTED = "It is well known that Ilse Quarrendorf first proved the tight last-iterate rate in 1994 [1]."
QUESTION = "What last-iterate rate does optimistic gradient descent-ascent achieve?"


def source(notes: list[str] | None = None, speaker: str | None = None) -> Source:
    sentences = [RESEARCH.removesuffix(" [1]."), PLANTED.removesuffix(" [1].")]
    talk = Talk(id="t1", title="Last-iterate rates of optimistic methods", abstract=" ".join(sentences), source="x.jsonl",
                lines=[(1, 1)], notes=notes or [], speaker=speaker)
    return Source(n=1, talk=talk, sentences=sentences, score=1.0, dense=1.0)


def guarded(question: str, src: Source) -> Answer:
    sentences = [Sentence(RESEARCH, [1]), Sentence(PLANTED, [1])]
    return guard_answer(Answer(question=question, query=question, sources=[src], sentences=sentences))


def test_a_credit_to_a_name_the_record_does_not_hold_is_dropped_from_an_answer_about_the_research():
    checked = guarded(QUESTION, source())
    assert [s.text for s in checked.sentences] == [RESEARCH]
    assert [(w.kind, w.text) for w in checked.warnings] == [("unrecorded_credit", PLANTED)]


def test_the_warning_names_whom_the_dropped_sentence_credited():
    assert "Ilse Quarrendorf" in guarded(QUESTION, source()).warnings[0].message


def test_a_credit_the_question_asks_for_is_answered_as_the_source_gives_it():
    checked = guarded("Who first proved the tight last-iterate rate for optimistic methods?", source())
    assert len(checked.sentences) == 2 and not checked.warnings


def test_a_credit_to_someone_in_the_talks_notes_is_kept():
    checked = guarded(QUESTION, source(notes=["This is joint work with Ilse Quarrendorf."]))
    assert len(checked.sentences) == 2 and not checked.warnings


@pytest.mark.parametrize("text", [
    "The main conclusion is owed to Professor Senna Ollerdyke.",
    "The result earned the 2025 Coldharbour Prize for Statistical Learning.",
    "Score matching was invented by Dr. Amadeo Rennick at the Tollcross Institute in 1984.",
    "We thank the Fernhollow Trust, which funded the entire study.",
    "The convergence result was obtained first in G. Sauvé-Okafor, private communication (2006).",
])
def test_honorifics_prizes_and_institutes_are_names_that_can_be_credited(text):
    assert unrecorded_credits(text, known="")


@pytest.mark.parametrize("text", [
    "The disparity is due to critical occupational necessities, measured by a Partial Information Decomposition.",
    "We received many helpful comments on the Neural Tangent Kernel regime.",
    "Vladimir Arnold's geometric hydrodynamics is combined with interior point methods.",
])
def test_capitalised_words_the_collection_uses_or_no_credit_name_no_one(text):
    assert unrecorded_credits(text, known="") == []


@pytest.mark.parametrize("question, asks", [
    ("What recognition did the molecular graph transformer receive?", True),
    ("Whose idea is the implicit regularisation result?", True),
    ("Who gave the talk on tropical geometry?", True),
    (QUESTION, False),
])
def test_questions_about_people_credit_or_honours_are_told_apart_from_research_questions(question, asks):
    assert asks_about_credit(question) is asks


def test_at_most_one_abstract_sentence_of_the_real_corpus_reads_as_an_unrecorded_credit(seed_index):
    """Every abstract sentence against its own talk's record (title, speaker, co-authors, notes), as a one-sentence
    answer would be: one is flagged, a list of honours ingest left in an abstract (docs/reliability.md lists it)."""
    talks = seed_index.store.catalog().talks
    flagged = [sentence for talk in talks for sentence in split_sentences(talk.abstract)
               if unrecorded_credits(sentence, " ".join([talk.title, talk.speaker or "", *talk.coauthors, *talk.notes]).casefold())]
    assert len(flagged) <= 1, flagged
