"""The lexical (BM25) index of one index generation: built once, saved beside Chroma, memory-mapped by readers.

Chroma's embedded (local) mode has no sparse index, so the BM25 half of
hybrid retrieval lives here. Building it tokenises every chunk (O(corpus):
about a minute at 100k talks on 2 cores), so it is built when the generation
is written (``talkqa ingest``) and every process that answers a question only
loads it: the BM25 score matrix and the row -> chunk id table are ``.npy``
files opened with ``mmap``, as are the chunks themselves (a BM25 hit is a
slice of a file, not a round trip to Chroma) and the sorted talk ids of the
generation; the tokenizer's vocabulary is one JSON file.
A question then costs the postings of its own words, whatever the corpus size.

Each saved index is stamped with the Chroma collection it belongs to (its
id, which a reset server or a rebuild changes) and the generation; a reader
whose live index has another stamp rebuilds it from the chunks (and saves it
when it may write the data dir). Saves are atomic: a temporary directory,
then a rename, so a reader never sees half an index.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import mmap

import numpy as np
from langchain_core.documents import Document

from app.core.talk import Talk

#: Bumped when the saved layout or the tokenisation changes: an index of another format is rebuilt.
FORMAT = 3
_STAMP = "stamp.json"
_IDS = "chunk_ids.npy"
_TALKS = "talk_ids.npy"
_LIVE = "live_talk_ids.npy"
_DOCS = "chunks.jsonl"
_OFFSETS = "chunk_offsets.npy"
_NOTE_STEMS = "note_stems.json"


def _stemmer():
    try:
        import Stemmer

        return Stemmer.Stemmer("english").stemWord
    except ImportError:  # PyStemmer is optional; unstemmed BM25 still works
        return None


def _tokenizer():
    from bm25s.tokenization import Tokenizer

    return Tokenizer(stopwords="en", stemmer=_stemmer())


def index_text(doc: Document) -> str:
    """What BM25 reads of a chunk: its talk's title and speaker, then its text."""
    meta = doc.metadata
    return " ".join([meta.get("title", ""), meta.get("speaker", "") or "", doc.page_content])


def note_lines(talks: Iterable[Talk]) -> list[str]:
    """The talks' note lines (bios, joint work, references, links): words a talk holds that no chunk carries."""
    return [line for talk in talks for line in talk.notes]


def stamp_of(collection_id: str, generation: int) -> dict:
    return {"format": FORMAT, "collection": str(collection_id), "generation": int(generation)}


class _Docs:
    """Row -> chunk ``Document``: one JSON line each, read through a memory map (no Chroma round trip per hit)."""

    def __init__(self, data: bytes | mmap.mmap, offsets: np.ndarray):
        self.data, self.offsets = data, offsets

    @classmethod
    def of(cls, docs: list[Document]) -> "_Docs":
        lines = [json.dumps({"id": d.id, "text": d.page_content, "metadata": d.metadata}, ensure_ascii=False).encode() + b"\n" for d in docs]
        offsets = np.zeros(len(lines) + 1, dtype=np.int64)
        np.cumsum([len(line) for line in lines], out=offsets[1:])
        return cls(b"".join(lines), offsets)

    @classmethod
    def open(cls, path: Path, offsets: np.ndarray) -> "_Docs":
        with open(path, "rb") as f:
            data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if len(offsets) > 1 else b""
        return cls(data, offsets)

    def __getitem__(self, row: int) -> Document:
        raw = json.loads(self.data[int(self.offsets[row]) : int(self.offsets[row + 1])])
        return Document(id=raw["id"], page_content=raw["text"], metadata=raw["metadata"])


