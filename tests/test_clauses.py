"""A chatty question is judged by its best clause when the whole reads as off-topic (app/retrieval/clauses.py)."""

from __future__ import annotations

import pytest

from app.retrieval.clauses import topic_clauses
from app.service import Service

from support.models import scripted

#: Seen held-out-20 a016 (a tuning question): the topic sits in the second sentence, between a preamble and the asks.
CHATTY = ("People at work keep telling me recurrent nets are bad at remembering things from far back. I saw a summary "
          "claiming to explain why for the purely linear kind trained from random starting points. What simpler model "
          "do they turn out to equal, and what controls how strongly they lean towards recent inputs?")
#: Seen held-out-20 a045: off-topic, however its clauses are read.
CHATTY_OFF_TOPIC = ("Settling an argument from a pub quiz: in the Monty Hall game-show puzzle, why is switching doors "
                    "supposed to double your odds of winning the car?")


def test_a_one_clause_question_has_no_clauses_to_judge():
    assert topic_clauses("How is tropical geometry used to study neural networks?") == []


def test_a_question_splits_at_sentence_ends_dashes_colons_and_semicolons():
    question = "nets that forget old tasks after learning new ones — who gave it: the speaker; which university grants the PhD?"
    assert topic_clauses(question) == ["nets that forget old tasks after learning new ones"]


@pytest.mark.parametrize("ask", ["where did they do their PhD?", "who, which university", "arXiv link and code, please"])
def test_a_clause_that_only_asks_about_the_record_is_no_topic(ask):
    assert topic_clauses(f"the talk on sparse subnetworks found at initialisation by pruning: {ask}") == [
        "the talk on sparse subnetworks found at initialisation by pruning"]


def relevance(seed_index, question: str) -> float:
    docs = Service(seed_index.settings, store=seed_index.store).retriever().invoke(question)
    return docs[0].metadata["question_relevance"]


def test_a_chatty_question_is_as_relevant_as_its_topic_clause(seed_index):
    assert relevance(seed_index, CHATTY) >= seed_index.settings.rerank.abstain_threshold


def test_a_chatty_off_topic_question_stays_below_the_floor(seed_index):
    assert relevance(seed_index, CHATTY_OFF_TOPIC) < seed_index.settings.rerank.abstain_threshold


def test_a_chatty_question_reaches_the_model(seed_index):
    chain = Service(seed_index.settings, store=seed_index.store).answer_chain(
        llm=scripted("Linear RNNs trained from random initialisation behave like a linear convolution [1]."))
    assert not chain.invoke(CHATTY).abstained
