"""What ingest derives from a talk's text without an LLM.

A talk (``app.core.talk.Talk``) is its abstract (one or more paragraphs) plus notes
(biography, joint work, references, links). From those we derive a stable id (a hash of the
normalised abstract, so an unchanged talk keeps its id across ingests and
wherever it sits in the file), a short title, the speaker where a biography
names one, co-authors, and normalised links.
"""

from __future__ import annotations

import hashlib
import re

from app.core.links import BARE_LINK
from app.core.text import STOP, content_words, normalise, split_sentences
from app.index.titles import ANAPHORA, BAD_START, DANGLING_END, is_fragment

# ---------------------------------------------------------------- ids


def talk_id(abstract: str) -> str:
    """A content id: the same abstract always gets the same id."""
    return "t" + hashlib.sha256(normalise(abstract).encode()).hexdigest()[:11]


# ---------------------------------------------------------------- titles
#
# A title is chosen from candidates, best first; the first that is not a fragment
# (app.index.titles.fragment_reason: no leading pronoun or determiner, no ellipsis, no
# sentence, at most 12 words) wins:
#
# 1. the method the abstract introduces by name ("we propose X, a ...", "called X",
#    "we introduce Long Name (LN)"), with its description when it has one;
# 2. the object of the sentence that states what the talk does ("In this talk,
#    I will discuss X ...");
# 3. the subject of the first sentence ("Flatness of the loss curve is ...");
# 4. key phrases: the runs of content words the abstract repeats most.
#
# The LLM title (app/index/titles.py) replaces it once generated; this one is instant.

#: "In this talk, I will discuss X" -> X. The statement of what a talk does names its topic.
_STATEMENT = re.compile(
    r"^(?:(?:in|during) this (?:talk|presentation|lecture|work|paper),?\s*)?"
    r"(?:(?:i|we)(?:\s+will\s+|\s+would\s+|\s+shall\s+|[’']ll\s+|\s+)(?:first\s+|briefly\s+|mainly\s+|also\s+)?"
    r"(?:talk about|speak about|see|discuss|present|introduce|study|consider|explore|revisit|investigate|propose|examine|"
    r"describe|review|overview|focus on|analy[sz]e|characteri[sz]e|give an overview of|address|tackle)"
    r"|this (?:talk|work|paper) (?:will\s+)?(?:discuss(?:es)?|present(?:s)?|explore(?:s)?|introduce(?:s)?|focus(?:es)? on|is about|"
    r"highlight(?:s)?|examine(?:s)?|review(?:s)?|stud(?:y|ies)|will talk about|talk about))\s+",
    re.IGNORECASE,
)
#: Wrappers around a topic that say nothing of it: "the problem of X" -> X.
_WRAPPER = re.compile(
    r"^(?:and\s+explore\s+)?(?:(?:an?\s+)?(?:series|number|couple|selection)\s+of\s+)?(?:(?:some|several|two|three|a few|the|my|our)\s+)?(?:of\s+(?:my|our)\s+)?(?:recent\s+|new\s+)?"
    r"(?:(?:work|works|research|results?|progress|advances|developments|insights|thoughts|ideas)\s+(?:on|in|towards?|about|regarding)\s+"
    r"|(?:problem|question|notion|concept|topic|idea|phenomenon|task)\s+of\s+)",
    re.IGNORECASE,
)
#: Where a topic phrase ends: a clause break, a relative clause, an example.
_CLAUSE_BREAK = re.compile(
    r"\s*(?:[,;:(\u2014]|\s--?\s|\s(?:which|that|where|whereby|who|whose|when|while|i\.e\.|e\.g\.|such as|as well as|"
    r"in order to|so that|because|since|using|we|our)\s)",
    re.IGNORECASE,
)
#: Where a long phrase may be cut and still read as a title: before a preposition or conjunction.
_SOFT_BREAK = re.compile(r"\s(?=(?:of|for|in|on|with|via|under|through|by|and|to|from|across|beyond|at|into|over|between)\s)")
#: Verbs that end the subject of a first sentence ("Flatness of the loss curve | is conjectured ...").
_SUBJECT_END = re.compile(
    r"\s(?:is|are|was|were|has|have|had|can|could|may|might|will|would|remains?|plays?|provides?|appears?|requires?|"
    r"exhibits?|becomes?|allows?|offers?|enables?|leads?|relies|rely|suffers?|excels?|achieves?|performs?|seems?|"
    r"lies|lie|constitutes?|serves?|presents?|poses?|underlies|underlie|typically|often|usually|generally)\s",
    re.IGNORECASE,
)
_NAME_WORD = r"(?:[A-Z][\w\-’']*|[A-Za-z]*[A-Z0-9][A-Za-z0-9\-]*)"
_NAME = _NAME_WORD + r"(?:\s+(?:of\s+|for\s+)?" + _NAME_WORD + r"){0,5}(?:\s*\([A-Za-z0-9\-]+\))?"
#: A method introduced by name: "we propose X, a ...", "called “X”", "We name it the X".
_INTRODUCED = re.compile(
    r"\b(?i:(?:we|i|us to)\s+(?:propose|introduce|present|develop|design|call|name|dub|term|coin)(?:d)?\s+(?:it\s+|this\s+\w+\s+)?"
    r"|(?:called|dubbed|named|termed|coined)\s+)"
    r"(?i:the\s+|a\s+|an\s+)?(?i:new\s+|novel\s+)?[“\"']?(?P<name>" + _NAME + r")[”\"']?"
    r"(?P<rest>\s*,\s*(?:which is\s+)?(?:a|an|the)\s+[^.;:]+)?"
)
_MAX_TITLE_WORDS = 12


