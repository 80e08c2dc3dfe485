"""A restated question whose "not" is its answer is kept and borne out when its source says "not" too
(app/answer/denials.py). Fast tests on hand-made answers, then through the chain over the real seed index and
embeddings with a scripted model (the model's draft is the input here)."""

from __future__ import annotations

from dataclasses import replace

from app.answer.checks import drop_what_says_nothing, split_sentences
from app.answer.denials import denies_as_its_source
from app.answer.result import Answer, Sentence, Source
from app.answer.unsupported import withhold_unsupported
from app.core.talk import Talk
from app.service import Service
from support.models import scripted

ABSTAIN = "The talks in this collection don't cover this."
WGAN = ["Wasserstein GANs minimise the Wasserstein distance between a real and a generated distribution.",
        "We find that the WGAN loss is not a meaningful approximation of the Wasserstein distance."]
QUESTION = "My manager insists the critic's loss tracks the true transport distance. What did the WGAN talk conclude?"
DENIAL = "The talk concludes that the critic's loss does not track the true transport distance [1]."
#: The denial as a checked sentence holds it: its marker moved to ``citations``.
DENIED = "The talk concludes that the critic's loss does not track the true transport distance."


def answer(question: str, sentences: list[str], reply: str) -> Answer:
    talk = Talk(id="w", title="Wasserstein GANs in practice", abstract=" ".join(sentences), source="x.txt", lines=[(1, 1)])
    sources = [Source(n=1, talk=talk, sentences=sentences, score=1.0, dense=1.0)]
    return split_sentences(Answer(question=question, query=question, sources=sources, answer=reply))


def test_a_restated_question_that_denies_as_its_source_does_is_kept():
    said = drop_what_says_nothing(answer(QUESTION, WGAN, DENIAL), abstain_text=ABSTAIN)
    assert [s.text for s in said.sentences] == [DENIED]


def test_a_denial_whose_closest_source_sentence_affirms_is_still_a_restated_question():
    affirming = [WGAN[0], "We find that the WGAN loss is a meaningful approximation of the Wasserstein distance."]
    said = drop_what_says_nothing(answer(QUESTION, affirming, DENIAL), abstain_text=ABSTAIN)
    assert said.answer == ABSTAIN


def test_a_not_the_question_has_already_is_no_answer():
    asked = "Why does the critic's loss not track the true transport distance, according to the WGAN talk?"
    assert not denies_as_its_source(answer(asked, WGAN, DENIAL), Sentence(DENIED, [1]))


def test_a_denial_its_source_shares_is_not_withheld_as_unsupported():
    weak = replace(answer(QUESTION, WGAN, DENIAL), sentences=[Sentence(DENIED, [1], support=0.4)])
    assert not withhold_unsupported(weak, abstain_text=ABSTAIN).abstained


def test_a_denial_its_source_shares_is_answered_through_the_chain(seed_index):
    chain = Service(seed_index.settings, store=seed_index.store).answer_chain(llm=scripted(
        "The talk concludes that the WGAN critic's loss does not track the true transport distance [1]."))
    got = chain.invoke("My manager insists a WGAN critic's loss tracks the true transport distance. "
                       "What did the talk on training WGANs conclude about the critic's loss?")
    assert not got.abstained and "does not track" in got.answer
