"""Ingest: corpus files -> talks -> chunks -> the Chroma index, incrementally.

Only chunks whose id (a hash of talk id and text) is not in the index yet are
embedded; metadata that moved (a talk whose lines shifted) is updated in place;
talks gone from the corpus are deleted. The switch to the new catalog is one
metadata write (see app/store.py), so an interrupted ingest leaves the
previous index usable, and the next ingest reuses whatever chunks it had
already written.

Why not LangChain's ``index()`` with a record manager: it hashes a document's
metadata together with its text, so a talk whose line numbers shift (a talk
inserted above it) would be re-embedded, and it deletes stale documents in
batches interleaved with additions, which can expose half an update. The
embedding cache (``CacheBackedEmbeddings``) and the generation switch give us
both properties with the library pieces.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from app.config import Settings
from app.store import TalkStore
from app.models.tokens import encoding
from ingest.chunking import chunk_talks
from ingest.readers import read_corpus
from app.talk import Talk

Progress = Callable[[int, int], None]  # (done, total) chunks embedded


@dataclass
class IngestReport:
    """What an ingest did; printed by the CLI, as JSON with --json."""

    talks: int = 0
    chunks: int = 0
    duplicates: int = 0
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    embedded_chunks: int = 0
    deleted_chunks: int = 0
    seconds: float = 0.0
    rebuilt: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def _overlaps(a: Talk, b: Talk) -> bool:
    """Same source and overlapping lines: ``b`` is an edited version of ``a``."""
    return a.source == b.source and any(s1 <= e2 and s2 <= e1 for s1, e1 in a.lines for s2, e2 in b.lines)


def classify_changes(old: list[Talk], new: list[Talk]) -> tuple[list[str], list[str], list[str], int]:
    """(new ids, changed ids, removed ids, unchanged count) between two catalogs.

    Ids are content hashes, so an edited talk has a new id; we call it
    "changed" when it takes the place (source and lines) of a talk that went.
    """
    old_ids = {t.id for t in old}
    new_ids = {t.id for t in new}
    gone = [t for t in old if t.id not in new_ids]
    added = [t for t in new if t.id not in old_ids]
    changed, fresh = [], []
    for talk in added:
        match = next((g for g in gone if _overlaps(g, talk)), None)
        if match is not None:
            gone.remove(match)
            changed.append(talk.id)
        else:
            fresh.append(talk.id)
    return fresh, changed, [t.id for t in gone], len(old_ids & new_ids)


def ingest(
    settings: Settings,
    store: TalkStore,
    paths: list[Path] | None = None,
    fmt: str | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """Bring the index in line with the corpus. Raises InputError before touching the index."""
    started = time.perf_counter()
    embeddings = store.embeddings
    talks, duplicates = read_corpus(
        paths or settings.corpus,
        fmt=fmt,
        embed=lambda texts: np.asarray(embeddings.embed_documents(texts), dtype=np.float32),
    )
    enc = encoding(settings.chunks.encoding, settings.cache_dir / "tiktoken")
    docs = chunk_talks(talks, enc, settings.chunks)

    if rebuild:
        store.drop()
    old_talks: list[Talk] = []
    if store.exists():
        collection = store.chunks_collection()
        store.check_model(collection)
        if int((collection.metadata or {}).get("generation", 0)):
            old_talks = store.catalog(generated_titles=False).talks  # as written, to compare with the corpus
    collection = store.chunks_collection(create=True)
    generation = int((collection.metadata or {}).get("generation", 0))

    existing = store.all_chunk_ids(collection)
    # Shortest first: each write batch then holds texts of similar length, so the model
    # pads little (it pads to the batch's longest); the order of writes does not matter.
    to_add = sorted((d for d in docs if d.id not in existing), key=lambda d: len(d.page_content))
    moved = [d for d in docs if d.id in existing and existing[d.id] != d.metadata]

    batch = settings.embedding.batch_size * 2
    vectorstore = store.vectorstore
    if progress:
        progress(0, len(to_add))
    for start in range(0, len(to_add), batch):
        part = to_add[start : start + batch]
        vectorstore.add_documents(part, ids=[d.id for d in part])
        if progress:
            progress(min(start + batch, len(to_add)), len(to_add))
    for start in range(0, len(moved), 500):
        part = moved[start : start + 500]
        collection.update(ids=[d.id for d in part], metadatas=[d.metadata for d in part])

    keep = {d.id for d in docs}
    deleted = 0
    same_catalog = {t.id: t.model_dump() for t in old_talks} == {t.id: t.model_dump() for t in talks}
    if not (same_catalog and not to_add and not moved and keep == set(existing)):
        store.write_catalog(generation + 1, talks)
        store.commit(collection, generation + 1)  # the new index is live from here
        deleted = store.prune(generation + 1, keep, set(existing))

    fresh, changed, removed, unchanged = classify_changes(old_talks, talks)
    return IngestReport(
        talks=len(talks),
        chunks=len(docs),
        duplicates=duplicates,
        new=fresh,
        changed=changed,
        removed=removed,
        unchanged=unchanged,
        embedded_chunks=len(to_add),
        deleted_chunks=deleted,
        seconds=round(time.perf_counter() - started, 3),
        rebuilt=rebuild,
    )
