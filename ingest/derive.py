"""What ingest derives from a talk's text without an LLM.

A talk (``app.talk.Talk``) is its abstract (one or more paragraphs) plus notes
(biography, joint work, references, links). From those we derive a stable id (a hash of the
normalised abstract, so an unchanged talk keeps its id across ingests and
wherever it sits in the file), a short title, the speaker where a biography
names one, co-authors, and normalised links.
"""

from __future__ import annotations

import hashlib
import re

from app.text import STOP, normalise, split_sentences

# ---------------------------------------------------------------- ids


def talk_id(abstract: str) -> str:
    """A content id: the same abstract always gets the same id."""
    return "t" + hashlib.sha256(normalise(abstract).encode()).hexdigest()[:11]


# ---------------------------------------------------------------- titles

#: "In this talk, I will discuss X" -> X. The statement of what a talk does names its topic.
_STATEMENT = re.compile(
    r"^(?:(?:in|during) this (?:talk|presentation|lecture|work),?\s*)?"
    r"(?:(?:i|we)(?:\s+will\s+|\s+would\s+|\s+shall\s+|[’']ll\s+|\s+)(?:first\s+|briefly\s+|mainly\s+|also\s+)?"
    r"(?:talk about|speak about|see|discuss|present|introduce|study|consider|explore|revisit|investigate|propose|examine|"
    r"describe|review|overview|focus on|analy[sz]e|characteri[sz]e|give an overview of)"
    r"|this talk (?:will\s+)?(?:discuss(?:es)?|present(?:s)?|explore(?:s)?|introduce(?:s)?|focus(?:es)? on|is about|"
    r"highlight(?:s)?|examine(?:s)?|review(?:s)?|will talk about))\s+"
    r"(?:that\s+)?(?:some of\s+)?(?:(?:my|our)\s+(?:recent\s+)?(?:work|research|results)\s+on\s+)?(?:the problem of\s+)?",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"\s*(?:[,;:(\u2014]|\s--?\s|\s(?:which|where|whereby|that is|i\.e\.|e\.g\.)\s)")
_MAX_TITLE_WORDS = 12


def derive_title(abstract: str) -> str:
    """A readable title of at most 12 words, without an LLM.

    The sentence that states what the talk does ("In this talk we study X
    ...") names its topic better than a motivating first sentence, so we take
    its object; otherwise the first sentence. Then we cut at the first clause
    break after a few words, and at 12 words at most.
    """
    sentences = split_sentences(abstract) or [abstract.strip()]
    candidate = sentences[0]
    for sentence in sentences[:4]:
        if match := _STATEMENT.match(sentence):
            if len(sentence[match.end() :].split()) >= 3:
                candidate = sentence[match.end() :]
                break
    candidate = candidate.strip().rstrip(".?! ")
    words = candidate.split()
    # Cut at a clause break that leaves at least four words.
    for match in _CLAUSE_BREAK.finditer(candidate):
        head = candidate[: match.start()].split()
        if len(head) >= 4:
            words = head
            break
    clipped = len(words) > _MAX_TITLE_WORDS
    if clipped:
        words = words[:_MAX_TITLE_WORDS]
        while words and words[-1].lower().strip(",;:") in STOP:  # no dangling "of the"
            words.pop()
    title = " ".join(words).rstrip(",;:")
    if not title:
        return "Untitled talk"
    return title[:1].upper() + title[1:] + (" …" if clipped else "")


# ---------------------------------------------------------------- links

_URL = re.compile(r"https?://[^\s<>()\"'\]]+[^\s<>()\"'\].,;:]")
_ARXIV_ID = re.compile(r"(?:arxiv(?:\.org/(?:abs|pdf)/|:\s*|\s+))(\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?", re.IGNORECASE)


def normalise_link(url: str) -> str:
    """arXiv links become ``https://arxiv.org/abs/<id>`` (no version, no pdf); others keep their form."""
    match = _ARXIV_ID.search(url)
    if match and "arxiv" in url.lower():
        return f"https://arxiv.org/abs/{match.group(1)}"
    return url.rstrip("/") if url.count("/") > 3 else url


