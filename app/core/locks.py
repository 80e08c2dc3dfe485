"""Advisory file locks between talkqa processes on one machine (``fcntl.flock``).

Two uses: one writer at a time on a data dir (ingest), and one embedded-model
generation at a time on a machine (llama.cpp threads of two processes on the
same cores slow each other down many times over; see docs/reliability.md).

``flock`` locks belong to the open file: the kernel drops them when the
process dies, however it dies, so a killed holder never leaves a stale lock.
The holder writes its pid into the file so that a waiter can say who it waits for.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator


class LockBusy(Exception):
    """The lock is held by another process and we were told not to wait (or waited long enough)."""

    def __init__(self, path: Path, holder: str):
        super().__init__(f"{path} is held by {holder}")
        self.path = path
        self.holder = holder


def holder_of(path: Path) -> str:
    """Who holds the lock, as far as the file says ("pid 1234"), for messages."""
    try:
        pid = path.read_text(encoding="utf-8").strip()
    except OSError:
        pid = ""
    return f"pid {pid}" if pid.isdigit() else "another process"


@contextmanager
def exclusive(
    path: Path,
    *,
    timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if missing) for the block.

    ``timeout=None`` waits as long as it takes, ``0`` does not wait; when the
    lock is busy, ``on_wait(holder)`` is called once before waiting and
    ``LockBusy`` is raised when the timeout runs out. ``OSError`` (a read-only
    or missing directory) is left to the caller, who knows what it means.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            if err.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            holder = holder_of(path)
            if timeout is not None and timeout <= 0:
                raise LockBusy(path, holder) from None
            if on_wait:
                on_wait(holder)
            _wait(fd, path, holder, timeout)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _wait(fd: int, path: Path, holder: str, timeout: float | None) -> None:
    if timeout is None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as err:
            if err.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
        if time.monotonic() >= deadline:
            raise LockBusy(path, holder)
        time.sleep(0.1)
