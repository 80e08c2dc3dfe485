"""Yes/no answers (issue 23): the polarity is read from source [1] first, the model is told to begin with it,
and the checked answer opens with it.

The pure parts use answers built here; the chain's parts run over the seed index with the scripted model
(its first reply is the one-word reading, its second the answer); one test asks the embedded model.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.answer.checks import drop_what_says_nothing, split_sentences
from app.answer.polarity import drop_prompt_echo, parse_polarity, quote_the_evidence, state_polarity
from app.answer.result import Answer, Sentence, Source
from app.answer.state import AnswerState
from app.core.talk import Talk
from app.service import Service
from eval.metrics import stated_polarity
from support.models import scripted

SHARPNESS = "Does adaptive sharpness predict generalization?"
TALK = Talk(id="t", title="Adaptive sharpness", abstract="A.", source="s")
#: A yes/no question about one seed talk (the Ramanujan-graph pruning talk) whose abstract says "no".
RAMANUJAN = ("In the talk that uses Ramanujan graphs to explain pruning at initialization, does pushing the "
             "Ramanujan property higher give better sparse subnetworks?")


def _answer(first: str, polarity: str | None, kind: str = "claim") -> Answer:
    source = Source(n=1, talk=TALK, sentences=["We study sharpness."], score=1.0, dense=1.0)
    sentence = Sentence(first, [1], 0.8, kind=kind)
    return Answer(question=SHARPNESS, query=SHARPNESS, answer=f"{first} [1]", sources=[source], sentences=[sentence],
                  cited=[1], polarity=polarity)


# ------------------------------------------------------------------ reading the one-word reply


@pytest.mark.parametrize(("reply", "polarity"), [("YES", "yes"), (" No.", "no"), ("yes, it does", "yes")])
def test_a_reply_that_opens_with_yes_or_no_is_read_as_that_polarity(reply, polarity):
    assert parse_polarity(reply) == polarity


def test_a_reply_that_opens_with_neither_word_settles_nothing():
    assert parse_polarity("The passage does not say.") is None


# ------------------------------------------------------------------ the checked answer opens with the read word


def test_an_answer_opening_with_the_other_word_gets_the_read_one():
    answer = state_polarity(_answer("Yes, sharpness does not correlate with generalization.", "no"))
    assert answer.answer == "No, sharpness does not correlate with generalization [1]."


def test_an_answer_opening_with_the_read_word_is_left_alone():
    answer = _answer("No, sharpness does not correlate with generalization.", "no")
    assert state_polarity(answer) == answer


def test_an_answer_that_says_the_abstract_does_not_settle_it_gets_no_word_put_in_front():
    answer = _answer("The abstract does not say whether it predicts generalization.", "no", kind="absence")
    assert state_polarity(answer) == answer


def test_an_answer_opening_with_neither_word_gets_the_read_one_in_front():
    answer = state_polarity(_answer("This talk finds that sharpness does not correlate with generalization.", "no"))
    assert answer.answer == "No — this talk finds that sharpness does not correlate with generalization [1]."


def test_a_name_after_the_read_word_keeps_its_capital():
    answer = state_polarity(_answer("Keskar's sharpness does not correlate with generalization.", "no"))
    assert answer.answer.startswith("No — Keskar's sharpness")


def test_an_answer_without_a_reading_is_left_alone():
    answer = _answer("Yes, it predicts generalization.", None)
    assert state_polarity(answer) == answer


def test_a_no_whose_reason_reads_like_an_absence_is_a_verdict_not_an_abstention():
    answer = split_sentences(replace(_answer("x", "no"), answer="No, pushing the property higher does not give better subnetworks [1]."))
    assert [s.kind for s in answer.sentences] == ["claim"]


def test_a_verdict_that_restates_the_question_is_kept():
    question = "Does pushing the Ramanujan property higher give better sparse subnetworks?"
    answer = replace(_answer("No, pushing the Ramanujan property higher does not give better sparse subnetworks.", "no"),
                     question=question)
    kept = drop_what_says_nothing(answer, abstain_text="The talks in this collection don't cover this.")
    assert [s.text for s in kept.sentences] == [s.text for s in answer.sentences]


def test_without_a_reading_such_a_sentence_stays_an_absence():
    answer = split_sentences(replace(_answer("x", None), answer="No, the abstract does not give the rate [1]."))
    assert [s.kind for s in answer.sentences] == ["absence"]


# ------------------------------------------------------------------ a bare verdict shows its evidence


def _bare(verdict: str, polarity: str | None) -> Answer:
    source = Source(n=1, talk=TALK, sentences=["Sharpness does not predict generalization."], score=1.0, dense=1.0,
                    lead="Sharpness does not predict generalization.")
    return Answer(question=SHARPNESS, query=SHARPNESS, answer=verdict, sources=[source], sentences=[Sentence(verdict)],
                  polarity=polarity)


def test_a_verdict_citing_nothing_gets_source_ones_most_relevant_sentence_quoted():
    answer = quote_the_evidence(_bare("No.", "no"))
    assert answer.answer == "No. The talk's own words: “Sharpness does not predict generalization” [1]."
    assert answer.sentences[-1].citations == [1]


def test_a_verdict_with_a_cited_reason_gets_no_quote():
    answer = _answer("No, sharpness does not predict generalization.", "no")
    assert quote_the_evidence(answer) == answer


def test_an_answer_without_a_reading_gets_no_quote():
    answer = _bare("No.", None)
    assert quote_the_evidence(answer) == answer


# ------------------------------------------------------------------ the chain reads first, then prompts


def _prepared(seed_index, question: str, *replies: str):
    llm = scripted(*replies)
    chain = Service(seed_index.settings, store=seed_index.store).answer_chain(llm=llm)
    return chain.prepare().invoke(AnswerState.start(question)), llm


def test_a_yes_no_question_is_read_from_source_one_alone_before_the_answer(seed_index):
    state, llm = _prepared(seed_index, RAMANUJAN, "NO")
    assert state.polarity == "no"
    assert llm.prompts[0].startswith("Passage:\n[1] ") and "Answer NO when the passage says the opposite" in llm.prompts[0]
    assert "[2]" not in llm.prompts[0]


def test_the_answer_prompt_says_which_word_to_begin_with(seed_index):
    state, _ = _prepared(seed_index, RAMANUJAN, "NO")
    assert 'Begin your answer with "No,"' in str(state.messages[-1].content)


def test_a_reading_that_settles_nothing_leaves_the_choice_to_the_answer(seed_index):
    state, _ = _prepared(seed_index, RAMANUJAN, "Perhaps.")
    assert state.polarity is None
    assert 'Begin your answer with "Yes," or "No,"' in str(state.messages[-1].content)


def test_another_question_is_not_read(seed_index):
    state, llm = _prepared(seed_index, "How is tropical geometry used to study neural networks?", "NO")
    assert state.polarity is None and llm.prompts == []


def test_the_finished_answer_opens_with_the_read_word_when_the_model_wrote_the_other(seed_index):
    chain = Service(seed_index.settings, store=seed_index.store).answer_chain(
        llm=scripted("NO", "Yes, the Ramanujan property shows no significant relationship to performance [1]."))
    answer = chain.invoke(RAMANUJAN)
    assert answer.polarity == "no" and stated_polarity(answer.answer) == "no", answer.answer


def test_a_bare_verdict_from_the_model_is_answered_with_the_quoted_evidence(seed_index):
    chain = Service(seed_index.settings, store=seed_index.store).answer_chain(llm=scripted("NO", "No."))
    answer = chain.invoke(RAMANUJAN)
    assert answer.answer.startswith("No. The talk's own words: “") and answer.cited == [1], answer.answer


# ------------------------------------------------------------------ the real model


@pytest.mark.slow
def test_the_embedded_model_answers_no_where_the_talk_says_no(seed_index):
    settings = seed_index.settings.model_copy(update={"llm": seed_index.settings.llm.model_copy(update={"backend": "local", "local_model": "qwen-1.5b"})})
    answer = Service(settings, store=seed_index.store).answer_chain().invoke(RAMANUJAN)
    assert stated_polarity(answer.answer) == "no", answer.answer


# ------------------------------------------------------------------ the prompt's words echoed back


def test_an_opening_echo_of_the_prompt_keeps_only_its_verdict():
    echoed = _answer("No, this is a yes/no question, and source answers it: No.", "no")
    assert [s.text for s in drop_prompt_echo(echoed).sentences] == ["No."]


def test_a_later_echo_of_the_prompt_is_dropped():
    echoed = _answer("No, the sharpness does not predict it.", "no")
    echoed = replace(echoed, sentences=[*echoed.sentences, Sentence("This is a yes/no question, and source answers it: No.", [1], 0.8)])
    assert [s.text for s in drop_prompt_echo(echoed).sentences] == ["No, the sharpness does not predict it."]
