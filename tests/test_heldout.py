"""The held-out questions (eval/data/questions-heldout.jsonl, issue 20; questions-heldout2.jsonl to
questions-heldout61.jsonl, issue 23) and the loader's new fields.

The held-out sets were written blind from data/abstracts.txt; these tests check their shape only
(no answers are generated), so they guard it without anyone looking at answers to it. Gold ranges
are checked against the talk split labelled by hand in tests/data/seed_segments.json, and once
against the real index of the seed corpus (as test_eval.py does for the dev set).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from itertools import combinations

import pytest

from app.core.errors import InputError
from eval.dataset import (AGGREGATE_TYPES, DEV_V3_QUESTIONS, HELDOUT2_QUESTIONS, HELDOUT3_QUESTIONS, HELDOUT4_QUESTIONS,
                          HELDOUT5_QUESTIONS, HELDOUT6_QUESTIONS, HELDOUT7_QUESTIONS, HELDOUT8_QUESTIONS, HELDOUT9_QUESTIONS,
                          HELDOUT10_QUESTIONS, HELDOUT11_QUESTIONS, HELDOUT12_QUESTIONS, HELDOUT13_QUESTIONS,
                          HELDOUT14_QUESTIONS, HELDOUT15_QUESTIONS, HELDOUT16_QUESTIONS, HELDOUT17_QUESTIONS,
                          HELDOUT18_QUESTIONS, HELDOUT19_QUESTIONS, HELDOUT20_QUESTIONS, HELDOUT21_QUESTIONS, HELDOUT22_QUESTIONS,
                          HELDOUT23_QUESTIONS, HELDOUT24_QUESTIONS, HELDOUT25_QUESTIONS, HELDOUT26_QUESTIONS, HELDOUT27_QUESTIONS, HELDOUT28_QUESTIONS,
                          HELDOUT29_QUESTIONS, HELDOUT30_QUESTIONS, HELDOUT31_QUESTIONS, HELDOUT32_QUESTIONS, HELDOUT33_QUESTIONS,
                          HELDOUT34_QUESTIONS, HELDOUT35_QUESTIONS, HELDOUT36_QUESTIONS, HELDOUT37_QUESTIONS, HELDOUT38_QUESTIONS, HELDOUT39_QUESTIONS, HELDOUT40_QUESTIONS, HELDOUT41_QUESTIONS, HELDOUT42_QUESTIONS, HELDOUT43_QUESTIONS, HELDOUT44_QUESTIONS, HELDOUT45_QUESTIONS, HELDOUT46_QUESTIONS, HELDOUT47_QUESTIONS, HELDOUT48_QUESTIONS, HELDOUT49_QUESTIONS, HELDOUT50_QUESTIONS, HELDOUT51_QUESTIONS, HELDOUT52_QUESTIONS, HELDOUT53_QUESTIONS, HELDOUT54_QUESTIONS, HELDOUT55_QUESTIONS, HELDOUT56_QUESTIONS, HELDOUT57_QUESTIONS, HELDOUT58_QUESTIONS, HELDOUT59_QUESTIONS, HELDOUT60_QUESTIONS, HELDOUT61_QUESTIONS, HELDOUT_QUESTIONS,
                          QUESTIONS, TYPES,
                          attach_gold, load_questions)

from support.settings import SEED_SEGMENTS

#: The field each new type needs, and only that type may carry.
TYPE_FIELD = {"counting": "count", "yes_no": "polarity", "follow_up": "history"}
#: Every question file, in the order they were written.
ALL_FILES = (QUESTIONS, HELDOUT_QUESTIONS, DEV_V3_QUESTIONS, HELDOUT2_QUESTIONS, HELDOUT3_QUESTIONS, HELDOUT4_QUESTIONS,
             HELDOUT5_QUESTIONS, HELDOUT6_QUESTIONS, HELDOUT7_QUESTIONS, HELDOUT8_QUESTIONS, HELDOUT9_QUESTIONS,
             HELDOUT10_QUESTIONS, HELDOUT11_QUESTIONS, HELDOUT12_QUESTIONS, HELDOUT13_QUESTIONS,
             HELDOUT14_QUESTIONS, HELDOUT15_QUESTIONS, HELDOUT16_QUESTIONS, HELDOUT17_QUESTIONS,
             HELDOUT18_QUESTIONS, HELDOUT19_QUESTIONS, HELDOUT20_QUESTIONS, HELDOUT21_QUESTIONS, HELDOUT22_QUESTIONS,
             HELDOUT23_QUESTIONS, HELDOUT24_QUESTIONS, HELDOUT25_QUESTIONS, HELDOUT26_QUESTIONS, HELDOUT27_QUESTIONS,
             HELDOUT28_QUESTIONS, HELDOUT29_QUESTIONS, HELDOUT30_QUESTIONS, HELDOUT31_QUESTIONS,
             HELDOUT32_QUESTIONS, HELDOUT33_QUESTIONS, HELDOUT34_QUESTIONS,
             HELDOUT35_QUESTIONS, HELDOUT36_QUESTIONS, HELDOUT37_QUESTIONS, HELDOUT38_QUESTIONS, HELDOUT39_QUESTIONS, HELDOUT40_QUESTIONS, HELDOUT41_QUESTIONS, HELDOUT42_QUESTIONS, HELDOUT43_QUESTIONS, HELDOUT44_QUESTIONS, HELDOUT45_QUESTIONS, HELDOUT46_QUESTIONS, HELDOUT47_QUESTIONS, HELDOUT48_QUESTIONS, HELDOUT49_QUESTIONS, HELDOUT50_QUESTIONS, HELDOUT51_QUESTIONS, HELDOUT52_QUESTIONS, HELDOUT53_QUESTIONS, HELDOUT54_QUESTIONS, HELDOUT55_QUESTIONS, HELDOUT56_QUESTIONS, HELDOUT57_QUESTIONS, HELDOUT58_QUESTIONS, HELDOUT59_QUESTIONS, HELDOUT60_QUESTIONS, HELDOUT61_QUESTIONS)
HELDOUT_FILES = pytest.mark.parametrize("path",
                                        [HELDOUT_QUESTIONS, HELDOUT2_QUESTIONS, HELDOUT3_QUESTIONS, HELDOUT4_QUESTIONS,
                                         HELDOUT5_QUESTIONS, HELDOUT6_QUESTIONS, HELDOUT7_QUESTIONS, HELDOUT8_QUESTIONS,
                                         HELDOUT9_QUESTIONS, HELDOUT10_QUESTIONS, HELDOUT11_QUESTIONS, HELDOUT12_QUESTIONS,
                                         HELDOUT13_QUESTIONS, HELDOUT14_QUESTIONS, HELDOUT15_QUESTIONS,
                                         HELDOUT16_QUESTIONS, HELDOUT17_QUESTIONS, HELDOUT18_QUESTIONS,
                                         HELDOUT19_QUESTIONS, HELDOUT20_QUESTIONS, HELDOUT21_QUESTIONS,
                                         HELDOUT22_QUESTIONS, HELDOUT23_QUESTIONS, HELDOUT24_QUESTIONS,
                                         HELDOUT25_QUESTIONS, HELDOUT26_QUESTIONS, HELDOUT27_QUESTIONS,
                                         HELDOUT28_QUESTIONS, HELDOUT29_QUESTIONS, HELDOUT30_QUESTIONS,
                                         HELDOUT31_QUESTIONS, HELDOUT32_QUESTIONS, HELDOUT33_QUESTIONS,
                                         HELDOUT34_QUESTIONS, HELDOUT35_QUESTIONS, HELDOUT36_QUESTIONS, HELDOUT37_QUESTIONS, HELDOUT38_QUESTIONS, HELDOUT39_QUESTIONS, HELDOUT40_QUESTIONS, HELDOUT41_QUESTIONS, HELDOUT42_QUESTIONS, HELDOUT43_QUESTIONS, HELDOUT44_QUESTIONS, HELDOUT45_QUESTIONS, HELDOUT46_QUESTIONS, HELDOUT47_QUESTIONS, HELDOUT48_QUESTIONS, HELDOUT49_QUESTIONS, HELDOUT50_QUESTIONS, HELDOUT51_QUESTIONS, HELDOUT52_QUESTIONS, HELDOUT53_QUESTIONS, HELDOUT54_QUESTIONS, HELDOUT55_QUESTIONS, HELDOUT56_QUESTIONS, HELDOUT57_QUESTIONS, HELDOUT58_QUESTIONS, HELDOUT59_QUESTIONS, HELDOUT60_QUESTIONS, HELDOUT61_QUESTIONS],
                                        ids=["held-out", "held-out-2", "held-out-3", "held-out-4", "held-out-5",
                                             "held-out-6", "held-out-7", "held-out-8", "held-out-9", "held-out-10",
                                             "held-out-11", "held-out-12", "held-out-13", "held-out-14",
                                             "held-out-15", "held-out-16", "held-out-17", "held-out-18",
                                             "held-out-19", "held-out-20", "held-out-21", "held-out-22",
                                             "held-out-23", "held-out-24", "held-out-25", "held-out-26", "held-out-27",
                                             "held-out-28", "held-out-29", "held-out-30", "held-out-31",
                                             "held-out-32", "held-out-33", "held-out-34", "held-out-35", "held-out-36", "held-out-37", "held-out-38", "held-out-39", "held-out-40", "held-out-41", "held-out-42", "held-out-43", "held-out-44", "held-out-45", "held-out-46", "held-out-47", "held-out-48", "held-out-49", "held-out-50", "held-out-51", "held-out-52", "held-out-53", "held-out-54", "held-out-55", "held-out-56", "held-out-57", "held-out-58", "held-out-59", "held-out-60", "held-out-61"])
#: The held-out files that ask yes/no questions (held-out-7 to held-out-16, held-out-18 to held-out-51 have none), each with the
#: fewest answers of each polarity it must have: held-out-17 has only five yes/no questions (2 yes, 3 no), so it
#: needs two of each; held-out-52 has ten (5 yes, 5 no); held-out-53 and held-out-54 have six each (3 yes, 3 no); held-out-55 to held-out-61 have eight each (4 yes, 4 no).
YES_NO_FILES = pytest.mark.parametrize("path, least",
                                       [(HELDOUT_QUESTIONS, 3), (HELDOUT2_QUESTIONS, 3), (HELDOUT3_QUESTIONS, 3),
                                        (HELDOUT4_QUESTIONS, 3), (HELDOUT5_QUESTIONS, 3), (HELDOUT6_QUESTIONS, 3),
                                        (HELDOUT17_QUESTIONS, 2), (HELDOUT52_QUESTIONS, 5), (HELDOUT53_QUESTIONS, 3),
                                        (HELDOUT54_QUESTIONS, 3), (HELDOUT55_QUESTIONS, 4), (HELDOUT56_QUESTIONS, 4), (HELDOUT57_QUESTIONS, 4), (HELDOUT58_QUESTIONS, 4), (HELDOUT59_QUESTIONS, 4), (HELDOUT60_QUESTIONS, 4), (HELDOUT61_QUESTIONS, 4)],
                                       ids=["held-out", "held-out-2", "held-out-3", "held-out-4", "held-out-5",
                                            "held-out-6", "held-out-17", "held-out-52", "held-out-53", "held-out-54", "held-out-55", "held-out-56", "held-out-57", "held-out-58", "held-out-59", "held-out-60", "held-out-61"])


@pytest.fixture(scope="module")
def heldout():
    return load_questions(HELDOUT_QUESTIONS)


@pytest.fixture(scope="module")
def dev():
    return load_questions(QUESTIONS)


@pytest.fixture(scope="module", params=[HELDOUT_QUESTIONS, DEV_V3_QUESTIONS, HELDOUT2_QUESTIONS, HELDOUT3_QUESTIONS,
                                        HELDOUT4_QUESTIONS, HELDOUT5_QUESTIONS, HELDOUT6_QUESTIONS, HELDOUT7_QUESTIONS,
                                        HELDOUT8_QUESTIONS, HELDOUT9_QUESTIONS, HELDOUT10_QUESTIONS, HELDOUT11_QUESTIONS,
                                        HELDOUT12_QUESTIONS, HELDOUT13_QUESTIONS, HELDOUT14_QUESTIONS, HELDOUT15_QUESTIONS,
                                        HELDOUT16_QUESTIONS, HELDOUT17_QUESTIONS, HELDOUT18_QUESTIONS, HELDOUT19_QUESTIONS,
                                        HELDOUT20_QUESTIONS, HELDOUT21_QUESTIONS, HELDOUT22_QUESTIONS, HELDOUT23_QUESTIONS,
                                        HELDOUT24_QUESTIONS, HELDOUT25_QUESTIONS, HELDOUT26_QUESTIONS, HELDOUT27_QUESTIONS,
                                        HELDOUT28_QUESTIONS, HELDOUT29_QUESTIONS, HELDOUT30_QUESTIONS,
                                        HELDOUT31_QUESTIONS, HELDOUT32_QUESTIONS, HELDOUT33_QUESTIONS, HELDOUT34_QUESTIONS,
                                        HELDOUT35_QUESTIONS, HELDOUT36_QUESTIONS, HELDOUT37_QUESTIONS, HELDOUT38_QUESTIONS, HELDOUT39_QUESTIONS, HELDOUT40_QUESTIONS, HELDOUT41_QUESTIONS, HELDOUT42_QUESTIONS, HELDOUT43_QUESTIONS, HELDOUT44_QUESTIONS, HELDOUT45_QUESTIONS, HELDOUT46_QUESTIONS, HELDOUT47_QUESTIONS, HELDOUT48_QUESTIONS, HELDOUT49_QUESTIONS, HELDOUT50_QUESTIONS, HELDOUT51_QUESTIONS, HELDOUT52_QUESTIONS, HELDOUT53_QUESTIONS, HELDOUT54_QUESTIONS, HELDOUT55_QUESTIONS, HELDOUT56_QUESTIONS, HELDOUT57_QUESTIONS, HELDOUT58_QUESTIONS, HELDOUT59_QUESTIONS, HELDOUT60_QUESTIONS, HELDOUT61_QUESTIONS],
                ids=["held-out", "dev-v3", "held-out-2", "held-out-3", "held-out-4", "held-out-5", "held-out-6",
                     "held-out-7", "held-out-8", "held-out-9", "held-out-10", "held-out-11", "held-out-12",
                     "held-out-13", "held-out-14", "held-out-15", "held-out-16", "held-out-17", "held-out-18",
                     "held-out-19", "held-out-20", "held-out-21", "held-out-22", "held-out-23", "held-out-24",
                     "held-out-25", "held-out-26", "held-out-27", "held-out-28", "held-out-29", "held-out-30",
                     "held-out-31", "held-out-32", "held-out-33", "held-out-34", "held-out-35", "held-out-36", "held-out-37", "held-out-38", "held-out-39", "held-out-40", "held-out-41", "held-out-42", "held-out-43", "held-out-44", "held-out-45", "held-out-46", "held-out-47", "held-out-48", "held-out-49", "held-out-50", "held-out-51", "held-out-52", "held-out-53", "held-out-54", "held-out-55", "held-out-56", "held-out-57", "held-out-58", "held-out-59", "held-out-60", "held-out-61"])
def written(request):
    """Each file of questions written with issue 23's new types (the held-out sets and the new dev part)."""
    return load_questions(request.param)


