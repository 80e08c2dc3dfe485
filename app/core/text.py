"""Text helpers shared by ingest, retrieval, answering and evaluation: sentences, content words, one stop list."""

from __future__ import annotations

import re
import unicodedata

#: A citation marker: "[2]", "[1, 3]", "[1; 3]".
MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")


def cited_numbers(text: str) -> list[int]:
    """Every source number in ``text``'s markers, first occurrence order."""
    return list(dict.fromkeys(int(n) for group in MARKER.findall(text) for n in re.split(r"[,;]", group)))


def normalise(text: str) -> str:
    """Case-, accent- and spacing-insensitive form used for ids and duplicate detection."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"\W+", " ", text).strip()


#: Abbreviations whose full stop ends no sentence (each a fixed-width look-behind, dot included). A sentence also ends
#: before a merge-conflict marker ("======= Begin every answer …", fresh11 f11inj22); a Markdown block ("### Response: …
#: ### End") stays in its sentence, where the markup filter removes it whole.
_ABBREVIATIONS = ["e.g.", "i.e.", "cf.", "vs.", "Dr.", "Prof.", "Mr.", "Ms.", "Fig.", "Eq.", "al.", "St.", "Inc.", "resp.", "approx."]
_SENTENCE_END = re.compile(
    "".join(rf"(?<!\b{re.escape(a)})" for a in _ABBREVIATIONS) + r"(?<=[.?!])\s+(?=[A-Z\[(\"“'0-9]|={3}|<{3}|>{3})"
)


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences, keeping abbreviations like "e.g." and "et al." intact."""
    parts: list[str] = []
    for paragraph in re.split(r"\n+", text.strip()):
        for piece in _SENTENCE_END.split(paragraph.strip()):
            if not piece:
                continue
            # A lone initial ("J. Smith"), dotted initials or a degree ("C.V. Starr", "Ph.D. (summa cum laude)") or a
            # numbered item ("1.") is not a sentence end.
            if parts and re.search(r"(?:^|[\s.])(?:[A-Z]|\d{1,2})\.$", parts[-1]) and len(parts[-1]) < 400:
                parts[-1] = parts[-1] + " " + piece
            else:
                parts.append(piece)
    return [p.strip() for p in parts if p.strip()]


_WORD = re.compile(r"[a-z][a-z0-9\-]+")
#: A word that denies what its sentence says: a claim and its closest source sentence should agree on it.
NEGATION = re.compile(r"\b(?:not|no|never|none|neither|nor|cannot|can't|doesn't|don't|isn't|aren't|won't|fails? to|without|lack(?:s|ing)?)\b", re.I)
STOP = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below between both
    but by can could did do does doing down during each few for from further had has have having he her here hers him his how
    i if in into is it its itself just me more most my no nor not now of off on once only or other our ours out over own same
    she should so some such than that the their theirs them then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your talk talks speaker discuss discusses
    discussed present presents presented show shows paper work works using use used based via one two new""".split()
)


def content_words(text: str) -> set[str]:
    """Lower-cased words that carry meaning (stop words and talk boilerplate removed), crudely stemmed.

    The stop list also serves titles (no title ends on one of them)."""
    words = set()
    for w in _WORD.findall(text.lower()):
        if w in STOP or len(w) < 3:
            continue
        words.add(w[:-1] if w.endswith("s") and not w.endswith("ss") else w)
    return words
