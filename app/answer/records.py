"""Questions about the talk record (who spoke, co-authors, links, where in the file) answered from the ``Talk``.

Abstract sentences rarely say who gave a talk or where its paper is; the
talk record does (speaker and co-authors from the biography and "joint work"
notes, normalised links, line numbers). Two uses:

* the top talk's notes (biography, references) go into its source when the question asks about the
  person, the co-authors or the papers, so the model can answer from them and attribution can check it;
* facts read straight off the record are added to the answer as sentences of their own, cited and
  exact (a URL copied by a 1.5B model is often garbled), unless the answer already states them;
* a marker the model put where a person belongs ("The talk by [1] proposes …", "The speakers are [1] and
  [3].") gets the speaker from that talk's record in front of it (``state_markers``); a marker where a link
  belongs ("The preprint is [1].") says nothing and is replaced by the record's links (above).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from app.answer.result import Answer, Sentence, Source
from app.answer.vouched_links import vouched_links
from app.core.text import cited_numbers, split_sentences
from app.retrieval.question_kinds import is_comparison, is_open_ended

_LINKS = re.compile(
    r"\b(?:links?|urls?|arxiv|papers?|preprints?|code|github|repositor(?:y|ies)|openreview|references?|website|slides|publications?)\b",
    re.IGNORECASE,
)
#: "supervis-" in the sense of a mentor ("his supervisors", "under the supervision of", "supervised by X", "who supervised
#: their PhD"), not of learning with labels ("supervised learning", "self-supervised", "supervised classifiers"): a verb
#: counts only before "by" or an object. Held-out-45 fr045's bio "… supervised/self-supervised learning" read as naming the
#: advisor, and held-out q011's "… to match supervised learning" as a record question (read after their runs).
SUPERVISION = (r"(?<![\w-])(?<!weak )(?:co-?)?(?:supervisors?|supervision|supervis(?:e|es|ed|ing)"
               r"(?=\s+(?:by|the|his|her|their|its|him|them|it|my|this|that|a|an)\b))")
_PERSON = re.compile(
    r"\b(?:who|whom|whose|speaker|presenter|presented|gave|spoke|bio(?:graphy)?|ph\.?d|doctor(?:ate|al)|advis[oe]r|"
    + SUPERVISION + r"|"
    r"affiliat\w*|universit(?:y|ies)|institute|professor|postdoc\w*|faculty|lab|group|degree)\b",
    re.IGNORECASE,
)
_COAUTHORS = re.compile(r"\b(?:co-?authors?|joint(?:ly)?|collaborat\w*|together with|with whom|(?:done|worked|written)\s+with)\b",
                        re.IGNORECASE)
#: The words that ask for a record (a person, links or papers, co-authors), as against words about the research.
RECORD_WORDS = (_LINKS, _PERSON, _COAUTHORS)
#: "X: speaker, lab, PhD": a tail after a colon this short lists what is asked, and the head is the talk's topic.
SHORT_TAIL = 8
#: "How many …" asked (at the start or after a clause), not inside a description of the talk ("the speaker who bounded
#: how many linear pieces …", held-out-11 y010, read after its runs).
_HOW_MANY = re.compile(r"(?:^|[,;:?.!]\s*)\W*(?:and\s+|so\s+|also\s+)?(?:how many|count)\b", re.IGNORECASE)
_LINES = re.compile(r"\b(?:which|what)\s+lines?\b|\bwhere in the (?:file|corpus|collection)\b|\bline numbers?\b", re.IGNORECASE)
#: "line of work", "a newer line of research. Which line was it?": a line of thought, not of the file (held-out-40 fm009
#: and held-out-43 fp003 got "It is at lines 82 of abstracts.txt.", read after their runs).
_LINE_OF_THOUGHT = re.compile(r"\blines? of (?!(?:the |that |this )?(?:file|corpus|collection|abstracts)\b)[a-z]", re.IGNORECASE)


def asks_links(question: str) -> bool:
    return bool(_LINKS.search(question))


def asks_person(question: str) -> bool:
    return bool(_PERSON.search(question))


def asks_coauthors(question: str) -> bool:
    return bool(_COAUTHORS.search(question))


def asks_lines(question: str) -> bool:
    """Does the question ask where the talk is in the file (not for a line of research it mentions)?"""
    return bool(_LINES.search(question)) and not _LINE_OF_THOUGHT.search(question)


def about_one_talk(question: str) -> bool:
    """Is the question about one talk, not a count, a list of talks or a comparison (whose record facts are another
    path's: app/answer/aggregate.py, app/answer/sides.py)?"""
    return not (_HOW_MANY.search(question) or is_open_ended(question) or compares_talks(question))


def compares_talks(question: str) -> bool:
    """Does the question set talks side by side (``is_comparison``), other than in the topic of a record question?

    "adam versus sgd generalization talk: speaker's employer, postdoc host" describes one talk by what that talk
    compares, then asks for its record in a short tail after a colon. Read as a comparison, such a question got two
    talks as sources and no record step: held-out-44 fq019 was declined, fq034 answered from another talk's text and
    held-out-46 fs012 given another talk's co-authors (read after their runs). So a tail of at most ``SHORT_TAIL`` words
    that asks for the record and compares nothing itself makes the question one talk's. On the question files up to
    held-out-46 (a text-only script) 13 questions read so, 12 of them speaker or link questions; the tail still compares
    in held-out-40's fm002 ("the two compared, the verdict, collaborators")."""
    if not is_comparison(question):
        return False
    _, colon, tail = question.partition(":")
    return not (colon and len(tail.split()) <= SHORT_TAIL and asks_record(tail) and not is_comparison(tail))


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
    links = vouched_links(talk)
    if links and asks_links(question):
        lines.append(f"Links: {' '.join(links)}")
    return "\n".join(lines)


def _mentions(sentences: list[Sentence], text: str) -> bool:
    needle = text.casefold()
    return any(needle in s.text.casefold() for s in sentences)


def main_source(answer: Answer) -> Source | None:
    """The talk a one-talk answer is about: the top source when a claim (or record fact) cites it, else the first
    one they cite, else the top source (an absence's marker does not decide it)."""
    if not answer.sources:
        return None
    cited = [n for s in answer.sentences if s.kind != "absence" for n in s.citations]
    by_n = {s.n: s for s in answer.sources}
    top = answer.sources[0]
    return top if top.n in cited or not cited or cited[0] not in by_n else by_n[cited[0]]


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
    missing = [url for url in vouched_links(talk) if not _mentions(answer, url)]
    if asks_links(question) and missing:
        found.append(Sentence(f"Links: {', '.join(missing)}.", [n], 1.0, kind="record"))
    if asks_lines(question) and talk.lines:
        word = "line" if len(talk.lines) == 1 and talk.lines[0][0] == talk.lines[0][1] else "lines"
        found.append(Sentence(f"It is at {word} {talk.line_ranges()} of {Path(talk.source).name}.", [n], 1.0, kind="record"))
    return found


#: A run of markers standing where a name or a link belongs: after "by" (a person), or after "is/are/was/were"
#: at the end of a clause (the asked-for fact).
_SLOT = re.compile(
    r"\b(?P<verb>by|is|are|was|were)\s+(?P<markers>\[\d+\](?:\s*(?:,|and)?\s*\[\d+\])*)(?=\s*(?:[.;!]|$)|\s+[a-z])"
)


def _fact(talk, verb: str, question: str) -> str | None:
    """What a marker after ``verb`` stands for in this talk's record: after "by" its speaker, after "is/are" its
    speaker for a question about the person; None otherwise. (A link slot, "The preprint is [1].", is left to
    says-nothing and ``record_sentences``, which state the record's links exactly, as a record sentence.)"""
    if verb == "by" or asks_person(question):
        return talk.speaker
    return None


def state_markers(text: str, question: str, sources: list[Source]) -> str:
    """The answer text with each marker-only slot preceded by the fact the cited talk's record holds.

    A slot whose talks' records lack the fact is left as it is (says-nothing drops it later).
    """
    by_n = {s.n: s.talk for s in sources}

    def fill(match: re.Match) -> str:
        numbers = [n for n in cited_numbers(match.group("markers")) if n in by_n]
        facts = [_fact(by_n[n], match.group("verb"), question) for n in numbers]
        if not numbers or any(f is None for f in facts):
            return match.group(0)
        stated = [f"{fact} [{n}]" for fact, n in zip(facts, numbers)]
        joined = stated[0] if len(stated) == 1 else ", ".join(stated[:-1]) + " and " + stated[-1]
        return f"{match.group('verb')} {joined}"

    return _SLOT.sub(fill, text)
