"""The evaluation data: questions, labelled judge pairs, and gold talks.

Gold talks are given as line ranges of ``data/abstracts.txt``; a range maps to
the indexed talk whose line ranges contain the range's start line (a talk that
occurs twice, e.g. lines 59 and 79, is one talk in the index).

Question files: ``questions.jsonl`` (dev: rules, prompts and thresholds are chosen on it, and
the CI gate runs on it) and ``questions-heldout.jsonl``, ``questions-heldout2.jsonl``,
``questions-heldout3.jsonl``, ``questions-heldout4.jsonl``, ``questions-heldout5.jsonl``,
``questions-heldout6.jsonl``, ``questions-heldout7.jsonl``, ``questions-heldout8.jsonl``, ``questions-heldout9.jsonl``,
``questions-heldout10.jsonl``, ``questions-heldout11.jsonl``, ``questions-heldout12.jsonl``,
``questions-heldout13.jsonl``, ``questions-heldout14.jsonl``, ``questions-heldout15.jsonl``, ``questions-heldout16.jsonl``, ``questions-heldout17.jsonl``, ``questions-heldout18.jsonl``, ``questions-heldout19.jsonl``, ``questions-heldout20.jsonl``, ``questions-heldout21.jsonl``, ``questions-heldout22.jsonl``, ``questions-heldout23.jsonl``, ``questions-heldout24.jsonl``, ``questions-heldout25.jsonl``, ``questions-heldout26.jsonl``, ``questions-heldout27.jsonl``, ``questions-heldout28.jsonl``, ``questions-heldout29.jsonl``, ``questions-heldout30.jsonl``, ``questions-heldout31.jsonl``, ``questions-heldout32.jsonl``, ``questions-heldout33.jsonl``, ``questions-heldout34.jsonl``, ``questions-heldout35.jsonl``, ``questions-heldout36.jsonl``, ``questions-heldout37.jsonl``, ``questions-heldout38.jsonl``, ``questions-heldout39.jsonl``, ``questions-heldout40.jsonl``, ``questions-heldout41.jsonl``, ``questions-heldout42.jsonl``, ``questions-heldout43.jsonl``, ``questions-heldout44.jsonl``, ``questions-heldout45.jsonl``, ``questions-heldout46.jsonl``, ``questions-heldout47.jsonl``, ``questions-heldout48.jsonl``, ``questions-heldout49.jsonl``, ``questions-heldout50.jsonl``, ``questions-heldout51.jsonl``, ``questions-heldout52.jsonl``, ``questions-heldout53.jsonl``, ``questions-heldout54.jsonl``, ``questions-heldout55.jsonl``, ``questions-heldout56.jsonl``, ``questions-heldout57.jsonl``, ``questions-heldout58.jsonl``, ``questions-heldout59.jsonl``, ``questions-heldout60.jsonl`` and ``questions-heldout61.jsonl`` (held-out: written blind from the corpus and committed before any run on them; eval/data/README.md says which
were read after their runs and are tuning sets now; docs/evaluation.md reports them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from app.core.errors import InputError
from app.core.resources import resource
from app.core.talk import Catalog

DATA_DIR = resource("eval", "data")
QUESTIONS = DATA_DIR / "questions.jsonl"
HELDOUT_QUESTIONS = DATA_DIR / "questions-heldout.jsonl"
DEV_V3_QUESTIONS = DATA_DIR / "questions-dev-v3.jsonl"
#: A second blind held-out set (issue 23's weak types), written after the first had been partly looked at.
HELDOUT2_QUESTIONS = DATA_DIR / "questions-heldout2.jsonl"
#: A third blind held-out set for the same weak types, on talks, pairs and conditions no other file uses.
HELDOUT3_QUESTIONS = DATA_DIR / "questions-heldout3.jsonl"
#: A fourth blind held-out set for the same weak types, again on talks, pairs and conditions no other file uses.
HELDOUT4_QUESTIONS = DATA_DIR / "questions-heldout4.jsonl"
#: A fifth blind held-out set for the same weak types, once more on talks, pairs and conditions no other file uses.
HELDOUT5_QUESTIONS = DATA_DIR / "questions-heldout5.jsonl"
#: A sixth blind held-out set, mostly counting questions, on talks and conditions no other file uses.
HELDOUT6_QUESTIONS = DATA_DIR / "questions-heldout6.jsonl"
#: A seventh blind held-out set, mostly counting (topical, literal and record conditions), on conditions no other file counts.
HELDOUT7_QUESTIONS = DATA_DIR / "questions-heldout7.jsonl"
#: An eighth blind held-out set: counting, topical list (multi_talk) and follow-up questions on conditions no other file uses.
HELDOUT8_QUESTIONS = DATA_DIR / "questions-heldout8.jsonl"
#: A ninth blind held-out set like the eighth: counting (topical and literal), exhaustive lists and follow-ups, on new conditions.
HELDOUT9_QUESTIONS = DATA_DIR / "questions-heldout9.jsonl"
#: A tenth blind held-out set: topical counting and exhaustive list questions only (issue 23), on new conditions.
HELDOUT10_QUESTIONS = DATA_DIR / "questions-heldout10.jsonl"
#: An eleventh blind held-out set: speaker bios and links stated from the record, never borrowed (issue 23).
HELDOUT11_QUESTIONS = DATA_DIR / "questions-heldout11.jsonl"
#: A twelfth blind held-out set: speaker bios and links again, with absent facts and link kinds (issue 23).
HELDOUT12_QUESTIONS = DATA_DIR / "questions-heldout12.jsonl"
#: A thirteenth blind held-out set: bios, links and look-alike topics the corpus lacks (issue 23).
HELDOUT13_QUESTIONS = DATA_DIR / "questions-heldout13.jsonl"
#: A fourteenth blind held-out set: bios and links of new talks, and closer look-alike topics the corpus lacks (issue 23).
HELDOUT14_QUESTIONS = DATA_DIR / "questions-heldout14.jsonl"
#: A fifteenth blind held-out set: bios and links described by paraphrase, and near-miss topics the corpus lacks (issue 23).
HELDOUT15_QUESTIONS = DATA_DIR / "questions-heldout15.jsonl"
#: A sixteenth blind held-out set: near-miss record and content questions beside naturally phrased answerable ones (issue 23).
HELDOUT16_QUESTIONS = DATA_DIR / "questions-heldout16.jsonl"
#: A seventeenth blind held-out set: five questions of each of the ten types at once (issue 23).
HELDOUT17_QUESTIONS = DATA_DIR / "questions-heldout17.jsonl"
#: An eighteenth blind held-out set: answerable questions in a user's everyday words, and named things no talk contains (issue 23).
HELDOUT18_QUESTIONS = DATA_DIR / "questions-heldout18.jsonl"
#: A nineteenth blind held-out set: follow-ups asking the record of one earlier talk, never another's (issue 23).
HELDOUT19_QUESTIONS = DATA_DIR / "questions-heldout19.jsonl"
#: A twentieth blind held-out set: answerable questions in a user's everyday words, and named things no talk contains, again (issue 23).
HELDOUT20_QUESTIONS = DATA_DIR / "questions-heldout20.jsonl"
#: A twenty-first blind held-out set: follow-ups that pick one of several earlier talks the way users do (issue 23).
HELDOUT21_QUESTIONS = DATA_DIR / "questions-heldout21.jsonl"
#: A twenty-second blind held-out set: everyday-worded answerable questions on new talks, and named things no talk contains (issue 23).
HELDOUT22_QUESTIONS = DATA_DIR / "questions-heldout22.jsonl"
#: A twenty-third blind held-out set: everyday-worded answerable questions again, and other named things no talk contains (issue 23).
HELDOUT23_QUESTIONS = DATA_DIR / "questions-heldout23.jsonl"
#: A twenty-fourth blind held-out set: everyday-worded answerable questions on further talks, and more named things no talk contains (issue 23).
HELDOUT24_QUESTIONS = DATA_DIR / "questions-heldout24.jsonl"
#: A twenty-fifth blind held-out set: everyday-worded answerable questions on yet other talks, and further named things no talk contains (issue 23).
HELDOUT25_QUESTIONS = DATA_DIR / "questions-heldout25.jsonl"
#: A twenty-sixth blind held-out set: everyday-worded answerable questions on still other talks, and more named things no talk contains (issue 23).
HELDOUT26_QUESTIONS = DATA_DIR / "questions-heldout26.jsonl"
#: A twenty-seventh blind held-out set: everyday-worded answerable questions on yet more talks, and other named things no talk contains (issue 23).
HELDOUT27_QUESTIONS = DATA_DIR / "questions-heldout27.jsonl"
#: A twenty-eighth blind held-out set: everyday-worded answerable questions on the least-used talks, and further named things no talk contains (issue 23).
HELDOUT28_QUESTIONS = DATA_DIR / "questions-heldout28.jsonl"
#: A twenty-ninth blind held-out set: everyday-worded answerable questions on the least-used talks again, and other named things no talk contains (issue 23).
HELDOUT29_QUESTIONS = DATA_DIR / "questions-heldout29.jsonl"
#: A thirtieth blind held-out set: everyday-worded answerable questions on the least-used talks once more, and further named things no talk contains (issue 23).
HELDOUT30_QUESTIONS = DATA_DIR / "questions-heldout30.jsonl"
#: A thirty-first blind held-out set: everyday-worded answerable questions on the least-used talks yet again, and other named things no talk contains (issue 23).
HELDOUT31_QUESTIONS = DATA_DIR / "questions-heldout31.jsonl"
#: A thirty-second blind held-out set: everyday-worded answerable questions on the least-used talks once again, and further named things no talk contains (issue 23).
HELDOUT32_QUESTIONS = DATA_DIR / "questions-heldout32.jsonl"
#: A thirty-third blind held-out set: everyday-worded answerable questions on the least-used talks yet once more, and other named things no talk contains (issue 23).
HELDOUT33_QUESTIONS = DATA_DIR / "questions-heldout33.jsonl"
#: A thirty-fourth blind held-out set: everyday-worded answerable questions on rarely used talks, and further named things no talk contains (issue 23).
HELDOUT34_QUESTIONS = DATA_DIR / "questions-heldout34.jsonl"
#: A thirty-fifth blind held-out set: everyday-worded answerable questions on talks no set since held-out-30 used as gold (bio talks excepted), and further named things no talk contains (issue 23).
HELDOUT35_QUESTIONS = DATA_DIR / "questions-heldout35.jsonl"
#: A thirty-sixth blind held-out set: everyday-worded answerable questions on talks no set of held-out-31 to held-out-35 used as gold (bio talks excepted), and further named things no talk contains (issue 23).
HELDOUT36_QUESTIONS = DATA_DIR / "questions-heldout36.jsonl"
#: A thirty-seventh blind held-out set: everyday-worded answerable questions on talks rarely used as gold by recent sets (bio talks excepted), and further named things no talk contains (issue 23).
HELDOUT37_QUESTIONS = DATA_DIR / "questions-heldout37.jsonl"
#: A thirty-eighth blind held-out set: everyday-worded answerable questions on talks rarely used as gold by recent sets (bio talks excepted), and further named things no talk contains (issue 23).
HELDOUT38_QUESTIONS = DATA_DIR / "questions-heldout38.jsonl"
#: A thirty-ninth blind held-out set: everyday-worded factual, conceptual, comparison and multi-talk questions on talks rarely used as gold by recent sets, and further named things no talk contains (issue 23).
HELDOUT39_QUESTIONS = DATA_DIR / "questions-heldout39.jsonl"
#: A fortieth blind held-out set: everyday-worded factual, conceptual, comparison, multi-talk, speaker and link questions on talks rarely used as gold by recent sets, and further named things no talk contains (issue 23).
HELDOUT40_QUESTIONS = DATA_DIR / "questions-heldout40.jsonl"
#: A forty-first blind held-out set: everyday-worded factual, conceptual, comparison, multi-talk (two of them how-many), speaker and link questions on talks rarely used as gold by recent sets, and further named things no talk contains (issue 23).
HELDOUT41_QUESTIONS = DATA_DIR / "questions-heldout41.jsonl"
#: A forty-second blind held-out set: everyday-worded factual, conceptual, comparison, multi-talk (two of them how-many, two on a conceptual topic), speaker and link questions on talks rarely used as gold by recent sets, and further named things no talk contains (issue 23).
HELDOUT42_QUESTIONS = DATA_DIR / "questions-heldout42.jsonl"
#: A forty-third blind held-out set, mostly lists: everyday-worded multi-talk questions (four how-many, eight on a conceptual topic) whose gold is every matching talk, a few factual and conceptual questions, and list questions on topics no talk covers (issue 23).
HELDOUT43_QUESTIONS = DATA_DIR / "questions-heldout43.jsonl"
#: A forty-fourth blind held-out set on a talk's own record: everyday-worded speaker and link questions on a talk described by its topic (key facts copied from its bio, co-author and link lines), multi-talk lists (some how-many), a few factual and conceptual questions, and record facts or topics no talk contains (issue 23).
HELDOUT44_QUESTIONS = DATA_DIR / "questions-heldout44.jsonl"
#: A forty-fifth blind held-out set on a talk's own record: everyday-worded speaker and link questions on a talk described by its topic (key facts copied from its bio, co-author and link lines), a few factual and conceptual questions, and unanswerable record questions on topics no talk covers, on near misses of a real talk, and on record facts the described talk does not state (issue 23).
HELDOUT45_QUESTIONS = DATA_DIR / "questions-heldout45.jsonl"
#: A forty-sixth blind held-out set on a talk's own record: everyday-worded speaker and link questions on a talk described by its topic (key facts copied from its bio, co-author, reference and link lines), multi-talk lists whose gold is every matching talk, a few factual questions, and unanswerable record questions on topics no talk covers, on near misses of a real talk, and on record facts the described talk does not state (issue 23).
HELDOUT46_QUESTIONS = DATA_DIR / "questions-heldout46.jsonl"
#: A forty-seventh blind held-out set on a talk's own record: everyday-worded speaker and link questions on a talk described by its topic (key facts copied from its co-author, bio and reference lines), multi-talk lists whose gold is every matching talk, two factual questions, and twenty unanswerable record questions on topics no talk covers, on near misses of a real talk, and on record facts the described talk does not state (issue 23).
HELDOUT47_QUESTIONS = DATA_DIR / "questions-heldout47.jsonl"
#: A forty-eighth blind held-out set on a talk's own record: everyday-worded speaker and link questions on a talk described by its topic (key facts copied from its co-author and reference lines), multi-talk lists whose gold is every matching talk, four factual questions, and eighteen unanswerable record questions on topics no talk covers, on near misses of a real talk, and on record facts the described talk does not state (issue 23).
HELDOUT48_QUESTIONS = DATA_DIR / "questions-heldout48.jsonl"
#: A forty-ninth blind held-out set, mostly lists: everyday-worded multi-talk questions whose gold is every matching talk (each topic unused as a list topic by held-out-43 to held-out-48), six factual questions, speaker and link questions on the record talks least used as gold, and fifteen unanswerable questions (off-topic, near misses of a real talk, and lists on topics no talk covers) (issue 23).
HELDOUT49_QUESTIONS = DATA_DIR / "questions-heldout49.jsonl"
#: A fiftieth blind held-out set, mostly lists: everyday-worded multi-talk questions whose gold is every matching talk (each topic unused as a list topic by held-out-43 to held-out-49), five factual questions, speaker and link questions on the record talks least used as gold, and fifteen unanswerable questions (off-topic, near misses of a real talk, and lists on topics no talk covers) (issue 23).
HELDOUT50_QUESTIONS = DATA_DIR / "questions-heldout50.jsonl"
#: A fifty-first blind held-out set, mostly lists, many questions opening with a sentence of context: everyday-worded multi-talk questions whose gold is every matching talk (each topic unused as a list topic by held-out-43 to held-out-50; some contexts name a person, company or acronym that is not the condition, some name the condition and point back at it), five factual questions, speaker and link questions on the record talks least used as gold, and fifteen unanswerable questions (off-topic, near misses of a real talk, and lists on topics no talk covers) (issue 23).
HELDOUT51_QUESTIONS = DATA_DIR / "questions-heldout51.jsonl"
#: A fifty-second blind held-out set on the kinds of question no recent held-out set tested, many opening with a sentence of context: everyday-worded comparisons of two or three talks (key facts per side), yes/no questions (half yes, half no), "how many talks" counting questions whose gold is every matching talk, two-turn follow-ups that pick one talk of an earlier list or comparison by description, relative clause, "that speaker" or the user's own order, and unanswerable yes/no or comparison questions on topics no talk covers or near misses of a real talk (issue 23).
HELDOUT52_QUESTIONS = DATA_DIR / "questions-heldout52.jsonl"
#: A fifty-third blind held-out set mixing kinds, a third of the questions opening with a sentence of context that often names something capitalised that is not asked about: everyday-worded multi-talk lists whose gold is every matching talk (six also asking how many), yes/no questions (half yes, half no), two-talk comparisons (key facts per side), speaker and link questions on talks described by their topic, and unanswerable lists, yes/no and record questions on topics no talk covers or near misses of a real talk (issue 23).
HELDOUT53_QUESTIONS = DATA_DIR / "questions-heldout53.jsonl"
#: A fifty-fourth blind held-out set mixing kinds, a third of the questions opening with a sentence of context that often names a company or place that is not asked about: everyday-worded multi-talk lists whose topic mostly carries a capitalised or hyphenated name inside an ordinary phrase (a method named after a person, a dataset or venue with a number, an acronym), often a phrase narrower than the bare name (six also asking how many), yes/no questions (half yes, half no), two-talk comparisons (key facts per side), two-turn follow-ups that pick one talk by "that talk", a description, the user's own order or "she", some naming a capitalised thing that is not the referent, and unanswerable lists, yes/no and other questions on topics no talk covers or near misses of a real talk, several with a capitalised name the collection never uses in that sense (issue 23).
HELDOUT54_QUESTIONS = DATA_DIR / "questions-heldout54.jsonl"
#: A fifty-fifth blind held-out set mixing kinds, a third of the questions opening with a sentence of context that often names a company or place that is not asked about: everyday-worded multi-talk lists whose gold is every matching talk, most asking with a phrase narrower than the capitalised, hyphenated or acronym name it carries (a venue with a year, a dataset with a condition, an acronym with a qualifier), some on a lower-case topic only (six also asking how many), yes/no questions (half yes, half no), two-talk comparisons (key facts per side), two-turn follow-ups that pick one talk by "that talk", "it", "they", "he", a description or the user's own order and ask its record or content, and unanswerable lists, yes/no and other questions on topics no talk covers or near misses of a real talk (issue 23).
HELDOUT55_QUESTIONS = DATA_DIR / "questions-heldout55.jsonl"
#: A fifty-sixth blind held-out set mixing kinds, a third of the questions opening with a sentence of context that names a company or place that is not asked about: everyday-worded multi-talk lists whose gold is every matching talk, a third naming capitalised examples of a broader topic that is the real condition, a third combining a capitalised name with a role or relation (a co-author, a department post, a venue with a year, a degree), a third on a lower-case topic only (six also asking how many), yes/no questions (half yes, half no), two-talk comparisons (key facts per side), two-turn follow-ups that pick one talk by "that talk", "it", "they", "he", a description or the user's own order and ask its record or content, and unanswerable lists, yes/no and other questions on topics no talk covers or near misses of a real talk (issue 23).
HELDOUT56_QUESTIONS = DATA_DIR / "questions-heldout56.jsonl"
#: A fifty-seventh blind held-out set mixing kinds, a third of the questions opening with a sentence of context that names a company or place that is not asked about: everyday-worded multi-talk lists whose gold is every matching talk, a third naming a capitalised example or year that is not the whole condition, a third tying a capitalised name to a relation or a time (a collaborator's place, a postdoc campus, a venue with a range of years), a third on a lower-case topic only (six also asking how many), yes/no questions (half yes, half no), two-talk comparisons (key facts per side), two-turn follow-ups that pick one talk (or, once, both talks) by "that one", "it", "she", "they", "the speaker", "both of them", a description or the order of the user's own first turn and ask its record or content, and unanswerable lists, yes/no and other questions on topics no talk covers or near misses of a real talk (issue 23).
HELDOUT57_QUESTIONS = DATA_DIR / "questions-heldout57.jsonl"
#: A fifty-eighth blind held-out set mixing kinds, a third of the questions opening with a sentence of context that names a company or place that is not asked about: everyday-worded multi-talk lists whose gold is every matching talk, a third naming an example ("such as", "for instance", "like") that is not the whole condition, a third tying a capitalised name to a time or relation (an arXiv year, a venue with a range of years, a role at a named university), a third on a lower-case topic only (six also asking how many), yes/no questions (half yes, half no), two-talk comparisons (key facts per side), two-turn follow-ups that pick one talk (or, once, both talks) by "that one", "its speaker", "that speaker", "he", "the second one", "the first one", "the last talk you listed", "the one about", "both of them" or "it" and ask its record or content, and unanswerable lists, yes/no and other questions on topics no talk covers or near misses of a real talk (issue 23).
HELDOUT58_QUESTIONS = DATA_DIR / "questions-heldout58.jsonl"
#: A fifty-ninth blind held-out set mixing kinds, a third of the questions opening with a sentence of context that names a company or place that is not asked about: everyday-worded multi-talk lists whose gold is every matching talk, a third worded as a paraphrase sharing no content word with the gold talks' key phrases, a third on a record fact (a named co-author or speaker, an institution in a bio), a third with two conditions that must both hold (six also asking how many), yes/no questions (half yes, half no; the no questions read as yes on a careless reading), two-talk comparisons with each side described by what the talk does, follow-ups with one earlier user turn, and unanswerable questions (eval/data/README.md).
HELDOUT59_QUESTIONS = DATA_DIR / "questions-heldout59.jsonl"
#: A sixtieth blind held-out set mixing kinds, a third of the questions opening with a sentence of context that names a company or place that is not asked about: multi-talk lists whose gold is every matching talk, a third on a lower-case topic in the field's own terms, a third on a record fact (venue, institution, person or link host) and a third on a plain-words paraphrase; yes/no questions of varied phrasing, two-talk comparisons, follow-ups and unanswerable questions (eval/data/README.md).
HELDOUT60_QUESTIONS = DATA_DIR / "questions-heldout60.jsonl"
#: A sixty-first blind held-out set mixing kinds, a third of the questions opening with a sentence of context that names a company or place that is not asked about: multi-talk lists whose gold is every matching talk (field-term topics, record facts, two conditions that must both hold), six of them asking how many, yes/no, two-talk comparisons, follow-ups with one earlier turn and unanswerable questions (eval/data/README.md).
HELDOUT61_QUESTIONS = DATA_DIR / "questions-heldout61.jsonl"
#: The question sets a run can answer: rules, prompts and thresholds are chosen on "dev" only;
#: "held-out" and "held-out-2" to "held-out-61" were written blind and only report (docs/evaluation.md).
QUESTION_SETS = {"dev": (QUESTIONS, DEV_V3_QUESTIONS), "held-out": (HELDOUT_QUESTIONS,),
                 "held-out-2": (HELDOUT2_QUESTIONS,), "held-out-3": (HELDOUT3_QUESTIONS,),
                 "held-out-4": (HELDOUT4_QUESTIONS,), "held-out-5": (HELDOUT5_QUESTIONS,),
                 "held-out-6": (HELDOUT6_QUESTIONS,), "held-out-7": (HELDOUT7_QUESTIONS,),
                 "held-out-8": (HELDOUT8_QUESTIONS,), "held-out-9": (HELDOUT9_QUESTIONS,),
                 "held-out-10": (HELDOUT10_QUESTIONS,), "held-out-11": (HELDOUT11_QUESTIONS,),
                 "held-out-12": (HELDOUT12_QUESTIONS,), "held-out-13": (HELDOUT13_QUESTIONS,),
                 "held-out-14": (HELDOUT14_QUESTIONS,), "held-out-15": (HELDOUT15_QUESTIONS,),
                 "held-out-16": (HELDOUT16_QUESTIONS,), "held-out-17": (HELDOUT17_QUESTIONS,),
                 "held-out-18": (HELDOUT18_QUESTIONS,), "held-out-19": (HELDOUT19_QUESTIONS,),
                 "held-out-20": (HELDOUT20_QUESTIONS,), "held-out-21": (HELDOUT21_QUESTIONS,),
                 "held-out-22": (HELDOUT22_QUESTIONS,), "held-out-23": (HELDOUT23_QUESTIONS,),
                 "held-out-24": (HELDOUT24_QUESTIONS,), "held-out-25": (HELDOUT25_QUESTIONS,),
                 "held-out-26": (HELDOUT26_QUESTIONS,), "held-out-27": (HELDOUT27_QUESTIONS,),
                 "held-out-28": (HELDOUT28_QUESTIONS,), "held-out-29": (HELDOUT29_QUESTIONS,),
                 "held-out-30": (HELDOUT30_QUESTIONS,),
                 "held-out-31": (HELDOUT31_QUESTIONS,), "held-out-32": (HELDOUT32_QUESTIONS,),
                 "held-out-33": (HELDOUT33_QUESTIONS,), "held-out-34": (HELDOUT34_QUESTIONS,),
                 "held-out-35": (HELDOUT35_QUESTIONS,),
                 "held-out-36": (HELDOUT36_QUESTIONS,),
                 "held-out-37": (HELDOUT37_QUESTIONS,),
                 "held-out-38": (HELDOUT38_QUESTIONS,),
                 "held-out-39": (HELDOUT39_QUESTIONS,),
                 "held-out-40": (HELDOUT40_QUESTIONS,),
                 "held-out-41": (HELDOUT41_QUESTIONS,),
                 "held-out-42": (HELDOUT42_QUESTIONS,),
                 "held-out-43": (HELDOUT43_QUESTIONS,),
                 "held-out-44": (HELDOUT44_QUESTIONS,),
                 "held-out-45": (HELDOUT45_QUESTIONS,),
                 "held-out-46": (HELDOUT46_QUESTIONS,),
                 "held-out-47": (HELDOUT47_QUESTIONS,),
                 "held-out-48": (HELDOUT48_QUESTIONS,),
                 "held-out-49": (HELDOUT49_QUESTIONS,),
                 "held-out-50": (HELDOUT50_QUESTIONS,),
                 "held-out-51": (HELDOUT51_QUESTIONS,),
                 "held-out-52": (HELDOUT52_QUESTIONS,),
                 "held-out-53": (HELDOUT53_QUESTIONS,),
                 "held-out-54": (HELDOUT54_QUESTIONS,),
                 "held-out-55": (HELDOUT55_QUESTIONS,),
                 "held-out-56": (HELDOUT56_QUESTIONS,),
                 "held-out-57": (HELDOUT57_QUESTIONS,),
                 "held-out-58": (HELDOUT58_QUESTIONS,),
                 "held-out-59": (HELDOUT59_QUESTIONS,),
                 "held-out-60": (HELDOUT60_QUESTIONS,),
                 "held-out-61": (HELDOUT61_QUESTIONS,)}
JUDGE_PAIRS = DATA_DIR / "judge_pairs.jsonl"
#: Pairs labelled from answers of the current code (eval/data/README.md); split and used like the ones above.
JUDGE_PAIRS_CURRENT = DATA_DIR / "judge_pairs_current.jsonl"

TYPES = ("factual", "conceptual", "multi_talk", "speaker_bio", "link_reference", "comparison", "unanswerable")
#: Types of issue 23, each with a field of its own: ``count``, ``polarity``, ``history``.
AGGREGATE_TYPES = ("counting", "yes_no", "follow_up")
POLARITIES = ("yes", "no")


@dataclass
class Question:
    """One evaluation question.

    ``count`` (counting): how many talks of the corpus satisfy the condition; ``gold_lines`` lists
    every one of them. ``polarity`` (yes_no): the answer the gold talk's text supports. ``history``
    (follow_up): the earlier user turns, oldest first; ``question`` refers back to them.
    """

    id: str
    type: str
    question: str
    gold_lines: list[list[int]]
    key_facts: list[str]
    notes: str = ""
    gold_talks: list[str] = field(default_factory=list)
    count: int | None = None
    polarity: str | None = None
    history: list[str] = field(default_factory=list)
    split: str = "dev"  # which question set it comes from (QUESTION_SETS), or a file's name

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"


@dataclass
class JudgePair:
    id: str
    sentence: str
    passage: str
    supported: bool
    kind: str


def _jsonl(path: Path) -> list[dict]:
    with Path(path).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _is_str_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _is_range(value) -> bool:
    return (isinstance(value, list) and len(value) == 2 and all(type(n) is int for n in value)
            and 1 <= value[0] <= value[1])


def _problem(row) -> str | None:
    """What is wrong with one question row, or None; keys the loader does not know are ignored."""
    if not isinstance(row, dict):
        return "expected a JSON object"
    missing = [k for k in ("id", "type", "question") if not isinstance(row.get(k), str) or not row[k].strip()]
    if missing:
        return f"missing or empty {', '.join(missing)}"
    if not isinstance(row.get("gold_lines", []), list) or not all(_is_range(r) for r in row.get("gold_lines", [])):
        return "gold_lines must be a list of [start, end] line numbers with 1 <= start <= end"
    for key in ("key_facts", "gold_talks", "history"):
        if not _is_str_list(row.get(key, [])):
            return f"{key} must be a list of strings"
    count, polarity, history = row.get("count"), row.get("polarity"), row.get("history") or []
    if count is not None and (type(count) is not int or count < 0):
        return "count must be a whole number >= 0"
    if polarity is not None and polarity not in POLARITIES:
        return f"polarity must be one of {', '.join(POLARITIES)}, not {polarity!r}"
    needs = {"counting": (count is not None, "count"), "yes_no": (polarity is not None, "polarity"),
             "follow_up": (bool(history), "a non-empty history")}
    if row["type"] in needs and not needs[row["type"]][0]:
        return f"a {row['type']} question needs {needs[row['type']][1]}"
    return None


def set_name(path: Path) -> str:
    """The question set a file belongs to, or the file's own name."""
    return next((name for name, paths in QUESTION_SETS.items() if Path(path) in paths), Path(path).stem)