@pytest.fixture(scope="module")
def labelled_talks():
    """Each hand-labelled talk occurrence of the corpus as a (start, end) range, and the corpus length."""
    seed = json.loads(SEED_SEGMENTS.read_text(encoding="utf-8"))
    return {tuple(r) for talk in seed["talks"] for r in talk["lines"]}, seed["n_lines"]


def normalised(text: str) -> str:
    return " ".join(text.lower().split())


def yes_no_talks(path) -> list:
    """The talk of each yes/no question of a file (each is a one-talk gold range)."""
    return [tuple(map(tuple, q.gold_lines)) for q in load_questions(path) if q.type == "yes_no"]


def comparison_pairs(path) -> list:
    """The talks of each comparison of a file (two; three for two of held-out-52's), by start line, in no particular order."""
    return [frozenset(r[0] for r in q.gold_lines) for q in load_questions(path) if q.type == "comparison"]


def talk_pairs(comparisons) -> set:
    """Every pair of talks that some comparison compares (a three-talk comparison compares three pairs)."""
    return {frozenset(pair) for talks in comparisons for pair in combinations(sorted(talks), 2)}


def test_heldout_has_at_least_70_questions_of_every_type(heldout):
    counts = Counter(q.type for q in heldout)
    assert len(heldout) >= 70
    assert set(counts) == set(TYPES) | set(AGGREGATE_TYPES)
    assert min(counts.values()) >= 6 and counts["counting"] >= 8


