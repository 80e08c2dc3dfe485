"""The read side of the index: one pinned generation, searched and looked up without loading the corpus.

An ``IndexSnapshot`` serves everything a reader asks of one committed
generation: dense search (Chroma's HNSW) and BM25 search (the saved lexical
index, memory-mapped) returning typed ``ChunkHit``s, and the talk records —
fetched by id, by page, by id prefix or by words, with generated titles laid
over them (app/index/titles.py) and the recently used ones kept. It has
``Catalog``'s interface (``generation``, ``by_id[id]``, ``find(prefix)``,
``talks``) so the answer chain, the surfaces and the evaluation use it as a
catalog; only a whole-corpus feature (``talks``, iterating ``by_id``) loads
every record, once.

Parsing every talk record is O(corpus) (a few seconds and hundreds of MB at
100k talks); answering a question needs only the records of the talks it
returns, the talk browser a page, ``talkqa talk ID`` one record.
``CurrentIndex`` (app/index/following.py) hands out the snapshot of the live generation.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from langchain_chroma import Chroma
from langchain_core.documents import Document

from app.core.talk import Catalog, Talk
from app.index.generations import LiveIndex, Version
from app.index.lexical import LexicalIndex
from app.index.titles import TitleOverlay

if TYPE_CHECKING:
    from app.index.store import TalkStore

#: Records kept after use (a long-running chat fetches the same popular talks again and again).
CACHE_SIZE = 4096
#: A word search counts its matches up to here, then says "more": counting them all reads every matching record.
COUNT_UP_TO = 1000


@dataclass
class ChunkHit:
    """A chunk one retriever found, with its scores (0 from a retriever that did not find it)."""

    doc: Document
    dense: float = 0.0  # cosine similarity
    bm25: float = 0.0
    fused: float = 0.0


class _ById(Mapping):
    """``snapshot.by_id``: a lookup fetches a missing record; iterating loads them all."""

    def __init__(self, snapshot: "IndexSnapshot"):
        self._snapshot = snapshot

    def __getitem__(self, talk_id: str) -> Talk:
        found = self._snapshot.fetch([talk_id])
        if talk_id not in found:
            raise KeyError(talk_id)
        return found[talk_id]

    def __contains__(self, talk_id) -> bool:
        return isinstance(talk_id, str) and talk_id in self._snapshot.fetch([talk_id])

    def __iter__(self) -> Iterator[str]:
        return iter(self._snapshot.loaded().by_id)

    def __len__(self) -> int:
        return self._snapshot.count


class IndexSnapshot:
    """One committed generation of the index, as readers use it (see the module docstring).

    ``inherit``: the snapshot this one replaces; the records it read stay readable (a question in
    flight may still look up a talk the new generation dropped; ids are content hashes, so a cached
    record is that talk).
    """

    def __init__(self, store: TalkStore, live: LiveIndex, titles: TitleOverlay, inherit: IndexSnapshot | None = None):
        self.store = store
        self.live = live
        self.titles = titles
        self._cache: OrderedDict[str, Talk] = OrderedDict(inherit._cache) if inherit else OrderedDict()
        self._lock = threading.Lock()
        self._lexical_lock = threading.Lock()  # a build may take a minute: record lookups do not wait for it
        self._lexical: LexicalIndex | None = None
        self._vectors: Chroma | None = None
        self._count: int | None = None
        self._all: Catalog | None = None
        #: Records read from Chroma so far (tests check that answering reads few).
        self.fetched = 0
        self.by_id = _ById(self)

    @property
    def generation(self) -> int:
        return self.live.generation

    @property
    def version(self) -> Version:
        return self.live.version

    # ------------------------------------------------------------- chunks: dense and BM25 search

    @property
    def lexical(self) -> LexicalIndex:
        """The saved BM25 index of the generation, loaded on first use (built and saved when missing)."""
        with self._lexical_lock:
            if self._lexical is None:
                self._lexical = self.store.lexical_index(self.live)
            return self._lexical

    def has_talk(self, talk_id: str) -> bool:
        """Is ``talk_id`` a talk of this generation? (a chunk of a talk an ingest is adding or removing is not)"""
        return self.lexical.has_talk(talk_id)

    def dense(self, query: str, n: int) -> list[ChunkHit]:
        """The ``n`` chunks nearest ``query`` in embedding space (cosine similarity)."""
        size = self.lexical.size
        if not size:
            return []
        if self._vectors is None:
            self._vectors = self.store.vectorstore_of(self.live.base)
        hits = self._vectors.similarity_search_with_score(query, k=min(n, size))
        return [ChunkHit(doc=doc, dense=1.0 - float(distance)) for doc, distance in hits]

    def bm25(self, query: str, n: int) -> list[ChunkHit]:
        """The best ``n`` chunks for ``query`` by BM25 (scores above 0 only)."""
        return [ChunkHit(doc=doc, bm25=score) for doc, score in self.lexical.search(query, n)]

    # ------------------------------------------------------------- talk records

    def fetch(self, ids: list[str]) -> dict[str, Talk]:
        """The live talks among ``ids``, by id (cached ones without a read; the rest in one lookup).

        The cache keeps records as stored; titles are laid over on the way out, so a title
        generated meanwhile shows at once.
        """
        with self._lock:
            missing = [i for i in dict.fromkeys(ids) if i not in self._cache]
        if missing:
            records = self.store.records.talk_records(self.generation, missing)
            with self._lock:
                self.fetched += len(records)
                self._cache.update(records)
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        with self._lock:
            found = []
            for i in dict.fromkeys(ids):
                if i in self._cache:
                    self._cache.move_to_end(i)
                    found.append(self._cache[i])
        return {t.id: t for t in self.titles.apply(found)}

    def matches(self, id_prefix: str, limit: int = 2) -> list[Talk]:
        """Up to ``limit`` talks whose id starts with ``id_prefix`` (an indexed lookup)."""
        prefix = (id_prefix or "").strip()
        return self.titles.apply(self.store.records.talks_with_prefix(self.generation, prefix, limit)) if prefix else []

    def find(self, id_prefix: str) -> Talk:
        """The one talk whose id starts with ``id_prefix``; ``LookupError`` saying why otherwise (as ``Catalog.find``)."""
        prefix = (id_prefix or "").strip()
        matches = self.matches(prefix, limit=2)
        if len(matches) != 1:
            if not matches:
                raise LookupError(f"no talk with id {prefix!r}")
            total = len(self.store.records.talks_with_prefix(self.generation, prefix, limit=1_000_000))
            raise LookupError(f"{prefix!r} matches {total} talks")
        return matches[0]

    @property
    def count(self) -> int:
        if self._count is None:
            self._count = self.store.records.talk_count(self.live)
        return self._count

    def page(self, offset: int = 0, limit: int = 50) -> list[Talk]:
        """Talks ``offset .. offset+limit`` in catalog order (source, then line)."""
        return self.titles.apply(self.store.records.talk_page(self.generation, offset, limit))

    def search(self, text: str, offset: int = 0, limit: int = 50, count_up_to: int = COUNT_UP_TO) -> tuple[list[Talk], int]:
        """(a page of the talks whose record contains every word of ``text``, case-insensitive; how many do,
        exact up to ``count_up_to``: ``count_up_to + 1`` means more)."""
        words = (text or "").split()
        if not words:
            return self.page(offset, limit), self.count
        talks, total = self.store.records.search_talks(self.generation, words, offset, limit, count_up_to)
        return self.titles.apply(talks), total

    def matching(self, pattern: str, most: int) -> list[Talk]:
        """Up to ``most`` talks whose record matches ``pattern`` (a regular expression in Rust's syntax), catalog order."""
        return self.titles.apply(self.store.records.matching_talks(self.generation, pattern, most))

    def loaded(self) -> Catalog:
        """Every talk of the generation, loaded once (O(corpus)); only whole-corpus features call this."""
        with self._lock:
            if self._all is None:
                self._all = Catalog(generation=self.generation, talks=self.titles.apply(self.store.records.talks_of(self.generation)))
            return self._all

    @property
    def talks(self) -> list[Talk]:
        return self.loaded().talks
