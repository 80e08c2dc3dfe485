"""A refused follow-up about a talk it named is answered from that talk's record (issue 23).

A refused follow-up about a known talk gets the record's facts when the record holds what was asked; a fresh
question keeps its refusal, however clearly its top talk leads (a near-miss topic the corpus lacks scores as high as
the right talk), unless the model recognised its top talk as the one asked about (app/answer/record_look.py); a
follow-up whose talk's record lacks what was asked hears what the record does not say.
Pure text with talks built here; the same through the chain on the seed index is in tests/test_records.py.
"""

from __future__ import annotations

from dataclasses import replace

from app.answer.link_facts import state_missing_kinds
from app.answer.record_refusal import answer_refusal_from_record
from app.answer.result import Answer, Sentence, Source
from app.core.talk import Talk

REFUSAL = Sentence("The talks in this collection don't cover this.", [], kind="absence")
FOLDING = Talk(id="c", title="Folding proofs", abstract="We fold proofs.", coauthors=["Cy Rule", "Di Vide"], source="s",
               notes=["[1] C. Rule, D. Vide. Folded proofs. ICML 2021."])
HIVES = Talk(id="b", title="Beekeeping logs", abstract="Hive weights.", source="s")


def _refused(question: str, *, pinned: int = 0, talk: Talk = FOLDING) -> Answer:
    sources = [Source(1, talk, ["We fold proofs."], 1.0, 1.0), Source(2, HIVES, ["Hive weights."], 0.5, 0.5)]
    return Answer(question=question, query=question, sources=sources, sentences=[REFUSAL], pinned=pinned)


def _texts(answer: Answer) -> list[str]:
    return [s.text for s in answer.sentences]


def test_a_refused_follow_up_about_a_named_talk_gets_the_records_facts():
    answer = answer_refusal_from_record(_refused("Who was that joint with?", pinned=1))
    assert _texts(answer) == ["It is joint work with Cy Rule, Di Vide."]


def test_a_refused_fresh_question_keeps_its_refusal_though_its_top_talks_record_holds_what_was_asked():
    answer = answer_refusal_from_record(_refused("Which papers is the folding talk based on?"))
    assert answer.sentences == [REFUSAL]


def test_a_refused_fresh_question_whose_top_talk_the_model_recognised_gets_the_records_facts():
    answer = answer_refusal_from_record(replace(_refused("Which papers is the folding talk based on?"), recognised=True))
    assert _texts(answer) == ["The talk's record cites: “[1] C. Rule, D. Vide. Folded proofs. ICML 2021”."]


def test_a_refused_follow_up_whose_record_lacks_the_asked_kind_of_link_says_so_instead_of_refusing():
    answer = answer_refusal_from_record(_refused("Where is its GitHub code?", pinned=1, talk=HIVES))
    assert _texts(answer) == ["The record of this talk gives no GitHub or code link, and no other link."]


def test_a_refused_follow_up_about_a_talk_without_a_speaker_says_the_record_does_not_name_one():
    answer = answer_refusal_from_record(_refused("Who gave the first one, and where did they do their PhD?", pinned=1, talk=HIVES))
    assert _texts(answer) == ["The record of this talk does not say who gave it.",
                              "The record of this talk does not say where the speaker studied."]
    assert not answer.abstained and all(s.citations == [1] for s in answer.sentences)


def test_a_follow_up_answer_with_a_claim_is_not_a_refusal():
    claimed = replace(_refused("Which papers is it based on?", pinned=1), sentences=[Sentence("It builds on folded proofs [1].", [1])])
    assert answer_refusal_from_record(claimed).sentences == claimed.sentences


def test_a_refused_follow_up_about_a_named_talk_gets_its_references():
    answer = answer_refusal_from_record(_refused("Which papers is that one based on?", pinned=1))
    assert _texts(answer) == ["The talk's record cites: “[1] C. Rule, D. Vide. Folded proofs. ICML 2021”."]


def test_the_missing_kind_of_link_is_said_once_however_often_the_check_runs():
    once = state_missing_kinds(replace(_refused("Where is the GitHub code of the folding talk?"), sentences=[]))
    assert state_missing_kinds(once).sentences == once.sentences and len(once.sentences) == 1
