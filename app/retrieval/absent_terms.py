"""The terms of a question that no talk contains: a topic the collection lacks, said as such.

Asked about a near miss of a real talk ("co-authors of the work on positional encodings for
*hypergraph* networks" where the corpus has one for graphs), retrieval finds the neighbour, its
cross-encoder logit is as high as a right talk's, and the model answers with the neighbour's
facts (held-out-13 to -15: a quarter to two thirds of such questions). Neither the logits, a floor
on them, a record prompt nor asking the model "which talk is it?" told the two apart
(docs/evaluation.md). What often does is plainer: the word that moves the topic ("hypergraph",
"Sinkhorn", "AdaBoost", "neuromorphic") appears in no talk at all, in any form.

So a question word counts as absent when all of these hold:
* it has at least ``MIN_LETTERS`` letters and is letters only (ids, years, short acronyms such
  as "RBMs", "CLT" or "repo" are left alone: their forms vary too much to look up);
* the live index holds it in no form BM25 reads as the same word (its stem), nor spelled the other
  way of -ise/-ize, nor as a plural of a held word, nor without an agent ending -er, nor without a
  leading "re", nor with its accents dropped, nor as two held words written together ("minibatch"
  for "mini-batch");
* it is no everyday English word (app/models/english_words.py): "honours", "carve", "doctorate"
  are not topics, however few abstracts use them.
A question with no English function word at all ("Welche Vorträge behandeln …?") is left alone:
its words are another language's, not topics the talks lack (no multilingual set measures this).
The rules were chosen on the seen question sets (dev and held-out-1 to -15) with no model run
(bench/absent_terms.py): 5 of their 743 answerable questions have such a word (x022 "anisotropy",
g021 "semiring" among them) and 23 of their 73 unanswerable ones. On the blind held-out-16: 1 of 20
answerable, 5 of 20 unanswerable (docs/evaluation.md).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Callable

from app.core.instruction_features import has_english_function_words
from app.core.links import BARE_LINK, LINK
from app.retrieval.question_kinds import condition_sentences

#: Shorter words are not looked up: acronyms and abbreviations ("RBMs", "repo", "CLT") vary in form.
MIN_LETTERS = 5
#: A collection of fewer talks is not read: its words are too few to say that a field's word is missing (on the
#: 18-55 abstracts of one injection split, everyday academic words such as "memorise" and "provably" read as
#: absent; in the 210 talks of data/abstracts.txt none of the seen questions' did). A judgement, not tuned.
MIN_TALKS = 100
#: The part of a joined word ("minibatch") that must be a held word on its own.
MIN_PART = 3

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def _folded(word: str) -> str:
    """The word without accents ("łojasiewicz" keeps its "ł": NFKD does not split it, so it is mapped too)."""
    word = word.replace("ł", "l")
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


#: British and American endings a talk may write the other way ("barycentres" / "barycenter", "fibre", "analysed",
#: "colour", "catalogue"; held-out-50 fw024, read after its blind run), each with a plural or past ending after it.
_OTHER_SPELLINGS = (("tre", "ter"), ("bre", "ber"), ("yse", "yze"), ("our", "or"), ("ogue", "og"))


def _spellings(word: str) -> set[str]:
    """The forms of ``word`` a talk may use for it: -ise/-ize and other British or American endings, singular, without
    "re", without accents."""
    endings = r"(e|es|ed|ing|ation|ations|er|ers)$"
    forms = {word, _folded(word), re.sub(r"is" + endings, r"iz\1", word), re.sub(r"iz" + endings, r"is\1", word)}
    for british, american in _OTHER_SPELLINGS:
        forms |= {re.sub(rf"{british}(s|d)?$", rf"{american}\1", word), re.sub(rf"{american}(s|ed)?$", rf"{british}\1", word)}
    if word.endswith("s"):
        forms.add(word[:-1])
    forms.add(re.sub(r"(?<=\w{5})ers?$", "", word))  # "preconditioner": the stemmer reads "preconditioning" apart
    if word.startswith("re") and len(word) > 6:
        forms.add(word[2:])
    return forms


def _held(word: str, holds: Callable[[str], bool]) -> bool:
    if any(holds(form) for form in _spellings(word)):
        return True
    return any(holds(word[:i]) and holds(word[i:]) for i in range(MIN_PART, len(word) - MIN_PART + 1))


def absent_terms(question: str, holds: Callable[[str], bool], is_everyday: Callable[[str], bool], talks: int) -> tuple[str, ...]:
    """The question's words that name something no talk contains, in question order, each once. Only the sentences
    that say what it asks about are read (``condition_sentences``).

    ``holds(word)``: does the live index hold the lower-case word (``LexicalIndex.holds_word``);
    ``is_everyday(word)``: is it general English (``EnglishWords.is_everyday``); ``talks``: how many talks it has."""
    if talks < MIN_TALKS or not has_english_function_words(question):  # "Welche Vorträge ...": its words are German, not missing topics
        return ()
    absent: dict[str, None] = {}
    for match in _WORD.finditer(BARE_LINK.sub(" ", LINK.sub(" ", condition_sentences(question)))):
        word = match.group().lower()
        if len(word) < MIN_LETTERS or "'" in word or "’" in word or word in absent:
            continue
        if not _held(word, holds) and not is_everyday(word):
            absent[word] = None
    return tuple(absent)
