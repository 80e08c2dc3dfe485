"""A literal condition's lower-case words match in any of their forms (app/retrieval/word_forms.py)."""

from __future__ import annotations

import pytest

from app.retrieval.record_terms import Term
from app.retrieval.word_forms import forms_pattern, stem


@pytest.mark.parametrize(
    ("asked", "written"),
    [
        ("calibrated", "Post-hoc calibration of classifiers is studied."),
        ("memorization", "Networks memorize their training labels."),
        ("shuffling", "We shuffle the data once per epoch."),
        ("regularization", "The implicitly regularised solution has minimum norm."),
        ("interpolating", "The estimator interpolates the noisy data."),
    ],
)
def test_a_word_asked_in_one_form_finds_the_text_in_another(asked, written):
    assert Term(asked).finds(written)


@pytest.mark.parametrize(
    ("asked", "written"),
    [
        ("transformers", "A linear transformation of the input."),  # an agent noun keeps its ending
        ("sample", "We use a simple estimator."),  # a short word is matched as written
        ("Brownian", "brownie recipes"),  # a name is matched as written
    ],
)
def test_a_different_word_with_the_same_start_is_not_a_form(asked, written):
    assert not Term(asked).finds(written)


def test_names_and_short_words_are_not_cut():
    assert stem("Langevin") is None and stem("bias") is None and forms_pattern("loss") is None


def test_a_stem_too_short_to_say_anything_keeps_the_word_exact():
    assert stem("coding") is None  # "cod-" would match "code", "coded", "codes" and "cod"