#: Each later held-out file's planned mix (a type it does not have, e.g. held-out-6's comparisons, is simply absent),
#: id prefix and yes/no split (eval/data/README.md); the number of questions is the sum of the mix.
#: The mix of held-out-55 on (issue 23's answers v3): lists, yes/no, comparisons, follow-ups, unanswerable; 4 yes, 4 no.
ANSWERS_V3_MIX = {"multi_talk": 12, "yes_no": 8, "comparison": 6, "follow_up": 10, "unanswerable": 9}
FOUR_YES_FOUR_NO = {"yes": 4, "no": 4}

PLANNED = pytest.mark.parametrize("path, mix, prefix, polarities", [
    (HELDOUT2_QUESTIONS, {"yes_no": 20, "comparison": 10, "follow_up": 10, "counting": 8}, "k", {"yes": 10, "no": 10}),
    (HELDOUT3_QUESTIONS, {"yes_no": 12, "comparison": 12, "follow_up": 16, "counting": 8}, "m", {"yes": 6, "no": 6}),
    (HELDOUT4_QUESTIONS, {"yes_no": 10, "comparison": 10, "follow_up": 18, "counting": 10}, "n", {"yes": 5, "no": 5}),
    (HELDOUT5_QUESTIONS, {"yes_no": 10, "comparison": 10, "follow_up": 16, "counting": 12}, "p", {"yes": 5, "no": 5}),
    (HELDOUT6_QUESTIONS, {"counting": 24, "follow_up": 10, "yes_no": 6}, "r", {"yes": 3, "no": 3}),
    (HELDOUT7_QUESTIONS, {"counting": 30, "follow_up": 10}, "s", {}),
    (HELDOUT8_QUESTIONS, {"counting": 20, "multi_talk": 12, "follow_up": 8}, "u", {}),
    (HELDOUT9_QUESTIONS, {"counting": 24, "multi_talk": 10, "follow_up": 6}, "v", {}),
    (HELDOUT10_QUESTIONS, {"counting": 20, "multi_talk": 20}, "x", {}),
    (HELDOUT11_QUESTIONS, {"speaker_bio": 16, "link_reference": 16}, "y", {}),
    (HELDOUT12_QUESTIONS, {"speaker_bio": 20, "link_reference": 20}, "z", {}),
    (HELDOUT13_QUESTIONS, {"speaker_bio": 14, "link_reference": 14, "unanswerable": 12}, "w", {}),
    (HELDOUT14_QUESTIONS, {"speaker_bio": 10, "link_reference": 10, "unanswerable": 20}, "j", {}),
    (HELDOUT15_QUESTIONS, {"unanswerable": 20, "speaker_bio": 10, "link_reference": 10}, "g", {}),
    (HELDOUT16_QUESTIONS, {"unanswerable": 20, "speaker_bio": 6, "link_reference": 6, "factual": 8}, "e", {}),
    (HELDOUT17_QUESTIONS, {t: 5 for t in TYPES + AGGREGATE_TYPES}, "t", {"yes": 2, "no": 3}),
    (HELDOUT18_QUESTIONS, {"factual": 10, "conceptual": 8, "speaker_bio": 6, "link_reference": 6, "unanswerable": 10}, "l",
     {}),
    (HELDOUT19_QUESTIONS, {"follow_up": 20}, "o", {}),
    (HELDOUT20_QUESTIONS, {"factual": 10, "conceptual": 10, "speaker_bio": 5, "link_reference": 5, "unanswerable": 15},
     "a", {}),
    (HELDOUT21_QUESTIONS, {"follow_up": 20}, "i", {}),
    (HELDOUT22_QUESTIONS, {"factual": 8, "conceptual": 8, "speaker_bio": 7, "link_reference": 7, "unanswerable": 15},
     "b", {}),
    (HELDOUT23_QUESTIONS, {"factual": 8, "conceptual": 8, "speaker_bio": 7, "link_reference": 7, "unanswerable": 15},
     "ev", {}),
    (HELDOUT24_QUESTIONS, {"factual": 8, "conceptual": 8, "speaker_bio": 7, "link_reference": 7, "unanswerable": 15},
     "ew", {}),
    (HELDOUT25_QUESTIONS, {"factual": 8, "conceptual": 8, "speaker_bio": 7, "link_reference": 7, "unanswerable": 15},
     "ex", {}),
    (HELDOUT26_QUESTIONS, {"factual": 8, "conceptual": 10, "speaker_bio": 6, "link_reference": 6, "unanswerable": 15},
     "ey", {}),
    (HELDOUT27_QUESTIONS, {"factual": 6, "conceptual": 12, "speaker_bio": 6, "link_reference": 6, "unanswerable": 15},
     "ez", {}),
    (HELDOUT28_QUESTIONS, {"factual": 6, "conceptual": 12, "speaker_bio": 6, "link_reference": 6, "unanswerable": 15},
     "fa", {}),
    (HELDOUT29_QUESTIONS, {"factual": 6, "conceptual": 12, "speaker_bio": 6, "link_reference": 6, "unanswerable": 15},
     "fb", {}),
    (HELDOUT30_QUESTIONS, {"factual": 6, "conceptual": 12, "speaker_bio": 6, "link_reference": 6, "unanswerable": 15},
     "fc", {}),
    (HELDOUT31_QUESTIONS, {"factual": 6, "conceptual": 12, "speaker_bio": 6, "link_reference": 6, "unanswerable": 15},
     "fd", {}),
    (HELDOUT32_QUESTIONS, {"factual": 6, "conceptual": 12, "speaker_bio": 6, "link_reference": 6, "unanswerable": 15},
     "fe", {}),
    (HELDOUT33_QUESTIONS, {"factual": 6, "conceptual": 12, "speaker_bio": 6, "link_reference": 6, "unanswerable": 15},
     "ff", {}),
    (HELDOUT34_QUESTIONS, {"factual": 6, "conceptual": 12, "speaker_bio": 6, "link_reference": 6, "unanswerable": 15},
     "fg", {}),
    (HELDOUT35_QUESTIONS, {"factual": 6, "conceptual": 12, "speaker_bio": 6, "link_reference": 6, "unanswerable": 15},
     "fh", {}),
    (HELDOUT36_QUESTIONS, {"factual": 6, "conceptual": 12, "speaker_bio": 6, "link_reference": 6, "unanswerable": 15},
     "fi", {}),
    (HELDOUT37_QUESTIONS, {"factual": 6, "conceptual": 12, "speaker_bio": 6, "link_reference": 6, "unanswerable": 15},
     "fj", {}),
    (HELDOUT38_QUESTIONS, {"factual": 6, "conceptual": 12, "speaker_bio": 6, "link_reference": 6, "unanswerable": 15},
     "fk", {}),
    (HELDOUT39_QUESTIONS, {"factual": 6, "conceptual": 12, "comparison": 6, "multi_talk": 6, "unanswerable": 15},
     "fl", {}),
    (HELDOUT40_QUESTIONS, {"factual": 6, "conceptual": 8, "comparison": 4, "multi_talk": 6, "speaker_bio": 3,
                           "link_reference": 3, "unanswerable": 15}, "fm", {}),
    (HELDOUT41_QUESTIONS, {"factual": 6, "conceptual": 6, "comparison": 4, "multi_talk": 8, "speaker_bio": 3,
                           "link_reference": 3, "unanswerable": 15}, "fn", {}),
    (HELDOUT42_QUESTIONS, {"factual": 5, "conceptual": 5, "comparison": 4, "multi_talk": 10, "speaker_bio": 3,
                           "link_reference": 3, "unanswerable": 15}, "fo", {}),
    (HELDOUT43_QUESTIONS, {"factual": 4, "conceptual": 4, "multi_talk": 24, "unanswerable": 8}, "fp", {}),
    (HELDOUT44_QUESTIONS, {"factual": 3, "conceptual": 2, "multi_talk": 10, "speaker_bio": 12, "link_reference": 12,
                           "unanswerable": 6}, "fq", {}),
    (HELDOUT45_QUESTIONS, {"factual": 3, "conceptual": 3, "speaker_bio": 12, "link_reference": 12,
                           "unanswerable": 15}, "fr", {}),
    (HELDOUT46_QUESTIONS, {"factual": 3, "multi_talk": 5, "speaker_bio": 12, "link_reference": 10,
                           "unanswerable": 15}, "fs", {}),
    (HELDOUT47_QUESTIONS, {"factual": 2, "multi_talk": 3, "speaker_bio": 10, "link_reference": 10,
                           "unanswerable": 20}, "ft", {}),
    (HELDOUT48_QUESTIONS, {"factual": 4, "multi_talk": 5, "speaker_bio": 10, "link_reference": 8,
                           "unanswerable": 18}, "fu", {}),
    (HELDOUT49_QUESTIONS, {"factual": 6, "multi_talk": 14, "speaker_bio": 7, "link_reference": 3,
                           "unanswerable": 15}, "fv", {}),
    (HELDOUT50_QUESTIONS, {"factual": 5, "multi_talk": 16, "speaker_bio": 5, "link_reference": 4,
                           "unanswerable": 15}, "fw", {}),
    (HELDOUT51_QUESTIONS, {"factual": 5, "multi_talk": 16, "speaker_bio": 5, "link_reference": 4,
                           "unanswerable": 15}, "fx", {}),
    (HELDOUT52_QUESTIONS, {"comparison": 10, "yes_no": 10, "counting": 10, "follow_up": 15, "unanswerable": 5}, "fy",
     {"yes": 5, "no": 5}),
    (HELDOUT53_QUESTIONS, {"multi_talk": 12, "yes_no": 6, "comparison": 6, "speaker_bio": 5, "link_reference": 4,
                           "unanswerable": 12}, "fz", {"yes": 3, "no": 3}),
    (HELDOUT54_QUESTIONS, {"multi_talk": 12, "yes_no": 6, "comparison": 6, "follow_up": 10, "unanswerable": 11}, "ga",
     {"yes": 3, "no": 3}),
    (HELDOUT55_QUESTIONS, ANSWERS_V3_MIX, "gb", FOUR_YES_FOUR_NO),
    (HELDOUT56_QUESTIONS, ANSWERS_V3_MIX, "gc", FOUR_YES_FOUR_NO),
    (HELDOUT57_QUESTIONS, ANSWERS_V3_MIX, "gd", FOUR_YES_FOUR_NO),
    (HELDOUT58_QUESTIONS, ANSWERS_V3_MIX, "ge", FOUR_YES_FOUR_NO),
    (HELDOUT59_QUESTIONS, ANSWERS_V3_MIX, "gf", FOUR_YES_FOUR_NO),
    (HELDOUT60_QUESTIONS, ANSWERS_V3_MIX, "gg", FOUR_YES_FOUR_NO),
    (HELDOUT61_QUESTIONS, ANSWERS_V3_MIX, "gh", FOUR_YES_FOUR_NO),
], ids=["held-out-2", "held-out-3", "held-out-4", "held-out-5", "held-out-6", "held-out-7", "held-out-8", "held-out-9",
        "held-out-10", "held-out-11", "held-out-12", "held-out-13", "held-out-14", "held-out-15", "held-out-16",
        "held-out-17", "held-out-18", "held-out-19", "held-out-20", "held-out-21", "held-out-22", "held-out-23",
        "held-out-24", "held-out-25", "held-out-26", "held-out-27", "held-out-28", "held-out-29", "held-out-30",
        "held-out-31", "held-out-32", "held-out-33", "held-out-34", "held-out-35", "held-out-36", "held-out-37", "held-out-38", "held-out-39", "held-out-40", "held-out-41", "held-out-42", "held-out-43", "held-out-44", "held-out-45", "held-out-46", "held-out-47", "held-out-48", "held-out-49", "held-out-50", "held-out-51", "held-out-52", "held-out-53", "held-out-54", "held-out-55", "held-out-56", "held-out-57", "held-out-58", "held-out-59", "held-out-60", "held-out-61"])


