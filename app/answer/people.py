"""People are never borrowed: a claim about a speaker's bio must be in the record of the talk it cites.

When the asked bio fact (a PhD, an affiliation, an award, an advisor) is not in
the talk's record, a 1.5B model attaches another talk's speaker's bio (which
attribution then re-cites to that other talk, so the sentence looks supported)
or makes up a year or an honour. A claim about a person is kept only when
every name and number in it occurs in the record (title, abstract, notes,
speaker, co-authors) of a talk the model cited *and* of a talk it finally
cites, names no degree that record does not name (``degrees``: "he earned his master's degree … in 2018" of a
bio that gives a B.Sc. in 2018, seen held-out-47 ft042, read after its run), and it does not name that talk's speaker
as the speaker's own advisor, host or funder (``mentors_self``); otherwise it is replaced by "The record of this talk
does not say …", cited to the talk the model meant.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from app.answer.records import SUPERVISION
from app.answer.result import Answer, Sentence, Source
from app.answer.rewrite import facts

#: A sentence stating a bio fact (who someone is, where they studied or work, what they won, who advised them).
_PERSON_CLAIM = re.compile(
    r"\b(?:ph\.?\s?d|doctora\w*|postdoc\w*|professor\w*|graduat\w*|award\w*|prizes?|fellows?(?:hip)?|scholarships?|honou?rs?|honou?red|medals?|"
    r"affiliat\w*|universit(?:y|ies)|institutes?|faculty|advis[oe]r\w*|advised|" + SUPERVISION + r"|born|alma mater|degrees?|lecturer|"
    r"(?:works?|worked|based|joined|studied|student)\s+(?:at|in|with)|given by|presented by|speaker (?:is|was))\b",
    re.IGNORECASE,
)
#: Words a bio sentence capitalises that name no one in particular ("He is a Professor at the University of ...").
_GENERIC = {"phd", "ph.d", "professor", "assistant", "associate", "university", "institute", "department", "school", "college",
            "lab", "laboratory", "dr", "prof", "postdoc", "postdoctoral", "the", "of", "and", "in", "at", "he", "she", "they",
            "his", "her", "their", "speaker", "talk", "record", "abstract", "bio", "biography"}
#: What the record lacks, by the kind of claim dropped (the first that matches), for the sentence that replaces it.
_MISSING = (
    (re.compile(r"ph\.?\s?d|doctora|graduat|studied|degree|alma mater", re.I), "where the speaker studied"),
    (re.compile(r"award|prize|fellow|scholarship|honou?r|medal", re.I), "which honours the speaker received"),
    (re.compile(r"advis|supervis", re.I), "who advised the speaker"),
    (re.compile(r"given by|presented by|speaker (?:is|was)", re.I), "who gave the talk"),
)


#: Degrees by level, in folded text (ASCII, lower case): the spellings of bios, abbreviations with their dots only, so
#: that initials ("M. A. Smith") are no degree.
_DEGREES = {
    "a bachelor's degree": re.compile(r"\bbachelors?\b|\bb\.(?:sc|s|a|eng|tech)\.|\bbsc\b|\bundergraduate\b"),
    "a master's degree": re.compile(r"\bmasters?\b|\bm\.(?:sc|s|a|eng|phil)\.|\bmsc\b|\bmphil\b"),
    "a doctorate": re.compile(r"\bph\.?\s?d\b|\bdoctora\w*|\bd\.phil\b|\bdphil\b"),
}


def degrees(text: str) -> set[str]:
    """The degree levels ``text`` names ("a master's degree" for "M.Sc." or "masters"); "postdoctoral" is none."""
    folded = _folded(text)
    return {level for level, pattern in _DEGREES.items() if pattern.search(folded)}


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def record_text(source: Source) -> str:
    """Everything the talk's own record says, folded for matching."""
    talk = source.talk
    return _folded(" ".join([talk.title, talk.abstract, *talk.notes, talk.speaker or "", *talk.coauthors]))


