"""A record question's rare topic words that its first source lacks make the chain doubt that source
(app/answer/topic_doubt.py): which words count, and what counts as the source holding them."""

from __future__ import annotations

import pytest

from app.answer.topic_doubt import doubted_words, holds

EVERYDAY = {"talk", "about", "training", "networks", "neural", "link", "links", "give", "paper", "method"}


def everyday(word: str) -> bool:
    return word in EVERYDAY


def test_a_rare_topic_word_the_source_lacks_is_doubted():
    question = "Which awards has the speaker on spiking neural networks won?"
    assert doubted_words(question, "Lottery tickets: sparse subnetworks train to full accuracy.", everyday) == ("spiking",)


def test_a_word_the_source_holds_in_another_form_is_not_doubted():
    question = "arxiv link for the talk about regularisers of overparameterised networks"
    source = "We study implicit regularization in overparameterized models."
    assert doubted_words(question, source, everyday) == ()


def test_a_hyphenated_spelling_in_the_source_holds_the_joined_word():
    assert holds("minibatch", "noise of mini-batch gradients")


@pytest.mark.parametrize("question", [
    "Who gave the talk about training neural networks?",   # everyday words only
    "GNN talk: who gave it?",                               # too short to read: names are read elsewhere
    "Where did the speaker of the talk do the PhD?",        # record words are no topic
])
def test_everyday_short_and_record_words_are_never_doubted(question):
    assert doubted_words(question, "Nothing in common here.", everyday) == ()
