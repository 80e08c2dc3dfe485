"""Talks -> chunks (LangChain ``Document``s with stable ids).

Most abstracts fit one chunk of ``chunks.size_tokens`` cl100k tokens, about
what MiniLM reads; longer ones are split on sentence boundaries with
``chunks.overlap_tokens`` of overlap, so no sentence is cut in two. A talk's
notes (biography, joint work, references, links) stay with it as metadata:
BM25 reads the speaker's name, and answers draw sentences from the notes.
Notes as chunks of their own (``chunks.notes_as_chunks``) did not help
retrieval on our dev questions (bench/retrieval.py), so they are off. Every chunk
carries its talk's metadata; a chunk's id hashes its talk id and text, so an
unchanged talk keeps its chunks, and the index skips embedding them again.
"""

from __future__ import annotations

import hashlib
import json

import tiktoken
from langchain_core.documents import Document

from app.core.config import ChunkSettings
from app.core.talk import Talk
from app.core.text import split_sentences


def _pack(sentences: list[str], enc: tiktoken.Encoding, size: int, overlap: int) -> list[str]:
    """Greedy packing of sentences into chunks of at most ``size`` tokens, ``overlap`` tokens carried over."""
    pieces: list[tuple[str, int]] = []
    for sentence in sentences:
        tokens = enc.encode(sentence)
        if len(tokens) <= size:
            pieces.append((sentence, len(tokens)))
            continue
        step = size - overlap  # a single over-long "sentence" (a formula, a list): split on tokens
        for start in range(0, len(tokens), step):
            window = tokens[start : start + size]
            pieces.append((enc.decode(window), len(window)))
            if start + size >= len(tokens):
                break

    chunks: list[str] = []
    current: list[tuple[str, int]] = []
    for piece in pieces:
        if current and sum(n for _, n in current) + piece[1] > size:
            chunks.append(" ".join(text for text, _ in current))
            carried: list[tuple[str, int]] = []
            for item in reversed(current):
                if sum(n for _, n in carried) + item[1] > overlap:
                    break
                carried.insert(0, item)
            # The overlap must leave room for the new piece.
            while carried and sum(n for _, n in carried) + piece[1] > size:
                carried.pop(0)
            current = carried
        current.append(piece)
    if current:
        chunks.append(" ".join(text for text, _ in current))
    return chunks


def talk_metadata(talk: Talk) -> dict:
    """Chunk metadata: scalars only (Chroma's rule); lists as JSON strings."""
    return {
        "talk_id": talk.id,
        "title": talk.title,
        "speaker": talk.speaker or "",
        "source": talk.source,
        "lines": json.dumps([list(r) for r in talk.lines]),
        "links": json.dumps(talk.links),
    }


def chunk_id(talk_id: str, kind: str, text: str) -> str:
    return hashlib.sha256(f"{talk_id}\x00{kind}\x00{text}".encode()).hexdigest()[:20]


def chunk_talk(talk: Talk, enc: tiktoken.Encoding, settings: ChunkSettings) -> list[Document]:
    """The chunks of one talk: its abstract (split if long), then its notes."""
    base = talk_metadata(talk)
    if len(enc.encode(talk.abstract)) <= settings.size_tokens:
        abstract_chunks = [talk.abstract]  # verbatim: most talks
    else:
        abstract_chunks = _pack(split_sentences(talk.abstract), enc, settings.size_tokens, settings.overlap_tokens)
    texts = [("abstract", t) for t in abstract_chunks]
    if talk.notes and settings.notes_as_chunks:
        notes = "\n".join(talk.notes)
        texts += [("notes", t) for t in _pack(notes.split("\n"), enc, settings.size_tokens, settings.overlap_tokens)]
    return [
        Document(
            id=chunk_id(talk.id, kind, text),
            page_content=text,
            metadata={**base, "kind": kind, "chunk": i, "n_chunks": len(texts)},
        )
        for i, (kind, text) in enumerate(texts)
    ]


def chunk_talks(talks: list[Talk], enc: tiktoken.Encoding, settings: ChunkSettings) -> list[Document]:
    return [doc for talk in talks for doc in chunk_talk(talk, enc, settings)]
