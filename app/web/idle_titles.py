"""Titles generated while the chat server has nothing else to do.

Ingest stays fast by writing derived titles only; the titles a person would
write come from the chat model (app/index/titles.py), once per talk, cached in the
data dir. ``talkqa titles`` fills them all at once; a running ``talkqa chat``
also fills them in the background, one talk at a time, only while no answer
is being written and none was asked for ``idle_s`` seconds. A question that
arrives meanwhile waits for at most the one title in progress (the model's
lock serialises them). Index snapshots lay the cached titles over every talk they
hand out, so the Talks tab and citations show each one as soon as it exists.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Callable, Iterator

from app.core.config import Settings
from app.index.titles import TitleCache, generate_missing, needs_title

log = logging.getLogger("talkqa")


class IdleTitleFiller:
    """A daemon thread that titles the live talks while the chat is idle; ``busy()`` marks an answer in progress."""

    def __init__(self, settings: Settings, service, llm: Callable[[], object], model: str, *,
                 idle_s: float = 30.0, poll_s: float = 2.0, page: int = 200):
        self.settings = settings
        self.service = service
        self.llm = llm  # a factory: the model loads only when a title is missing
        self.model = model
        self.idle_s, self.poll_s = idle_s, poll_s
        self.page = page  # talks read from the catalog at a time
        self.generated = 0
        self._active = 0
        self._last = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- what the chat tells it ------------------------------------------------

    @contextlib.contextmanager
    def busy(self) -> Iterator[None]:
        """``with filler.busy():`` around an answer: no title starts meanwhile, nor ``idle_s`` after."""
        with self._lock:
            self._active += 1
            self._last = time.monotonic()
        try:
            yield
        finally:
            with self._lock:
                self._active -= 1
                self._last = time.monotonic()

    def idle(self) -> bool:
        with self._lock:
            return self._active == 0 and time.monotonic() - self._last >= self.idle_s

    # -- the thread --------------------------------------------------------------

    def start(self) -> "IdleTitleFiller":
        self._thread = threading.Thread(target=self._run, name="talkqa-idle-titles", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _untitled(self, snapshot, offset: int) -> tuple[list, int]:
        """(the talks of this catalog page still without a generated title, how many talks the page had)."""
        page = snapshot.page(offset, self.page)
        cache = TitleCache.in_data_dir(self.settings.data_dir)
        return [t for t in page if needs_title(t) and not cache.get(t.id, self.model)[0]], len(page)

    def _run(self) -> None:
        """Sweep the live catalog a page at a time, titling what is missing; once per index generation.

        A page costs what it reads, so a 100k-talk archive is never parsed whole in the
        background of the chat; a sweep that reached the end is not repeated until an
        ingest commits another generation (new talks are the only ones that can lack a title).
        """
        swept = None  # the index version whose every talk has been looked at
        reached: tuple = (None, 0)  # (index version, catalog offset) the sweep has got to
        while not self._stop.is_set():
            try:
                snapshot = self.service.store.current.snapshot()
                version = snapshot.version
                if version == swept:
                    self._stop.wait(max(self.poll_s, 60.0))
                    continue
                offset = reached[1] if reached[0] == version else 0
                todo, read = self._untitled(snapshot, offset)
            except Exception as err:  # no index yet, a switch in progress: look again later
                log.debug("idle titles: %s", err)
                self._stop.wait(max(self.poll_s, 60.0))
                continue
            for talk in todo:
                while not self.idle():
                    if self._stop.wait(self.poll_s):
                        return
                try:
                    generate_missing([talk], self.llm, TitleCache.in_data_dir(self.settings.data_dir), self.model)
                except Exception as err:  # the model is down: the derived titles stay; this page again later
                    log.warning("idle titles paused: %s", err)
                    self._stop.wait(300.0)
                    break
                self.generated += 1
                if self._stop.is_set():
                    return
            else:
                reached = (version, offset + read)
                if read < self.page:
                    swept = version
                    log.info("titles: every live talk looked at; %d generated while idle", self.generated)
