"""The Chroma store: chunk vectors plus a catalog of talks, switched atomically.

Two collections per index:

* ``<name>``: one record per chunk (LangChain ``Chroma`` over it), cosine space.
  Its metadata records the embedding model and dimension, and ``generation``:
  the catalog generation that is live.
* ``<name>-catalog``: one record per talk per generation (the talk as JSON).

An ingest writes new chunks and a new catalog generation first, then flips
``generation`` in one metadata write (the commit point), then deletes what the
new generation no longer uses. Readers only see talks of the live generation
and drop chunks of talks outside it, so an ingest killed at any point leaves
the previous index whole: no half-written talk is ever visible.

Embedded ``PersistentClient`` under the data dir by default; an ``HttpClient``
when ``chroma_host`` is set.
"""

from __future__ import annotations

import json
from functools import cached_property

import chromadb
from chromadb.config import Settings as ChromaClientSettings
from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from app.config import Settings
from app.errors import IndexStateError
from app.models.llm import describe
from app.talk import Catalog, Talk
from app.titles import TitleCache, apply_titles

SCHEMA_VERSION = 1
_CATALOG_SUFFIX = "-catalog"
_PAGE = 500


def open_client(settings: Settings) -> chromadb.ClientAPI:
    """A Chroma client for the configured store, with telemetry off (we are offline)."""
    client_settings = ChromaClientSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=client_settings)
        except Exception as err:  # chromadb raises ValueError/ConnectionError variants
            raise IndexStateError(
                f"cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port} ({err.__class__.__name__})"
            ) from None
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=client_settings)


class TalkStore:
    """One index: chunk vectors and the talk catalog, in a Chroma database."""

    def __init__(self, settings: Settings, embeddings: Embeddings, client: chromadb.ClientAPI | None = None):
        self.settings = settings
        self.embeddings = embeddings
        self.client = client or open_client(settings)
        self.name = settings.collection

    # ----------------------------------------------------------- collections

    def _exists(self, name: str) -> bool:
        try:
            self.client.get_collection(name)
            return True
        except Exception:  # NotFoundError in 1.x; ValueError in older clients
            return False

    @property
    def model_signature(self) -> dict:
        # A cache in front of the model (CacheBackedEmbeddings) is not another model.
        model = getattr(self.embeddings, "underlying_embeddings", self.embeddings)
        return {
            "embedding_model": getattr(model, "model_name", type(model).__name__),
            "embedding_dim": getattr(model, "dimension", 0),
        }

    def chunks_collection(self, create: bool = False):
        if not create and not self._exists(self.name):
            raise IndexStateError("no index yet: run `talkqa ingest` first")
        return self.client.get_or_create_collection(
            self.name,
            metadata={**self.model_signature, "generation": 0, "schema": SCHEMA_VERSION},
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )

    def catalog_collection(self):
        return self.client.get_or_create_collection(self.name + _CATALOG_SUFFIX, embedding_function=None)

    @cached_property
    def vectorstore(self) -> Chroma:
        """LangChain's Chroma over the chunk collection (dense search and writes)."""
        return Chroma(
            client=self.client,
            collection_name=self.name,
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

    def drop(self) -> None:
        """Delete the whole index (``--rebuild``)."""
        for name in (self.name, self.name + _CATALOG_SUFFIX):
            if self._exists(name):
                self.client.delete_collection(name)
        self.__dict__.pop("vectorstore", None)

    # ----------------------------------------------------------- reading

    def exists(self) -> bool:
        return self._exists(self.name)

    def catalog(self, generated_titles: bool = True) -> Catalog:
        """The live talks. Raises ``IndexStateError`` when there is no usable index.

        Generated titles (``talkqa titles``, app/titles.py) replace derived ones as
        the talks are loaded; ingest reads the catalog as written (``generated_titles=False``).
        """
        collection = self.chunks_collection()
        self.check_model(collection)
        generation = int((collection.metadata or {}).get("generation", 0))
        if generation == 0:
            raise IndexStateError("the index is empty (an ingest never finished): run `talkqa ingest`")
        records = self.catalog_collection().get(where={"generation": generation}, include=["documents"])
        talks = [Talk.model_validate_json(doc) for doc in records["documents"] or []]
        if generated_titles:
            talks = apply_titles(talks, TitleCache.in_data_dir(self.settings.data_dir), describe(self.settings))
        talks.sort(key=lambda t: (t.source, t.lines[0] if t.lines else (0, 0)))
        return Catalog(generation=generation, talks=talks)

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

    def chunks(self, catalog: Catalog) -> list[Document]:
        """The chunks of the live talks (for BM25 and sentence selection)."""
        collection = self.chunks_collection()
        docs: list[Document] = []
        offset = 0
        while True:
            page = collection.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            for id_, text, meta in zip(page["ids"], page["documents"], page["metadatas"]):
                if meta.get("talk_id") in catalog.by_id:
                    docs.append(Document(id=id_, page_content=text, metadata=meta))
            if len(page["ids"]) < _PAGE:
                return docs
            offset += _PAGE

    # ----------------------------------------------------------- writing

    def write_catalog(self, generation: int, talks: list[Talk]) -> None:
        catalog = self.catalog_collection()
        for start in range(0, len(talks), _PAGE):
            batch = talks[start : start + _PAGE]
            catalog.upsert(
                ids=[f"{generation}:{t.id}" for t in batch],
                documents=[t.model_dump_json() for t in batch],
                metadatas=[{"generation": generation, "talk_id": t.id} for t in batch],
                embeddings=[[0.0] for _ in batch],
            )

    def commit(self, collection, generation: int) -> None:
        """Make ``generation`` live: one metadata write."""
        collection.modify(metadata={**self.model_signature, "generation": generation, "schema": SCHEMA_VERSION})

    def prune(self, generation: int, keep_chunk_ids: set[str], existing_ids: set[str]) -> int:
        """Delete chunks and catalog records the live generation does not use; returns chunks deleted."""
        stale = sorted(existing_ids - keep_chunk_ids)
        collection = self.chunks_collection()
        for start in range(0, len(stale), _PAGE):
            collection.delete(ids=stale[start : start + _PAGE])
        self.catalog_collection().delete(where={"generation": {"$ne": generation}})
        return len(stale)


def parse_lines(meta: dict) -> list[list[int]]:
    """Line ranges from chunk metadata (stored as JSON because Chroma metadata is scalar)."""
    return json.loads(meta.get("lines") or "[]")
