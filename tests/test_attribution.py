"""Attribution after generation, with the real embedding model on hand-made sources."""

from __future__ import annotations

import pytest

from app.answer.attribution import attribute, render
from app.answer.result import Sentence, Source
from app.core.talk import Talk


def source(n: int, title: str, *sentences: str) -> Source:
    talk = Talk(id=f"t{n:011d}", title=title, abstract=" ".join(sentences), source="talks.txt", lines=[(n, n)])
    return Source(n=n, talk=talk, sentences=list(sentences), score=1.0, dense=0.5)


@pytest.fixture
def sources() -> list[Source]:
    return [
        source(1, "Tropical geometry of neural networks",
               "Tropical geometry combines algebraic and polyhedral geometry.",
               "Max-plus algebra describes the decision boundaries of ReLU networks."),
        source(2, "Smoothed Wasserstein distances",
               "The smoothed Wasserstein distance converges at the parametric rate.",
               "It avoids the curse of dimensionality of the classical Wasserstein distance."),
    ]


def test_a_wrong_marker_is_replaced_by_the_source_that_supports_the_sentence(embedding_model, sources):
    sentences = [Sentence("Max-plus algebra describes the decision boundaries of ReLU networks.", [2])]
    sentences = attribute(sentences, sources, embedding_model)
    assert sentences[0].citations == [1] and sentences[0].supported


def test_attribution_returns_new_sentences_and_leaves_the_models_as_written(embedding_model, sources):
    written = [Sentence("Max-plus algebra describes the decision boundaries of ReLU networks.", [2])]
    attributed = attribute(written, sources, embedding_model)
    assert attributed[0].citations == [1] and written[0].citations == [2] and written[0].support is None


def test_a_trailing_marker_is_spread_to_each_sentence_it_supports(embedding_model, sources):
    sentences = [
        Sentence("Tropical geometry mixes algebraic and polyhedral geometry.", []),
        Sentence("The smoothed Wasserstein distance converges at the parametric rate.", [1, 2]),
    ]
    sentences = attribute(sentences, sources, embedding_model)
    assert [s.citations for s in sentences] == [[1], [2]]
    assert sentences[0].evidence == {1: 0}  # the passage sentence the chat highlights


def test_the_models_own_markers_are_kept_beside_the_attributed_ones(embedding_model, sources):
    sentences = [
        Sentence("Tropical geometry mixes algebraic and polyhedral geometry.", [1]),
        Sentence("The smoothed Wasserstein distance converges at the parametric rate.", [1, 2]),
    ]
    sentences = attribute(sentences, sources, embedding_model)
    assert [s.model_citations for s in sentences] == [[1], [1, 2]]
    assert [s.moved for s in sentences] == [False, True]
    assert sentences[1].to_json()["model_citations"] == [1, 2]


def test_a_sentence_no_source_supports_is_flagged_and_dropped_when_strict(embedding_model, sources):
    sentences = [
        Sentence("Max-plus algebra describes the decision boundaries of ReLU networks.", [1]),
        Sentence("The speaker won a Turing award in 1990 for compilers.", [1]),
    ]
    sentences = attribute(sentences, sources, embedding_model)
    assert sentences[0].supported and not sentences[1].supported
    assert render(sentences).endswith("for compilers [1].")
    assert render(sentences, strict=True) == "Max-plus algebra describes the decision boundaries of ReLU networks [1]."


def test_render_keeps_list_items_on_their_own_lines():
    items = [Sentence("- Tropical geometry of neural networks", [1]), Sentence("- Smoothed Wasserstein distances", [2])]
    assert render(items) == "- Tropical geometry of neural networks [1]\n- Smoothed Wasserstein distances [2]"


@pytest.mark.parametrize(
    "sentence, reason",
    [
        ("The student model gains 6.84% over its zero-shot accuracy.", "number not in the source: 6.84"),
        ("The limit is described by a deterministic equation for the covariance.", "says 'deterministic' where the source says 'stochastic'"),
        ("The limit does not describe the feature covariance at initialization.", "negation differs"),
    ],
)
def test_contradictions_a_similarity_score_misses_are_named(sentence, reason):
    from app.answer.grounding import contradictions

    passage = ("At initialization the limit is described by a stochastic differential equation for the feature covariance. "
               "The student model gains 13.53% over its zero-shot accuracy.")
    assert any(problem.startswith(reason) for problem in contradictions(sentence, [passage]))
    assert contradictions("The limit is described by a stochastic differential equation for the feature covariance.", [passage]) == []


def test_a_sentence_naming_the_talks_own_speaker_is_supported_by_its_record(embedding_model):
    """The model read "[1] <title> (speaker: Mariya Toneva)": saying who gives the talk is no unsupported claim."""
    talk = Talk(id="t00000000001", title="Language models and the brain", speaker="Mariya Toneva",
                abstract="We align language model representations with fMRI recordings of people reading.",
                source="talks.txt", lines=[(1, 1)])
    toneva = Source(n=1, talk=talk, sentences=[talk.abstract], score=1.0, dense=0.5)
    sentences = [Sentence("This talk is given by Mariya Toneva.", [1])]
    sentences = attribute(sentences, [toneva], embedding_model)
    assert sentences[0].citations == [1] and sentences[0].supported, sentences[0].support
    assert sentences[0].evidence == {}, "the record is not a passage sentence to highlight"
