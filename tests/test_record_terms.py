"""The literal condition a "which talks mention …" question sets (app/retrieval/record_terms.py)."""

from __future__ import annotations

import re

import pytest

from app.retrieval.record_terms import record_condition


def test_a_second_phrase_after_or_is_another_spelling_of_the_mentioned_one():
    condition = record_condition("Which talks bring up medicine or healthcare as an application?")
    assert [t.text for t in condition.terms] == ["medicine", "healthcare"] and condition.any_term


def test_an_or_inside_an_of_phrase_leaves_the_head_as_what_is_mentioned():
    condition = record_condition("Which talks bring up privacy of the data or the model, and what does each say?")
    assert [t.text for t in condition.terms] == ["privacy"]


def test_a_contracted_i_is_no_name_to_scan_for():
    assert record_condition("My group is starting on compression and I'd like everything on it. How many talks deal with "
                            "compressing something?") is None


def test_a_name_in_a_sentence_before_the_question_sets_no_condition():
    assert record_condition("Our IT team keeps complaining about junk mail. Was there any talk in this collection on "
                            "spam filters, and who were the authors?") is None


def test_a_name_the_question_points_back_at_still_sets_the_condition():
    condition = record_condition("A colleague keeps mentioning Yuan Cao's work. Can you list every talk where he shows up?")
    assert [t.text for t in condition.terms] == ["Yuan", "Cao"]


def test_a_place_the_question_points_back_at_with_there_sets_the_condition():
    condition = record_condition("My daughter just got into Georgia Tech. Which talks have a speaker who worked there?")
    assert [t.text for t in condition.terms] == ["Georgia", "Tech"]


def test_a_there_that_says_something_exists_points_back_at_nothing():
    assert record_condition("Just back from NeurIPS. Which talks discuss early stopping, and how many are there?") is None


def test_them_after_the_talks_it_names_points_back_at_nothing():
    assert record_condition("Just back from NeurIPS. Which talks discuss early stopping, and can you list them all?") is None


def test_a_year_in_a_sentence_before_the_question_sets_no_condition():
    assert record_condition("I went to a workshop on this in 2019. Which talks discuss diffusion models?") is None


def test_a_number_after_a_hyphen_belongs_to_the_name():
    condition = record_condition("How many talks report results on CIFAR-100?")
    assert [t.text for t in condition.terms] == ["CIFAR-100"]
    assert condition.terms[0].finds("Accuracy on CIFAR100 and ImageNet.") and not condition.terms[0].finds("Accuracy on CIFAR-10.")


def test_a_shorter_numbered_name_is_not_found_inside_a_longer_number():
    condition = record_condition("Which talks use CIFAR-10?")
    assert not condition.terms[0].finds("We train on CIFAR-100.") and condition.terms[0].finds("We train on CIFAR-10.")


def test_of_any_kind_widens_the_mentioned_phrase_without_being_part_of_it():
    condition = record_condition("Which talks bring up clipping of any kind, whether of gradients or of weights?")
    assert [t.text for t in condition.terms] == ["clipping"]


def test_anything_before_a_mentioned_phrase_is_no_part_of_it():
    condition = record_condition("How many talks mention anything mean-field (games, limits, PDEs)? List them.")
    assert [t.text for t in condition.terms] == ["mean-field"]


def test_an_it_whose_thing_its_own_sentence_names_points_back_at_nothing():
    assert record_condition("I teach a Bayesian statistics course in Zurich. Which talks involve variational inference, or "
                            "the evidence lower bound that it optimizes?") is None


def test_an_it_in_a_sentence_that_names_nothing_else_still_points_back():
    condition = record_condition("A colleague keeps talking about Wasserstein GANs. Are there talks that bring it up?")
    assert [t.text for t in condition.terms] == ["Wasserstein", "GANs"]


def test_a_lower_case_prefix_joined_to_a_name_makes_the_term_a_word_of_its_own():
    condition = record_condition("How many talks deal with sub-Gaussian variables or tails?")
    assert [t.text for t in condition.terms] == ["sub-Gaussian"]
    assert condition.terms[0].finds("for sub-Gaussian noise") and not condition.terms[0].finds("for Gaussian noise")


def test_a_span_of_years_is_met_by_any_year_in_it():
    condition = record_condition("Which talks cite an ICML paper from 2019 or earlier?")
    span = condition.terms[1]
    assert span.text == "2019 or earlier"
    assert span.finds("(ICML 2017)") and span.finds("at ICML'19.") and not span.finds("(ICML 2021)")


def test_a_span_after_a_year_starts_the_year_after():
    span = record_condition("Which talks cite NeurIPS papers after 2021?").terms[1]
    assert min(span.years) == 2022


def test_since_a_year_includes_it():
    span = record_condition("How many talks mention a NeurIPS paper since 2020?").terms[1]
    assert span.finds("NeurIPS 2020") and not span.finds("NeurIPS 2019")


def test_two_years_between_them_bound_a_span():
    span = record_condition("Which talks cite work published between 2015 and 2018 at COLT?").terms[1]
    assert span.years == frozenset({2015, 2016, 2017, 2018})


def test_a_year_on_its_own_is_that_year_only():
    year = record_condition("Which talks cite ICML 2019?").terms[1]
    assert year.years is None and not year.finds("ICML 2018")


def test_two_years_joined_by_or_are_one_term_of_either_year():
    condition = record_condition("How many talks draw on an ICML paper from 2019 or 2020?")
    assert [t.text for t in condition.terms] == ["ICML", "2019 or 2020"] and not condition.any_term
    assert condition.terms[1].finds("ICML 2020") and not condition.terms[1].finds("ICML 2018")


def test_a_year_is_no_alternative_to_the_name_it_dates():
    condition = record_condition("Which talks point to an ICML paper or presentation from 2020 or 2021?")
    assert [t.text for t in condition.terms] == ["ICML", "2020 or 2021"] and not condition.any_term


def test_an_arxiv_identifier_gives_its_year_to_a_span():
    span = record_condition("Which talks give an arXiv preprint from 2019 or earlier?").terms[1]
    assert span.finds("See https://arxiv.org/abs/1909.02729.") and span.finds("arXiv:1810.02716")
    assert not span.finds("See https://arxiv.org/abs/2102.02410.") and not span.finds("a ratio of 1909.02729")


def test_a_year_of_a_question_about_preprints_is_also_an_arxiv_identifiers_year():
    year = record_condition("How many talks link an arXiv paper posted in 2025?").terms[1]
    assert year.finds("Link to the paper: https://arxiv.org/abs/2502.11323")
    assert not year.finds("https://arxiv.org/abs/2402.11323") and not year.finds("a ratio of 2502.11323")


def test_a_year_of_a_question_about_anything_else_is_only_the_year_written():
    year = record_condition("Which talks mention NeurIPS 2025?").terms[1]
    assert not year.finds("https://arxiv.org/abs/2502.11323")


def test_the_catalogs_filter_for_a_span_keeps_a_record_whose_only_year_is_an_arxiv_identifier():
    span = record_condition("Which talks give an arXiv preprint from 2019 or earlier?").terms[1]
    assert re.search(span.candidates(), "https://arxiv.org/abs/1810.02716")


@pytest.mark.parametrize("question", [
    "Which talks have some connection to Columbia University?",
    "Which speakers studied at the University of Toronto?",
])
def test_an_institutions_generic_word_beside_its_name_is_no_term_of_its_own(question):
    assert "University" not in [t.text for t in record_condition(question).terms]


def test_an_institutions_generic_word_alone_stays_a_term():
    assert [t.text for t in record_condition("Which talks mention a University in the bio?").terms] == ["University"]
