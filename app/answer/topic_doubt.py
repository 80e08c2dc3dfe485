"""The rare words of a record question's topic that its first source lacks: a sign that source [1] is a near miss.

Why: asked for the links or the speaker of "the talk on X", retrieval hands over the closest talk, and when the
collection has no talk on X the model answers with that neighbour's record (seen: held-out-13 j019 "spiking networks"
answered with the lottery-ticket speaker's award, held-out-15 g002's flow-matching links, held-out-44 fq040 and fq042).
The corpus-wide absent-word rule (app/retrieval/absent_terms.py) misses them when some other talk holds the word, and
the cross-encoder scores such neighbours as high as right talks. A right talk usually holds, in some form, each rare
word the question uses for its topic; so these words make the chain ask the model, in one word, whether source [1] is
the talk described (app/answer/record_look.py) before it answers.

A word counts when it is in the question's topic part (app/answer/record_topic.py), has at least ``MIN_LETTERS``
letters, is no everyday English word and does not ask for the record; source [1] holds it when its title, abstract or
notes contain the word's first letters (all but the last three, at least ``MIN_LETTERS``), hyphens dropped and British
spellings read as American ("regulariser", "normalisation", "behaviour"). Chosen on the seen sets with no model run
(scratch study of 631 seen record questions, twenty-ninth session); the reading it triggers was judged on the seen sets
and reported on a blind one (docs/evaluation.md). ``retrieval.record_topic_match_all`` reads every record question
instead (off: docs/evaluation.md, thirty-first session).
"""

from __future__ import annotations

import re
from typing import Callable

from app.answer.record_topic import topic_part
from app.answer.records import asks_record

#: Shorter words are abbreviations whose forms vary ("GNNs", "SGD"): app/answer/missing_names.py reads names.
MIN_LETTERS = 4
#: Letters a word's inflections and derivations may change at its end ("regularizer" / "regularization").
_ENDING_LETTERS = 3
_WORD = re.compile(r"[^\W\d_]+")


def _spelling(text: str) -> str:
    """Lower case, hyphens dropped, British -ise/-isa/-our spelt the American way."""
    text = re.sub(r"[-‐–]", "", text.lower())
    return text.replace("ise", "ize").replace("isa", "iza").replace("our", "or")


def holds(word: str, text: str) -> bool:
    """Does ``text`` contain ``word`` in some form: its first letters, all but the last three, both spelt alike?"""
    spelt = _spelling(word)
    return spelt[: max(MIN_LETTERS, len(spelt) - _ENDING_LETTERS)] in _spelling(text)


def doubted_words(question: str, source_text: str, is_everyday: Callable[[str], bool]) -> tuple[str, ...]:
    """The rare words of ``question``'s topic that ``source_text`` (source [1]'s title, abstract and notes) lacks."""
    words = dict.fromkeys(m.group().lower() for m in _WORD.finditer(topic_part(question)))
    return tuple(w for w in words
                 if len(w) >= MIN_LETTERS and not is_everyday(w) and not asks_record(w) and not holds(w, source_text))
