"""The write side of the index: one write is one transaction, ``with store.writer(rebuild=...) as w``.

Entering reads what is live (``w.generation``, ``w.old_talks``) after deleting
the collections of killed writes; a rebuild first moves a damaged embedded store
aside (``w.set_aside``). ``w.write(talks, docs)`` stages the chunks not stored
yet and a new catalog generation with its BM25 index, then commits it (one
metadata write) and prunes what the new generation no longer uses. Leaving the
block without an error publishes a rebuilt base (one pointer write) and deletes
the lexical indexes of other generations. An error or a kill at any moment
leaves the previous index live and whole (app/index/generations.py).

Callers hold the data dir's writer lock (ingest/indexer.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from langchain_core.documents import Document

from app.core.talk import Talk
from app.index.catalog import batches, paged_get
from app.index.generations import LiveIndex
from app.index.lexical import note_lines
from app.index.opening import corruption_of, set_aside

if TYPE_CHECKING:
    from app.index.store import TalkStore

#: (done, total) chunks embedded and written.
ChunkProgress = Callable[[int, int], None]


@dataclass
class WriteReport:
    """What ``IndexWriter.write`` did."""

    chunks: int
    embedded_chunks: int
    deleted_chunks: int


class IndexWriter:
    """One write of the index (see the module docstring)."""

    def __init__(self, store: TalkStore, rebuild: bool = False):
        self.store = store
        self.rebuild = rebuild
        #: Where a damaged store was moved (a rebuild only); None when nothing was damaged.
        self.set_aside: str | None = None
        #: The generation live when the write started (0: no index) and its talks.
        self.generation = 0
        self.old_talks: list[Talk] = []
        #: The state written (set by ``write``).
        self.live: LiveIndex | None = None

    def __enter__(self) -> "IndexWriter":
        settings, generations = self.store.settings, self.store.generations
        if self.rebuild and not settings.chroma_host and corruption_of(settings.chroma_dir):
            self.set_aside = str(set_aside(settings.chroma_dir))
        generations.refresh()
        generations.delete_orphans()
        self.generation = generations.live_generation()
        if self.generation and not self.rebuild:
            generations.check_model(generations.chunks_collection())
        if self.generation:
            try:
                self.old_talks = self.store.records.talks_of(self.generation)
            except Exception:
                if not self.rebuild:
                    raise
                # A rebuild must start over whatever state the old catalog is in; it keeps only what it can read.
        if self.rebuild:
            generations.start_rebuild()
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is not None or self.live is None:
            return
        if self.rebuild:
            self.store.generations.publish()  # the rebuilt index is live from here
            self.store.generations.delete_orphans()
        self.store.lexical_files.prune(self.live)

    def write(self, talks: list[Talk], docs: list[Document], batch: int, progress: ChunkProgress | None = None) -> WriteReport:
        """Stage the chunks not in the index yet, then the new catalog generation and its lexical index; commit; prune.

        The lexical (BM25) index is built here from the chunks in memory and saved
        beside the store before the commit, so no reader ever has to build it
        (app/index/lexical.py). Nothing changed (and no rebuild): nothing is
        committed, and the lexical index is written only if it is missing.
        """
        generations = self.store.generations
        collection = generations.chunks_collection(create=True)
        generation = int((collection.metadata or {}).get("generation", 0))
        found = paged_get(collection, include=["metadatas"])
        existing = dict(zip(found["ids"], found["metadatas"]))
        to_add = self._add_chunks(docs, existing, batch, progress)
        moved = [d for d in docs if d.id in existing and existing[d.id] != d.metadata]
        for part in batches(moved):
            collection.update(ids=[d.id for d in part], metadatas=[d.metadata for d in part])

        keep = {d.id for d in docs}
        same_catalog = {t.id: t.model_dump() for t in self.old_talks} == {t.id: t.model_dump() for t in talks}
        if not self.rebuild and same_catalog and not to_add and not moved and keep == set(existing):
            self.live = LiveIndex(generations.base, generation, str(collection.id), len(talks))
            if not self.store.lexical_files.is_saved(self.live):
                self.store.lexical_files.save(self.live, docs, note_lines(talks))
            return WriteReport(len(docs), 0, 0)
        self.live = LiveIndex(generations.base, generation + 1, str(collection.id), len(talks))
        self.store.records.write(self.live.generation, talks)
        self.store.lexical_files.save(self.live, docs, note_lines(talks))
        generations.commit(collection, self.live.generation, talks=len(talks))  # live from here (a rebuild: once published)
        return WriteReport(len(docs), len(to_add), self.prune(collection, set(existing) - keep))

    def prune(self, collection, stale: set[str]) -> int:
        """After the commit: delete the ``stale`` chunks and the records of other generations; returns chunks deleted."""
        for part in batches(sorted(stale)):
            collection.delete(ids=part)
        self.store.records.prune(self.live.generation)
        return len(stale)

    def _add_chunks(self, docs: list[Document], existing: dict, batch: int, progress: ChunkProgress | None) -> list[Document]:
        """Embed and store the chunks not stored yet; returns them."""
        # Shortest first: each write batch then holds texts of similar length, so the model
        # pads little (it pads to the batch's longest); the order of writes does not matter.
        to_add = sorted((d for d in docs if d.id not in existing), key=lambda d: len(d.page_content))
        vectorstore = self.store.vectorstore_of(self.store.generations.base)
        if progress:
            progress(0, len(to_add))
        for start in range(0, len(to_add), batch):
            part = to_add[start : start + batch]
            vectorstore.add_documents(part, ids=[d.id for d in part])
            if progress:
                progress(min(start + batch, len(to_add)), len(to_add))
        return to_add
