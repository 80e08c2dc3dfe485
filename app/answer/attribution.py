"""Attribution after generation: every answer sentence is checked against every source the model read.

A small model often restates a source and puts "[1][2]" at the end, or cites
the wrong number. So each sentence is scored against each source (its
title and sentences; grounding's embedding + lexical support), and:

* the model's markers are kept where they support the sentence (within
  ``MARGIN`` of the best source),
* replaced by the best source where the cited ones do not support it and
  another does,
* added where the sentence has none and a source supports it,
* and a sentence that no source supports keeps the model's markers but is
  marked unsupported (flagged by the CLI and the chat, dropped with ``strict``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from langchain_core.embeddings import Embeddings

from app.answer.grounding import WEAK_SUPPORT, support_matrix
from app.answer.result import Sentence, Source
from app.core.safety import PLACEHOLDER, neutralise, neutralise_all

#: A cited source whose support is this close to the best source's keeps its marker.
MARGIN = 0.05


def record_unit(source: Source) -> str | None:
    """The talk's record as a sentence ("<title>" is a talk by <speaker>, with <co-authors>), or None without a
    speaker: a sentence naming the talk's own speaker is supported by the record the model read, not flagged."""
    talk = source.talk
    if not talk.speaker:
        return None
    with_ = f", with {', '.join(talk.coauthors)}" if talk.coauthors else ""
    return f"“{talk.title}” is a talk by {talk.speaker}{with_}."


def source_units(source: Source) -> list[str]:
    """What the model read of a source: its sentences as sanitised for the prompt (an injected instruction
    supports nothing), then its title and its record (after them, so indices match ``sentences``)."""
    units = [text or PLACEHOLDER for text in neutralise_all(source.sentences)] + [neutralise(source.talk.title) or PLACEHOLDER]
    record = record_unit(source)
    return units + ([neutralise(record) or PLACEHOLDER] if record else [])


def attribute(sentences: list[Sentence], sources: list[Source], embeddings: Embeddings) -> list[Sentence]:
    """The sentences with their citations, support and evidence set from how well each source supports them
    (the model's own markers kept as ``model_citations``)."""
    if not sentences:
        return []
    if not sources:
        return [replace(s, model_citations=list(s.citations), citations=[], support=0.0, evidence={}) for s in sentences]
    scores, best_unit = support_matrix([s.text for s in sentences], [source_units(s) for s in sources], embeddings)
    return [_attributed(sentence, scores[i], best_unit[i], sources) for i, sentence in enumerate(sentences)]


def _attributed(sentence: Sentence, row: np.ndarray, best_unit: np.ndarray, sources: list[Source]) -> Sentence:
    """One sentence attributed, from its row of support scores (one a source) and closest units."""
    numbers = [s.n for s in sources]
    best = float(row.max())
    kept = [n for n in sentence.citations if n in numbers and row[numbers.index(n)] >= max(WEAK_SUPPORT, best - MARGIN)]
    if kept:
        chosen = kept
    elif best >= WEAK_SUPPORT:
        chosen = [numbers[int(np.argmax(row))]]
    else:
        chosen = [n for n in sentence.citations if n in numbers]
    return replace(
        sentence,
        model_citations=list(sentence.citations),
        citations=chosen,
        support=round(max((float(row[numbers.index(n)]) for n in chosen), default=0.0), 4),
        evidence={
            n: int(best_unit[numbers.index(n)])
            for n in chosen
            if best_unit[numbers.index(n)] < len(sources[numbers.index(n)].sentences)  # the title, the record: no highlight
        },
    )


def render(sentences: list[Sentence], *, strict: bool = False, flag: str = "") -> str:
    """The answer text from its attributed sentences, each followed by its markers (list items on their own line).

    ``strict`` leaves out unsupported sentences; ``flag`` is appended to each unsupported one (the CLI's and
    the chat's mark).
    """
    parts = []
    for sentence in sentences:
        if strict and not sentence.supported:
            continue
        markers = "".join(f"[{n}]" for n in sentence.citations)
        text = sentence.text
        if markers:
            body, end = (text[:-1], text[-1]) if text[-1:] in ".?!" else (text, "")
            text = f"{body} {markers}{end}"
        if flag and not sentence.supported:
            text += flag
        separator = "\n" if sentence.text.startswith(("- ", "* ")) or (parts and parts[-1].startswith(("- ", "* "))) else " "
        parts.append((separator if parts else "") + text)
    return "".join(parts).strip()
