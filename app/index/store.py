"""The index: chunk vectors plus a catalog of talks in Chroma, read through snapshots, written through a writer.

``TalkStore`` puts the index's parts together and hands out its two sides:

* the read side: ``current.snapshot()`` (app/index/following.py) is the
  ``IndexSnapshot`` (app/index/snapshot.py) of the live generation — dense and
  BM25 search, talk records with generated titles, pages and lookups;
* the write side: ``with store.writer(rebuild=...) as w`` (app/index/writer.py)
  stages chunks and a catalog generation, commits, publishes and prunes.

The parts: opening Chroma safely (app/index/opening.py), the generation
protocol (app/index/generations.py), the catalog records (app/index/catalog.py)
and the saved BM25 files (app/index/lexical.py).
"""

from __future__ import annotations

from typing import Collection

import chromadb
from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from app.core.config import Settings
from app.core.talk import Catalog
from app.index.catalog import CatalogRecords, paged_get
from app.index.following import CurrentIndex
from app.index.generations import Generations, LiveIndex, model_signature
from app.index.lexical import LexicalFiles, LexicalIndex
from app.index.opening import Connection
from app.index.snapshot import IndexSnapshot
from app.index.titles import TitleCache, TitleOverlay
from app.index.writer import IndexWriter
from app.models.llm import describe


class TalkStore:
    """One index: its Chroma connection, generations, catalog records and lexical files (see the module docstring)."""

    def __init__(self, settings: Settings, embeddings: Embeddings, client: chromadb.ClientAPI | None = None):
        self.settings = settings
        self.embeddings = embeddings
        self.connection = Connection(settings, client)
        self.generations = Generations(self.connection, settings.collection, model_signature(embeddings))
        self.records = CatalogRecords(self.generations)
        self.lexical_files = LexicalFiles(settings.data_dir)
        self.current = CurrentIndex(self, TitleOverlay(TitleCache.in_data_dir(settings.data_dir), describe(settings)))

    @property
    def client(self) -> chromadb.ClientAPI:
        return self.connection.client

    @property
    def model_signature(self) -> dict:
        return self.generations.signature

    # ----------------------------------------------------------- the read side

    def live(self) -> LiveIndex:
        """The live index, model-checked (``IndexStateError`` when there is no usable one)."""
        return self.generations.live()

    def snapshot(self, titles: TitleOverlay | None = None, inherit: IndexSnapshot | None = None) -> IndexSnapshot:
        """A snapshot of the generation live now (readers that keep following ask ``current`` instead)."""
        return IndexSnapshot(self, self.live(), titles or self.current.titles, inherit)

    def catalog(self, generated_titles: bool = True) -> Catalog:
        """Every live talk, loaded (O(corpus): for ingest, titles, eval and whole-corpus listings).

        Answering never needs this: it fetches the records of the talks it returns
        (``IndexSnapshot``). ``talkqa titles`` reads the talks as ingest wrote them
        (``generated_titles=False``).
        """
        generation = self.live().generation
        talks = self.records.talks_of(generation)
        return Catalog(generation=generation, talks=self.current.titles.apply(talks) if generated_titles else talks)

    def talk_count(self, live: LiveIndex) -> int:
        return self.records.talk_count(live)

    def vectorstore_of(self, base: str) -> Chroma:
        """LangChain's Chroma over the chunk collection of ``base`` (dense search and writes)."""
        return Chroma(client=self.client, collection_name=base, embedding_function=self.embeddings,
                      create_collection_if_not_exists=False)

    def chunks(self, talks: Catalog | Collection[str]) -> list[Document]:
        """The chunks of these talks (a catalog, or talk ids), paged: O(corpus), to build BM25."""
        keep = talks.by_id if isinstance(talks, Catalog) else talks
        found = paged_get(self.generations.chunks_collection(), include=["documents", "metadatas"])
        return [Document(id=i, page_content=text, metadata=meta)
                for i, text, meta in zip(found["ids"], found["documents"], found["metadatas"]) if meta.get("talk_id") in keep]

    def lexical_path(self, live: LiveIndex):
        return self.lexical_files.path(live)

    def lexical_index(self, live: LiveIndex) -> LexicalIndex:
        """The saved BM25 index of ``live``; built from the chunks and the records' note lines, read a page at a time
        (and saved, if we may), when missing or stale."""
        found = self.lexical_files.load(live)
        if found is not None:
            return found
        return self.lexical_files.save(live, self.chunks(self.records.talk_ids(live.generation)), self.records.note_lines(live.generation))

    # ----------------------------------------------------------- the write side

    def writer(self, rebuild: bool = False) -> IndexWriter:
        """``with store.writer(rebuild=...) as w:`` one write of the index (callers hold the data-dir lock)."""
        return IndexWriter(self, rebuild)
