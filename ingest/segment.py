"""Group the lines of a one-paragraph-a-line file into talks.

The file has no titles, speakers or blank lines between talks, so boundaries
are inferred. Two kinds of evidence, applied in this order:

1. **The shape of a line** (``classify``). Notes (biography headings and
   paragraphs, "Joint work with ...", "Link to the paper: ...", "References",
   numbered reference items, lists of papers, bare URLs) always attach to the
   talk before them. A line that opens with a continuation cue ("In the second
   part ...", "Finally, ...", "More surprisingly, ...") or refers back to the
   previous paragraph ("these issues", "this question") continues it.
2. **Whether prose continues the prose before it** (``continuation_score``),
   for a prose line after prose: a talk already introduced ("In this talk
   ...", "We study ...") is not introduced again, a short motivating
   paragraph with no statement of the talk's content is incomplete on its
   own, and the embedding similarity of the two paragraphs against the
   typical similarity of neighbouring but unrelated abstracts in the same file.

Prose after a note always starts a new talk: notes close a talk.
The rules are documented with their reasons in docs/segmentation.md; the
boundary F1 on our labelled dev set (tests/data/seed_segments.json) is
measured by ``tests/test_segment.py`` and bench/ingest.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Callable, Sequence

import numpy as np


class Kind(str, Enum):
    PROSE = "prose"
    BIO_HEADING = "bio_heading"
    BIO = "bio"
    NOTE = "note"  # joint work, acknowledgements, "work done at ..."
    LINK = "link"
    REF_HEADING = "ref_heading"
    REFERENCE = "reference"


NOTE_KINDS = frozenset(Kind) - {Kind.PROSE}


@dataclass(frozen=True)
class Line:
    """One non-empty line of a text corpus, with its 1-based number."""

    number: int
    text: str


@dataclass
class Segment:
    """Consecutive lines that make one talk occurrence."""

    lines: list[Line]
    kinds: list[Kind]

    @property
    def start(self) -> int:
        return self.lines[0].number

    @property
    def end(self) -> int:
        return self.lines[-1].number

    def texts(self, *kinds: Kind) -> list[str]:
        return [line.text for line, kind in zip(self.lines, self.kinds) if kind in kinds]


# ------------------------------------------------------------------ line shape

_BIO_HEADING = re.compile(r"^\s*(?:short\s+)?(?:bio(?:graphy)?|about the speaker)\s*:?\s*$", re.I)
_BIO_LEAD = re.compile(r"^\s*(?:short\s+)?bio(?:graphy)?\b\s*:?\s*", re.I)
_BIO_BODY = re.compile(
    r"^(?:Dr\.?\s+|Prof\.?\s+)?[A-Z][\w\u00C0-\u024F'’.\-]*(?:\s+[A-Z][\w\u00C0-\u024F'’.\-]*){0,4}\s+"
    r"(?:is (?:a|an|the|currently|now)\b|was (?:a|an)\b|received (?:his|her|their)\b|obtained (?:his|her|their)\b)"
)
_BIO_WORDS = re.compile(r"\b(?:professor|Ph\.?\s?D|PhD|postdoc|student|researcher|scientist|faculty|lecturer|candidate|fellow)\b", re.I)
_NOTE = re.compile(
    r"^\s*(?:(?:this|the) (?:talk|work|presentation) is (?:mainly )?based on (?:a )?joint work|this is based on (?:a )?joint work|(?:this is )?joint work|"
    r"based on joint work|works? (?:covered|presented) in (?:the|this) talk|in collaboration with|work(?:ed)? together with|"
    r"work done (?:at|outside|while|during)|this is (?:a )?joint|acknowledg)",
    re.I,
)
_LINK = re.compile(
    r"^\s*(?:(?:link to (?:the )?(?:paper|slides|code)|paper|slides|code|reproduction code|github|arxiv[^:]{0,20}|openreview|website|homepage|project page)\s*:\s*)?"
    r"(?:https?://\S+)\s*$",
    re.I,
)
_REF_HEADING = re.compile(
    r"^\s*(?:references?|bibliography|references?\s*:.+|related (?:papers|work)|(?:other )?(?:useful )?references?\s*:|"
    r"(?:the )?(?:talk|presentation) (?:is|will be) (?:mainly )?based on (?:the following|these)[^.]*[:.]|"
    r"based on(?: the following)?(?: (?:works|papers))?\s*:.*|"
    r"(?:i|we) will (?:mainly )?(?:talk|speak) about (?:these|the following|two|three)[^.]{0,60}:|"
    r"paper\s*:.*)\s*$",
    re.I,
)
_REFERENCE = re.compile(r"^\s*(?:\[\d+\]|\d{1,2}[.)])\s+\S")
_CITATION_SHAPE = re.compile(
    r"(?:\b(?:19|20)\d{2}\b|\barXiv\b|\bICLR\b|\bICML\b|\bNeurIPS\b|\bCOLT\b|\bAISTATS\b|\bJMLR\b|\bpreprint\b)"
)


def _looks_like_citation(text: str) -> bool:
    """A line listing a paper: authors, a quoted or plain title, a venue or year; no prose verbs."""
    quoted_title = bool(re.search(r"[“\"].{10,}[”\"]", text))
    if len(text) > 320 or not (quoted_title or _CITATION_SHAPE.search(text)):
        return False
    words = text.split()
    capitalised = sum(1 for w in words if w[:1].isupper())
    return quoted_title or capitalised / max(len(words), 1) > 0.45


def classify(text: str, previous: Kind | None = None) -> Kind:
    """The kind of a line, from its shape alone (and the kind of the line before it)."""
    stripped = text.strip()
    if _BIO_HEADING.match(stripped):
        return Kind.BIO_HEADING
    if previous is Kind.BIO_HEADING:
        return Kind.BIO
    if _BIO_LEAD.match(stripped) and len(stripped) > 12:
        rest = _BIO_LEAD.sub("", stripped)
        if rest[:1].isupper():
            return Kind.BIO
    if _BIO_BODY.match(stripped) and _BIO_WORDS.search(stripped[:300]):
        return Kind.BIO
    if _LINK.match(stripped):
        return Kind.LINK
    if _NOTE.match(stripped) and len(stripped) < 400:
        return Kind.NOTE
    if _REF_HEADING.match(stripped) and len(stripped) < 500:
        return Kind.REF_HEADING
    if _REFERENCE.match(stripped) and len(stripped) < 400:
        return Kind.REFERENCE
    if previous in (Kind.REF_HEADING, Kind.REFERENCE) and _looks_like_citation(stripped):
        return Kind.REFERENCE
    return Kind.PROSE


# ------------------------------------------------------------ prose continuation

_CONTINUATION_CUE = re.compile(
    r"^\s*(?:in the (?:first|second|third|last|final|latter|former) (?:part|half|section)|"
    r"the (?:first|second|third|last) (?:part|half|type|one|direction|result)|"
    r"second|third|next|then|finally|lastly|moreover|furthermore|additionally|in addition|also|"
    r"more (?:surprisingly|importantly|precisely|specifically)|on the (?:one|other) hand|specifically|in particular|"
    r"as a (?:consequence|result|byproduct)|consequently|to this end|to (?:do|address|tackle|gain|demystify|overcome) (?:so|this|these|that|the|insight)|"
    r"in an attempt|building on|motivated by (?:this|these)|for (?:neural networks|deep networks|such) in general|"
    r"we (?:then|begin|next|also|further)|i will also|along the way|time permitting|if time permits)\b",
    re.I,
)
#: A first sentence that points back at the paragraph before ("these issues", "this question").
_BACK_REFERENCE = re.compile(
    r"\b(?:(?:these|such|the above|the aforementioned) (?:issues?|questions?|results?|(?:performance )?gaps?|findings?|"
    r"observations?|phenomena|challenges?|limitations?|puzzles?|shortcomings?|difficult(?:y|ies))|"
    r"this question|our paper'?s)\b",
    re.I,
)
_INTRODUCES_TALK = re.compile(
    r"\b(?:(?:in )?this (?:talk|presentation)|in this work|this work (?:\w+ )?(?:provides|presents|develops|studies|shows|proposes)|"
    r"(?:i|we) (?:will |shall |would |also |first |then |further |now )*"
    r"(?:present|discuss|talk|study|introduce|propose|consider|show|describe|investigate|explore|analy[sz]e|develop|"
    r"establish|derive|prove|provide|focus|review|revisit|give|examine|characteri[sz]e|initiate|highlight|demonstrate|argue|"
    r"tackle|address|build|cover|overview|outline|answer|solve|obtain|find|identify|extend|formulate|design))\b",
    re.I,
)
_OPENS_TALK = re.compile(r"^\s*(?:in this talk|this talk|in this presentation|i will|we will|today)\b", re.I)


def _first_sentence(text: str) -> str:
    match = re.search(r"[.?!](?:\s|$)", text[30:])
    return text[: 30 + match.start() + 1] if match else text


@dataclass(frozen=True)
class SegmenterParams:
    """Weights of the prose-continuation evidence; the defaults are fitted on our dev set."""

    threshold: float = 1.0
    cue: float = 2.5  # opens with a continuation cue ("Finally, ...")
    back_reference: float = 2.5  # first sentence points back ("these issues")
    no_intro: float = 0.6  # the talk so far states nothing it will do
    short_prev: float = 0.8  # ... and its last paragraph is short
    opens_after_motivation: float = 1.0  # ... and this line opens with "In this talk"
    short_line: float = 1.2  # a paragraph too short to be an abstract of its own
    reintroduce: float = -1.4  # talk already introduced, and this line introduces one again
    similarity: float = 0.3  # per spread of similarity above the file's neighbour median
    short_prev_chars: int = 520
    short_line_chars: int = 220


def continuation_score(
    previous_block: Sequence[str],
    line: str,
    similarity_z: float,
    params: SegmenterParams = SegmenterParams(),
) -> float:
    """Evidence that prose ``line`` continues the talk whose prose so far is ``previous_block``.

    ``similarity_z``: how much more similar ``line`` is to the previous
    paragraph than neighbouring paragraphs of the file usually are, in spreads.
    """
    score = 0.0
    opens_talk = bool(_OPENS_TALK.match(line))
    if _CONTINUATION_CUE.match(line):
        score += params.cue
    if _BACK_REFERENCE.search(_first_sentence(line)):
        score += params.back_reference
    if len(line) < params.short_line_chars:
        score += params.short_line
    if _INTRODUCES_TALK.search(" ".join(previous_block)):
        if opens_talk:
            score += params.reintroduce
    else:
        score += params.no_intro
        if len(previous_block[-1]) < params.short_prev_chars:
            score += params.short_prev
        if opens_talk:
            score += params.opens_after_motivation
    return score + params.similarity * similarity_z


def segment(
    lines: Sequence[Line],
    embed: Callable[[list[str]], np.ndarray] | None = None,
    params: SegmenterParams = SegmenterParams(),
) -> list[Segment]:
    """Group ``lines`` into talk occurrences (duplicates are merged later, by ingest.readers.merge_duplicates)."""
    if not lines:
        return []
    kinds: list[Kind] = []
    for line in lines:
        kinds.append(classify(line.text, kinds[-1] if kinds else None))

    # Similarity of consecutive prose paragraphs, standardised against the
    # file's own prose neighbours (most of which are unrelated abstracts).
    z = np.zeros(len(lines))
    prose_pairs = [i for i in range(1, len(lines)) if kinds[i] is Kind.PROSE and kinds[i - 1] is Kind.PROSE]
    if embed is not None and len(prose_pairs) >= 5:
        needed = sorted({j for i in prose_pairs for j in (i - 1, i)})
        texts = list(dict.fromkeys(lines[j].text for j in needed))  # a repeated abstract is embedded once
        vectors = np.asarray(embed(texts), dtype=np.float32)
        position = {text: n for n, text in enumerate(texts)}
        row = {j: position[lines[j].text] for j in needed}
        sims = np.array([float(vectors[row[i]] @ vectors[row[i - 1]]) for i in prose_pairs])
        centre, spread = float(np.median(sims)), float(np.std(sims)) or 1.0
        z[prose_pairs] = (sims - centre) / spread

    segments: list[Segment] = []
    current: Segment | None = None
    for i, (line, kind) in enumerate(zip(lines, kinds)):
        starts_new = current is None
        if current is not None and kind is Kind.PROSE:
            last_kind = current.kinds[-1]
            if last_kind in NOTE_KINDS:
                starts_new = True
            else:
                block = current.texts(Kind.PROSE)
                starts_new = continuation_score(block, line.text, float(z[i]), params) < params.threshold
        if starts_new:
            current = Segment(lines=[], kinds=[])
            segments.append(current)
        current.lines.append(line)
        current.kinds.append(kind)
    return segments


def boundaries(segments: Sequence[Segment]) -> set[int]:
    """Positions i (line numbers) where line i and the next line belong to different talks."""
    return {segment.end for segment in segments[:-1]}
