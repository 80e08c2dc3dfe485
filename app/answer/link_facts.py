"""A kind of link asked for that the talk's record does not have: said so from the record, never made up.

Asked "Is there code on GitHub for the talk on X?" about a talk whose record gives only arXiv links, the
1.5B model answers "Yes, there is a GitHub repo for the work [2]" or declines, and records.py appends the
links the record does give without saying that none is of the asked kind. So for a question about one talk
that asks for a kind of link (code, arXiv, OpenReview, a paper, a homepage, a video), when the main talk's
record holds none of that kind: a claim affirming such a link without giving a recorded URL is dropped, and
the answer opens with what the record gives ("The record of this talk gives no code link; its links: …") and,
for a paper asked for, the references the record cites without a link ("D. Janzing: Causal regularization, NeurIPS 2019").
When the record has a link of the kind, records.py states it. Chosen on the seen link questions (dev
q065–q076, held-out h033–h039, held-out-11 y017–y032, read after its runs); judged on held-out-12.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from app.answer.records import about_one_talk, main_source
from app.answer.reference_facts import quoted_references
from app.answer.result import Answer, Sentence
from app.answer.vouched_links import vouched_links
from app.core.links import LINK


@dataclass(frozen=True)
class LinkKind:
    """A kind of link: what a question calls it, what its address looks like, and its name in the answer."""

    name: str
    asked: re.Pattern
    address: re.Pattern
    #: Named in a question, the word asks for a link by itself ("GitHub", "arXiv"); else only with a request for
    #: a link or a place ("Where can I read the paper?", "Is there code?"), as "paper" is also a topic word.
    by_itself: bool


_PAPER_SITES = r"arxiv\.org|openreview\.net|doi\.org|\.pdf\b|proceedings|papers\.nips|jmlr\.org|mlr\.press|dl\.acm|ieeexplore|springer|sciencedirect"
_CODE_SITES = r"github\.com|gitlab|bitbucket\.org|huggingface\.co|pypi\.org"
_VIDEO_SITES = r"youtube\.com|youtu\.be|vimeo\.com"
KINDS = (
    LinkKind("GitHub", re.compile(r"\bgit\s?hub\b", re.I), re.compile(r"github\.com", re.I), True),
    LinkKind("code", re.compile(r"\b(?:code|repo|repository|repositories|implementation|software)\b", re.I),
             re.compile(_CODE_SITES, re.I), False),
    LinkKind("arXiv", re.compile(r"\barxiv\b", re.I), re.compile(r"arxiv\.org", re.I), True),
    LinkKind("OpenReview", re.compile(r"\bopen\s?review\b", re.I), re.compile(r"openreview\.net", re.I), True),
    LinkKind("paper", re.compile(r"\b(?:papers?|preprints?|pdf|publications?)\b", re.I), re.compile(_PAPER_SITES, re.I), False),
    LinkKind("video", re.compile(r"\b(?:videos?|youtube)\b", re.I), re.compile(_VIDEO_SITES, re.I), False),
    LinkKind("homepage", re.compile(r"\b(?:home\s?page|website|web\s?page|personal\s+page|web\s?site)\b", re.I),
             re.compile(rf"^(?!.*(?:{_PAPER_SITES}|{_CODE_SITES}|{_VIDEO_SITES}))", re.I), False),
)
#: A request for a link or a place to read or get something (not "where" opening a relative clause, not "get" as in
#: "what award did the paper get").
_REQUEST = re.compile(r"\b(?:links?|urls?|addresses|where\s+(?:can|could|do|does|is|are|to|would|might)|is\s+there|are\s+there|"
                      r"available|(?:can|could)\s+(?:i|you|we|one)\s+(?:please\s+)?(?:find|get|read|see|access|download)|"
                      r"(?:do|does)\s+(?:it|they|the\s+talk|the\s+record)\s+(?:have|give|share|release|provide|list))\b", re.I)
#: A claim that a link exists or where it is ("Yes, there is a GitHub repo", "The code is available at …", "The talk is
#: linked to its code": held-out-44 fq041, read after its runs, right after the sentence saying the record has none).
_AFFIRMS = re.compile(r"\b(?:yes|there\s+(?:is|are)|available|released|hosted|posted|published|provided|shared|linked|can\s+be\s+"
                      r"(?:found|accessed|downloaded|read)|(?:is|are)\s+(?:at|on|in)\b)", re.I)
_PAPER_KINDS = ("arXiv", "OpenReview", "paper")


def asked_kinds(question: str) -> list[LinkKind]:
    """The kinds of link a question asks for (none for a question about the research): a kind named by itself, or
    in the same clause as a request ("…, where is he doing his PhD, and what award did the paper get?" asks none)."""
    clauses = [c for c in re.split(r"[,;:?!.]\s", question) if c.strip()]
    return [kind for kind in KINDS
            if any(kind.asked.search(c) and (kind.by_itself or _REQUEST.search(c)) for c in clauses)]


def of_kind(links: list[str], kind: LinkKind) -> list[str]:
    return [url for url in links if kind.address.search(url)]


def _affirms_missing(sentence: Sentence, missing: list[LinkKind]) -> bool:
    """A claim that the talk has a link of a missing kind, without a URL of its own."""
    return (sentence.kind == "claim" and not LINK.search(sentence.text) and bool(_AFFIRMS.search(sentence.text))
            and any(kind.asked.search(sentence.text) for kind in missing))


#: How the sentence saying a kind of link is missing begins (``says_kind_missing`` finds it again).
_MISSING = "The record of this talk gives no "


def _absence(kinds: list[LinkKind], links: list[str]) -> str:
    names = " or ".join(dict.fromkeys(kind.name for kind in kinds))
    if not links:
        return f"{_MISSING}{names} link, and no other link."
    return f"{_MISSING}{names} link; the links it gives: {', '.join(links)}."


def says_kind_missing(sentence: Sentence) -> bool:
    """Is this the record's sentence that an asked kind of link is missing (a statement of absence, not a fact)?"""
    return sentence.kind == "record" and sentence.text.startswith(_MISSING)


def state_missing_kinds(answer: Answer) -> Answer:
    """For a one-talk question asking for kinds of link the main talk's record has none of: the claims affirming
    one dropped, and the record's own links stated first (once: an answer that says so already is left as it is)."""
    if answer.abstained or not about_one_talk(answer.question) or any(says_kind_missing(s) for s in answer.sentences):
        return answer
    kinds = asked_kinds(answer.question)
    main = main_source(answer)
    links = vouched_links(main.talk) if main is not None else []
    if not kinds or main is None or any(of_kind(links, kind) for kind in kinds):
        return answer
    kept = [s for s in answer.sentences if not _affirms_missing(s, kinds)]
    # The record's links are said here: records.py's "Links: …" sentence would say them twice.
    kept = [s for s in kept if not (s.kind == "record" and s.text.startswith("Links:"))]
    said = [Sentence(_absence(kinds, links), [main.n], 1.0, kind="record")]
    if any(kind.name in _PAPER_KINDS for kind in kinds):  # a paper cited without a link is still named by the record
        said += quoted_references(main, kept)
    return replace(answer, sentences=[*said, *kept])
