"""Citation markers in answer text: "[1]", "[2, 3]", split into sentences, and refusals recognised."""

from __future__ import annotations

import re

from app.answer.result import Answer, Sentence
from app.core.safety import PLACEHOLDER, neutralise
from app.core.text import MARKER, cited_numbers, content_words, split_sentences

_REFUSAL = re.compile(
    r"\b(?:(?:do(?:es)?n[’']?t|do(?:es)? not|never) (?:cover|mention|address|discuss|say|contain|provide|give|state|specify|report|include)|"
    r"not (?:covered|mentioned|addressed|discussed|available|stated|given|specified|reported|included)|no information|cannot (?:answer|find)|"
    r"can[’']?t (?:answer|find)|unable to (?:answer|find)|there is no (?:talk|source|mention))\b",
    re.IGNORECASE,
)


def parse_citations(text: str, valid: set[int]) -> tuple[list[Sentence], list[int]]:
    """Split an answer into sentences with their [n] markers; numbers outside ``valid`` are dropped.

    A marker right after a sentence's full stop ("... data. [2]") belongs to that sentence. The stand-in for a source
    sentence removed as an instruction (``PLACEHOLDER``), copied by the model as if it were a finding ("(a sentence
    that looked like an instruction was removed) [1]", fresh14 f14inj19, fresh24 f24inj23; mid-sentence in five
    answers of the first injection runs), is no part of any sentence.
    """
    text = text.replace(PLACEHOLDER, " ")
    # ... unless a word follows it: "[2] shows that ..." uses the marker as the next sentence's subject.
    text = re.sub(r"([.?!])\s+((?:\[\d+(?:\s*[,;]\s*\d+)*\]\s*)+)(?=$|\s*\n|\s+[A-Z(\"“'0-9])", r" \2\1 ", text.strip())
    sentences, order = [], []
    for raw in split_sentences(text):
        cited = [n for n in cited_numbers(raw) if n in valid]
        clean = re.sub(r"\s+([.?!,;:])", r"\1", re.sub(r"\s{2,}", " ", MARKER.sub("", _markers_as_words(raw)))).strip()
        if not clean or not re.search(r"\w", clean):
            continue
        sentences.append(Sentence(text=clean, citations=cited))
        order += [n for n in cited if n not in order]
    return sentences, order


#: A marker opening the sentence as its subject: a lower-case verb follows ("[1] proves …"); "[1] The method …"
#: is a citation before a sentence of its own (case-sensitive there, whatever the flag says elsewhere).
_LEADING = re.compile(r"^\s*(?:(?:source|talk)s?\s+)?(?:\[\d+(?:\s*[,;]\s*\d+)*\]\s*)+(?=(?-i:[a-z]))", re.IGNORECASE)
_AFTER_PREPOSITION = re.compile(
    r"\b(in|by|from|see|per)\s+(?:(?:source|talk)s?\s+)?((?:\[\d+(?:\s*[,;]\s*\d+)*\](?:\s*(?:,|and)\s*(?=\[)|\s*))+)", re.IGNORECASE
)
#: A verb whose "by" names a person ("was given by [1]" where the record holds no speaker): the marker is not a talk
#: (held-out-14 j018 and held-out-15 g011, g017 read "… was given by this talk"; read after their runs).
_BY_PERSON = re.compile(r"\b(?:given|presented|delivered|spoken|authored|co-authored|written|advised|supervised)\s*$", re.IGNORECASE)
#: A talk named earlier in the sentence: a later subject marker is "the other talk".
_ONE_TALK = re.compile(r"\b(?:this|first|one) talk\b", re.IGNORECASE)


#: A marker as the subject of a clause after a conjunction or comma ("while [2] considers …"): not a citation
#: list going on ("[1], [2] and [3]") nor one a preposition or relative word follows.
_MID_SUBJECT = re.compile(
    r"(\b(?:while|whereas|whilst|but|and|although|though|yet)|[,;])\s+(?:\[\d+(?:\s*[,;]\s*\d+)*\]\s*)+"
    r"(?!(?:and|or|but|in|on|of|for|with|to|as|at|by|from|which|that|where|while|respectively)\b)(?=[a-z])"
)


def _markers_as_words(sentence: str) -> str:
    """A marker the model used as a noun ("[2] shows that …", "as shown in [1]", "while [2] considers …")
    becomes "this talk" ("these talks" for several after a preposition; "the other talk" as a later subject
    once the sentence has named one), so the sentence still reads once its markers move to the end."""
    sentence = _LEADING.sub(lambda m: "This talk " if m.start() == 0 else "this talk ", sentence)
    sentence = _AFTER_PREPOSITION.sub(_preposition_object(sentence), sentence)
    other = lambda m: f"{m.group(1)} {'the other' if _ONE_TALK.search(sentence, 0, m.start()) else 'this'} talk "  # noqa: E731
    return _MID_SUBJECT.sub(other, sentence)


