"""The talk records of the catalog collection: whole generations, pages, ids, prefixes, word searches.

One record per talk per generation (id ``<generation>:<talk id>``, the talk as
JSON), written in catalog order (source, then line) so that a paged read lists
talks in order. Every query names its generation: readers pin one
(app/index/snapshot.py) and never see a half-written next one.
"""

from __future__ import annotations

import json
import re
from typing import Iterator

from app.core.talk import Talk
from app.index.generations import CATALOG_SUFFIX, Generations, LiveIndex

#: Records per read or write: one unpaged get of more than ~32k records exceeds SQLite's variable limit.
PAGE = 1000


def catalog_order(talk: Talk) -> tuple:
    """The order talks are listed in: by source, then by their first line."""
    return talk.source, talk.lines[0] if talk.lines else (0, 0)


def batches(items: list, size: int = PAGE) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def paged_get(collection, most: int | None = None, **query) -> dict:
    """``collection.get(**query)`` in pages of ``PAGE`` records.

    ``most``: stop after that many records (Chroma stops matching there too).
    """
    out: dict = {"ids": [], "documents": [], "metadatas": []}
    while most is None or len(out["ids"]) < most:
        page = PAGE if most is None else min(PAGE, most - len(out["ids"]))
        part = collection.get(limit=page, offset=len(out["ids"]), **query)
        out["ids"] += part["ids"]
        out["documents"] += part.get("documents") or []
        out["metadatas"] += part.get("metadatas") or [{}] * len(part["ids"])
        if len(part["ids"]) < page:
            break
    return out


def _talks(records: dict) -> list[Talk]:
    return [Talk.model_validate_json(doc) for doc in records["documents"] or []]


def _talk_id(record_id: str) -> str:
    return record_id.split(":", 1)[1]


class CatalogRecords:
    """Reads and writes of the talk records of the current base (``Generations.base``)."""

    def __init__(self, generations: Generations):
        self.generations = generations

    def _collection(self):
        return self.generations.catalog_collection()

    # ----------------------------------------------------------- reading

    def talks_of(self, generation: int) -> list[Talk]:
        """Every talk of ``generation``, loaded (O(corpus): ingest, titles, eval and whole-corpus listings)."""
        talks = _talks(paged_get(self._collection(), where={"generation": generation}, include=["documents"]))
        return sorted(talks, key=catalog_order)

    def note_lines(self, generation: int) -> list[str]:
        """Every note line of ``generation``'s talks, read a page of records at a time (no ``Talk`` is kept): what a
        reader rebuilding the lexical index adds to the words a generation holds (app/index/lexical.py)."""
        lines: list[str] = []
        offset = 0
        while True:
            page = self._collection().get(where={"generation": generation}, include=["documents"], limit=PAGE, offset=offset)
            lines += [line for doc in page.get("documents") or [] for line in json.loads(doc).get("notes", [])]
            if len(page["ids"]) < PAGE:
                return lines
            offset += PAGE

    def talk_ids(self, generation: int) -> set[str]:
        """The ids of the talks of ``generation`` (no record is parsed)."""
        return {_talk_id(i) for i in paged_get(self._collection(), where={"generation": generation}, include=[])["ids"]}

    def talk_records(self, generation: int, ids: list[str]) -> dict[str, Talk]:
        """The talks of ``generation`` with these ids, by id (one indexed lookup; ids not live are absent)."""
        if not ids:
            return {}
        collection = self.generations.connection.reading(self.generations.base + CATALOG_SUFFIX)
        records = collection.get(ids=[f"{generation}:{i}" for i in dict.fromkeys(ids)], include=["documents"])
        return {t.id: t for t in _talks(records)}

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
        records = self._collection().get(
            where={"generation": generation}, where_document={"$contains": '{"id":' + json.dumps(prefix)[:-1]},
            include=["documents"], limit=limit,
        )
        return [t for t in _talks(records) if t.id.startswith(prefix)][:limit]

    def talk_page(self, generation: int, offset: int, limit: int) -> list[Talk]:
        """Talks ``offset .. offset+limit`` of ``generation`` in catalog order (source, then line), one paged read."""
        return _talks(self._collection().get(where={"generation": generation}, include=["documents"], limit=limit, offset=offset))

    def talk_count(self, live: LiveIndex) -> int:
        """How many talks are live (recorded at commit; counted by id for an older index)."""
        return live.talks if live.talks is not None else len(self.talk_ids(live.generation))

    def search_talks(self, generation: int, words: list[str], offset: int, limit: int, count_up_to: int) -> tuple[list[Talk], int]:
        """(talks ``offset .. offset+limit`` whose record contains every word, case-insensitive; how many do).

        Chroma matches the words in its store (a regular expression a word over the
        records, in Rust) and stops at the ids it was asked for: the count is exact up to
        ``count_up_to`` and ``count_up_to + 1`` means "more" — a common word over 100k
        talks would otherwise have every matching id read for the count alone. Only the
        page is parsed here. ``words`` is not empty (an empty filter is a page: the snapshot's ``search``).
        """
        filters = [{"$regex": "(?i)" + re.escape(w)} for w in words]
        where_document = filters[0] if len(filters) == 1 else {"$and": filters}
        wanted = max(offset + limit, count_up_to) + 1
        ids = paged_get(self._collection(), where={"generation": generation}, where_document=where_document,
                        include=[], most=wanted)["ids"]
        page = ids[offset : offset + limit]
        found = self._collection().get(ids=page, include=["documents"]) if page else {"documents": []}
        by_id = {t.id: t for t in _talks(found)}
        return [by_id[_talk_id(i)] for i in page if _talk_id(i) in by_id], min(len(ids), count_up_to + 1)

    def matching_talks(self, generation: int, pattern: str, most: int) -> list[Talk]:
        """Up to ``most`` talks of ``generation`` whose record matches the regular expression ``pattern``, in catalog order.

        Chroma runs the expression (Rust's regex syntax: no look-around) over the stored records and stops
        at ``most``: a cheap superset filter for the exact checks of app/retrieval/record_scan.py.
        """
        found = paged_get(self._collection(), where={"generation": generation}, where_document={"$regex": pattern},
                          include=["documents"], most=most)
        return _talks(found)

    # ----------------------------------------------------------- writing

    def write(self, generation: int, talks: list[Talk]) -> None:
        """Write the talks of ``generation`` in catalog order, so a paged read lists them in order."""
        collection = self._collection()
        for batch in batches(sorted(talks, key=catalog_order)):
            collection.upsert(
                ids=[f"{generation}:{t.id}" for t in batch],
                documents=[t.model_dump_json() for t in batch],
                metadatas=[{"generation": generation, "talk_id": t.id} for t in batch],
                embeddings=[[0.0] for _ in batch],
            )

    def prune(self, generation: int) -> None:
        """Delete the records of every generation but ``generation`` (after it is committed)."""
        collection = self._collection()
        for batch in batches(paged_get(collection, where={"generation": {"$ne": generation}}, include=[])["ids"]):
            collection.delete(ids=batch)