@PLANNED
def test_a_later_heldout_file_has_its_questions_in_the_planned_mix(path, mix, prefix, polarities):
    questions = load_questions(path)
    assert Counter(q.type for q in questions) == mix
    assert [q.id for q in questions] == [f"{prefix}{n:03d}" for n in range(1, sum(mix.values()) + 1)]


@PLANNED
def test_a_later_heldout_files_yes_no_is_balanced_and_uses_each_talk_once(path, mix, prefix, polarities):
    assert Counter(q.polarity for q in load_questions(path) if q.type == "yes_no") == polarities
    talks = yes_no_talks(path)
    assert len(set(talks)) == len(talks) and all(len(t) == 1 for t in talks)


@pytest.mark.parametrize("path", [HELDOUT3_QUESTIONS, HELDOUT4_QUESTIONS, HELDOUT5_QUESTIONS, HELDOUT6_QUESTIONS,
                                  HELDOUT7_QUESTIONS, HELDOUT8_QUESTIONS, HELDOUT9_QUESTIONS, HELDOUT10_QUESTIONS,
                                  HELDOUT11_QUESTIONS, HELDOUT12_QUESTIONS, HELDOUT13_QUESTIONS,
                                  HELDOUT14_QUESTIONS, HELDOUT15_QUESTIONS, HELDOUT16_QUESTIONS, HELDOUT17_QUESTIONS,
                                  HELDOUT18_QUESTIONS, HELDOUT19_QUESTIONS, HELDOUT20_QUESTIONS, HELDOUT21_QUESTIONS,
                                  HELDOUT22_QUESTIONS, HELDOUT23_QUESTIONS, HELDOUT24_QUESTIONS, HELDOUT25_QUESTIONS,
                                  HELDOUT26_QUESTIONS, HELDOUT27_QUESTIONS, HELDOUT28_QUESTIONS, HELDOUT29_QUESTIONS,
                                  HELDOUT30_QUESTIONS, HELDOUT31_QUESTIONS, HELDOUT32_QUESTIONS, HELDOUT33_QUESTIONS,
                                  HELDOUT34_QUESTIONS, HELDOUT35_QUESTIONS, HELDOUT36_QUESTIONS, HELDOUT37_QUESTIONS, HELDOUT38_QUESTIONS, HELDOUT39_QUESTIONS, HELDOUT40_QUESTIONS, HELDOUT41_QUESTIONS, HELDOUT42_QUESTIONS, HELDOUT43_QUESTIONS, HELDOUT44_QUESTIONS, HELDOUT45_QUESTIONS, HELDOUT46_QUESTIONS, HELDOUT47_QUESTIONS, HELDOUT48_QUESTIONS, HELDOUT49_QUESTIONS, HELDOUT50_QUESTIONS, HELDOUT51_QUESTIONS, HELDOUT52_QUESTIONS, HELDOUT53_QUESTIONS, HELDOUT54_QUESTIONS, HELDOUT55_QUESTIONS, HELDOUT56_QUESTIONS, HELDOUT57_QUESTIONS, HELDOUT58_QUESTIONS, HELDOUT59_QUESTIONS, HELDOUT60_QUESTIONS, HELDOUT61_QUESTIONS],
                         ids=["held-out-3", "held-out-4", "held-out-5", "held-out-6", "held-out-7", "held-out-8",
                              "held-out-9", "held-out-10", "held-out-11", "held-out-12", "held-out-13",
                              "held-out-14", "held-out-15", "held-out-16", "held-out-17", "held-out-18",
                              "held-out-19", "held-out-20", "held-out-21", "held-out-22", "held-out-23",
                              "held-out-24", "held-out-25", "held-out-26", "held-out-27", "held-out-28", "held-out-29",
                              "held-out-30", "held-out-31", "held-out-32", "held-out-33", "held-out-34", "held-out-35", "held-out-36", "held-out-37", "held-out-38", "held-out-39", "held-out-40", "held-out-41", "held-out-42", "held-out-43", "held-out-44", "held-out-45", "held-out-46", "held-out-47", "held-out-48", "held-out-49", "held-out-50", "held-out-51", "held-out-52", "held-out-53", "held-out-54", "held-out-55", "held-out-56", "held-out-57", "held-out-58", "held-out-59", "held-out-60", "held-out-61"])
