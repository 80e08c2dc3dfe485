"""The HTTP API (``talkqa serve``, ``talkqa chat --api``): the conventions other tools already speak.

* ``POST /v1/chat/completions`` and ``GET /v1/models``, OpenAI-compatible, so
  chat clients (Open WebUI, LibreChat), the ``openai`` package and anything
  else that speaks that protocol can ask the talks. The last user message is
  the question, earlier turns are the history the chain condenses a follow-up
  with. The text keeps its ``[n]`` markers; the citations and each sentence's
  support ride along in an extra ``talkqa`` field (on the response, and on the
  last chunk of a stream), and, for clients that show only text, as a short
  "Sources:" list at the end of the text (``api_sources_in_text``, or the
  request's ``sources_in_text``). Models: ``talkqa`` (the configured chat
  model) and ``talkqa-retrieval`` (no model: the best talks and sentences).
* ``GET /api/search``, ``GET /api/talks``, ``GET /api/talks/{id}``,
  ``POST /api/ask``: the JSON shapes of ``talkqa search/talks/talk/ask --json``.
* OpenAPI docs at ``/docs`` (served from the ``fastapi-offline`` package, no CDN).

Errors use OpenAI's shape, ``{"error": {"message", "type", "code"}}``, with
the status a client can act on: 400 bad input, 401 missing or wrong key, 404
unknown model or talk, 429 queue full, 502 LLM unreachable, 503 no index or
model file, 504 LLM timed out.

Generation runs one at a time (the embedded model has two cores, and one
llama.cpp context is not re-entrant); up to ``api_queue`` answers wait for
their turn and the next one is refused with 429. Blocking work (retrieval,
generation) runs in Starlette's thread pool so the event loop keeps serving
search and talk requests meanwhile.

Like app/cli.py and app/web/, this is a surface: it wires nothing itself and
gets every component from ``Service``.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
import logging
import socket
import threading
import time
import uuid
from pathlib import Path
from typing import Any, AsyncIterator, Iterator, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.answer.chain import AnswerChain, AnswerStream
from app.answer.citations import strip_markers
from app.answer.result import Answer
from app.config import Settings
from app.errors import (
    IndexStateError,
    InputError,
    LLMTimeoutError,
    LLMUnavailableError,
    ModelFileError,
    TalkqaError,
)
from app.service import CONFIGURED, Service

log = logging.getLogger(__name__)

#: The two models of ``/v1/models``: the configured chat model, and retrieval without one.
MODEL_ANSWER = "talkqa"
MODEL_RETRIEVAL = "talkqa-retrieval"
MODELS = {
    MODEL_ANSWER: "Cited answers from the configured chat model",
    MODEL_RETRIEVAL: "The best-matching talks and their sentences, without a language model (instant)",
}
#: What ends an answer's text before the appended sources list; cut from history turns sent back.
SOURCES_HEADER = "\n\nSources:\n"


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


def _install_error_handlers(api: FastAPI) -> None:
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
    """``Authorization: Bearer KEY`` against the configured keys (none configured: every request passes)."""

    def __init__(self, keys: list[str]):
        self.keys = [k.encode() for k in keys]

    def __call__(self, credentials: HTTPAuthorizationCredentials | None = Depends(HTTPBearer(auto_error=False))) -> None:
        if not self.keys:
            return
        if credentials is None:
            raise ApiError(401, "an API key is required: send Authorization: Bearer <key>", "invalid_request_error",
                           "missing_api_key", {"WWW-Authenticate": "Bearer"})
        given = credentials.credentials.encode()
        if not any(hmac.compare_digest(given, key) for key in self.keys):
            raise ApiError(401, "the API key is not valid", "invalid_request_error", "invalid_api_key",
                           {"WWW-Authenticate": "Bearer"})


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


# ------------------------------------------------------------------ requests


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        """The message's text (a list of parts: its text parts joined)."""
        if isinstance(self.content, list):
            return "\n".join(str(p.get("text", "")) for p in self.content if p.get("type", "text") == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    """OpenAI's chat-completion request; sampling options are accepted and ignored (answers are deterministic)."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(MODEL_ANSWER, examples=[MODEL_ANSWER, MODEL_RETRIEVAL])
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    stream_options: dict[str, Any] | None = None
    k: int | None = Field(None, ge=1, le=50, description="talkqa: talks to retrieve (default: settings)")
    sources_in_text: bool | None = Field(None, description="talkqa: end the text with a Sources list (default: api_sources_in_text)")


class HistoryTurn(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class AskRequest(BaseModel):
    question: str
    k: int | None = Field(None, ge=1, le=50)
    no_llm: bool = Field(False, description="Retrieval only: every retrieved talk and its best sentences")
    history: list[HistoryTurn] = Field(default_factory=list, description="Earlier turns, for a follow-up")


def split_messages(messages: list[ChatMessage]) -> tuple[str, list[tuple[str, str]]]:
    """(question, history): the last user message, and the user/assistant turns before it.

    System messages are ignored (the chain has its own prompt). An assistant
    turn loses its appended sources list and its [n] markers, as the chat's
    own history does.
    """
    turns = []
    for message in messages:
        if message.role in ("system", "developer"):
            continue
        if message.role not in ("user", "assistant"):
            raise ApiError(400, f"messages: unsupported role {message.role!r} (user, assistant or system)", code="invalid_input")
        turns.append((message.role, message.text()))
    if not turns or turns[-1][0] != "user":
        raise ApiError(400, "messages: the last message must be the user's question", code="invalid_input")
    history = []
    for role, text in turns[:-1]:
        if role == "assistant":
            text = strip_markers(text.split(SOURCES_HEADER)[0])
        if text.strip():
            history.append((role, text.strip()))
    return turns[-1][1], history


# ------------------------------------------------------------------ answers as text and JSON


def sources_text(answer: Answer) -> str:
    """The cited talks as a short list to append to the text (nothing for an abstention)."""
    if answer.abstained or not answer.sources:
        return ""
    lines = []
    for source in answer.cited_sources:
        talk = source.talk
        speaker = f" — {talk.speaker}" if talk.speaker else ""
        link = f" {talk.links[0]}" if talk.links else ""
        lines.append(f"- [{source.n}] {talk.title}{speaker} ({Path(talk.source).name} lines {talk.line_ranges()}){link}")
    return SOURCES_HEADER + "\n".join(lines)


def retrieval_text(answer: Answer) -> str:
    """The ``talkqa-retrieval`` answer: every retrieved talk and its best sentences."""
    if not answer.sources:
        return "No talk in the collection matches the question."
    parts = ["The talks that best match the question (retrieval only, no language model):"]
    for source in answer.sources:
        talk = source.talk
        speaker = f" — {talk.speaker}" if talk.speaker else ""
        link = f" {talk.links[0]}" if talk.links else ""
        parts.append(f"[{source.n}] **{talk.title}**{speaker} ({Path(talk.source).name} lines {talk.line_ranges()}){link}\n> {source.snippet}")
    return "\n\n".join(parts)


def talkqa_field(answer: Answer, *, retrieval: bool) -> dict:
    """The extra ``talkqa`` field: what retrieval searched for, citations, per-sentence support."""
    body = answer.to_json(all_sources=retrieval)
    return {
        "query": answer.query,
        "abstained": body["abstained"],
        "support": answer.support,
        "citations": body["citations"],
        "sentences": body["sentences"],
        "timings": body["timings"],
    }


# ------------------------------------------------------------------ the app


class ChainPool:
    """The chains the API answers with, one per (k, with or without model), built on first use.

    ``llm`` is passed to ``Service.answer_chain``: the configured model by
    default, a fake chat model in tests.
    """

    def __init__(self, service: Service, llm: Any = CONFIGURED):
        self.service = service
        self.llm = llm
        self._chains: dict[tuple, AnswerChain] = {}
        self._lock = threading.Lock()

    def get(self, k: int | None = None, *, answering: bool = True) -> AnswerChain:
        key = (k, answering)
        with self._lock:
            if key not in self._chains:
                self._chains[key] = self.service.answer_chain(k=k, llm=self.llm if answering else None)
            return self._chains[key]


class ApiState:
    """What the routes share: settings, chains, the generation gate (tests look at it)."""

    def __init__(self, settings: Settings, service: Service, llm: Any):
        self.settings = settings
        self.chains = ChainPool(service, llm)
        self.gate = GenerationGate(settings.api_queue)
        self.started = int(time.time())

    def startup_problem(self) -> str | None:
        """Load the index and the model now, not on the first question; why that failed, or None."""
        try:
            self.chains.get(None, answering=False)
            self.chains.get(None, answering=True)
        except TalkqaError as err:
            return str(err)
        return None

    async def chain(self, k: int | None, *, answering: bool) -> AnswerChain:
        return await run_in_threadpool(self.chains.get, k, answering=answering)

    async def catalog(self):
        return (await self.chain(None, answering=False)).catalog


def build_api(settings: Settings, service: Service | None = None, *, llm: Any = CONFIGURED) -> FastAPI:
    """The API app. ``service`` and ``llm`` let tests (and ``chat --api``) share components or inject a chat model."""
    keys = parse_api_keys(settings.api_keys.get_secret_value() if settings.api_keys else None)
    state = ApiState(settings, service or Service(settings), llm)
    api = FastAPIOffline(
        title="talkqa",
        version="1",
        description="Answers questions about research talks, citing them. OpenAI-compatible chat completions "
        "(`/v1`) and REST search and talks (`/api`). Send `Authorization: Bearer <key>` when keys are configured.",
    )
    api.state.talkqa = state
    if settings.api_cors_origins:  # an "ask the archive" box on another site calls the API from the browser
        api.add_middleware(CORSMiddleware, allow_origins=settings.api_cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"])
    _install_error_handlers(api)
    guarded = APIRouter(dependencies=[Depends(KeyCheck(keys))])  # every route but the docs asks for a key
    _openai_routes(guarded, state)
    _rest_routes(guarded, state)
    api.include_router(guarded)
    return api


def _completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def _sse(data: dict | str) -> str:
    return f"data: {data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)}\n\n"


def _openai_routes(api: APIRouter, state: ApiState) -> None:
    @api.get("/v1/models", tags=["openai"], summary="The models: talkqa (answers) and talkqa-retrieval (no LLM)")
    async def models() -> dict:
        return {
            "object": "list",
            "data": [{"id": name, "object": "model", "created": state.started, "owned_by": "talkqa", "description": text}
                     for name, text in MODELS.items()],
        }

    @api.post("/v1/chat/completions", tags=["openai"], summary="OpenAI-compatible chat completion with cited talks")
    async def chat_completions(body: ChatRequest):
        if body.model not in MODELS:
            raise ApiError(404, f"the model {body.model!r} does not exist: use {' or '.join(MODELS)}", code="model_not_found")
        question, history = split_messages(body.messages)
        retrieval = body.model == MODEL_RETRIEVAL
        with_sources = state.settings.api_sources_in_text if body.sources_in_text is None else body.sources_in_text
        chain = await state.chain(body.k, answering=not retrieval)
        reply = Reply(state, chain, body, retrieval=retrieval, with_sources=with_sources)
        if retrieval:
            answer = await run_in_threadpool(chain.invoke, question, history)
            return reply.stream_of_text(retrieval_text(answer), answer) if body.stream else reply.completion(retrieval_text(answer), answer)
        await state.gate.acquire()
        handed_over = False
        try:
            stream = await run_in_threadpool(chain.ask, question, history)
            pump = TokenPump(iter(stream))
            # The first token before any byte is sent: an unreachable LLM is still a 502, not a broken stream.
            first = await run_in_threadpool(pump.next)
            if body.stream:
                handed_over = True  # the response releases the gate when it ends
                return reply.stream_of_tokens(stream, pump, first)
            answer = await run_in_threadpool(stream.result)
        finally:
            if not handed_over:
                state.gate.release()
        return reply.completion(answer.answer + (sources_text(answer) if with_sources else ""), answer)


class TokenPump:
    """The model's token iterator, pulled one token at a time from the thread pool, and closed exactly once.

    Closing matters: the embedded model holds its lock while its generator is
    suspended, so a stream whose client left must close it, after any
    ``next`` still running in its thread.
    """

    def __init__(self, tokens: Iterator[str]):
        self._tokens = tokens
        self._lock = threading.Lock()
        self._closed = False

    def next(self) -> str | None:
        with self._lock:
            return None if self._closed else next(self._tokens, None)

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                close = getattr(self._tokens, "close", None)
                if close is not None:
                    close()


class GatedStream(StreamingResponse):
    """A stream holding the generation gate: the model's generator is closed and the gate released
    when the response ends, however it ends (finished, failed, or the client left)."""

    def __init__(self, events: AsyncIterator[str], pump: TokenPump, gate: GenerationGate):
        super().__init__(events, media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        self._pump, self._gate = pump, gate

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            try:
                await run_in_threadpool(self._pump.close)
            finally:
                self._gate.release()


class Reply:
    """One chat completion's response, whole or as server-sent chunks in OpenAI's format."""

    def __init__(self, state: ApiState, chain: AnswerChain, body: ChatRequest, *, retrieval: bool, with_sources: bool):
        self.state, self.chain, self.body = state, chain, body
        self.retrieval, self.with_sources = retrieval, with_sources
        self.id, self.created = _completion_id(), int(time.time())

    def usage(self, answer: Answer, text: str) -> dict:
        """Token counts in cl100k tokens, as everywhere in talkqa (not the chat model's own tokenizer)."""
        completion = len(self.chain.enc.encode(text)) if not self.retrieval else 0
        return {"prompt_tokens": answer.prompt_tokens, "completion_tokens": completion,
                "total_tokens": answer.prompt_tokens + completion}

    def completion(self, text: str, answer: Answer) -> dict:
        return {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.body.model,
            "system_fingerprint": None,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "logprobs": None, "finish_reason": "stop"}],
            "usage": self.usage(answer, text),
            "talkqa": talkqa_field(answer, retrieval=self.retrieval),
        }

    def chunk(self, delta: dict, finish: str | None = None, **extra) -> str:
        return _sse({
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.body.model,
            "system_fingerprint": None,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
            **extra,
        })

    def ending(self, answer: Answer, text: str) -> Iterator[str]:
        yield self.chunk({}, "stop", talkqa=talkqa_field(answer, retrieval=self.retrieval))
        if (self.body.stream_options or {}).get("include_usage"):
            yield _sse({"id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": self.body.model,
                        "choices": [], "usage": self.usage(answer, text)})
        yield _sse("[DONE]")

    def stream_of_text(self, text: str, answer: Answer) -> StreamingResponse:
        """A whole text as a stream (``talkqa-retrieval``: there is no model to wait for)."""

        async def events():
            yield self.chunk({"role": "assistant", "content": ""})
            yield self.chunk({"content": text})
            for event in self.ending(answer, text):
                yield event

        return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    def stream_of_tokens(self, stream: AnswerStream, pump: TokenPump, first: str | None) -> StreamingResponse:
        """The model's tokens as they come, then the sources list and the ``talkqa`` field."""

        async def events():
            try:
                yield self.chunk({"role": "assistant", "content": ""})
                token = first
                while token is not None:
                    yield self.chunk({"content": token})
                    token = await run_in_threadpool(pump.next)
                answer = await run_in_threadpool(stream.result)
                tail = sources_text(answer) if self.with_sources else ""
                if tail:
                    yield self.chunk({"content": tail})
                for event in self.ending(answer, answer.answer + tail):
                    yield event
            except TalkqaError as err:  # after the headers: OpenAI's clients raise on an error event
                yield _sse(api_error(err).body())
                yield _sse("[DONE]")

        return GatedStream(events(), pump, self.state.gate)


