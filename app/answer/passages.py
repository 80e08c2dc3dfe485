"""A source as the model reads it: number, title, speaker, the record fields the question needs, the sentences.

Every piece of corpus text goes through ``safety.neutralise`` first: markup is dropped and
instruction-like sentences are replaced, so a talk cannot steer the answer.
"""

from __future__ import annotations

from app.answer.records import record_block
from app.answer.result import Source
from app.core.safety import neutralise, neutralise_all, strip_markup


def passage(source: Source, question: str) -> str:
    talk = source.talk
    speaker = f" (speaker: {strip_markup(talk.speaker)})" if talk.speaker else ""
    head = f"[{source.n}] {neutralise(talk.title)}{speaker}"
    record = record_block(source, question)
    body = " ".join(text for text in neutralise_all(source.sentences) if text)
    return "\n".join(part for part in (head, record, body) if part)
