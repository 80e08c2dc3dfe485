"""Following the live index: the one place a long-running reader learns that a write committed a newer generation.

A chat server, the HTTP API, the idle title filler and the retriever all read
the index for hours while ``talkqa ingest`` (or the Corpus tab) switches new
generations in. Each asks its store's ``CurrentIndex`` for the snapshot of the
live generation: a few metadata reads decide whether the one pinned is still
live, and a new one is pinned when it is not. Snapshots already handed out stay
usable: an answer in progress finishes on the generation it retrieved from.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from app.index.generations import Version
from app.index.snapshot import IndexSnapshot
from app.index.titles import TitleOverlay

if TYPE_CHECKING:
    from app.index.store import TalkStore


class CurrentIndex:
    """The snapshot of the live generation of one store, re-pinned when another generation is committed."""

    def __init__(self, store: TalkStore, titles: TitleOverlay):
        self.store = store
        self.titles = titles  # one overlay (one titles.json cache) for every snapshot
        self._pinned: IndexSnapshot | None = None
        self._lock = threading.Lock()

    def version(self) -> Version | None:
        """(live base, generation) committed now, without the model check; None when no index can be read."""
        try:
            return self.store.generations.live_stamp()
        except Exception:  # no index, unreachable, damaged: pinning says why
            return None

    def snapshot(self) -> IndexSnapshot:
        """The snapshot of the live generation; raises ``IndexStateError`` when there is no usable index."""
        pinned = self._pinned
        if pinned is not None and self.version() == pinned.version:
            return pinned
        with self._lock:
            if self._pinned is None or self.version() != self._pinned.version:
                self._pinned = self.store.snapshot(self.titles, inherit=self._pinned)
            return self._pinned

    @property
    def pinned(self) -> IndexSnapshot:
        """The snapshot handed out last, without looking for a newer one (the first is pinned now)."""
        return self._pinned if self._pinned is not None else self.snapshot()