def test_a_new_heldout_file_asks_yes_no_only_about_talks_no_earlier_file_does(path):
    earlier = {t for p in ALL_FILES[:ALL_FILES.index(path)] for t in yes_no_talks(p)}
    assert set(yes_no_talks(path)) & earlier == set()


@pytest.mark.parametrize("path, turns", [(HELDOUT3_QUESTIONS, {1: 13, 2: 3}), (HELDOUT4_QUESTIONS, {1: 14, 2: 4}),
                                         (HELDOUT5_QUESTIONS, {1: 13, 2: 3}), (HELDOUT6_QUESTIONS, {1: 9, 2: 1}),
                                         (HELDOUT7_QUESTIONS, {1: 10}), (HELDOUT8_QUESTIONS, {1: 8}),
                                         (HELDOUT9_QUESTIONS, {1: 6}), (HELDOUT10_QUESTIONS, {}),
                                         (HELDOUT11_QUESTIONS, {}), (HELDOUT12_QUESTIONS, {}), (HELDOUT13_QUESTIONS, {}),
                                         (HELDOUT14_QUESTIONS, {}), (HELDOUT15_QUESTIONS, {}), (HELDOUT16_QUESTIONS, {}),
                                         (HELDOUT17_QUESTIONS, {1: 5}), (HELDOUT18_QUESTIONS, {}),
                                         (HELDOUT19_QUESTIONS, {1: 20}), (HELDOUT20_QUESTIONS, {}),
                                         (HELDOUT21_QUESTIONS, {1: 20}), (HELDOUT22_QUESTIONS, {}),
                                         (HELDOUT23_QUESTIONS, {}), (HELDOUT24_QUESTIONS, {}),
                                         (HELDOUT25_QUESTIONS, {}), (HELDOUT26_QUESTIONS, {}),
                                         (HELDOUT27_QUESTIONS, {}), (HELDOUT28_QUESTIONS, {}),
                                         (HELDOUT29_QUESTIONS, {}), (HELDOUT30_QUESTIONS, {}),
                                         (HELDOUT31_QUESTIONS, {}), (HELDOUT32_QUESTIONS, {}), (HELDOUT33_QUESTIONS, {}),
                                         (HELDOUT34_QUESTIONS, {}), (HELDOUT35_QUESTIONS, {}), (HELDOUT36_QUESTIONS, {}), (HELDOUT37_QUESTIONS, {}), (HELDOUT38_QUESTIONS, {}), (HELDOUT39_QUESTIONS, {}), (HELDOUT40_QUESTIONS, {}), (HELDOUT41_QUESTIONS, {}), (HELDOUT42_QUESTIONS, {}), (HELDOUT43_QUESTIONS, {}), (HELDOUT44_QUESTIONS, {}), (HELDOUT45_QUESTIONS, {}), (HELDOUT46_QUESTIONS, {}), (HELDOUT47_QUESTIONS, {}), (HELDOUT48_QUESTIONS, {}), (HELDOUT49_QUESTIONS, {}), (HELDOUT50_QUESTIONS, {}), (HELDOUT51_QUESTIONS, {}), (HELDOUT52_QUESTIONS, {1: 15}), (HELDOUT53_QUESTIONS, {}), (HELDOUT54_QUESTIONS, {1: 10}), (HELDOUT55_QUESTIONS, {1: 10}), (HELDOUT56_QUESTIONS, {1: 10}), (HELDOUT57_QUESTIONS, {1: 10}), (HELDOUT58_QUESTIONS, {1: 10}), (HELDOUT59_QUESTIONS, {1: 10}), (HELDOUT60_QUESTIONS, {1: 10}), (HELDOUT61_QUESTIONS, {1: 10})],
                         ids=["held-out-3", "held-out-4", "held-out-5", "held-out-6", "held-out-7", "held-out-8",
                              "held-out-9", "held-out-10", "held-out-11", "held-out-12", "held-out-13",
                              "held-out-14", "held-out-15", "held-out-16", "held-out-17", "held-out-18",
                              "held-out-19", "held-out-20", "held-out-21", "held-out-22", "held-out-23",
                              "held-out-24", "held-out-25", "held-out-26", "held-out-27", "held-out-28", "held-out-29",
                              "held-out-30", "held-out-31", "held-out-32", "held-out-33", "held-out-34", "held-out-35", "held-out-36", "held-out-37", "held-out-38", "held-out-39", "held-out-40", "held-out-41", "held-out-42", "held-out-43", "held-out-44", "held-out-45", "held-out-46", "held-out-47", "held-out-48", "held-out-49", "held-out-50", "held-out-51", "held-out-52", "held-out-53", "held-out-54", "held-out-55", "held-out-56", "held-out-57", "held-out-58", "held-out-59", "held-out-60", "held-out-61"])
