"""The two subjects a comparison names, read without the model (app/retrieval/subjects.py)."""

from __future__ import annotations

import pytest

from app.core.talk import Talk
from app.retrieval.subjects import read_subjects


def talk(abstract: str) -> Talk:
    return Talk(id="t", title="Language models and brain alignment", abstract=abstract, source="x.txt")


def texts(question: str) -> tuple[str, ...] | None:
    subjects = read_subjects(question)
    return None if subjects is None else tuple(side.text for side in subjects.sides)


def test_x_vs_y_names_both_sides():
    assert texts("Mamba vs transformers: which scales better with context length?") == ("Mamba", "transformers")


def test_versus_names_both_sides():
    assert texts("Score matching versus maximum likelihood, how do they compare?") == ("Score matching", "maximum likelihood")


def test_compare_x_with_y_names_both_sides():
    assert texts("Compare the talk on graph rewiring with the talk on oversmoothing.") == ("graph rewiring", "oversmoothing")


def test_compare_x_and_y_names_both_sides():
    assert texts("Compare neural tangent kernels and mean-field limits") == ("neural tangent kernels", "mean-field limits")


def test_the_difference_between_x_and_y_names_both_sides():
    assert texts("What is the difference between the work on double descent and the talk about grokking?") == (
        "double descent", "grokking")


def test_how_does_x_differ_from_y_names_both_sides():
    assert texts("How does the talk on tropical geometry differ from the talk on spline theory?") == (
        "tropical geometry", "spline theory")


def test_x_talk_or_y_talk_in_a_comparison_names_both_sides():
    assert texts("Which differs more from classical theory, the WGAN talk or the diffusion talk?") == ("WGAN", "diffusion")


def test_the_x_talk_and_the_y_talk_name_the_sides_without_the_shared_words():
    assert texts("Compare the SDE models of SGD in the normalized-nets talk and the α-stable noise talk.") == (
        "normalized-nets", "α-stable noise")


def test_one_on_x_the_other_on_y_names_both_sides():
    assert texts("Compare the two spectral-bias talks: one on the sphere, the other on finite-width networks.") == (
        "sphere", "finite-width networks")


def test_two_quoted_titles_are_the_sides():
    assert texts('How does "Benign overfitting in CNNs" differ from "Tropical geometry of ReLU nets"?') == (
        "Benign overfitting in CNNs", "Tropical geometry of ReLU nets")


def test_each_side_query_leaves_out_the_other_side():
    subjects = read_subjects("How does the talk on tropical geometry differ from the talk on spline theory?")
    assert (subjects.query(0), subjects.query(1)) == (
        "How does the talk on tropical geometry differ from the talk on ?",
        "How does the talk on differ from the talk on spline theory?")


def test_the_one_doing_something_names_what_it_does():
    assert texts("Contrast the talk arguing the NTK prefers low frequencies with the one using the NTK to reach a "
                 "global optimum: what differs?") == ("arguing the NTK prefers low frequencies",
                                                      "using the NTK to reach a global optimum")


def test_a_side_opening_with_a_preposition_shares_the_other_sides_head():
    subjects = read_subjects("Feature emergence during training vs after one gradient step: how do those talks differ?")
    assert subjects.query(1) == "Feature emergence vs after one gradient step: how do those talks differ?"


@pytest.mark.parametrize("question", [
    "How does the first one differ from the second?",
    "How does it compare with the talk on oversmoothing?",
    "Compare them.",
    "What is the difference between both talks?",
    "How do they differ?",
    "Compare the former with the latter.",
])
def test_pronouns_and_ordinals_name_no_subjects(question):
    assert read_subjects(question) is None


def test_two_talks_on_one_topic_name_no_subjects():
    assert read_subjects("Two talks address over-squashing in message-passing GNNs. How does each explain it?") is None


def test_a_question_that_compares_nothing_names_no_subjects():
    assert read_subjects("Is the GAN talk or the VAE talk by Jane Doe?") is None


def test_the_same_subject_twice_is_not_two_sides():
    assert read_subjects("Compare GANs with GANs.") is None


def test_a_subject_longer_than_a_name_is_not_read():
    question = ("Compare what the speaker says about how the training of very deep residual networks with many layers "
                "behaves over long horizons with transformers.")
    assert read_subjects(question) is None


def test_three_quoted_titles_are_not_two_sides():
    assert read_subjects('Compare "A talk", "B talk" and "C talk".') is None


def test_a_list_question_that_mentions_comparing_names_no_sides():
    assert read_subjects("Which talks count, bound or compare how many linear regions ReLU nets have?") is None


def test_compared_with_the_classical_one_names_no_sides():
    assert read_subjects("What rate does the smoothed estimate converge at, compared with the classical one?") is None


def test_the_one_after_a_named_talk_keeps_that_talks_head_in_its_search():
    subjects = read_subjects("How do the kernel-regression talk on random features and the one on deep networks differ?")
    assert [s.text for s in subjects.sides] == ["kernel-regression talk on random features", "deep networks"]
    assert "kernel-regression" in subjects.query(1) and "random features" not in subjects.query(1)


def test_a_subject_described_by_a_long_relative_clause_is_read():
    question = ("How does the talk on sharpness of minima differ from the talk that follows how the Hessian spectrum of "
                "deep residual networks evolves during long training runs with large batches?")
    assert read_subjects(question).sides[1].text.endswith("with large batches")


def test_two_subjects_one_talk_holds_are_that_talks_own_things():
    subjects = read_subjects("language models vs brain recordings talk: speaker, institute, phd school")
    assert subjects.of_one_talk(talk("Language models predict brain recordings."))


def test_subjects_the_best_talk_lacks_a_word_of_are_two_sides():
    subjects = read_subjects("language models vs brain recordings talk: speaker, institute, phd school")
    assert not subjects.of_one_talk(talk("Language models predict fMRI data."))


def test_a_question_naming_two_talks_compares_them_even_when_one_talk_holds_both_subjects():
    subjects = read_subjects("skill discovery talk vs the world models talk on embodied agents, how each one thinks about rewards")
    assert not subjects.of_one_talk(talk("Skill discovery for embodied agents; world models talk to each other."))


def test_what_separates_x_from_y_names_both_sides():
    assert texts("What separates the talk on learning from noisy crowds from the one on label smoothing?") == (
        "learning from noisy crowds", "label smoothing")


def test_a_question_word_after_the_talk_on_opens_what_the_talk_is_about():
    assert texts("How does the talk on what generative AI means for mathematicians differ from the one on kernels?") == (
        "what generative AI means for mathematicians", "kernels")


def test_a_subject_that_names_a_second_talk_inside_it_reads_across_both_sides():
    assert texts("Compare low-rank bias when factorizing matrices and tensors and the talk on implicit bias.") is None
