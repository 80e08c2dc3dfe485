"""The live talks as readers use them: records fetched by id, pages, prefix and word lookups; loaded whole only on demand.

``TalkStore.catalog()`` parses every talk record (O(corpus): a few seconds and
hundreds of MB at 100k talks). Answering a question needs only the records of
the talks it returns, the talk browser a page, ``talkqa talk ID`` one record,
so ``LiveTalks`` asks Chroma for exactly those (by record id, by page, by its
full-text index) and keeps the recently used ones. It has ``Catalog``'s
interface (``generation``, ``by_id[id]``, ``find(prefix)``, ``talks``) so the
answer chain, the surfaces and the evaluation keep working unchanged; only a
whole-corpus feature (``talks``, iterating ``by_id``) loads every record, once.
Generated titles (app/index/titles.py) are applied to every record handed out.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Mapping
from functools import cached_property
from typing import Iterator

from app.models.llm import describe
from app.index.store import LiveIndex, TalkStore
from app.core.talk import Catalog, Talk
from app.index.titles import TitleCache, apply_titles

#: Records kept after use (a long-running chat fetches the same popular talks again and again).
CACHE_SIZE = 4096
#: A word search counts its matches up to here, then says "more": counting them all reads every matching record.
COUNT_UP_TO = 1000


class _Titles:
    """``titles.json``, re-read only when it changes (``talkqa titles`` may run beside a chat)."""

    def __init__(self, cache: TitleCache):
        self.cache = cache
        self._key = None
        self._data: dict = {}

    def load(self) -> dict:
        try:
            st = os.stat(self.cache.path)
            key = (st.st_mtime_ns, st.st_size)
        except OSError:
            key = None
        if key != self._key:
            self._data = self.cache.load() if key else {}
            self._key = key
        return self._data


class _ById(Mapping):
    """``catalog.by_id``: a lookup fetches a missing record; iterating loads them all."""

    def __init__(self, talks: "LiveTalks"):
        self._talks = talks

    def __getitem__(self, talk_id: str) -> Talk:
        found = self._talks.fetch([talk_id])
        if talk_id not in found:
            raise KeyError(talk_id)
        return found[talk_id]

    def __contains__(self, talk_id) -> bool:
        return isinstance(talk_id, str) and talk_id in self._talks.fetch([talk_id])

    def __iter__(self) -> Iterator[str]:
        return iter(self._talks.loaded().by_id)

    def __len__(self) -> int:
        return self._talks.count


class LiveTalks:
    """The talks of one live index generation, fetched as needed (see the module docstring)."""

    def __init__(self, store: TalkStore, live: LiveIndex, inherit: "LiveTalks | None" = None):
        self.store = store
        self.live = live
        self._titles = inherit._titles if inherit else _Titles(TitleCache.in_data_dir(store.settings.data_dir))
        self._model = describe(store.settings)
        self._cache: OrderedDict[str, Talk] = OrderedDict(inherit._cache) if inherit else OrderedDict()
        self._lock = threading.Lock()
        #: Records read from Chroma so far (tests check that answering reads few).
        self.fetched = 0
        self.by_id = _ById(self)

    @property
    def generation(self) -> int:
        return self.live.generation

    def _titled(self, talks: list[Talk]) -> list[Talk]:
        return apply_titles(talks, self._titles, self._model)

    def fetch(self, ids: list[str]) -> dict[str, Talk]:
        """The live talks among ``ids``, by id (cached ones without a read; the rest in one lookup)."""
        with self._lock:
            missing = [i for i in dict.fromkeys(ids) if i not in self._cache]
        if missing:
            records = self.store.talk_records(self.generation, missing)
            titled = self._titled(list(records.values()))
            with self._lock:
                self.fetched += len(titled)
                for talk in titled:
                    self._cache[talk.id] = talk
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        with self._lock:
            out = {}
            for i in ids:
                if i in self._cache:
                    self._cache.move_to_end(i)
                    out[i] = self._cache[i]
            return out

    def matches(self, id_prefix: str, limit: int = 2) -> list[Talk]:
        """Up to ``limit`` talks whose id starts with ``id_prefix`` (an indexed lookup)."""
        prefix = (id_prefix or "").strip()
        return self._titled(self.store.talks_with_prefix(self.generation, prefix, limit)) if prefix else []

    def find(self, id_prefix: str) -> Talk:
        """The one talk whose id starts with ``id_prefix``; ``LookupError`` saying why otherwise (as ``Catalog.find``)."""
        prefix = (id_prefix or "").strip()
        matches = self.matches(prefix, limit=2)
        if len(matches) != 1:
            if not matches:
                raise LookupError(f"no talk with id {prefix!r}")
            total = len(self.store.talks_with_prefix(self.generation, prefix, limit=1_000_000))
            raise LookupError(f"{prefix!r} matches {total} talks")
        return matches[0]

    @cached_property
    def count(self) -> int:
        return self.store.talk_count(self.live)

    def page(self, offset: int = 0, limit: int = 50) -> list[Talk]:
        """Talks ``offset .. offset+limit`` in catalog order (source, then line)."""
        return self._titled(self.store.talk_page(self.generation, offset, limit))

    def search(self, text: str, offset: int = 0, limit: int = 50, count_up_to: int = COUNT_UP_TO) -> tuple[list[Talk], int]:
        """(a page of the talks whose record contains every word of ``text``, case-insensitive; how many do,
        exact up to ``count_up_to``: ``count_up_to + 1`` means more)."""
        words = (text or "").split()
        if not words:
            return self.page(offset, limit), self.count
        talks, total = self.store.search_talks(self.generation, words, offset, limit, count_up_to)
        return self._titled(talks), total

    # ------------------------------------------------------------- whole-corpus features

    def loaded(self) -> Catalog:
        """Every talk of the generation, loaded once (O(corpus)); only whole-corpus features call this."""
        with self._lock:
            if "_all" not in self.__dict__:
                self.__dict__["_all"] = Catalog(generation=self.generation, talks=self._titled(self.store.talks_of(self.generation)))
            return self.__dict__["_all"]

    @property
    def talks(self) -> list[Talk]:
        return self.loaded().talks