def test_some_follow_ups_have_two_earlier_turns(path, turns):
    assert Counter(len(q.history) for q in load_questions(path) if q.type == "follow_up") == turns


@pytest.mark.parametrize("position", [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
                                      26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62],
                         ids=["held-out-3", "held-out-4", "held-out-5", "held-out-6", "held-out-7", "held-out-8",
                              "held-out-9", "held-out-10", "held-out-11", "held-out-12", "held-out-13",
                              "held-out-14", "held-out-15", "held-out-16", "held-out-17", "held-out-18",
                              "held-out-19", "held-out-20", "held-out-21", "held-out-22", "held-out-23",
                              "held-out-24", "held-out-25", "held-out-26", "held-out-27", "held-out-28", "held-out-29",
                              "held-out-30", "held-out-31", "held-out-32", "held-out-33", "held-out-34", "held-out-35", "held-out-36", "held-out-37", "held-out-38", "held-out-39", "held-out-40", "held-out-41", "held-out-42", "held-out-43", "held-out-44", "held-out-45", "held-out-46", "held-out-47", "held-out-48", "held-out-49", "held-out-50", "held-out-51", "held-out-52", "held-out-53", "held-out-54", "held-out-55", "held-out-56", "held-out-57", "held-out-58", "held-out-59", "held-out-60", "held-out-61"])