def _rest_routes(api: APIRouter, state: ApiState) -> None:
    @api.get("/api/search", tags=["rest"], summary="The talks that best match q (the shape of `talkqa search --json`)")
    async def search(q: str = Query(..., description="the query"), k: int | None = Query(None, ge=1, le=50)) -> dict:
        chain = await state.chain(k, answering=False)
        answer = await run_in_threadpool(chain.invoke, q)
        return {"query": q, "results": [s.search_hit() for s in answer.sources]}

    @api.get("/api/talks", tags=["rest"], summary="The indexed talks, paged (each in the shape of `talkqa talks --json`)")
    async def talks(limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0)) -> dict:
        catalog = await state.catalog()
        page = catalog.talks[offset : offset + limit]
        return {"total": len(catalog.talks), "limit": limit, "offset": offset, "talks": [t.summary() for t in page]}

    @api.get("/api/talks/{talk_id}", tags=["rest"], summary="One talk in full (an unambiguous id prefix is enough)")
    async def talk(talk_id: str) -> dict:
        catalog = await state.catalog()
        try:
            found = catalog.find(talk_id)
        except LookupError as err:
            ambiguous = any(t.id.startswith(talk_id.strip()) for t in catalog.talks) if talk_id.strip() else False
            raise ApiError(400 if ambiguous else 404, str(err), code="ambiguous_id" if ambiguous else "talk_not_found") from None
        return found.model_dump(mode="json")

    @api.post("/api/ask", tags=["rest"], summary="A cited answer (the shape of `talkqa ask --json`)")
    async def ask(body: AskRequest) -> dict:
        history = [(turn.role, turn.content) for turn in body.history]
        if body.no_llm:
            chain = await state.chain(body.k, answering=False)
            answer = await run_in_threadpool(chain.invoke, body.question, history)
            return answer.to_json(all_sources=True)
        chain = await state.chain(body.k, answering=True)
        chain.check_question(body.question)  # a bad question is a 400 even while the model is busy
        await state.gate.acquire()
        try:
            answer = await run_in_threadpool(chain.invoke, body.question, history)
        finally:
            state.gate.release()
        return answer.to_json()


# ------------------------------------------------------------------ serving


def ensure_port_free(host: str, port: int) -> None:
    """A clear one-line error before uvicorn would log a traceback and exit."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            raise InputError(f"cannot serve on {host}:{port}: {err.strerror or err}") from None


def run_server(app, host: str, port: int) -> None:
    """Serve ``app`` with uvicorn until interrupted (call ``ensure_port_free`` first, before loading anything)."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="info", timeout_graceful_shutdown=5)


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8080, insecure: bool = False) -> None:
    """``talkqa serve``: the API alone, index and model loaded before the first request."""
    check_bind(settings, host, insecure)
    ensure_port_free(host, port)
    api = build_api(settings)
    problem = api.state.talkqa.startup_problem()
    if problem:
        log.warning("starting without a working chain: %s", problem)
    log.info("talkqa API on http://%s:%d (docs: /docs)", host, port)
    run_server(api, host, port)
