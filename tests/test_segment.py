"""Segmentation of the one-paragraph-a-line seed into talks, and what is derived per talk.

The labelled dev set is tests/data/seed_segments.json: every talk of
data/abstracts.txt with its line ranges (two for a duplicated abstract), and
the speaker and co-authors where the text names them.
"""

from __future__ import annotations

import json
import re

import pytest

from app.core.config import DEFAULT_CORPUS
from ingest.readers import read_corpus
from ingest.segment import Kind, Line, SegmenterParams, boundaries, classify, continuation_score, segment
from ingest.derive import extract_coauthors, extract_links, speaker_from_bio, speaker_from_inline_bio

from support.settings import SEED_SEGMENTS

# ------------------------------------------------------------------ the dev set


@pytest.fixture(scope="module")
def gold() -> dict:
    return json.loads(SEED_SEGMENTS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def gold_boundaries(gold) -> set[int]:
    """Positions i where line i and line i+1 belong to different talks."""
    owner = {}
    for k, talk in enumerate(gold["talks"]):
        for start, end in talk["lines"]:
            for number in range(start, end + 1):
                owner[number] = k
    return {i for i in range(1, gold["n_lines"]) if owner[i] != owner[i + 1]}


@pytest.fixture(scope="module")
def lines(seed_lines) -> list[Line]:
    return [Line(n, text.strip()) for n, text in enumerate(seed_lines, start=1) if text.strip()]


@pytest.fixture(scope="module")
def seed_talks(seed_embed):
    talks, duplicates = read_corpus([DEFAULT_CORPUS], embed=seed_embed)
    return talks, duplicates


@pytest.fixture(scope="module")
def talks_by_lines(seed_talks) -> dict:
    return {tuple(map(tuple, t.lines)): t for t in seed_talks[0]}


def prf(predicted: set[int], gold: set[int]) -> tuple[float, float, float]:
    tp = len(predicted & gold)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(gold) if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def test_dev_set_covers_every_line_of_the_seed_once(gold, seed_lines):
    covered = sorted(n for talk in gold["talks"] for s, e in talk["lines"] for n in range(s, e + 1))
    assert gold["n_lines"] == len(seed_lines) == 323
    assert covered == list(range(1, 324))


def test_boundary_f1_with_embeddings_is_at_least_0_98(lines, seed_embed, gold_boundaries):
    predicted = boundaries(segment(lines, embed=seed_embed))
    precision, recall, f1 = prf(predicted, gold_boundaries)
    print(f"\nboundaries: precision {precision:.3f} recall {recall:.3f} F1 {f1:.3f} ({len(gold_boundaries)} gold)")
    assert f1 >= 0.98, sorted(predicted ^ gold_boundaries)


def test_boundary_f1_without_embeddings_is_reported(lines, gold_boundaries):
    """The shape rules alone (embed=None); informative: the embedding term must not be what breaks it."""
    precision, recall, f1 = prf(boundaries(segment(lines, embed=None)), gold_boundaries)
    print(f"\nboundaries without embeddings: precision {precision:.3f} recall {recall:.3f} F1 {f1:.3f}")
    assert f1 >= 0.9


# ------------------------------------------------------------------ line shapes


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Bio", Kind.BIO_HEADING),
        ("Bio:", Kind.BIO_HEADING),
        ("Biography", Kind.BIO_HEADING),
        ("Short bio:", Kind.BIO_HEADING),
        ("Bio: Mariya Toneva is a tenure-track faculty at the Max Planck Institute.", Kind.BIO),
        ("Biography: Hossein Taheri received the B.Sc. degree in 2018.", Kind.BIO),
        ("Jane Doe is an assistant professor at MIT, where she leads a group on learning theory.", Kind.BIO),
        ("This talk is based on a joint work with Kangjie Zhou (Columbia) and Yiqiao Zhong.", Kind.NOTE),
        ("Joint work with Alice Smith and Bob Jones.", Kind.NOTE),
        ("https://arxiv.org/abs/2502.11323", Kind.LINK),
        ("Link to the paper: https://arxiv.org/abs/2007.12826", Kind.LINK),
        ("Reproduction code: https://github.com/jlyu55/Imbalanced_Classification", Kind.LINK),
        ("References", Kind.REF_HEADING),
        ("References:", Kind.REF_HEADING),
        ("[1] S. Fort and S. Jastrzebski. Large Scale Structure of Neural Network Loss Landscapes. NeurIPS 2019.", Kind.REFERENCE),
        ("2. A. Author. A title of a paper. ICML 2021.", Kind.REFERENCE),
        ("In this talk, we study the implicit bias of gradient descent on separable data.", Kind.PROSE),
        ("Deep networks generalize well despite having more parameters than samples. We ask why.", Kind.PROSE),
    ],
)
def test_classify_recognises_line_shape(text, kind):
    assert classify(text) is kind


