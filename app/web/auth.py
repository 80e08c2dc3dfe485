"""Logins for ``talkqa chat``: ``TALKQA_AUTH`` is "user:password" or a file of such lines."""

from __future__ import annotations

import hmac
import re
import threading
import time
from pathlib import Path

from app.core.errors import InputError


def parse_auth(value: str | None) -> list[tuple[str, str]] | None:
    """``TALKQA_AUTH``: "user:password", or the path of a file with one such line per user."""
    if not value or not value.strip():
        return None
    value = value.strip()
    path = Path(value).expanduser()
    if ":" not in value or path.is_file():
        if not path.is_file():
            raise InputError(f"TALKQA_AUTH is neither user:password nor a readable file: {value!r}")
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        entries = [line for line in lines if line and not line.startswith("#")]
        source = str(path)
    else:
        entries, source = [value], "TALKQA_AUTH"
    pairs = []
    for entry in entries:
        user, sep, password = entry.partition(":")
        if not sep or not user.strip() or not password:
            raise InputError(f"{source}: every login must be user:password")
        pairs.append((user.strip(), password))
    if not pairs:
        raise InputError(f"{source}: no user:password line")
    return pairs


class ThrottledLogin:
    """Gradio's ``auth`` callable over the parsed logins, slowing password guessing.

    Every failed attempt waits ``delay_s`` (a guesser pays for each try, a person barely notices),
    and a user name with ``max_failures`` failures in ``window_s`` is locked for the rest of the
    window, right password or not. Passwords are compared in constant time.
    """

    def __init__(self, logins: list[tuple[str, str]], *, delay_s: float = 1.0, max_failures: int = 10, window_s: float = 300.0):
        self._logins = dict(logins)
        self.delay_s, self.max_failures, self.window_s = delay_s, max_failures, window_s
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def locked(self, user: str) -> bool:
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._failures.get(user, []) if now - t < self.window_s]
            self._failures[user] = recent
            return len(recent) >= self.max_failures

    def __call__(self, user: str, password: str) -> bool:
        expected = self._logins.get(user)
        ok = expected is not None and hmac.compare_digest(expected.encode(), (password or "").encode())
        if ok and not self.locked(user):
            return True
        with self._lock:
            self._failures.setdefault(user, []).append(time.monotonic())
        time.sleep(self.delay_s)
        return False


#: Gradio embeds the whole API schema in every page it serves, the login page included.
_API_INFO = re.compile(rb"(<script>window\.gradio_api_info = ).*?(;</script>)", re.DOTALL)
#: What Gradio puts in the page config when the visitor is not logged in (orjson: no spaces).
_LOGIN_PAGE = b'"auth_required":true'


class HideApiInfoFromLogin:
    """ASGI middleware: the login page keeps the API schema to itself.

    Gradio's page route renders ``window.gradio_api_info`` (every endpoint, its
    parameters and types) into the HTML whether or not the visitor has logged
    in, while ``/gradio_api/info`` itself needs a login. An unauthenticated
    page is the one whose config says ``auth_required``; its schema becomes
    ``null`` (the login form does not read it). Other responses pass through
    unbuffered.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "GET":
            return await self.app(scope, receive, send)
        start: dict | None = None
        body: list[bytes] = []

        async def buffer_html(message):
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers") or [])
                if headers.get(b"content-type", b"").startswith(b"text/html"):
                    start = message
                    return None
                return await send(message)
            if start is None:
                return await send(message)
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return None
            page = b"".join(body)
            if _LOGIN_PAGE in page:
                page = _API_INFO.sub(rb"\1null\2", page)
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(page)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, buffer_html)


def corpus_allowed(logins: list[tuple[str, str]] | None, host: str, share: bool) -> bool:
    """May the Corpus tab (which changes the index) be offered?

    With logins, yes: Gradio lets no one in without one. Without logins, only
    to the machine itself: a server bound to loopback and no share link.
    Anyone who can reach an open server elsewhere could otherwise replace the talks.
    """
    from app.api.guard import is_loopback

    if logins:
        return True
    return is_loopback(host) and not share
