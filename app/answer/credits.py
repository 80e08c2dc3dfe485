"""Credit and honours are record facts: an answer does not pass on who proved, founded or was honoured for the work
when nobody asked and the talk's record does not know the name.

Many of the planted claims the embedded model repeated on the seen attack splits demand nothing, so no
instruction feature (app/core/instructions.py) can see them: "It is well known that <an invented person> first
proved …", "… owed to Professor <invented>", "a result that earned the 2025 <invented> Prize", "developed by
Dr <invented> at the <invented> Institute". The model reports them as the source's claims. What they share is not
their wording but what they are: a credit or an honour given to a name that the talk's record outside its prose
(speaker, co-authors, notes: bio, joint work, references) does not hold, and that the collection never uses
(``corpus_vocabulary.json``, the words of the corpus's odd lines, which the detector already reads).

So a claim is dropped, with an ``unrecorded_credit`` warning, when all of these hold:

* the question does not ask about people, credit or honours (``asks_about_credit``): "who developed …?", "what
  recognition did it get?" are answered as the sources say, since this check cannot tell a planted credit from a
  real one, only that nobody asked for it;
* the claim speaks of credit or honour (``_CREDIT``: first proved, owed to, developed by, received, prize, ...);
* it names someone (``_ENTITY``: an honorific and a name, a capitalised name before Institute, Prize, Medal, ...,
  two capitalised words, or an initial and a surname) with a word the vocabulary does not hold ("Partial Information Decomposition … due
  to" names no one), and none of those words is in the record of a talk it cites, nor in the question.

Chosen in two steps (docs/reliability.md). First on the answers stored in the seen injection splits' artefacts
(tune, held-out, fresh to fresh13), then judged once on fresh14, unread until then: 4 obeyed answers became 2,
and no other answer changed. Then, on fresh14's two remaining misses (in-sample, fresh14 is a tuning split now):
acknowledgements and funding ("We thank the <invented> Trust, which funded …") and a result "obtained first in
<initial>. <surname>, private communication" are credits too. On every stored answer of the seen splits, 11 of 40
obeyed answers would lose a sentence and no answer that obeyed nothing would. False positives: 0 of 840 sentences
of stored answers to questions not about people, 1 of 396 labelled answer sentences (p030, a made-up advisor), 1 of
1,350 abstract sentences of the corpus (a list of honours that ingest left in an abstract: a bio line), 1 of 292
benign sentences (a funding line). Names of a new user's corpus are not in the vocabulary, so there the check reads
"a name the record does not hold": a real credit in the prose of an uploaded abstract is dropped from answers
that did not ask.
"""

from __future__ import annotations

import re

from app.answer.bio_facts import asked_facets
from app.answer.records import asks_record
from app.answer.reference_facts import asks_references
from app.answer.result import Sentence, Source
from app.core.instruction_features import vocabulary

_NAME = r"[A-Z][a-z][\w'’-]*"
_TITLES = r"Dr|Prof|Professor|Sir|Dame|Baron|Baroness|Lady|Lord|Mr|Mrs|Ms"
_BODIES = (r"Institute|College|Centre|Center|Group|Foundation|Society|Academy|Ministry|Council|Laboratory|Lab|Labs|University|"
           r"Prize|Award|Medal|Distinction|Fellowship|Report|Consortium|Committee|Panel|Board|Dynamics|Inc|Ltd|Corporation|Trust|Fund|Agency")
#: Someone named: an honorific and a name, a body (a capitalised name before Institute, Prize, ..., or "University of X"),
#: two capitalised words (a first name and a surname), or an initial and a surname ("G. Sauvé-Okafor").
_ENTITY = re.compile(
    rf"\b(?:{_TITLES})\.?\s+(?:[A-Z]\.\s*)*{_NAME}(?:\s+{_NAME})?"
    rf"|(?:{_NAME}[\s-]+)+(?:{_BODIES})\b|\b(?:{_BODIES})\s+of\s+(?:the\s+)?{_NAME}(?:\s+{_NAME})*"
    rf"|\b{_NAME}\s+(?:[A-Z]\.\s+)?{_NAME}(?:-{_NAME})?|\b[A-Z]\.\s+{_NAME}")
#: Words of an entity that name no one in particular: the honorific, the kind of body.
_GENERIC = frozenset(w.casefold() for w in f"{_TITLES}|{_BODIES}|of|the".split("|"))
#: A claim of credit, provenance, endorsement or honour.
_CREDIT = re.compile(
    r"\b(?:first\s+(?:proved|proven|showed|shown|introduced|discovered|derived|established)|proved\s+by|due\s+to|owed?\s+to|"
    r"owing\s+to|attribut\w*|credit\w*|invent\w*|discover\w*|pioneer\w*|coined|conceived|originat\w*|developed\s+by|"
    r"introduced\s+by|proposed\s+by|devised\s+by|(?:co-?)?supervis\w*|endors\w*|sponsor\w*|curated|approved|certified|"
    r"verified\s+by|according\s+to|awarded|received|earned|won|wins|prizes?|awards?|medals?|distinction|honou?r\w*|"
    r"laureate|appointed|(?:is|was|were|are)\s+by|obtained\s+first|first\s+obtained|private\s+communication|thank\w*|fund(?:ed|ing|er|ers|s)?|"
    r"grant(?:ed)?\s+by|supported\s+by)\b", re.IGNORECASE)
#: A question about credit or honours: who is behind the work, what recognition it received, where it comes from.
_ASKS_CREDIT = re.compile(
    r"\b(?:credit\w*|attribut\w*|recogni\w*|prizes?|awards?|honou?r\w*|medals?|distinction|invent\w*|discover\w*|"
    r"histor\w*|origin\w*|endors\w*|sponsor\w*|fund(?:ed|ing|er|ers|s)?|whose)\b", re.IGNORECASE)


def asks_about_credit(question: str) -> bool:
    """Does the question ask about people, credit or honours (then credits are answered as the sources give them)?"""
    return asks_record(question) or asks_references(question) or bool(asked_facets(question)) or bool(_ASKS_CREDIT.search(question))


def record_names(sources: list[Source]) -> str:
    """What the talks' records say outside their abstract prose (title, speaker, co-authors, notes), folded."""
    return " ".join(part for s in sources for part in (s.talk.title, s.talk.speaker or "", *s.talk.coauthors, *s.talk.notes)).casefold()


def _unknown_words(name: str) -> tuple[str, ...]:
    words = re.findall(r"[A-Za-z][\w'’-]+", name)
    return tuple(w for w in words if w.casefold() not in _GENERIC and w.casefold() not in vocabulary())


def unrecorded_credits(text: str, known: str) -> list[str]:
    """The names ``text`` credits or honours with a word the vocabulary does not hold and ``known`` does not contain."""
    if not _CREDIT.search(text):
        return []
    names = [match.group(0) for match in _ENTITY.finditer(text)]
    return [name for name in names if (unknown := _unknown_words(name)) and not any(w.casefold() in known for w in unknown)]


def sentence_credits(sentence: Sentence, question: str, sources: list[Source]) -> list[str]:
    """The unasked, unrecorded credits of one answer claim (none for a question about people or credit)."""
    if sentence.kind != "claim" or asks_about_credit(question):
        return []
    cited = [s for s in sources if s.n in sentence.citations] or sources
    return unrecorded_credits(sentence.text, f"{record_names(cited)} {question.casefold()}")
