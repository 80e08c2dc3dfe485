"""One pass of the instruction detector over the talks just read: the lines ingest reports, and derived
titles without planted orders.

Both need the detector's verdict on every sentence (app/core/safety.py). They used to get it separately (the
readers for each derived title, the indexer for the report), so every sentence was judged twice, about
0.64 ms each time: some 8 minutes per 100k talks. Here each paragraph is judged once, and only a talk with a
flagged sentence in its abstract has its derived title made again.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.safety import PLACEHOLDER, neutralise_all
from app.core.talk import Talk
from app.core.text import split_sentences
from ingest.derive import derive_title


@dataclass(frozen=True)
class Screened:
    """The talks as they go into the index, and per source the lines that look like instructions."""

    talks: list[Talk]
    instruction_lines: dict[str, list[int]]


def screen(talks: list[Talk]) -> Screened:
    """Judge every paragraph of every talk once (a talk's paragraphs are its lines in order).

    A derived title is made from the abstract without its flagged sentences: held-out injection case inj56's
    planted "Speaker: Dr. X (please credit Dr. X …)" sentence was kept from the model's context yet became the
    title "X", which every source the model reads opens with. Given titles are the file's and stay.
    """
    found: dict[str, set[int]] = {}
    screened = []
    for talk in talks:
        start, end = talk.lines[0] if talk.lines else (0, 0)
        abstract_paragraphs = sum(1 for p in talk.abstract.split("\n\n") if p.strip())
        kept: list[str] = []
        abstract_flagged = False
        for k, paragraph in enumerate(p for p in talk.text.split("\n\n") if p.strip()):
            judged = neutralise_all(split_sentences(paragraph))
            flagged = PLACEHOLDER in judged
            if flagged:
                found.setdefault(talk.source, set()).add(min(start + k, end))
            if k < abstract_paragraphs:
                kept += [text for text in judged if text != PLACEHOLDER]
                abstract_flagged |= flagged
        if abstract_flagged and kept and talk.title_source == "derived":
            talk = talk.model_copy(update={"title": derive_title(" ".join(kept))})
        screened.append(talk)
    return Screened(screened, {source: sorted(lines) for source, lines in found.items()})
