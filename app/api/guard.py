"""The HTTP API's guards: OpenAI-shaped errors with their status, bearer keys, where it may bind,
and the gate that lets one answer be generated at a time (a bounded queue behind it, then 429)."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import secrets
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.config import Settings
from app.core.errors import IndexStateError, InputError, LLMTimeoutError, LLMUnavailableError, ModelFileError, TalkqaError

log = logging.getLogger("app.api")


# ------------------------------------------------------------------ errors


class ApiError(Exception):
    """An error with its HTTP status, in OpenAI's error shape."""

    def __init__(self, status: int, message: str, type_: str = "invalid_request_error", code: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.type, self.code, self.headers = status, message, type_, code, headers

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.type, "code": self.code, "param": None}}


def api_error(err: Exception) -> ApiError:
    """The HTTP status and OpenAI error of a ``TalkqaError`` (anything else is a 500)."""
    message = str(err)
    if isinstance(err, ApiError):
        return err
    if isinstance(err, InputError):
        return ApiError(400, message, "invalid_request_error", "invalid_input")
    if isinstance(err, IndexStateError):
        return ApiError(503, message, "service_unavailable", "index_missing")
    if isinstance(err, ModelFileError):
        return ApiError(503, message, "service_unavailable", "model_missing")
    if isinstance(err, LLMTimeoutError):
        return ApiError(504, message, "upstream_error", "llm_timeout")
    if isinstance(err, LLMUnavailableError):
        return ApiError(502, message, "upstream_error", "llm_unavailable")
    return ApiError(500, f"unexpected {err.__class__.__name__}: {err}", "server_error", "internal_error")


def _validation_message(err: RequestValidationError) -> str:
    first = err.errors()[0] if err.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path"))
    return f"{where}: {first.get('msg', 'invalid request')}" if where else first.get("msg", "invalid request")


def install_error_handlers(api: FastAPI) -> None:
    @api.exception_handler(ApiError)
    async def _api(request: Request, err: ApiError):
        return err.response()

    @api.exception_handler(TalkqaError)
    async def _talkqa(request: Request, err: TalkqaError):
        return api_error(err).response()

    @api.exception_handler(RequestValidationError)
    async def _invalid(request: Request, err: RequestValidationError):
        return ApiError(400, _validation_message(err), "invalid_request_error", "invalid_input").response()

    @api.exception_handler(StarletteHTTPException)
    async def _http(request: Request, err: StarletteHTTPException):
        code = {404: "not_found", 405: "method_not_allowed"}.get(err.status_code)
        return ApiError(err.status_code, str(err.detail), "invalid_request_error", code, getattr(err, "headers", None)).response()

    @api.exception_handler(Exception)
    async def _bug(request: Request, err: Exception):
        log.exception("%s %s failed", request.method, request.url.path)
        return api_error(err).response()


# ------------------------------------------------------------------ keys and binding


def parse_api_keys(value: str | None) -> list[str]:
    """``TALKQA_API_KEYS``: comma-separated keys, or the path of a file with one key a line (``#`` comments)."""
    value = (value or "").strip()
    if not value:
        return []
    path = Path(value).expanduser()
    if path.is_file():
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        keys = [line for line in lines if line and not line.startswith("#")]
        if not keys:
            raise InputError(f"TALKQA_API_KEYS names {path}, which holds no key")
        return keys
    if value.startswith(("/", "~", "./", "../")):
        raise InputError(f"TALKQA_API_KEYS looks like a path but is not a readable file: {value}")
    return [key.strip() for key in value.split(",") if key.strip()]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(settings: Settings, host: str, insecure: bool) -> None:
    """Refuse to serve the API beyond this machine without keys, unless ``--insecure`` says so."""
    keys = parse_api_keys(settings.api_keys.get_secret_value() if settings.api_keys else None)
    if not keys and not is_loopback(host) and not insecure:
        raise InputError(
            f"refusing to serve the API on {host} without API keys: set TALKQA_API_KEYS "
            "(or bind 127.0.0.1, or pass --insecure to serve it to anyone who can reach it)"
        )


class KeyCheck:
    """``Authorization: Bearer KEY`` against the configured keys (none configured: every request passes).

    ``token``: the key of the server's announcement file (app/core/server_file.py), accepted beside the
    configured keys; with ``token_only`` it is the only key and always asked for (the private API
    a plain ``talkqa chat`` serves to one-off commands).
    """

    def __init__(self, keys: list[str], token: str | None = None, *, token_only: bool = False):
        self.keys = [] if token_only else [k.encode() for k in keys]
        self.token = token.encode() if token else None
        self.open = not self.keys and not token_only

    def __call__(self, credentials: HTTPAuthorizationCredentials | None = Depends(HTTPBearer(auto_error=False))) -> None:
        if self.open:
            return
        if credentials is None:
            raise ApiError(401, "an API key is required: send Authorization: Bearer <key>", "invalid_request_error",
                           "missing_api_key", {"WWW-Authenticate": "Bearer"})
        given = credentials.credentials.encode()
        accepted = [*self.keys, *([self.token] if self.token else [])]
        if not any(hmac.compare_digest(given, key) for key in accepted):
            raise ApiError(401, "the API key is not valid", "invalid_request_error", "invalid_api_key",
                           {"WWW-Authenticate": "Bearer"})


class TokenCheck(KeyCheck):
    """The announcement token and nothing else: a client learns it is talking to the server its file names."""

    def __init__(self, token: str | None):
        super().__init__([], token or secrets.token_urlsafe(16), token_only=True)


# ------------------------------------------------------------------ one generation at a time


class QueueFull(ApiError):
    def __init__(self, waiting: int):
        super().__init__(429, f"the model is busy and {waiting} answer(s) are already waiting; try again shortly",
                         "rate_limit_error", "queue_full", {"Retry-After": "10"})


class GenerationGate:
    """One generation at a time; at most ``queue`` requests wait (first come, first served); more get 429."""

    def __init__(self, queue: int):
        self.queue = queue
        self.waiting = 0
        self._lock = asyncio.Lock()

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    async def acquire(self) -> None:
        if self._lock.locked() and self.waiting >= self.queue:
            raise QueueFull(self.waiting)
        self.waiting += 1
        try:
            await self._lock.acquire()
        finally:
            self.waiting -= 1

    def release(self) -> None:
        self._lock.release()
