"""Serving the HTTP API: uvicorn, the data dir's announcement for one-off commands, stopping when idle.

``talkqa serve`` and ``talkqa chat --api`` announce their own port (when it is
reachable on loopback); a plain ``talkqa chat`` starts a private API on an
ephemeral loopback port that accepts only its announcement's token
(``start_private_api``). Either way a one-off ``talkqa ask`` or ``search``
finds the server in ``<data dir>/server.json`` (app/core/server_file.py) and asks
it instead of loading the index and the models itself (app/cli/client.py).
"""

from __future__ import annotations

import logging
import threading
import time

from app.api.guard import is_loopback
from app.core.config import Settings
from app.core.server_file import Announcement, ServerFile, serving_identity

log = logging.getLogger("app.api")


class Announcer:
    """This process's announcement in the data dir: written once the port serves, withdrawn on exit."""

    def __init__(self, settings: Settings, token: str, kind: str):
        self.file = ServerFile(settings.data_dir)
        self.identity = serving_identity(settings)
        self.token, self.kind = token, kind
        self.announcement: Announcement | None = None
        self._lock = threading.Lock()
        self._closed = False

    def announce(self, port: int) -> None:
        with self._lock:
            if self._closed:
                return
            try:
                self.announcement = self.file.announce(port, self.token, self.identity, self.kind)
            except OSError as err:  # a read-only data dir: the server works, one-off commands do not find it
                log.warning("cannot write %s (%s): one-off talkqa commands will not use this server", self.file.path, err)

    def withdraw(self) -> None:
        with self._lock:
            self._closed = True
            if self.announcement is not None:
                try:
                    self.file.withdraw(self.announcement)
                except OSError:
                    pass


class IdleWatch:
    """ASGI middleware that knows how long no request has been in progress (``serve --idle-exit``)."""

    def __init__(self, app):
        self.app = app
        self.active = 0
        self.last = time.monotonic()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:  # a streamed answer counts until its last byte
            self.active -= 1
            self.last = time.monotonic()

    def idle_seconds(self) -> float:
        return 0.0 if self.active else time.monotonic() - self.last


def reaches_loopback(host: str) -> bool:
    """Does a server bound to ``host`` answer on 127.0.0.1 (where the announcement points)?"""
    return host in ("0.0.0.0", "", "::") or (is_loopback(host) and ":" not in host)


def _bound_port(server) -> int:
    return server.servers[0].sockets[0].getsockname()[1]


def _wait_started(server, timeout: float = 60, thread: threading.Thread | None = None) -> bool:
    deadline = time.monotonic() + timeout
    while not server.started:
        if server.should_exit or time.monotonic() > deadline or (thread is not None and not thread.is_alive()):
            return False
        time.sleep(0.05)
    return True


def run_server(app, host: str, port: int, *, announcer: Announcer | None = None, idle_minutes: float | None = None) -> None:
    """Serve ``app`` with uvicorn until interrupted, or until no request came for ``idle_minutes``.

    Once the port serves, ``announcer`` writes the announcement (if loopback reaches the port); it is
    withdrawn however serving ends, short of the process being killed.
    """
    import uvicorn

    watch = IdleWatch(app) if idle_minutes else None
    server = uvicorn.Server(uvicorn.Config(watch or app, host=host, port=port, log_level="info", timeout_graceful_shutdown=5))

    def after_start() -> None:
        if not _wait_started(server):
            return
        if announcer is not None and reaches_loopback(host):
            announcer.announce(_bound_port(server))
        if watch is None:
            return
        limit = idle_minutes * 60
        while not server.should_exit:
            if watch.idle_seconds() >= limit:
                log.info("no request for %g minute(s): stopping (--idle-exit)", idle_minutes)
                server.should_exit = True
                return
            time.sleep(min(1.0, limit / 4))

    threading.Thread(target=after_start, name="talkqa-serving", daemon=True).start()
    try:
        server.run()
    finally:
        if announcer is not None:
            announcer.withdraw()


class PrivateApi:
    """The loopback API a plain ``talkqa chat`` serves to one-off commands, in a thread of its own."""

    def __init__(self, server, thread: threading.Thread, announcer: Announcer):
        self.server, self.thread, self.announcer = server, thread, announcer

    @property
    def port(self) -> int:
        return _bound_port(self.server)

    def stop(self) -> None:
        self.announcer.withdraw()
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_private_api(settings: Settings, service) -> PrivateApi | None:
    """Serve the API on 127.0.0.1 and an ephemeral port, for the announcement's token only, and announce it.

    ``service`` is the chat's own (one index, one model in the process). None if it could not start:
    the chat works without it.
    """
    import uvicorn

    from app.api.app import build_api

    api = build_api(settings, service, private=True)
    server = uvicorn.Server(uvicorn.Config(api, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, name="talkqa-private-api", daemon=True)
    thread.start()
    if not _wait_started(server, timeout=30, thread=thread):
        log.warning("the API for one-off talkqa commands did not start: they will not use this chat")
        server.should_exit = True
        return None
    announcer = Announcer(settings, api.state.talkqa.token, "chat")
    announcer.announce(_bound_port(server))
    return PrivateApi(server, thread, announcer)
