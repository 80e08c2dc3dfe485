"""Which index is live, and the protocol that switches a new one in atomically.

Two collections per index *base* (a name):

* ``<base>``: one record per chunk (LangChain ``Chroma`` over it), cosine space.
  Its metadata records the embedding model and dimension, and ``generation``:
  the catalog generation that is live.
* ``<base>-catalog``: one record per talk per generation (the talk as JSON; app/index/catalog.py).

A write stages new chunks and a new catalog generation first, then flips
``generation`` in one metadata write (``commit``), then deletes what the new
generation no longer uses. Readers only see talks of the live generation and
drop chunks of talks outside it, so a write killed at any point leaves the
previous index whole: no half-written talk is ever visible.

A rebuild (``ingest --rebuild``: another embedding model, or starting over)
cannot reuse the live base, whose vectors may have another dimension, so it
writes a fresh base ``<name>.r<id>`` beside the live one and then flips a
pointer, the metadata of the collection ``<name>-live``, in one write
(``publish``, the commit point of a rebuild); the old base is deleted after.
Until the flip readers keep the old index; a rebuild killed half-way leaves an
orphan base that the next write deletes. Without a pointer the base is ``<name>``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

from app.core.errors import IndexStateError
from app.index.lexical import stamp_of
from app.index.opening import Connection

SCHEMA_VERSION = 1
CATALOG_SUFFIX = "-catalog"
_POINTER_SUFFIX = "-live"
_REBUILD_INFIX = ".r"

#: (live base, catalog generation): what changes when a write commits; what a long-running reader compares.
Version = tuple[str, int]


@dataclass(frozen=True)
class LiveIndex:
    """The committed state readers pin: which base, which catalog generation, which Chroma collection.

    ``talks`` is the talk count recorded at commit (None for an index written before it was recorded).
    """

    base: str
    generation: int
    collection_id: str
    talks: int | None = None

    @property
    def stamp(self) -> dict:
        """What a saved lexical index must carry to belong to this state (app/index/lexical.py)."""
        return stamp_of(self.collection_id, self.generation)

    @property
    def version(self) -> Version:
        return self.base, self.generation


def model_signature(embeddings: Embeddings) -> dict:
    """The embedding model an index records and is checked against."""
    # A cache in front of the model (CacheBackedEmbeddings) is not another model.
    model = getattr(embeddings, "underlying_embeddings", embeddings)
    return {"embedding_model": getattr(model, "model_name", type(model).__name__), "embedding_dim": getattr(model, "dimension", 0)}


class Generations:
    """The bases and generations of one index: which is live, and staging, committing and publishing new ones.

    ``base`` is the pair of collections reads and writes go to: the live one
    (resolved through the pointer on ``refresh``/``live``), or, during a
    rebuild, the new one being written (``start_rebuild``).
    """

    def __init__(self, connection: Connection, name: str, signature: dict):
        self.connection = connection
        self.name = name
        self.signature = signature
        self._base: str | None = None

    @property
    def client(self):
        return self.connection.client

    def _exists(self, name: str) -> bool:
        client = self.client  # opening it may fail (corrupt, unreachable): that is not "absent"
        try:
            client.get_collection(name)
            return True
        except Exception:  # NotFoundError in 1.x; ValueError in older clients
            return False

    @property
    def pointer_name(self) -> str:
        return self.name + _POINTER_SUFFIX

    def live_base(self) -> str:
        """The base readers see: the pointer's, or ``name`` when no rebuild ever flipped it."""
        client = self.client
        try:
            pointer = client.get_collection(self.pointer_name)
        except Exception:
            return self.name
        return (pointer.metadata or {}).get("base") or self.name

    @property
    def base(self) -> str:
        if self._base is None:
            self._base = self.live_base()
        return self._base

    def refresh(self) -> None:
        """Follow the pointer again (another process may have rebuilt the index)."""
        self._base = self.live_base()

    def exists(self) -> bool:
        return self._exists(self.base)

    def chunks_collection(self, create: bool = False):
        if not create and not self._exists(self.base):
            raise IndexStateError("no index yet: run `talkqa ingest` first")
        return self.client.get_or_create_collection(
            self.base,
            metadata={**self.signature, "generation": 0, "schema": SCHEMA_VERSION},
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )

    def catalog_collection(self):
        return self.client.get_or_create_collection(self.base + CATALOG_SUFFIX, embedding_function=None)

    def check_model(self, collection) -> None:
        """Refuse an index built with another embedding model: its vectors would not compare."""
        meta = collection.metadata or {}
        built_with = meta.get("embedding_model"), meta.get("embedding_dim")
        ours = self.signature["embedding_model"], self.signature["embedding_dim"]
        if built_with != ours:
            raise IndexStateError(
                f"collection {self.name!r} was built with embedding model {built_with[0]} ({built_with[1]} dims), "
                f"but talkqa is configured for {ours[0]} ({ours[1]} dims): re-ingest with `talkqa ingest --rebuild`"
            )

    # ----------------------------------------------------------- what is live

    def live(self) -> LiveIndex:
        """The live index, model-checked: a few metadata reads, whatever the corpus size.

        Raises ``IndexStateError`` when there is no usable index.
        """
        self.refresh()
        collection = self.chunks_collection()
        self.check_model(collection)
        meta = collection.metadata or {}
        generation = int(meta.get("generation", 0))
        if generation == 0:
            raise IndexStateError("the index is empty (an ingest never finished): run `talkqa ingest`")
        talks = meta.get("talks")
        return LiveIndex(self.base, generation, str(collection.id), int(talks) if talks is not None else None)

    def live_stamp(self) -> Version:
        """(base, generation) now committed, without the model check: what a long-running reader polls."""
        base = self.live_base()
        try:
            meta = self.client.get_collection(base).metadata or {}
        except Exception:
            return base, 0
        return base, int(meta.get("generation", 0))

    def live_generation(self) -> int:
        """The committed generation of the current base (0: none), without the model check."""
        if not self.exists():
            return 0
        return int((self.chunks_collection().metadata or {}).get("generation", 0))

    # ----------------------------------------------------------- switching a new one in

    def commit(self, collection, generation: int, talks: int | None = None) -> None:
        """Make ``generation`` live in the current base: one metadata write (with its talk count)."""
        meta = {**self.signature, "generation": generation, "schema": SCHEMA_VERSION}
        if talks is not None:
            meta["talks"] = talks
        collection.modify(metadata=meta)

    def family(self) -> list[str]:
        """Every collection of this index: bases, catalogs, the pointer (live or orphaned)."""
        names = [c if isinstance(c, str) else c.name for c in self.client.list_collections()]
        return [
            n for n in names
            if n in (self.name, self.name + CATALOG_SUFFIX, self.pointer_name) or n.startswith(self.name + _REBUILD_INFIX)
        ]

    def start_rebuild(self) -> str:
        """Point writes at a fresh base beside the live one; readers keep the live one until ``publish``."""
        self._base = f"{self.name}{_REBUILD_INFIX}{uuid.uuid4().hex[:10]}"
        return self._base

    def publish(self) -> None:
        """Make the current base live: one metadata write on the pointer (the commit point of a rebuild)."""
        pointer = self.client.get_or_create_collection(
            self.pointer_name, metadata={"base": self.live_base()}, embedding_function=None
        )
        pointer.modify(metadata={"base": self.base})

    def delete_orphans(self) -> list[str]:
        """Delete collections of this index that the live base does not use (from killed or replaced builds).

        Writers only, under the data-dir lock: a reader never holds an orphan
        for long (it resolves the pointer on each ``live()``).
        """
        live = self.live_base()
        keep = {live, live + CATALOG_SUFFIX, self.pointer_name}
        if live == self.name:
            keep.discard(self.pointer_name)
        gone = [n for n in self.family() if n not in keep and n != self.base and n != self.base + CATALOG_SUFFIX]
        for name in gone:
            self.client.delete_collection(name)
        return gone