def load_sets(names: tuple[str, ...]) -> list[Question]:
    """The questions of the named sets (``QUESTION_SETS``), each marked with its set."""
    return [q for name in names for path in QUESTION_SETS[name] for q in load_questions(path, split=name)]


def load_questions(path: Path = QUESTIONS, split: str = "dev") -> list[Question]:
    """The questions of a JSONL file; a malformed line is an InputError naming the file and line."""
    fields = Question.__dataclass_fields__
    questions = []
    with Path(path).open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise InputError(f"{path}, line {number}: not valid JSON ({err.msg})") from None
            problem = _problem(row)
            if problem:
                raise InputError(f"{path}, line {number}: {problem}")
            row = {k: v for k, v in row.items() if k in fields and k != "split"}
            row["split"] = split
            row.setdefault("gold_lines", [])
            row.setdefault("key_facts", [])
            questions.append(Question(**row))
    return questions


def load_pairs(path: Path = JUDGE_PAIRS) -> list[JudgePair]:
    return [JudgePair(r["id"], r["sentence"], r["passage"], bool(r["supported"]), r.get("kind", "")) for r in _jsonl(path)]


def line_to_talk(catalog: Catalog, source_name: str | None = None) -> dict[int, str]:
    """Line number (1-based) -> talk id, for the talks of one source file (by file name)."""
    mapping: dict[int, str] = {}
    for talk in catalog.talks:
        if source_name and Path(talk.source).name != source_name:
            continue
        for start, end in talk.lines:
            for n in range(start, end + 1):
                mapping[n] = talk.id
    return mapping


def attach_gold(questions: list[Question], catalog: Catalog, source_name: str = "abstracts.txt") -> list[Question]:
    """Fill ``gold_talks`` from ``gold_lines``; a range whose start line is in no talk is an error.

    A question without ``gold_lines`` may name its gold talks by id (or an unambiguous id prefix)
    in ``gold_talks``: talks of an uploaded file have no lines in ``data/abstracts.txt``, and a
    question exported from feedback (``talkqa feedback --export``) is filled in that way.
    """
    by_line = line_to_talk(catalog, source_name)
    for q in questions:
        if not q.gold_lines and q.gold_talks:
            try:
                q.gold_talks = list(dict.fromkeys(catalog.find(t).id for t in q.gold_talks))
            except LookupError as err:
                raise ValueError(f"{q.id}: gold talk {err}") from None
            continue
        talks = []
        for start, _end in q.gold_lines:
            if start not in by_line:
                raise ValueError(f"{q.id}: gold line {start} is in no indexed talk of {source_name}")
            talks.append(by_line[start])
        q.gold_talks = list(dict.fromkeys(talks))
    return questions
