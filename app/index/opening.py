"""Opening the Chroma store safely: a damaged database is an error, a read-only one is read from a copy.

Embedded ``PersistentClient`` under the data dir by default; an ``HttpClient``
when ``chroma_host`` is set. The embedded store is checked before it is
opened: a damaged ``chroma.sqlite3`` is an ``IndexCorruptError`` (exit 3), and
a data dir we cannot write (a read-only mount) is read from a private
snapshot, because Chroma's embedded client writes to its database on open.
``ingest --rebuild`` moves a damaged store aside (``set_aside``), never deletes it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaClientSettings

from app.core.config import Settings
from app.core.errors import IndexCorruptError, IndexStateError

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


class Connection:
    """The Chroma client of one store, opened on first use, and the collection handles readers reuse.

    Opened late so that a damaged store can be set aside before anything opens it;
    a client passed in (tests, a server) is used as it is.
    """

    def __init__(self, settings: Settings, client: chromadb.ClientAPI | None = None):
        self.settings = settings
        self._client = client
        self._handles: dict[str, object] = {}
        self._lock = threading.Lock()

    @property
    def client(self) -> chromadb.ClientAPI:
        with self._lock:
            if self._client is None:
                self._client = open_client(self.settings)
            return self._client

    def reading(self, name: str):
        """A handle on collection ``name`` for per-question reads, opened once (each open is a round trip).

        Readers pin a base (app/index/snapshot.py), so a handle never outlives its collection's use.
        """
        if name not in self._handles:
            self._handles[name] = self.client.get_collection(name, embedding_function=None)
        return self._handles[name]