def extract_links(text: str) -> list[str]:
    """URLs and bare arXiv ids in ``text``, normalised, first occurrence order, no duplicates."""
    found: list[str] = []
    for url in _URL.findall(text):
        # URLs pasted without a space between them ("...12692https://arxiv.org/...") are several links.
        found += [normalise_link(part) for part in re.split(r"(?<=\w)(?=https?://)", url) if part]
    for match in _ARXIV_ID.finditer(text):
        if "arxiv.org" not in match.group(0).lower():
            found.append(f"https://arxiv.org/abs/{match.group(1)}")
    return list(dict.fromkeys(found))


# ---------------------------------------------------------------- people

_NAME = r"(?:[A-Z](?:[a-zA-Z\u00C0-\u024F'’\-]+\.?|\.)(?:\s+(?:[A-Z]\.\s*)*[A-Z][a-zA-Z\u00C0-\u024F'’\-]+)*)"
_BIO_SUBJECT = re.compile(
    r"^(?:bio(?:graphy)?\s*:?\s*)?(?:Dr\.?\s+|Prof\.?\s+)?(" + _NAME + r")\s+(?:\([^)]*\)\s+)?"
    r"(?:is|was|received|obtained|holds|joined|currently|works|leads|graduated)\b",
)


def speaker_from_bio(bio: str) -> str | None:
    """The person a third-person biography is about ("Bio: Mariya Toneva is ..." -> "Mariya Toneva")."""
    text = re.sub(r"^\s*(?:short\s+)?bio(?:graphy)?\s*:?\s*", "", bio.strip(), flags=re.IGNORECASE)
    match = _BIO_SUBJECT.match(text)
    if not match:
        return None
    name = match.group(1).strip()
    if name.lower() in {"he", "she", "they", "i", "we", "this", "the"}:
        return None
    return name


_INLINE_BIO = re.compile(r"(?<=[.!?)\]])\s+(?i:short\s+)?(?i:bio(?:graphy)?)\s*:\s*")


def speaker_from_inline_bio(text: str) -> str | None:
    """The speaker of a biography inside a paragraph: "... (ICML 2022). Bio: Wei Hu is a postdoc ..."."""
    for match in _INLINE_BIO.finditer(text):
        if name := speaker_from_bio(text[match.end() :]):
            return name
    return None


_COAUTHOR_LEAD = re.compile(
    r"(?:joint work(?:s)?|joint(?= with)|in collaboration|work(?:ed)? together|based on (?:a )?joint work(?:s)?|collaboration)"
    r"\s*(?:with)?\s*:?\s*(.+)",
    re.IGNORECASE,
)
#: Not a person: an acronym ("IBM", "CVPR") or an institution word.
_NOT_A_PERSON = re.compile(r"\b(?:[A-Z]{2,}|Research|University|Institute|Lab(?:s|oratory)?|Inc|Labs)\b")


def extract_coauthors(note: str) -> list[str]:
    """Names after "joint work with" / "joint with" / "in collaboration with", up to the end of that sentence."""
    names = []
    for match in _COAUTHOR_LEAD.finditer(note):
        tail = re.sub(r"\([^)]*\)", "", match.group(1))  # affiliations, links
        tail = re.split(r"(?<=[a-z]{2})[.;!?](?=\s|$|\))", tail, maxsplit=1)[0]  # this sentence only
        tail = re.sub(r"\b(?:my advisor|my supervisor|our|his|her|prof\.?|dr\.?)\s+", "", tail, flags=re.I)
        for part in re.split(r",|\band\b|;|&", tail):
            part = re.sub(r"\s+(?:at|from)\s+.*$", "", part.strip(" .)"))  # "Ziyu Chen at UMass Amherst"
            if re.fullmatch(_NAME, part) and 1 <= len(part.split()) <= 4 and not _NOT_A_PERSON.search(part):
                names.append(part)
    return list(dict.fromkeys(names))