def _tidy(phrase: str) -> str:
    """Trim a phrase into title shape: no wrapper, cut at a clause, at most 12 words, no dangling words."""
    phrase = re.sub(r"\s+", " ", phrase).strip().strip("“”\"'").rstrip(".?! ")
    phrase = _WRAPPER.sub("", phrase, count=1)
    phrase = re.sub(r"\s*\([A-Z][A-Za-z0-9\-]{0,9}\)", "", phrase)  # "the neural tangent (NT) model"
    for match in _CLAUSE_BREAK.finditer(phrase):
        if len(phrase[: match.start()].split()) >= 2:
            phrase = phrase[: match.start()]
            break
    if len(phrase.split()) > _MAX_TITLE_WORDS:
        cuts = [m.start() for m in _SOFT_BREAK.finditer(phrase) if 3 <= len(phrase[: m.start()].split()) <= _MAX_TITLE_WORDS]
        phrase = phrase[: cuts[-1]] if cuts else " ".join(phrase.split()[:_MAX_TITLE_WORDS])
    words = phrase.split()
    while words and (words[-1].lower().strip(",;:") in STOP | DANGLING_END or not re.search(r"\w", words[-1])):  # no dangling "of the"
        words.pop()
    phrase = " ".join(words).rstrip(",;:")
    return phrase[:1].upper() + phrase[1:]


def _named_method(sentences: list[str]) -> str | None:
    for sentence in sentences:
        for match in _INTRODUCED.finditer(sentence):
            name = match.group("name").strip()
            if not re.search(r"[A-Z].*[A-Z]|[A-Z]{2}|\d", name):  # one capitalised word is a sentence start, not a name
                continue
            rest = match.group("rest")
            if rest:
                described = _tidy(re.sub(r"^\s*,\s*(?:which is\s+)?", "", rest))
                if described and len((name + " " + described).split()) <= _MAX_TITLE_WORDS:
                    return f"{name}: {described}"
            if len(name.split()) >= 2:
                return name
    return None


def _statement_object(sentences: list[str]) -> str | None:
    for sentence in sentences[:5]:
        if match := _STATEMENT.match(sentence) or _STATEMENT.match(re.sub(r"^.*?\bin this talk,?\s*", "", sentence, flags=re.I)):
            rest = sentence[match.end():] if _STATEMENT.match(sentence) else re.sub(r"^.*?\bin this talk,?\s*", "", sentence, flags=re.I)[match.end():]
            rest = re.sub(r"^(?:that|how|whether|why|what)\s+", lambda m: "How " if m.group(0).lower().startswith("how") else "", rest, flags=re.I)
            if len(rest.split()) >= 2:
                return _tidy(rest)
    return None


def _first_subject(sentences: list[str]) -> str | None:
    first = sentences[0]
    match = _SUBJECT_END.search(first)
    if match and 4 <= len(first[: match.start()].split()) <= _MAX_TITLE_WORDS:
        return _tidy(first[: match.start()])
    return None


#: Words a key phrase does not contain: stop words, and words that make a title read as a fragment.
_NOT_IN_PHRASE = STOP | BAD_START | DANGLING_END
#: Phrases do not run over punctuation.
_PUNCTUATION = re.compile(r"[.,;:()\[\]“”\"!?]")
_PHRASE_WORD = re.compile(r"[A-Za-z][\w\-]*")


