"""``<data dir>/server.json``: a running ``talkqa chat`` or ``talkqa serve`` says where one-off commands can reach it.

A one-off ``talkqa ask`` or ``search`` pays seconds of start-up (imports, the
index, the models) before any work; a server that already holds them answers
in milliseconds. So a server announces itself in its data dir: a loopback
port, a random token the server accepts as an API key, its pid, and the
identity of what it serves (``serving_identity``). The client (app/cli/client.py)
uses it only when that identity equals its own settings'.

The file is the user's alone (mode 0600, written under a temporary name and
renamed into place) and removed when the server exits cleanly. A file left
behind by a server that died (its pid gone, or its port closed) is ignored and
removed by the next reader; one another user could read or write (any
group/other permission bits, another owner) is ignored and left alone.

Standard library and ``app.core.config`` only: a one-off command reads this before
deciding whether to import anything heavy.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from app import __version__
from app.core.config import Settings
from app.core.answer_fingerprint import answer_fingerprint

FILE_NAME = "server.json"


def serving_identity(settings: Settings) -> str:
    """16 hex digits over everything that makes a server's answers differ from this process's own.

    The answer fingerprint (prompts, chunking, embedding, retrieval, chat model), the reranker,
    which index (data dir, Chroma location, collection), whether an OpenAI key is set (``auto``
    picks the backend by it), the question limit and the talkqa version.
    """
    chroma = f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else str(_resolved(settings.chroma_dir))
    parts = {
        "talkqa": __version__,
        "answers": answer_fingerprint(settings),
        "rerank": settings.rerank.model_dump(mode="json", exclude={"threads", "batch_size"}),
        "index": {"data_dir": str(_resolved(settings.data_dir)), "chroma": chroma, "collection": settings.collection},
        "llm_key": settings.llm.api_key is not None,
        "max_question_tokens": settings.max_question_tokens,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _resolved(path: Path) -> Path:
    return Path(os.path.abspath(path.expanduser()))


def new_token() -> str:
    """The random token a server accepts from the clients that can read its file."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Announcement:
    """What ``server.json`` holds."""

    pid: int
    port: int
    token: str
    identity: str
    kind: str  # "serve" or "chat": which command is serving
    started: float

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


class ServerFile:
    """The announcement file of one data dir: written by a server, read by the CLI."""

    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / FILE_NAME

    def announce(self, port: int, token: str, identity: str, kind: str) -> Announcement:
        """Write the file for this process, atomically, readable by the user only (raises ``OSError``)."""
        announcement = Announcement(os.getpid(), port, token, identity, kind, round(time.time(), 3))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{FILE_NAME}.{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, 0o600)  # an old temporary file keeps its mode through O_CREAT
            os.write(fd, json.dumps(asdict(announcement)).encode())
        finally:
            os.close(fd)
        os.replace(temporary, self.path)
        return announcement

    def withdraw(self, announcement: Announcement) -> None:
        """Remove the file if it still announces ``announcement`` (another server may have replaced it)."""
        if self.read_raw() == announcement:
            self.path.unlink(missing_ok=True)

    def read_raw(self) -> Announcement | None:
        """The announcement as written, if the file is the user's own and well formed (no liveness check)."""
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if info.st_uid != os.getuid() or info.st_mode & 0o077:
                return None  # someone else could have written or read the token: not trusted
            data = json.loads(os.read(fd, 1 << 16) or b"null")
            return Announcement(**{name: data[name] for name in Announcement.__dataclass_fields__})
        except (OSError, ValueError, TypeError, KeyError):
            return None
        finally:
            os.close(fd)

    def read(self) -> Announcement | None:
        """The announcement of a live server, or None (a dead server's file is removed)."""
        announcement = self.read_raw()
        if announcement is None:
            return None
        if not _alive(announcement.pid):
            self.forget(announcement)
            return None
        return announcement

    def forget(self, announcement: Announcement) -> None:
        """Remove a stale announcement (its server is gone or its port closed), unless it was replaced."""
        try:
            self.withdraw(announcement)
        except OSError:  # a read-only data dir: the next reader checks again
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: not ours
        return False
    return True
