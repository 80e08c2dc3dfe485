"""The Chroma store: chunk vectors plus a catalog of talks, switched atomically.

Two collections per index *base* (a name):

* ``<base>``: one record per chunk (LangChain ``Chroma`` over it), cosine space.
  Its metadata records the embedding model and dimension, and ``generation``:
  the catalog generation that is live.
* ``<base>-catalog``: one record per talk per generation (the talk as JSON).

An ingest writes new chunks and a new catalog generation first, then flips
``generation`` in one metadata write (the commit point), then deletes what the
new generation no longer uses. Readers only see talks of the live generation
and drop chunks of talks outside it, so an ingest killed at any point leaves
the previous index whole: no half-written talk is ever visible.

A rebuild (``ingest --rebuild``: another embedding model, or starting over)
cannot reuse the live base, whose vectors may have another dimension, so it
writes a fresh base ``<name>.r<id>`` beside the live one and then flips a
pointer, the metadata of the collection ``<name>-live``, in one write (the
commit point of a rebuild); the old base is deleted after. Until the flip
readers keep the old index; a rebuild killed half-way leaves an orphan base
that the next write deletes. Without a pointer the base is ``<name>``.

Embedded ``PersistentClient`` under the data dir by default; an ``HttpClient``
when ``chroma_host`` is set. The embedded store is checked before it is
opened: a damaged ``chroma.sqlite3`` is an ``IndexCorruptError`` (exit 3), and
a data dir we cannot write (a read-only mount) is read from a private
snapshot, because Chroma's embedded client writes to its database on open.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import sqlite3
import tempfile
import time
import uuid
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaClientSettings
from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from app.core.config import Settings
from app.core.errors import IndexCorruptError, IndexStateError
from app.index.lexical import LexicalIndex, prune_saved, stamp_of
from app.models.llm import describe
from app.core.talk import Catalog, Talk
from app.index.titles import TitleCache, apply_titles

SCHEMA_VERSION = 1
_CATALOG_SUFFIX = "-catalog"
_POINTER_SUFFIX = "-live"
_REBUILD_INFIX = ".r"
_PAGE = 500
SQLITE_FILE = "chroma.sqlite3"
_CORRUPT_MARKS = ("malformed", "not a database", "file is encrypted")


def corruption_of(path: Path) -> str | None:
    """Why the embedded store at ``path`` is damaged, or None when it looks whole (or is absent).

    The SQLite header, then ``PRAGMA quick_check`` on a read-only connection
    (milliseconds for our indexes). An error that is not damage (a hot journal
    a read-only connection may not roll back, a lock) is not reported: Chroma
    opens the store and deals with it.
    """
    db = path / SQLITE_FILE
    if not db.is_file():
        return None
    try:
        with db.open("rb") as f:
            header = f.read(16)
    except OSError:
        return None
    if not header:  # an empty file beside collection data: the database was lost
        return f"{db} is empty" if any(p.name != SQLITE_FILE for p in path.iterdir()) else None
    if header != b"SQLite format 3\x00":
        return f"{db} is not a SQLite database"
    try:
        connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            rows = connection.execute("PRAGMA quick_check").fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError as err:
        return f"{db}: {err}" if any(mark in str(err) for mark in _CORRUPT_MARKS) else None
    if rows != [("ok",)]:
        return f"{db}: {rows[0][0]}"
    return None


def corrupt_error(reason: str) -> IndexCorruptError:
    return IndexCorruptError(f"the index is corrupt ({reason}): run `talkqa ingest --rebuild` (it keeps the damaged copy aside)")


def is_writable(path: Path) -> bool:
    """Can this process write the store at ``path``? (False on a read-only mount, even for root.)"""
    db = path / SQLITE_FILE
    return os.access(path, os.W_OK) and (not db.exists() or os.access(db, os.W_OK))


def _snapshot(path: Path) -> Path:
    """A private copy of a store we may not write, removed at exit."""
    copy = Path(tempfile.mkdtemp(prefix="talkqa-readonly-")) / "chroma"
    shutil.copytree(path, copy)
    atexit.register(shutil.rmtree, copy.parent, True)
    return copy


def _open_persistent(path: Path, client_settings: ChromaClientSettings) -> chromadb.ClientAPI:
    try:
        return chromadb.PersistentClient(path=str(path), settings=client_settings)
    except Exception as err:  # chromadb.errors.InternalError from the Rust bindings
        if any(mark in str(err) for mark in _CORRUPT_MARKS):
            raise corrupt_error(str(err).rsplit(") ", 1)[-1]) from None
        raise


def open_client(settings: Settings) -> chromadb.ClientAPI:
    """A Chroma client for the configured store, with telemetry off (we are offline).

    The embedded store is checked for damage first; one we may not write is
    opened from a snapshot (reads work, the snapshot is thrown away at exit).
    """
    client_settings = ChromaClientSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=client_settings)
        except Exception as err:  # chromadb raises ValueError/ConnectionError variants
            raise IndexStateError(
                f"cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port} ({err.__class__.__name__})"
            ) from None
    path = settings.chroma_dir
    if reason := corruption_of(path):
        raise corrupt_error(reason)
    if path.is_dir() and not is_writable(path):
        return _open_persistent(_snapshot(path), client_settings)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        raise IndexStateError(f"no index yet at {path} (and it cannot be created: {path.parent} is read-only)") from None
    try:
        return _open_persistent(path, client_settings)
    except IndexStateError:
        raise
    except Exception as err:
        if "readonly database" in str(err):  # writable by permissions, refused all the same
            return _open_persistent(_snapshot(path), client_settings)
        raise


def set_aside(path: Path) -> Path:
    """Move a damaged embedded store out of the way (never delete it); returns where it went.

    Chroma keeps one system per path per process: forget ours, or a new client
    would reuse connections to the moved files.
    """
    target = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
    path.rename(target)
    from chromadb.api.shared_system_client import SharedSystemClient

    system = SharedSystemClient._identifier_to_system.pop(str(path), None)
    SharedSystemClient._identifier_to_refcount.pop(str(path), None)
    if system is not None:
        try:
            system.stop()
        except Exception:  # a damaged store may fail to stop cleanly; it is out of the way already
            pass
    return target


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


class TalkStore:
    """One index: chunk vectors and the talk catalog, in a Chroma database.

    ``base`` is the pair of collections reads and writes go to: the live one
    (resolved through the pointer on every ``catalog()``), or, during a
    rebuild, the new one being written (``start_rebuild``).
    """

    def __init__(self, settings: Settings, embeddings: Embeddings, client: chromadb.ClientAPI | None = None):
        self.settings = settings
        self.embeddings = embeddings
        self.name = settings.collection
        if client is not None:
            self.__dict__["client"] = client
        self._base: str | None = None

    @cached_property
    def client(self) -> chromadb.ClientAPI:
        """Opened on first use, so that a damaged store can be set aside before anything opens it."""
        return open_client(self.settings)

    # ----------------------------------------------------------- collections

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

    @base.setter
    def base(self, value: str) -> None:
        if value != self._base:
            self.__dict__.pop("vectorstore", None)
        self._base = value

    def refresh(self) -> None:
        """Follow the pointer again (another process may have rebuilt the index)."""
        self.base = self.live_base()

    @property
    def model_signature(self) -> dict:
        # A cache in front of the model (CacheBackedEmbeddings) is not another model.
        model = getattr(self.embeddings, "underlying_embeddings", self.embeddings)
        return {
            "embedding_model": getattr(model, "model_name", type(model).__name__),
            "embedding_dim": getattr(model, "dimension", 0),
        }

    def chunks_collection(self, create: bool = False):
        if not create and not self._exists(self.base):
            raise IndexStateError("no index yet: run `talkqa ingest` first")
        return self.client.get_or_create_collection(
            self.base,
            metadata={**self.model_signature, "generation": 0, "schema": SCHEMA_VERSION},
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )

    def catalog_collection(self):
        return self.client.get_or_create_collection(self.base + _CATALOG_SUFFIX, embedding_function=None)

    def _reading(self, name: str):
        """A handle on collection ``name`` for the per-question reads, opened once (each open is a round trip).

        Readers pin a base (app/retrieval/retriever.py) and re-pin when it changes, so a handle never outlives its collection's use.
        """
        handles = self.__dict__.setdefault("_handles", {})
        if name not in handles:
            handles[name] = self.client.get_collection(name, embedding_function=None)
        return handles[name]

    @cached_property
    def vectorstore(self) -> Chroma:
        """LangChain's Chroma over the chunk collection (dense search and writes)."""
        return Chroma(
            client=self.client,
            collection_name=self.base,
            embedding_function=self.embeddings,
            create_collection_if_not_exists=False,
        )

    def check_model(self, collection) -> None:
        """Refuse an index built with another embedding model: its vectors would not compare."""
        meta = collection.metadata or {}
        built_with = meta.get("embedding_model"), meta.get("embedding_dim")
        ours = self.model_signature["embedding_model"], self.model_signature["embedding_dim"]
        if built_with != ours:
            raise IndexStateError(
                f"collection {self.name!r} was built with embedding model {built_with[0]} ({built_with[1]} dims), "
                f"but talkqa is configured for {ours[0]} ({ours[1]} dims): re-ingest with `talkqa ingest --rebuild`"
            )

    # ----------------------------------------------------------- rebuilding beside the live index

    def family(self) -> list[str]:
        """Every collection of this index: bases, catalogs, the pointer (live or orphaned)."""
        names = [c if isinstance(c, str) else c.name for c in self.client.list_collections()]
        return [
            n for n in names
            if n in (self.name, self.name + _CATALOG_SUFFIX, self.pointer_name) or n.startswith(self.name + _REBUILD_INFIX)
        ]

    def start_rebuild(self) -> str:
        """Point writes at a fresh base beside the live one; readers keep the live one until ``publish``."""
        self.base = f"{self.name}{_REBUILD_INFIX}{uuid.uuid4().hex[:10]}"
        return self.base

    def publish(self) -> None:
        """Make the current base live: one metadata write on the pointer (the commit point of a rebuild)."""
        pointer = self.client.get_or_create_collection(
            self.pointer_name, metadata={"base": self.live_base()}, embedding_function=None
        )
        pointer.modify(metadata={"base": self.base})

    def delete_orphans(self) -> list[str]:
        """Delete collections of this index that the live base does not use (from killed or replaced builds).

        Writers only, under the data-dir lock: a reader never holds an orphan
        for long (it resolves the pointer on each ``catalog()``).
        """
        live = self.live_base()
        keep = {live, live + _CATALOG_SUFFIX, self.pointer_name}
        if live == self.name:
            keep.discard(self.pointer_name)
        gone = [n for n in self.family() if n not in keep and n != self.base and n != self.base + _CATALOG_SUFFIX]
        for name in gone:
            self.client.delete_collection(name)
        return gone

    # ----------------------------------------------------------- reading

    def exists(self) -> bool:
        return self._exists(self.base)

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

    def live_stamp(self) -> tuple[str, int]:
        """(base, generation) now committed, without the model check: what a long-running reader polls."""
        base = self.live_base()
        try:
            meta = self.client.get_collection(base).metadata or {}
        except Exception:
            return base, 0
        return base, int(meta.get("generation", 0))

    def catalog(self, generated_titles: bool = True) -> Catalog:
        """Every live talk, loaded (O(corpus): for ingest, titles, eval and whole-corpus listings).

        Answering never needs this: it fetches the records of the talks it
        returns (``talk_records``; ``app/index/live_talks.py``). Generated titles
        (``talkqa titles``, app/index/titles.py) replace derived ones as the talks are
        loaded; ingest reads the catalog as written (``generated_titles=False``).
        """
        generation = self.live().generation
        talks = self.talks_of(generation)
        if generated_titles:
            talks = apply_titles(talks, TitleCache.in_data_dir(self.settings.data_dir), describe(self.settings))
        return Catalog(generation=generation, talks=talks)

    @staticmethod
    def paged_get(collection, page: int = 5000, most: int | None = None, **query) -> dict:
        """``collection.get(**query)`` in pages: one unpaged get of more than ~32k records exceeds SQLite's variable limit.

        ``most``: stop after that many records (Chroma stops matching there too).
        """
        out: dict = {"ids": [], "documents": [], "metadatas": []}
        offset = 0
        while True:
            if most is not None:
                page = min(page, most - offset)
                if page <= 0:
                    return out
            part = collection.get(limit=page, offset=offset, **query)
            out["ids"] += part["ids"]
            out["documents"] += part.get("documents") or []
            out["metadatas"] += part.get("metadatas") or []
            if len(part["ids"]) < page:
                return out
            offset += page

    def talks_of(self, generation: int) -> list[Talk]:
        """The catalog of ``generation`` in the current base, without the model check (a rebuild reads it)."""
        records = self.paged_get(self.catalog_collection(), where={"generation": generation}, include=["documents"])
        talks = [Talk.model_validate_json(doc) for doc in records["documents"] or []]
        talks.sort(key=lambda t: (t.source, t.lines[0] if t.lines else (0, 0)))
        return talks

    @staticmethod
    def _talks(records: dict) -> list[Talk]:
        return [Talk.model_validate_json(doc) for doc in records["documents"] or []]

    def talk_records(self, generation: int, ids: list[str]) -> dict[str, Talk]:
        """The talks of ``generation`` with these ids, by id (one indexed lookup; ids not live are absent)."""
        if not ids:
            return {}
        records = self._reading(self.base + _CATALOG_SUFFIX).get(ids=[f"{generation}:{i}" for i in dict.fromkeys(ids)], include=["documents"])
        return {t.id: t for t in self._talks(records)}

    def talks_with_prefix(self, generation: int, prefix: str, limit: int = 2) -> list[Talk]:
        """Up to ``limit`` talks of ``generation`` whose id starts with ``prefix``.

        A whole id is one lookup by record id; a shorter prefix goes through
        Chroma's full-text index of the records (each record starts ``{"id":"<id>"``).
        """
        if not prefix:
            return []
        exact = self.talk_records(generation, [prefix])
        if exact:
            return list(exact.values())
        records = self.catalog_collection().get(
            where={"generation": generation}, where_document={"$contains": '{"id":' + json.dumps(prefix)[:-1]},
            include=["documents"], limit=limit,
        )
        return [t for t in self._talks(records) if t.id.startswith(prefix)][:limit]

    def talk_page(self, generation: int, offset: int, limit: int) -> list[Talk]:
        """Talks ``offset .. offset+limit`` of ``generation`` in catalog order (source, then line), one paged read."""
        records = self.catalog_collection().get(where={"generation": generation}, include=["documents"], limit=limit, offset=offset)
        return self._talks(records)

    def talk_count(self, live: LiveIndex) -> int:
        """How many talks are live (recorded at commit; counted by id for an older index)."""
        if live.talks is not None:
            return live.talks
        return len(self.paged_get(self.catalog_collection(), where={"generation": live.generation}, include=[])["ids"])

    def search_talks(self, generation: int, words: list[str], offset: int, limit: int, count_up_to: int) -> tuple[list[Talk], int]:
        """(talks ``offset .. offset+limit`` whose record contains every word, case-insensitive; how many do).

        Chroma matches the words in its store (a regular expression a word over the
        records, in Rust) and stops at the ids it was asked for: the count is exact up to
        ``count_up_to`` and ``count_up_to + 1`` means "more" — a common word over 100k
        talks would otherwise have every matching id read for the count alone. Only the
        page is parsed here.
        """
        if not words:
            return self.talk_page(generation, offset, limit), -1
        filters = [{"$regex": "(?i)" + re.escape(w)} for w in words]
        where_document = filters[0] if len(filters) == 1 else {"$and": filters}
        wanted = max(offset + limit, count_up_to) + 1
        ids = self.paged_get(self.catalog_collection(), where={"generation": generation}, where_document=where_document,
                             include=[], most=wanted)["ids"]
        page = ids[offset : offset + limit]
        found = self.catalog_collection().get(ids=page, include=["documents"]) if page else {"documents": []}
        by_id = {t.id: t for t in self._talks(found)}
        return [by_id[i.split(":", 1)[1]] for i in page if i.split(":", 1)[1] in by_id], min(len(ids), count_up_to + 1)

    def chunks_by_id(self, ids: list[str]) -> list[Document]:
        """The chunks with these ids, in that order (ids no longer stored are skipped)."""
        if not ids:
            return []
        page = self._reading(self.base).get(ids=list(dict.fromkeys(ids)), include=["documents", "metadatas"])
        found = {i: Document(id=i, page_content=t, metadata=m) for i, t, m in zip(page["ids"], page["documents"], page["metadatas"])}
        return [found[i] for i in ids if i in found]

    # ----------------------------------------------------------- the lexical index

    @property
    def lexical_root(self) -> Path:
        return self.settings.data_dir / "lexical"

    def lexical_path(self, live: LiveIndex) -> Path:
        return self.lexical_root / f"{live.collection_id}.g{live.generation}"

    def lexical_index(self, live: LiveIndex) -> LexicalIndex:
        """The saved BM25 index of ``live``; built from the chunks (and saved, if we may) when missing or stale."""
        found = LexicalIndex.load(self.lexical_path(live), live.stamp)
        if found is not None:
            return found
        talk_ids = set(self.paged_get(self.catalog_collection(), where={"generation": live.generation}, include=[])["ids"])
        talk_ids = {i.split(":", 1)[1] for i in talk_ids}
        docs = self.chunks(Catalog(generation=live.generation, talks=[]), live=talk_ids)
        return self.save_lexical(live, docs)

    def save_lexical(self, live: LiveIndex, docs: list[Document]) -> LexicalIndex:
        """Build the BM25 index of ``docs`` for ``live`` and save it beside the store (skipped when read-only)."""
        index = LexicalIndex.build(docs, live.stamp)
        try:
            index.save(self.lexical_path(live))
        except OSError:  # a read-only data dir: this process keeps the index in memory
            pass
        return index

    def prune_lexical(self, live: LiveIndex) -> None:
        """Delete saved lexical indexes of other generations (writers, after a commit)."""
        try:
            prune_saved(self.lexical_root, self.lexical_path(live))
        except OSError:
            pass

    def live_generation(self) -> int:
        """The committed generation of the current base (0: none), without the model check."""
        if not self.exists():
            return 0
        return int((self.chunks_collection().metadata or {}).get("generation", 0))

    def all_chunk_ids(self, collection) -> dict[str, dict]:
        """Every chunk id in the collection with its metadata, paged."""
        found: dict[str, dict] = {}
        offset = 0
        while True:
            page = collection.get(include=["metadatas"], limit=_PAGE, offset=offset)
            found.update(zip(page["ids"], page["metadatas"] or [{}] * len(page["ids"])))
            if len(page["ids"]) < _PAGE:
                return found
            offset += _PAGE

    def chunks(self, catalog: Catalog, live: set[str] | None = None) -> list[Document]:
        """The chunks of the catalog's talks (or of the talk ids ``live``), paged: O(corpus), to build BM25."""
        keep = live if live is not None else catalog.by_id
        collection = self.chunks_collection()
        docs: list[Document] = []
        offset = 0
        while True:
            page = collection.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            for id_, text, meta in zip(page["ids"], page["documents"], page["metadatas"]):
                if meta.get("talk_id") in keep:
                    docs.append(Document(id=id_, page_content=text, metadata=meta))
            if len(page["ids"]) < _PAGE:
                return docs
            offset += _PAGE

    # ----------------------------------------------------------- writing

    def write_catalog(self, generation: int, talks: list[Talk]) -> None:
        """Write the talks of ``generation`` in catalog order (source, then line), so a paged read lists them in order."""
        catalog = self.catalog_collection()
        talks = sorted(talks, key=lambda t: (t.source, t.lines[0] if t.lines else (0, 0)))
        for start in range(0, len(talks), _PAGE):
            batch = talks[start : start + _PAGE]
            catalog.upsert(
                ids=[f"{generation}:{t.id}" for t in batch],
                documents=[t.model_dump_json() for t in batch],
                metadatas=[{"generation": generation, "talk_id": t.id} for t in batch],
                embeddings=[[0.0] for _ in batch],
            )

    def commit(self, collection, generation: int, talks: int | None = None) -> None:
        """Make ``generation`` live in the current base: one metadata write (with its talk count)."""
        meta = {**self.model_signature, "generation": generation, "schema": SCHEMA_VERSION}
        if talks is not None:
            meta["talks"] = talks
        collection.modify(metadata=meta)

    def prune(self, generation: int, keep_chunk_ids: set[str], existing_ids: set[str]) -> int:
        """Delete chunks and catalog records the live generation does not use; returns chunks deleted."""
        stale = sorted(existing_ids - keep_chunk_ids)
        collection = self.chunks_collection()
        for start in range(0, len(stale), _PAGE):
            collection.delete(ids=stale[start : start + _PAGE])
        catalog = self.catalog_collection()
        stale_records = self.paged_get(catalog, where={"generation": {"$ne": generation}}, include=[])["ids"]
        for start in range(0, len(stale_records), _PAGE):
            catalog.delete(ids=stale_records[start : start + _PAGE])
        return len(stale)


def parse_lines(meta: dict) -> list[list[int]]:
    """Line ranges from chunk metadata (stored as JSON because Chroma metadata is scalar)."""
    return json.loads(meta.get("lines") or "[]")