def _key_phrases(abstract: str, min_count: int = 2) -> str:
    """The one or two phrases (2-4 content words in a row) whose every word the abstract repeats, most repeated first.

    ``min_count=1`` relaxes "repeats" for abstracts too short to repeat anything."""
    counts: dict[str, int] = {}
    for word in re.findall(r"[a-z][\w\-]+", abstract.lower()):
        counts[word] = counts.get(word, 0) + 1
    # Runs of words that may stand in a phrase; punctuation and any other word end a run.
    runs: list[list[str]] = []
    for piece in _PUNCTUATION.split(abstract):
        run: list[str] = []
        for word in piece.split():
            lowered = word.lower()
            if lowered in _NOT_IN_PHRASE or counts.get(lowered, 0) < min_count or not _PHRASE_WORD.fullmatch(word):
                if len(run) >= 2:
                    runs.append(run)
                run = []
            else:
                run.append(word)
        if len(run) >= 2:
            runs.append(run)
    scored: dict[str, tuple[int, str]] = {}
    for run in runs:
        for size in (4, 3, 2):
            for i in range(len(run) - size + 1):
                gram = run[i : i + size]
                key = " ".join(gram).lower()
                score = sum(min(counts[w.lower()], 4) for w in gram)
                if key not in scored or scored[key][0] < score:
                    scored[key] = (score, " ".join(gram))
    chosen: list[str] = []
    for _, gram in sorted(scored.values(), key=lambda item: -item[0]):
        if not any(set(gram.lower().split()) & set(c.lower().split()) for c in chosen):
            chosen.append(gram)
        if len(chosen) == 2:
            break
    title = " and ".join(chosen)
    return title[:1].upper() + title[1:]


def _repair(candidate: str) -> str:
    """Drop what ties a phrase to the sentence around it: leading "As", "Some of", "Given"; anything from "their" on."""
    words = candidate.split()
    while words and re.sub(r"\W", "", words[0].lower()) in BAD_START | {"of"}:
        words.pop(0)
    for i, word in enumerate(words):
        if re.sub(r"\W", "", word.lower()) in ANAPHORA:
            words = words[:i]
            break
    return _tidy(" ".join(words)) if words else ""


def title_candidates(abstract: str):
    """Candidate titles, best first (not yet checked for fragments), each computed only when asked for."""
    sentences = split_sentences(abstract) or [abstract.strip()]
    found = []
    for make in (_named_method, _statement_object, _first_subject):
        if candidate := make(sentences):
            found.append(candidate)
            yield candidate
    if candidate := _key_phrases(abstract):
        found.append(candidate)
        yield candidate
    for candidate in found:
        yield _repair(candidate)
    yield _key_phrases(abstract, min_count=1)


def derive_title(abstract: str) -> str:
    """A title of at most 12 words that is not a sentence fragment, without an LLM."""
    for candidate in title_candidates(abstract):
        if len(content_words(candidate)) >= 2 and not is_fragment(candidate):
            return candidate
    # Nothing reads as a title: the abstract's most frequent content words, which always do.
    counts: dict[str, int] = {}
    for word in re.findall(r"[A-Za-z][\w\-]{2,}", abstract):
        if word.lower() not in STOP:
            counts[word] = counts.get(word, 0) + 1
    top = sorted(counts, key=lambda w: -counts[w])[:2]
    title = " and ".join(top) if len(top) == 2 else "Untitled talk"
    return title[:1].upper() + title[1:]


# ---------------------------------------------------------------- links

_URL = re.compile(r"https?://[^\s<>()\"'\]]+[^\s<>()\"'\].,;:]")
_ARXIV_ID = re.compile(r"(?:arxiv(?:\.org/(?:abs|pdf)/|:\s*|\s+))(\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?", re.IGNORECASE)
#: A new-style arXiv id standing alone ("This talk is based on 2408.14915."): year 07-29, month 01-12, not part of a
#: longer number, a version or a DOI.
_BARE_ARXIV_ID = re.compile(r"(?<![\w./:-])((?:0[7-9]|1\d|2\d)(?:0[1-9]|1[0-2])\.\d{4,5})(?:v\d+)?(?![\w/-]|\.\d)")


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
    without_urls = _URL.sub(" ", text)
    found += [f"https://arxiv.org/abs/{match.group(1)}" for match in _BARE_ARXIV_ID.finditer(without_urls)]
    found += [f"https://{match.group(1)}" for match in BARE_LINK.finditer(without_urls)]
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
