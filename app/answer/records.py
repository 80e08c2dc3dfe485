"""Questions about the talk record (who spoke, co-authors, links, where in the file) answered from the ``Talk``.

Abstract sentences rarely say who gave a talk or where its paper is; the
talk record does (speaker and co-authors from the biography and "joint work"
notes, normalised links, line numbers). Two uses:

* the top talk's notes (biography, references) go into its source when the question asks about the
  person, the co-authors or the papers, so the model can answer from them and attribution can check it;
* facts read straight off the record are added to the answer as sentences of their own, cited and
  exact (a URL copied by a 1.5B model is often garbled), unless the answer already states them.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from app.answer.result import Sentence, Source
from app.core.text import split_sentences

_LINKS = re.compile(
    r"\b(?:links?|urls?|arxiv|papers?|preprints?|code|github|repositor(?:y|ies)|openreview|references?|website|slides|publications?)\b",
    re.IGNORECASE,
)
_PERSON = re.compile(
    r"\b(?:who|whom|whose|speaker|presenter|presented|gave|spoke|bio(?:graphy)?|ph\.?d|doctor(?:ate|al)|advis[oe]r|supervis\w*|"
    r"affiliat\w*|universit(?:y|ies)|institute|professor|postdoc\w*|faculty|lab|group|degree)\b",
    re.IGNORECASE,
)
_COAUTHORS = re.compile(r"\b(?:co-?authors?|joint(?:ly)?|collaborat\w*|together with|with whom)\b", re.IGNORECASE)
_LINES = re.compile(r"\b(?:which|what)\s+lines?\b|\bwhere in the (?:file|corpus|collection)\b|\bline numbers?\b", re.IGNORECASE)


def asks_links(question: str) -> bool:
    return bool(_LINKS.search(question))


def asks_person(question: str) -> bool:
    return bool(_PERSON.search(question))


def asks_coauthors(question: str) -> bool:
    return bool(_COAUTHORS.search(question))


def asks_lines(question: str) -> bool:
    return bool(_LINES.search(question))


def asks_record(question: str) -> bool:
    """Does the question ask about the talk record rather than (only) the research?"""
    return asks_links(question) or asks_person(question) or asks_coauthors(question) or asks_lines(question)


def with_notes(source: Source) -> Source:
    """The source with every note sentence of its talk (biography, joint work, references) added."""
    notes = [s for note in source.talk.notes for s in split_sentences(note)]
    extra = [s for s in notes if s not in source.sentences]
    return replace(source, sentences=[*source.sentences, *extra]) if extra else source


def record_block(source: Source, question: str) -> str:
    """The record fields a question needs, as lines the model reads under the source's title."""
    talk = source.talk
    lines = []
    if talk.coauthors and (asks_coauthors(question) or asks_person(question)):
        lines.append(f"Co-authors: {', '.join(talk.coauthors)}")
    if talk.links and asks_links(question):
        lines.append(f"Links: {' '.join(talk.links)}")
    return "\n".join(lines)


def _mentions(sentences: list[Sentence], text: str) -> bool:
    needle = text.casefold()
    return any(needle in s.text.casefold() for s in sentences)


def record_sentences(question: str, sources: list[Source], answer: list[Sentence]) -> list[Sentence]:
    """Exact facts from the record of the answer's main talk that the question asks for and the answer lacks."""
    cited = [n for s in answer for n in s.citations]
    main = next((s for s in sources if cited and s.n == cited[0]), sources[0] if sources else None)
    if main is None:
        return []
    talk, n = main.talk, main.n
    found: list[Sentence] = []
    if asks_person(question) and talk.speaker and not _mentions(answer, talk.speaker):
        found.append(Sentence(f"The talk “{talk.title}” was given by {talk.speaker}.", [n], 1.0, kind="record"))
    if asks_coauthors(question) and talk.coauthors and not any(_mentions(answer, c) for c in talk.coauthors):
        found.append(Sentence(f"It is joint work with {', '.join(talk.coauthors)}.", [n], 1.0, kind="record"))
    missing = [url for url in talk.links if not _mentions(answer, url)]
    if asks_links(question) and missing:
        found.append(Sentence(f"Links: {', '.join(missing)}.", [n], 1.0, kind="record"))
    if asks_lines(question) and talk.lines:
        found.append(Sentence(f"It is at lines {talk.line_ranges()} of {Path(talk.source).name}.", [n], 1.0, kind="record"))
    return found