def test_classify_makes_the_line_after_a_bio_heading_a_bio():
    assert classify("Daniel is an associate professor in the Department of EE.", Kind.BIO_HEADING) is Kind.BIO


def test_classify_reads_a_citation_after_a_reference_as_a_reference():
    citation = 'Stanislav Fort, Huiyi Hu. "Deep Ensembles: A Loss Landscape Perspective." arXiv 1912.02757'
    assert classify(citation, Kind.REFERENCE) is Kind.REFERENCE
    assert classify(citation, Kind.PROSE) is Kind.PROSE


def test_classify_does_not_take_a_word_beginning_with_bio_for_a_bio():
    assert classify("Biology offers many examples of learning systems that adapt.") is Kind.PROSE


# ------------------------------------------------------------------ continuation

INTRO = "In this talk, I will present a framework for analysing stochastic gradient descent in high dimensions. " * 3


@pytest.mark.parametrize(
    "line",
    [
        "In the second part of the talk, I will turn to the role of momentum and show a matching lower bound.",
        "Finally, I will discuss open problems about adaptive methods and their implicit regularisation in practice.",
        "More surprisingly, the same phenomenon appears for adaptive methods when the step size is tuned per layer.",
        "To address these issues, we introduce a new estimator whose variance does not grow with the dimension.",
    ],
)
def test_a_continuation_cue_continues_the_talk(line):
    assert continuation_score([INTRO], line, similarity_z=0.0) >= SegmenterParams().threshold


def test_a_second_talk_introduction_starts_a_new_talk():
    line = "In this talk, we study a different question: how transformers learn in-context from few examples in practice. " * 2
    assert continuation_score([INTRO], line, similarity_z=0.0) < SegmenterParams().threshold


def test_motivation_then_in_this_talk_is_one_talk():
    motivation = "Data imbalance is a fundamental challenge in classification, where minority classes are rare."
    line = "In this talk, I will examine imbalanced classification in high dimensions and a truncation phenomenon. " * 2
    assert continuation_score([motivation], line, similarity_z=0.0) >= SegmenterParams().threshold


def test_similar_consecutive_paragraphs_score_higher_than_dissimilar_ones():
    line = "We analyse a two-layer network trained with gradient flow and prove a margin bound for it on such data. " * 3
    assert continuation_score([INTRO], line, similarity_z=3.0) > continuation_score([INTRO], line, similarity_z=-3.0)


def test_segment_joins_a_continuation_and_attaches_notes_then_starts_anew():
    texts = [
        INTRO,
        "In the second part of the talk, I will turn to the role of momentum and show a matching lower bound.",
        "Joint work with Alice Smith and Bob Jones.",
        "https://arxiv.org/abs/2101.00001",
        "Bio",
        "Jane Doe is a professor at a university, working on optimisation.",
        "We study how transformers learn in-context. In this talk, we show that one layer of attention suffices. " * 2,
    ]
    segments = segment([Line(n, t) for n, t in enumerate(texts, start=1)], embed=None)
    assert [(s.start, s.end) for s in segments] == [(1, 6), (7, 7)]


# ------------------------------------------------------------------ talks of the seed


def test_seed_has_210_talks(seed_talks):
    assert len(seed_talks[0]) == 210


def test_seed_talks_match_the_dev_set_line_ranges(seed_talks, gold):
    ours = sorted(sorted(map(tuple, t.lines)) for t in seed_talks[0])
    theirs = sorted(sorted(map(tuple, t["lines"])) for t in gold["talks"])
    assert ours == theirs


def test_duplicated_abstracts_are_one_talk_listing_both_line_ranges(seed_talks):
    talks, duplicates = seed_talks
    assert duplicates == 3
    assert sorted(t.lines for t in talks if len(t.lines) > 1) == [
        [(59, 59), (79, 79)],
        [(142, 142), (152, 152)],
        [(195, 195), (219, 219)],
    ]


