"""One-off ``talkqa ask`` and ``talkqa search`` through a running server, without paying start-up.

A running ``talkqa serve`` or ``talkqa chat`` holds the index and the models
and announces itself in the data dir (app/core/server_file.py). When its identity
(the answer fingerprint, the reranker, which index: ``serving_identity``) is
this process's own, the command asks it over loopback and prints exactly what
it would have printed in-process: the ``--json`` objects come from the REST
routes that serve them (``/api/search``, ``/api/ask``), the text from
``/api/ask/stream``, which streams the model's tokens for the terminal and
then sends the text the CLI prints (app/cli/output.py renders it on the
server).

This module runs before anything heavy is imported (standard library,
``app.core.config`` and ``app.core.server_file``), so finding out whether a server can
answer costs milliseconds. Every function returns False when the command
should run in-process instead: no usable server, a server that stopped
answering (said on stderr), or a failure the in-process command reports best.
"""

from __future__ import annotations

import http.client
import json
import sys
from urllib.parse import urlencode

import click

from app.cli.output import Draft, print_json
from app.core.config import Settings
from app.core.errors import InputError, LLMTimeoutError, LLMUnavailableError, TalkqaError
from app.core.server_file import Announcement, ServerFile, serving_identity

#: Seconds to connect and to hear what the server serves: a server that cannot say it at once is not used.
CONNECT_TIMEOUT = 2.0
#: Seconds for a whole search (an answer waits for the model as long as it takes: no limit).
SEARCH_TIMEOUT = 60.0


class ServerGone(Exception):
    """The server stopped answering mid-request (it was stopped or died)."""


class RemoteServer:
    """The announced server: JSON requests and server-sent events, with its token."""

    def __init__(self, announcement: Announcement):
        self.announcement = announcement

    def _send(self, method: str, path: str, body: dict | None, read_timeout: float | None) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.announcement.port, timeout=CONNECT_TIMEOUT)
        headers = {"Authorization": f"Bearer {self.announcement.token}", "Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            connection.connect()
            connection.sock.settimeout(read_timeout)
            connection.request(method, path, body=payload, headers=headers)
            return connection.getresponse()
        except (OSError, http.client.HTTPException) as err:
            connection.close()
            raise ServerGone(str(err) or err.__class__.__name__) from None

    def json(self, method: str, path: str, body: dict | None = None, read_timeout: float | None = SEARCH_TIMEOUT) -> tuple[int, dict]:
        response = self._send(method, path, body, read_timeout)
        return response.status, self._body(response)

    @staticmethod
    def _body(response: http.client.HTTPResponse) -> dict:
        """A whole response's JSON body (closed after); a broken one means the server is gone."""
        try:
            return json.loads(response.read() or b"{}")
        except (OSError, http.client.HTTPException, ValueError) as err:
            raise ServerGone(str(err) or err.__class__.__name__) from None
        finally:
            response.close()

    def events(self, path: str, body: dict) -> tuple[int, object]:
        """(status, the events as dicts) for 200, else (status, the error body)."""
        response = self._send("POST", path, body, None)
        if response.status != 200:
            return response.status, self._body(response)
        return 200, self._read_events(response)

    @staticmethod
    def _read_events(response: http.client.HTTPResponse):
        try:
            for line in response:
                if line.startswith(b"data: "):
                    yield json.loads(line[6:])
        except (OSError, http.client.HTTPException, ValueError) as err:
            raise ServerGone(str(err) or err.__class__.__name__) from None
        finally:
            response.close()


def find_server(settings: Settings) -> RemoteServer | None:
    """The announced server, if it is alive and serves what this process would (else None, in milliseconds)."""
    file = ServerFile(settings.data_dir)
    announcement = file.read()
    if announcement is None:
        return None
    identity = serving_identity(settings)
    if announcement.identity != identity:
        return None
    server = RemoteServer(announcement)
    try:
        status, about = server.json("GET", "/api/server", read_timeout=CONNECT_TIMEOUT)
    except ServerGone:
        file.forget(announcement)  # the port is closed: a server that died without cleaning up
        return None
    if status != 200 or about.get("identity") != identity:
        return None  # another process on that port, or the token is not this server's
    return server


def _warn_gone(server: RemoteServer, err: ServerGone) -> None:
    a = server.announcement
    click.echo(f"warning: the talkqa server (pid {a.pid}, {a.address}) stopped answering ({err}); "
               "answering in this process", err=True)


def _error_of(status: int, body: dict) -> TalkqaError | None:
    """The CLI's own error for a server's refusal (same message, same exit code), or None: run in-process."""
    error = body.get("error") or {}
    message, code = error.get("message") or f"HTTP {status}", error.get("code")
    if code == "invalid_input":
        return InputError(message)
    if code == "llm_timeout":
        return LLMTimeoutError(message)
    if code == "llm_unavailable":
        return LLMUnavailableError(message)
    if code == "queue_full":
        return LLMUnavailableError(f"{message} (or pass --no-server to answer in this process)")
    return None  # no index, a model file, a bug: the in-process command says it as it always does


def search(settings: Settings, query: str, *, k: int | None, as_json: bool) -> bool:
    """``talkqa search`` through a running server; False: run it in-process."""
    server = find_server(settings)
    if server is None:
        return False
    try:
        if as_json:
            params = {"q": query, **({"k": k} if k is not None else {})}
            status, body = server.json("GET", "/api/search?" + urlencode(params))
            if status != 200:
                return False
            print_json(body)
            return True
        status, events = server.events("/api/ask/stream", {"question": query, "k": k, "no_llm": True})
        if status != 200:
            return False
        for event in events:
            if "text" in event:
                click.echo(event["text"])
                return True
        raise ServerGone("the answer ended early")
    except ServerGone as err:
        _warn_gone(server, err)
        return False


def ask(settings: Settings, question: str, *, k: int | None, as_json: bool, no_llm: bool, fallback: bool,
        strict: bool) -> bool:
    """``talkqa ask`` through a running server; False: run it in-process."""
    server = find_server(settings)
    if server is None:
        return False
    request = {"question": question, "k": k, "no_llm": no_llm, "strict": strict}
    draft = Draft(enabled=not as_json and sys.stdout.isatty())
    try:
        try:
            _answer(server, request, as_json, draft)
        except LLMUnavailableError as err:
            if not fallback or no_llm:
                raise
            click.echo(f"warning: {err}; showing the retrieval-only answer", err=True)
            _answer(server, {**request, "no_llm": True}, as_json, draft)
    except ServerGone as err:
        draft.erase()
        _warn_gone(server, err)
        return False
    except _InProcess:
        draft.erase()
        return False
    return True


class _InProcess(Exception):
    """The server refused in a way the in-process command reports best."""


def _answer(server: RemoteServer, request: dict, as_json: bool, draft: Draft) -> None:
    if as_json:
        status, body = server.json("POST", "/api/ask", request, read_timeout=None)
        if status != 200:
            raise _error_of(status, body) or _InProcess()
        print_json(body)
        return
    status, events = server.events("/api/ask/stream", request)
    if status != 200:
        raise _error_of(status, events) or _InProcess()
    for event in events:
        if "token" in event:
            draft.write(event["token"])
        elif "preview" in event:
            if event["preview"]["quotes"]:  # as in-process: the sources' own words while the model reads
                draft.show_first(event["text"] + "\n\n")
        elif "text" in event:
            draft.erase()
            click.echo(event["text"])
            return
        elif "error" in event:
            draft.erase()
            raise _error_of(500, event) or _InProcess()
    raise ServerGone("the answer ended early")