def _preposition_object(sentence: str):
    """The words for each marker after a preposition, in order: "these talks" for several, "this talk" for the
    first single one and "another talk" after it ("discussed in [1] and in [2]" must not become "in this talk
    and in this talk")."""
    named = [m.start() for m in _ONE_TALK.finditer(sentence)]

    def words(m: re.Match) -> str:
        if m.group(1).lower() == "by" and _BY_PERSON.search(sentence, 0, m.start()):
            return m.group(0)  # a person's place ("was given by [1]"): a talk there is nonsense; the sentence ends on "by"
        if len(cited_numbers(m.group(2))) > 1:
            return f"{m.group(1)} these talks "
        noun = "another talk" if any(start < m.start() for start in named) else "this talk"
        named.append(m.start())
        return f"{m.group(1)} {noun} "

    return words


def is_refusal(text: str) -> bool:
    return bool(_REFUSAL.search(text))


#: Bracketed numbers alone, not a marker ("[14:07]", a transcript's time stamp): what is left of a sentence a check
#: cut (fresh21 f21inj26 kept "[14:07] [1]" after the guard dropped the link the line went on to; read after its run).
_BRACKETS_ONLY = re.compile(r"\W*(?:\[[^\]A-Za-z]*\]\W*)+")
#: A colon with nothing after it: the list the sentence announces is not there.
_EMPTY_LIST = re.compile(r":\s*\.?\s*$")
#: Words a finished sentence does not end on: the model stopped where its answer should be.
_DANGLING = frozenset(
    "is are was were be been at and or of on by in to the a an with from for as called named titled "
    "include includes including such".split()
)
_COPULAS = frozenset("is are was were be been".split())
_PRONOUNS = frozenset("it they this that these those he she there which what who".split())
_TOKEN = re.compile(r"[A-Za-z0-9][\w\-]*")
_NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*")


def says_nothing(text: str, question: str, sources: str) -> bool:
    """Does the sentence add nothing to the question that the sources back?

    A small model that finds no answer in its sources often writes the
    question back as a statement ("There was a talk on quantum machine
    learning [1].") or leaves the slot of the missing fact empty ("The GitHub
    link is [1]."): such a sentence gives the reader nothing, and citing it
    makes an unanswered question look answered. Tests, no threshold:

    * it is bracketed numbers only ("[14:07]"), what a cut leaves;
    * it ends on a word no finished sentence ends on (an empty slot), or on a colon with nothing after it but markers
      ("… are presented in the following arXiv links: [1]."; held-out-44 fq031 and fq038, read after their runs), unless
      it is a list line ("- Title: … the following two works: [10].", a talk's own sentence);
    * it has no content word or number the question lacks, and some of its
      words occur in none of the ``sources`` (the text the model read). A
      restatement the sources do use is kept: "There was a talk on tropical
      geometry." is the answer to "Was there a talk on tropical geometry?".
    """
    words = [w.lower() for w in _TOKEN.findall(MARKER.sub("", text))]
    if not words or _BRACKETS_ONLY.fullmatch(MARKER.sub("", text)):
        return True
    if words[-1] in _DANGLING and not (words[-1] in _COPULAS and len(words) > 1 and words[-2] in _PRONOUNS):
        return True  # "… as effective as it is." is finished; "The GitHub link is." is not
    if _EMPTY_LIST.search(MARKER.sub("", text)) and not text.lstrip().startswith("-"):
        return True
    if _informative(MARKER.sub("", text)) - _informative(question):
        return False
    return not content_words(text) <= content_words(sources)


def _informative(text: str) -> set[str]:
    """Content words and numbers (an arXiv id or a rate is information too)."""
    return content_words(text) | set(_NUMBER.findall(text))


def strip_markers(text: str) -> str:
    """The text without its [n] markers (what a follow-up's history keeps)."""
    return re.sub(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]", "", text).strip()


def is_choice(text: str) -> bool:
    """Is the reply source numbers only ("[1][3]", what the list prompt asks for)?"""
    return bool(text) and not re.search(r"[A-Za-z]", MARKER.sub("", text))


def render_choice(answer: Answer) -> str:
    """The model answered with source numbers only ("[1][3]"): name the talks it chose (and their speakers),
    each with its sentence most relevant to the question, so the list says what each talk contributes."""
    by_n = {s.n: s for s in answer.sources}
    lines = []
    for n in cited_numbers(answer.answer):
        if n not in by_n:
            continue
        source = by_n[n]
        title = source.talk.title.rstrip(" …").rstrip(".")
        if source.talk.speaker:  # who gave it: a list of talks names its speakers
            title += f" ({neutralise(source.talk.speaker)})"
        lead = strip_markers(neutralise(source.lead)) if source.lead else ""
        if lead and lead != PLACEHOLDER:
            lines.append(f"- {title}: {lead.rstrip('.')} [{n}].")
        else:
            lines.append(f"- {title} [{n}].")
    return "\n".join(lines)
