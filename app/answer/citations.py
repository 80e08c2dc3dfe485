"""Citation markers in answer text: "[1]", "[2, 3]", split into sentences, and refusals recognised."""

from __future__ import annotations

import re

from app.text import split_sentences

MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_REFUSAL = re.compile(
    r"\b(?:(?:do(?:es)?n[’']?t|do(?:es)? not|never) (?:cover|mention|address|discuss|say|contain|provide)|"
    r"not (?:covered|mentioned|addressed|discussed|available|stated)|no information|cannot (?:answer|find)|"
    r"can[’']?t (?:answer|find)|unable to (?:answer|find)|there is no (?:talk|source|mention))\b",
    re.IGNORECASE,
)


def parse_citations(text: str, valid: set[int]) -> tuple[list[dict], list[int]]:
    """Split an answer into sentences with their [n] markers; numbers outside ``valid`` are dropped.

    A marker right after a sentence's full stop ("... data. [2]") belongs to that sentence.
    """
    text = re.sub(r"([.?!])\s+((?:\[\d+(?:\s*[,;]\s*\d+)*\]\s*)+)(?=\s|$)", r" \2\1 ", text.strip())
    sentences, order = [], []
    for raw in split_sentences(text):
        numbers = [int(n) for group in MARKER.findall(raw) for n in re.split(r"[,;]", group)]
        cited = [n for n in dict.fromkeys(numbers) if n in valid]
        clean = re.sub(r"\s+([.?!,;:])", r"\1", MARKER.sub("", raw)).strip()
        if not clean or not re.search(r"\w", clean):
            continue
        sentences.append({"text": clean, "citations": cited})
        order += [n for n in cited if n not in order]
    return sentences, order


def is_refusal(text: str) -> bool:
    return bool(_REFUSAL.search(text))