def test_speakers_named_by_a_bio_match_the_dev_set(talks_by_lines, gold):
    labelled = [g for g in gold["talks"] if g["speaker"]]
    matched = [g for g in labelled if talks_by_lines[tuple(map(tuple, g["lines"]))].speaker == g["speaker"]]
    print(f"\nspeakers: {len(matched)}/{len(labelled)} match the dev set")
    assert len(labelled) == 18
    assert len(matched) == len(labelled)


def test_no_speaker_is_invented_where_the_dev_set_has_none(talks_by_lines, gold):
    invented = {
        g["lines"][0][0]: t.speaker
        for g in gold["talks"]
        if not g["speaker"] and (t := talks_by_lines[tuple(map(tuple, g["lines"]))]).speaker
    }
    assert invented == {}


def test_coauthors_match_the_dev_set(talks_by_lines, gold):
    wrong = {
        g["lines"][0][0]: (g["coauthors"], t.coauthors)
        for g in gold["talks"]
        if set(g["coauthors"]) != set((t := talks_by_lines[tuple(map(tuple, g["lines"]))]).coauthors)
    }
    print(f"\nco-authors: {len(gold['talks']) - len(wrong)}/{len(gold['talks'])} talks as labelled")
    assert wrong == {}


def test_every_title_has_at_most_12_words(seed_talks):
    for talk in seed_talks[0]:
        words = talk.title.removesuffix(" …").split()
        assert 1 <= len(words) <= 12, talk.title


def test_every_arxiv_link_is_normalised_to_its_abs_page(seed_talks):
    arxiv = [link for talk in seed_talks[0] for link in talk.links if "arxiv" in link.lower()]
    assert arxiv, "the seed cites arXiv papers"
    for link in arxiv:
        assert re.fullmatch(r"https://arxiv\.org/abs/\d{4}\.\d{4,5}", link), link


def test_every_arxiv_id_in_a_talk_is_among_its_links(seed_talks):
    for talk in seed_talks[0]:
        ids = set(re.findall(r"(?i)arxiv(?:\.org/(?:abs|pdf)/|:\s*|\s+)(\d{4}\.\d{4,5})", talk.text))
        assert {f"https://arxiv.org/abs/{i}" for i in ids} <= set(talk.links), talk.lines


# ------------------------------------------------------------------ derivations on single strings


@pytest.mark.parametrize(
    "text, links",
    [
        ("see https://arxiv.org/pdf/2006.05205v2.pdf.", ["https://arxiv.org/abs/2006.05205"]),
        ("arXiv:2105.00507 and arXiv 1906.04724", ["https://arxiv.org/abs/2105.00507", "https://arxiv.org/abs/1906.04724"]),
        (
            "References:https://arxiv.org/abs/2103.12692https://arxiv.org/abs/2108.04552",
            ["https://arxiv.org/abs/2103.12692", "https://arxiv.org/abs/2108.04552"],
        ),
        ("code at https://github.com/org/repo, paper https://openreview.net/forum?id=abc", ["https://github.com/org/repo", "https://openreview.net/forum?id=abc"]),
        ("This talk is based on 2408.14915.", ["https://arxiv.org/abs/2408.14915"]),  # a bare new-style arXiv id
        ("More at www.davidstutz.de. Papers in robotics.ntua.gr, mail a.b@uni.edu", ["https://www.davidstutz.de", "https://robotics.ntua.gr"]),
        ("We ran 1999.12345 steps; doi 10.1000/2408.14915", []),  # a year 19 has no new-style ids; a DOI is no id
    ],
)
def test_extract_links_normalises_arxiv_and_keeps_other_urls(text, links):
    assert extract_links(text) == links


def test_speaker_from_a_bio_heading_paragraph():
    assert speaker_from_bio("Bio: Mariya Toneva is a tenure-track faculty member.") == "Mariya Toneva"
    assert speaker_from_bio("He is a professor at MIT.") is None


def test_speaker_from_a_bio_inside_a_paragraph():
    text = "We show a bound. Based on https://arxiv.org/abs/2203.06176 (ICML 2022). Bio: Wei Hu is a postdoc at UC Berkeley."
    assert speaker_from_inline_bio(text) == "Wei Hu"
    assert speaker_from_inline_bio("Bio:I am currently a senior research scientist.") is None


def test_coauthors_from_joint_work_notes():
    assert extract_coauthors("Joint with Y. Arjevani, J. Bruna, E. Polak and M. Trager (https://arxiv.org/abs/2501.06074).") == [
        "Y. Arjevani",
        "J. Bruna",
        "E. Polak",
        "M. Trager",
    ]
    assert extract_coauthors("In a collaboration with IBM Research, later work improves robustness.") == []
