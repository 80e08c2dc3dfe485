"""A kind of link asked for that the talk's record lacks is said to be missing, never made up (app/answer/link_facts.py)."""

from __future__ import annotations

import pytest

from app.answer.link_facts import asked_kinds, state_missing_kinds
from app.answer.result import Answer, Sentence, Source
from app.core.talk import Talk

BITFLIPS = Talk(id="b", title="Bit error robustness", source="t.txt", abstract="Quantized weights tolerate random bit flips.",
                links=["https://arxiv.org/abs/2006.13977", "https://davidstutz.de"])


def answer(question: str, *sentences: Sentence, talk: Talk = BITFLIPS) -> Answer:
    sources = [Source(n=1, talk=talk, sentences=[talk.abstract], score=1.0, dense=1.0)]
    return Answer(question=question, query=question, sources=sources, sentences=list(sentences))


@pytest.mark.parametrize(("question", "kinds"), [
    ("Is there a GitHub repo for the bit-flip talk?", ["GitHub", "code"]),
    ("Where can I read the paper for the bit-flip talk?", ["paper"]),
    ("Is there code for the talk on bit flips?", ["code"]),
    ("What does the paper on bit flips show?", []),  # "paper" as a topic, no link asked
    ("Who gave it, where is he doing his PhD, and what award did the paper get?", []),  # the request is another clause's
])
def test_the_kinds_of_link_a_question_asks_for(question, kinds):
    assert [kind.name for kind in asked_kinds(question)] == kinds


def test_a_missing_kind_is_said_missing_with_the_links_the_record_gives():
    stated = state_missing_kinds(answer("Is there a GitHub repo for the bit-flip talk?", Sentence("The talk trains robust weights.", [1], 0.9)))
    assert stated.sentences[0].text == ("The record of this talk gives no GitHub or code link; the links it gives: "
                                        "https://arxiv.org/abs/2006.13977, https://davidstutz.de.")
    assert stated.sentences[0].kind == "record" and stated.sentences[0].citations == [1]


@pytest.mark.parametrize("claim", ["Yes, there is a GitHub repo for the work.", "The bit-flip talk is linked to its code."])
def test_a_claim_affirming_a_missing_kind_is_dropped(claim):
    made_up = Sentence(claim, [1], 0.9)
    stated = state_missing_kinds(answer("Is there a GitHub repo for the bit-flip talk?", made_up))
    assert made_up not in stated.sentences


def test_a_kind_the_record_has_is_left_to_the_record_links():
    plain = answer("Where is the arXiv paper of the bit-flip talk?", Sentence("It is on arXiv.", [1], 0.9))
    assert state_missing_kinds(plain) == plain


def test_a_record_without_links_says_so():
    bare = Talk(id="n", title="No links", source="t.txt", abstract="A result.")
    stated = state_missing_kinds(answer("Is there code on GitHub for this talk?", talk=bare))
    assert stated.sentences[0].text == "The record of this talk gives no GitHub or code link, and no other link."


def test_a_paper_asked_for_without_a_link_is_named_from_the_record_references():
    causal = Talk(id="c", title="Causal regularization", source="t.txt", abstract="Regularize for causal models.",
                  notes=["Paper: D. Janzing: Causal regularization, NeurIPS 2019"])
    stated = state_missing_kinds(answer("Can I get an arXiv link for the causal regularization talk?", talk=causal))
    assert [s.text for s in stated.sentences] == ["The record of this talk gives no arXiv link, and no other link.",
                                                  "The talk's record cites: “Paper: D. Janzing: Causal regularization, NeurIPS 2019”."]