@dataclass
class LexicalIndex:
    """BM25 over the chunks of one generation; row ``i`` is chunk ``chunk_ids[i]`` of talk ``talk_ids[i]``.

    It also keeps each chunk (text and metadata, so a BM25 hit needs no read
    from Chroma) and the sorted ids of the generation's talks (so a dense hit
    of a talk outside the generation is dropped without reading its record).
    """

    bm25: object  # bm25s.BM25
    tokenizer: object  # bm25s.tokenization.Tokenizer
    chunk_ids: np.ndarray  # bytes, one a row (memory-mapped when loaded)
    talk_ids: np.ndarray
    live_talks: np.ndarray  # sorted unique talk ids (bytes)
    docs: _Docs
    stamp: dict
    #: The stems of the talks' notes (bios, co-authors, references, links), which BM25 does not index: with its
    #: vocabulary, every word the generation's talks hold (``holds_word``).
    note_stems: frozenset[str] = frozenset()

    @property
    def size(self) -> int:
        return len(self.chunk_ids)

    def has_talk(self, talk_id: str) -> bool:
        """Is ``talk_id`` a talk of this generation? (a binary search in the memory-mapped id table)"""
        key = talk_id.encode()
        i = int(np.searchsorted(self.live_talks, key))
        return i < len(self.live_talks) and self.live_talks[i] == key

    @classmethod
    def build(cls, docs: Iterable[Document], stamp: dict, notes: Iterable[str] = ()) -> "LexicalIndex":
        """Tokenise and index ``docs`` (O(corpus): ingest does this, readers only when the saved one is stale);
        ``notes``, the talks' note lines, only join the words the generation holds."""
        import bm25s

        docs = list(docs)
        note_tokenizer = _tokenizer()
        note_tokenizer.tokenize(list(notes), return_as="tuple", show_progress=False)
        tokenizer = _tokenizer()
        tokens = tokenizer.tokenize([index_text(d) for d in docs], return_as="tuple", show_progress=False)
        bm25 = bm25s.BM25()
        if docs:
            bm25.index(tokens, show_progress=False)
        chunk_ids = np.array([d.id.encode() for d in docs], dtype=bytes) if docs else np.zeros(0, dtype="S1")
        talk_ids = np.array([str(d.metadata.get("talk_id", "")).encode() for d in docs], dtype=bytes) if docs else np.zeros(0, dtype="S1")
        return cls(bm25, tokenizer, chunk_ids, talk_ids, np.unique(talk_ids), _Docs.of(docs), dict(stamp),
                   frozenset(note_tokenizer.stem_to_sid if note_tokenizer.stemmer else note_tokenizer.word_to_id))

    def holds_word(self, word: str) -> bool:
        """Does some chunk of this generation hold ``word`` (lower case) in a form BM25 reads as the same word
        (its stem: "encodings" holds for "encoding")? A dictionary lookup in the tokenizer's vocabulary."""
        tokenizer = self.tokenizer
        if tokenizer.stemmer is None:
            return word in tokenizer.word_to_id or word in self.note_stems
        stem = tokenizer.stemmer(word)
        # Not ``word_to_stem``: tokenizing a query adds its unseen words there.
        return stem in tokenizer.stem_to_sid or stem in self.note_stems

    def search(self, query: str, n: int) -> list[tuple[Document, float]]:
        """The best ``n`` chunks for ``query`` as (chunk, BM25 score), scores above 0 only."""
        if not self.size:
            return []
        tokens = self.tokenizer.tokenize([query], update_vocab=False, return_as="ids", show_progress=False)
        if not tokens or not tokens[0]:
            return []
        rows, scores = self.bm25.retrieve(tokens, k=min(n, self.size), show_progress=False, n_threads=0)  # 0: in this thread (1 starts a pool per call)
        return [(self.docs[int(r)], float(s)) for r, s in zip(rows[0], scores[0]) if s > 0]

    # ------------------------------------------------------------- on disk

    def save(self, path: Path) -> None:
        """Write the index to ``path`` atomically (replacing what is there)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
        try:
            if self.size:
                self.bm25.save(str(tmp), show_progress=False)
            self.tokenizer.save_vocab(str(tmp))
            np.save(tmp / _IDS, self.chunk_ids)
            np.save(tmp / _TALKS, self.talk_ids)
            np.save(tmp / _LIVE, self.live_talks)
            np.save(tmp / _OFFSETS, self.docs.offsets)
            (tmp / _DOCS).write_bytes(bytes(self.docs.data))
            (tmp / _NOTE_STEMS).write_text(json.dumps(sorted(self.note_stems), ensure_ascii=False), encoding="utf-8")
            (tmp / _STAMP).write_text(json.dumps(self.stamp), encoding="utf-8")  # last: marks the index whole
            if path.exists():
                old = path.with_name(f".{path.name}.old-{os.getpid()}")
                path.rename(old)
                tmp.rename(path)
                shutil.rmtree(old, ignore_errors=True)  # a reader that mapped it keeps its pages
            else:
                tmp.rename(path)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @staticmethod
    def is_saved(path: Path, stamp: dict) -> bool:
        """Is an index with ``stamp`` saved at ``path``? (reads the stamp only)"""
        try:
            return json.loads((Path(path) / _STAMP).read_text(encoding="utf-8")) == stamp
        except (OSError, ValueError):
            return False

    @classmethod
    def load(cls, path: Path, stamp: dict) -> "LexicalIndex | None":
        """The index saved at ``path`` if it carries ``stamp``; None when missing, stale or unreadable."""
        import bm25s

        path = Path(path)
        try:
            saved = json.loads((path / _STAMP).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if saved != stamp:
            return None
        try:
            chunk_ids = np.load(path / _IDS, mmap_mode="r")
            talk_ids = np.load(path / _TALKS, mmap_mode="r")
            live_talks = np.load(path / _LIVE, mmap_mode="r")
            docs = _Docs.open(path / _DOCS, np.load(path / _OFFSETS, mmap_mode="r"))
            bm25 = bm25s.BM25.load(str(path), mmap=True, show_progress=False) if len(chunk_ids) else bm25s.BM25()
            tokenizer = _tokenizer()
            tokenizer.load_vocab(str(path))
            note_stems = frozenset(json.loads((path / _NOTE_STEMS).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError):
            return None
        return cls(bm25, tokenizer, chunk_ids, talk_ids, live_talks, docs, saved, note_stems)


def prune_saved(root: Path, keep: Path) -> None:
    """Delete the saved indexes under ``root`` other than ``keep`` (writers only; readers keep their mapped pages)."""
    if not Path(root).is_dir():
        return
    for entry in Path(root).iterdir():
        if entry != Path(keep) and entry.is_dir() and not entry.name.startswith("."):
            shutil.rmtree(entry, ignore_errors=True)


class LexicalFiles:
    """The saved lexical indexes of one data dir (``<data_dir>/lexical``): one directory per collection and generation.

    ``live`` is an ``app.index.generations.LiveIndex`` (its collection id, generation and stamp).
    """

    def __init__(self, data_dir: Path):
        self.root = Path(data_dir) / "lexical"

    def path(self, live) -> Path:
        return self.root / f"{live.collection_id}.g{live.generation}"

    def is_saved(self, live) -> bool:
        return LexicalIndex.is_saved(self.path(live), live.stamp)

    def load(self, live) -> LexicalIndex | None:
        """The saved index of ``live``; None when missing or stale."""
        return LexicalIndex.load(self.path(live), live.stamp)

    def save(self, live, docs: list[Document], notes: Iterable[str] = ()) -> LexicalIndex:
        """Build the BM25 index of ``docs`` (and the words of the talks' ``notes``) for ``live`` and save it (skipped
        when the data dir is read-only)."""
        index = LexicalIndex.build(docs, live.stamp, notes)
        try:
            index.save(self.path(live))
        except OSError:  # a read-only data dir: this process keeps the index in memory
            pass
        return index

    def prune(self, live) -> None:
        """Delete saved indexes of other generations (writers, after a commit)."""
        try:
            prune_saved(self.root, self.path(live))
        except OSError:
            pass