def test_heldout_comparisons_pair_two_talks_no_earlier_file_compares(position):
    # held-out-6 to held-out-16 have no comparisons: an empty list passes, and guards that none slips in paired like an earlier one;
    # held-out-17 has five; held-out-18 to held-out-38 have none; held-out-39 has six; held-out-40 to held-out-42 have four each; held-out-43 to held-out-51 have none;
    # held-out-52 has ten, two of them of three talks (from held-out-52 on, no pair inside one may have been compared before); held-out-53 to held-out-61 have six each, all of two talks.
    new = comparison_pairs(ALL_FILES[position])
    assert all(len(p) == 2 or (len(p) == 3 and position >= ALL_FILES.index(HELDOUT52_QUESTIONS)) for p in new)
    assert len(set(new)) == len(new)
    assert talk_pairs(new) & talk_pairs(p for path in ALL_FILES[:position] for p in comparison_pairs(path)) == set()


def test_ids_are_unique_across_all_question_files():
    ids = [q.id for path in ALL_FILES for q in load_questions(path)]
    assert [i for i, n in Counter(ids).items() if n > 1] == []


def test_every_gold_range_is_a_labelled_talk_of_the_corpus(written, labelled_talks):
    talks, n_lines = labelled_talks
    ranges = [(q.id, tuple(r)) for q in written for r in q.gold_lines]
    assert all(1 <= start <= end <= n_lines for _, (start, end) in ranges)
    assert [(qid, r) for qid, r in ranges if r not in talks] == []