def is_person_claim(sentence: Sentence) -> bool:
    return sentence.kind == "claim" and bool(_PERSON_CLAIM.search(sentence.text))


#: A relation to a mentor, host or funder, followed by who it is ("supervised by X", "his supervisors were X", "a
#: scholarship from X", "under the guidance of X").
_MENTORED_BY = re.compile(
    r"\b(?:supervis\w*|advis\w*|guided|guidance|mentor\w*|hosted|hosts?|scholarships?|fellowships?|funded)\b"
    r"(?:\s+(?:of|by|from|is|are|was|were|with|(?:the\s+)?(?:dr|prof)\.?)){1,3}\s+(?P<who>[^,;]{1,80})",
    re.IGNORECASE,
)


def mentors_self(sentence: Sentence, speakers: list[str]) -> bool:
    """Does the sentence name a talk's speaker as the speaker's own advisor, host or funder? "His supervisors were Tim
    G. J. Rudner and Tim G. J. Rudner", "The PhD is guided by Hossein Taheri", of those talks' own speakers (seen in
    held-out-29 fb024, held-out-36 fi024 and held-out-25 ex022, read after their runs): every name in it is in the record, so
    the name check keeps it, yet it relates the speaker to the speaker."""
    folded = [_folded(name) for name in speakers if name]
    return any(name in _folded(match.group("who")) for match in _MENTORED_BY.finditer(sentence.text) for name in folded)


def _specific_facts(text: str) -> set[str]:
    """The names and numbers of ``text`` that name someone or something in particular, folded for matching."""
    return {_folded(f) for f in facts(text)} - _GENERIC


def _held_by(sentence: Sentence, numbers: list[int], records: dict[int, str]) -> bool:
    """Some talk among ``numbers`` has every specific name, number and degree of the sentence in its record."""
    wanted = _specific_facts(sentence.text)
    levels = degrees(sentence.text)
    return any(n in records and all(f in records[n] for f in wanted) and levels <= degrees(records[n]) for n in numbers)


def missing_sentence(dropped: Sentence, source: Source) -> Sentence:
    """The replacement of a dropped bio claim: what this talk's record does not say, cited to it (never "who gave
    the talk" when the record names its speaker: the record facts state the speaker after it; the degree, when only
    the degree was not the record's)."""
    record = record_text(source)
    unnamed = sorted(degrees(dropped.text) - degrees(record))
    if unnamed and all(f in record for f in _specific_facts(dropped.text)):  # dropped for the degree alone
        return Sentence(f"The record of this talk does not mention {unnamed[0]} of the speaker.", [source.n], 1.0, kind="absence")
    kinds = [(pattern, text) for pattern, text in _MISSING if not (source.talk.speaker and text == "who gave the talk")]
    what = next((text for pattern, text in kinds if pattern.search(dropped.text)), "this about the speaker")
    return Sentence(f"The record of this talk does not say {what}.", [source.n], 1.0, kind="absence")


def keep_people_own(answer: Answer) -> Answer:
    """Bio claims not held by the record of the talk they cite dropped, each replaced (once) by what that record lacks."""
    if answer.abstained or not answer.sources:
        return answer
    records = {s.n: record_text(s) for s in answer.sources}
    by_n = {s.n: s for s in answer.sources}
    kept: list[Sentence] = []
    for sentence in answer.sentences:
        meant = sentence.model_citations or sentence.citations
        speakers = [by_n[n].talk.speaker for n in {*meant, *sentence.citations} if n in by_n]
        if not is_person_claim(sentence) or (_held_by(sentence, meant, records) and _held_by(sentence, sentence.citations, records)
                                             and not mentors_self(sentence, speakers)):
            kept.append(sentence)
            continue
        missing = missing_sentence(sentence, by_n.get((meant or [0])[0], answer.sources[0]))
        if all(s.text != missing.text for s in kept):
            kept.append(missing)
    return replace(answer, sentences=kept)