def test_each_new_field_is_set_exactly_where_its_type_needs_it(written):
    for q in written:
        for type_, name in TYPE_FIELD.items():
            assert bool(getattr(q, name)) == (q.type == type_), f"{q.id}: {name} on a {q.type} question"


def test_a_count_is_the_number_of_gold_talks(written):
    assert [q.id for q in written if q.type == "counting" and q.count != len(q.gold_lines)] == []


@YES_NO_FILES
def test_yes_and_no_answers_are_both_well_represented(path, least):
    polarities = Counter(q.polarity for q in load_questions(path) if q.type == "yes_no")
    assert polarities["yes"] >= least and polarities["no"] >= least


@HELDOUT_FILES
def test_answerable_questions_have_gold_and_key_facts_and_unanswerable_ones_none(path):
    for q in load_questions(path):
        if q.answerable:
            assert q.gold_lines and 2 <= len(q.key_facts) <= 4, q.id
        else:
            assert (q.gold_lines, q.key_facts) == ([], []) and q.notes, q.id


@HELDOUT_FILES
def test_every_gold_range_maps_to_its_own_talk_of_the_real_index(seed_index, path):
    answerable = attach_gold([q for q in load_questions(path) if q.answerable], seed_index.store.catalog())
    assert [q.id for q in answerable if len(q.gold_talks) != len(q.gold_lines)] == []


def test_the_new_dev_questions_have_ids_of_their_own(heldout, dev):
    ids = [q.id for q in load_questions(DEV_V3_QUESTIONS)]
    assert len(ids) == len(set(ids)) and not set(ids) & {q.id for q in dev + heldout}


def test_no_heldout_question_repeats_a_dev_question(heldout, dev):
    dev_texts = {normalised(q.question) for q in dev}
    assert [q.id for q in heldout if normalised(q.question) in dev_texts] == []


@pytest.mark.parametrize("position", [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
                                      26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62],
                         ids=["held-out-2", "held-out-3", "held-out-4", "held-out-5", "held-out-6", "held-out-7",
                              "held-out-8", "held-out-9", "held-out-10", "held-out-11", "held-out-12", "held-out-13",
                              "held-out-14", "held-out-15", "held-out-16", "held-out-17", "held-out-18",
                              "held-out-19", "held-out-20", "held-out-21", "held-out-22", "held-out-23",
                              "held-out-24", "held-out-25", "held-out-26", "held-out-27", "held-out-28", "held-out-29",
                              "held-out-30", "held-out-31", "held-out-32", "held-out-33", "held-out-34", "held-out-35", "held-out-36", "held-out-37", "held-out-38", "held-out-39", "held-out-40", "held-out-41", "held-out-42", "held-out-43", "held-out-44", "held-out-45", "held-out-46", "held-out-47", "held-out-48", "held-out-49", "held-out-50", "held-out-51", "held-out-52", "held-out-53", "held-out-54", "held-out-55", "held-out-56", "held-out-57", "held-out-58", "held-out-59", "held-out-60", "held-out-61"])
def test_no_later_heldout_question_or_history_repeats_an_earlier_one(position):
    earlier = {normalised(t) for path in ALL_FILES[:position] for q in load_questions(path)
               for t in [q.question, *q.history]}
    assert [q.id for q in load_questions(ALL_FILES[position])
            if {normalised(t) for t in [q.question, *q.history]} & earlier] == []


# ------------------------------------------------------------------ the loader's checks


def write_lines(tmp_path, *rows) -> object:
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


GOOD = {"id": "x1", "type": "factual", "question": "What?", "gold_lines": [[1, 1]], "key_facts": ["a fact"]}


def test_loader_reads_the_new_fields_as_typed_values(tmp_path):
    path = write_lines(tmp_path,
                       {**GOOD, "id": "c", "type": "counting", "count": 2, "gold_lines": [[1, 1], [2, 2]]},
                       {**GOOD, "id": "y", "type": "yes_no", "polarity": "no"},
                       {**GOOD, "id": "f", "type": "follow_up", "history": ["Which talk is about X?"]})
    counting, yes_no, follow_up = load_questions(path)
    assert (counting.count, yes_no.polarity, follow_up.history) == (2, "no", ["Which talk is about X?"])
    assert (counting.polarity, counting.history, yes_no.count) == (None, [], None)


@pytest.mark.parametrize(
    "bad_row, message",
    [
        ('{"id": "x2", "type": "factual"', "line 2: not valid JSON"),
        ({**GOOD, "id": "x2", "type": "yes_no", "polarity": "maybe"}, "line 2: polarity must be one of yes, no"),
        ({**GOOD, "id": "x2", "type": "counting"}, "line 2: a counting question needs count"),
        ({**GOOD, "id": "x2", "type": "counting", "count": "3"}, "line 2: count must be a whole number"),
        ({**GOOD, "id": "x2", "type": "follow_up", "history": "Which talk?"}, "line 2: history must be a list of strings"),
        ({**GOOD, "id": "x2", "gold_lines": [[5, 3]]}, "line 2: gold_lines must be a list of [start, end]"),
        ({**GOOD, "id": "x2", "question": ""}, "line 2: missing or empty question"),
    ],
)
def test_a_malformed_line_is_an_input_error_naming_the_line(tmp_path, bad_row, message):
    path = write_lines(tmp_path, GOOD, bad_row)
    with pytest.raises(InputError, match=re.escape(message)):
        load_questions(path)
