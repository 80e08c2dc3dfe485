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
* For one-off ``talkqa ask`` / ``search`` (app/cli/client.py): ``GET /api/server`` (what this
  server serves, for the token of its announcement file only) and ``POST /api/ask/stream``
  (server-sent events: the model's tokens, then the ``ask --json`` object and the text the CLI
  prints). A running server announces itself in the data dir (app/core/server_file.py,
  app/api/serving.py) and accepts that file's token beside the configured keys.
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

Like app/cli/commands.py and app/web/, this is a surface: it wires nothing itself and
gets every component from ``Service``. This module is the app and its
routes; the wire format is in app/api/openai_routes.py, errors, keys and the
generation gate in app/api/guard.py.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import time
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import StreamingResponse
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool

from app.answer.chain import AnswerChain
from app.api.guard import (
    ApiError,
    GenerationGate,
    KeyCheck,
    TokenCheck,
    api_error,
    check_bind,
    install_error_handlers,
    parse_api_keys,
)
from app.api.serving import Announcer, run_server
from app.api.openai_routes import (
    FIRST_TOKEN_WAIT_S,
    MODEL_RETRIEVAL,
    MODELS,
    AskRequest,
    ChatRequest,
    GatedStream,
    Reply,
    TokenPump,
    retrieval_text,
    sources_text,
    split_messages,
    title_lookup,
    sse,
)
from app.cli.output import answer_text, retrieval_only_text
from app.core.config import Settings
from app.core.errors import InputError, TalkqaError
from app.core.server_file import new_token, serving_identity
from app.service import CONFIGURED, Service

log = logging.getLogger(__name__)


# ------------------------------------------------------------------ the app


class ChainPool:
    """The chains the API answers with, one per (k, with or without model), built on first use.

    ``llm`` is passed to ``Service.answer_chain``: the configured model by
    default, a fake chat model in tests. A new index generation (``talkqa ingest``,
    or the Corpus tab of ``chat --api``) needs no new chain: each question's
    retrieval asks the store's ``CurrentIndex`` for the live generation.
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

    def __init__(self, settings: Settings, service: Service, llm: Any, token: str | None = None):
        self.settings = settings
        self.chains = ChainPool(service, llm)
        self.gate = GenerationGate(settings.api_queue)
        self.started = int(time.time())
        #: The key of this server's announcement file (app/core/server_file.py), and what it serves.
        self.token = token
        self.identity = serving_identity(settings)

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
        chain = await self.chain(None, answering=False)
        return await run_in_threadpool(chain.latest_catalog)


def build_api(settings: Settings, service: Service | None = None, *, llm: Any = CONFIGURED, token: str | None = None,
              private: bool = False) -> FastAPI:
    """The API app. ``service`` and ``llm`` let tests (and ``chat --api``) share components or inject a chat model.

    ``token``: the announcement file's key, accepted beside the configured keys (a new one if None).
    ``private``: only that token is accepted (the loopback API a plain ``talkqa chat`` serves to the CLI).
    """
    keys = parse_api_keys(settings.api_keys.get_secret_value() if settings.api_keys else None)
    state = ApiState(settings, service or Service(settings), llm, token or new_token())
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
    install_error_handlers(api)
    # every route but the docs asks for a key
    guarded = APIRouter(dependencies=[Depends(KeyCheck(keys, state.token, token_only=private))])
    _openai_routes(guarded, state)
    _rest_routes(guarded, state)
    _one_off_routes(guarded, state)
    api.include_router(guarded)
    return api


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
        split_messages(body.messages)  # a malformed conversation is a 400 before any model loads
        retrieval = body.model == MODEL_RETRIEVAL
        with_sources = state.settings.api_sources_in_text if body.sources_in_text is None else body.sources_in_text
        chain = await state.chain(body.k, answering=not retrieval)
        question, history = await run_in_threadpool(split_messages, body.messages, title_lookup(chain))
        reply = Reply(state.gate, chain, body, retrieval=retrieval, with_sources=with_sources)
        if retrieval:
            answer = await run_in_threadpool(chain.invoke, question, history)
            return reply.stream_of_text(retrieval_text(answer), answer) if body.stream else reply.completion(retrieval_text(answer), answer)
        await state.gate.acquire()
        handed_over = False
        try:
            stream = await run_in_threadpool(chain.ask, question, history)
            # A streaming client keeps what it is sent: it gets the checked text sentence by sentence.
            pump = TokenPump(stream.checked_text() if body.stream else iter(stream))
            first = asyncio.ensure_future(run_in_threadpool(pump.next))
            if body.stream:
                # An LLM that fails at once is still a 502 before any byte is sent; one still reading
                # its prompt after FIRST_TOKEN_WAIT_S gets the stream started with the preview.
                await asyncio.wait({first}, timeout=FIRST_TOKEN_WAIT_S)
                if first.done():
                    first.result()
                response = reply.stream_of_tokens(stream, pump, first)
                handed_over = True  # the response releases the gate when it ends
                return response
            await first
            answer = await run_in_threadpool(stream.result)
        finally:
            if not handed_over:
                state.gate.release()
        return reply.completion(answer.answer + (sources_text(answer) if with_sources else ""), answer)


def _rest_routes(api: APIRouter, state: ApiState) -> None:
    @api.get("/api/search", tags=["rest"], summary="The talks that best match q (the shape of `talkqa search --json`)")
    async def search(q: str = Query(..., description="the query"), k: int | None = Query(None, ge=1, le=50)) -> dict:
        chain = await state.chain(k, answering=False)
        answer = await run_in_threadpool(chain.invoke, q)
        return {"query": q, "results": [s.search_hit() for s in answer.sources]}

    @api.get("/api/talks", tags=["rest"], summary="The indexed talks, paged (each in the shape of `talkqa talks --json`)")
    async def talks(limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0)) -> dict:
        catalog = await state.catalog()
        page = await run_in_threadpool(catalog.page, offset, limit)  # one paged read, not the whole catalog
        total = await run_in_threadpool(lambda: catalog.count)
        return {"total": total, "limit": limit, "offset": offset, "talks": [t.summary() for t in page]}

    @api.get("/api/talks/{talk_id}", tags=["rest"], summary="One talk in full (an unambiguous id prefix is enough)")
    async def talk(talk_id: str) -> dict:
        catalog = await state.catalog()
        try:
            found = await run_in_threadpool(catalog.find, talk_id)
        except LookupError as err:
            ambiguous = len(catalog.matches(talk_id, limit=2)) > 1
            raise ApiError(400 if ambiguous else 404, str(err), code="ambiguous_id" if ambiguous else "talk_not_found") from None
        return found.model_dump(mode="json")

    @api.post("/api/ask", tags=["rest"], summary="A cited answer (the shape of `talkqa ask --json`)")
    async def ask(body: AskRequest) -> dict:
        history = [turn.turn() for turn in body.history]
        chain = await state.chain(body.k, answering=not body.no_llm)
        chain.check_question(body.question)  # a bad question is a 400 (as for `ask`), even while the model is busy
        if body.no_llm:
            answer = await run_in_threadpool(chain.invoke, body.question, history)
            return answer.to_json(all_sources=True)
        await state.gate.acquire()
        try:
            answer = await run_in_threadpool(lambda: chain.invoke(body.question, history, strict=body.strict))
        finally:
            state.gate.release()
        return answer.to_json()


def _one_off_routes(api: APIRouter, state: ApiState) -> None:
    """What a one-off ``talkqa ask`` or ``search`` needs beyond the REST routes (app/cli/client.py)."""

    @api.get("/api/server", tags=["one-off"], dependencies=[Depends(TokenCheck(state.token))],
             summary="What this server serves (for the token of its announcement file only)")
    async def server() -> dict:
        version = await run_in_threadpool(state.chains.service.store.current.version)
        index = {"base": version[0], "generation": version[1]} if version else None  # None: the answering routes say why
        return {"identity": state.identity, "pid": os.getpid(), "index": index}

    @api.post("/api/ask/stream", tags=["one-off"],
              summary="A cited answer as server-sent events: the model's tokens, then the answer")
    async def ask_stream(body: AskRequest) -> StreamingResponse:
        """Events: ``{"preview": <ask --json's preview>, "text": <what talkqa ask shows of it>}`` once retrieval
        is done, ``{"token": ...}`` as the model writes, then ``{"answer": <ask --json>, "text": <what
        talkqa ask prints>}``; a failure after the stream started ends with ``{"error": ...}``. A failure
        before it (no index, LLM unreachable, a bad question) is the usual error status."""
        history = [turn.turn() for turn in body.history]
        chain = await state.chain(body.k, answering=not body.no_llm)
        chain.check_question(body.question)

        def finished(answer) -> str:
            if body.no_llm:
                return sse({"answer": answer.to_json(all_sources=True), "text": retrieval_only_text(answer)})
            return sse({"answer": answer.to_json(), "text": answer_text(answer)})

        if body.no_llm:
            answer = await run_in_threadpool(chain.invoke, body.question, history)
            return StreamingResponse(iter([finished(answer)]), media_type="text/event-stream")
        await state.gate.acquire()
        handed_over = False
        try:
            stream = await run_in_threadpool(lambda: chain.ask(body.question, history, strict=body.strict))
            pump = TokenPump(iter(stream))
            first = asyncio.ensure_future(run_in_threadpool(pump.next))
            # An LLM that fails at once is still an error status; one still reading its prompt gets
            # the stream started with the preview.
            await asyncio.wait({first}, timeout=FIRST_TOKEN_WAIT_S)
            if first.done():
                first.result()

            async def events():
                try:
                    yield sse({"preview": stream.preview.to_json(), "text": stream.preview.render()})
                    token = await first
                    while token is not None:
                        yield sse({"token": token})
                        token = await run_in_threadpool(pump.next)
                    yield finished(await run_in_threadpool(stream.result))
                except TalkqaError as err:
                    yield sse(api_error(err).body())

            response = GatedStream(events(), pump, state.gate)
            handed_over = True  # the response releases the gate when it ends
            return response
        finally:
            if not handed_over:
                state.gate.release()


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


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8080, insecure: bool = False,
          idle_minutes: float | None = None) -> None:
    """``talkqa serve``: the API alone, index and model loaded before the first request, announced in
    the data dir for one-off commands; with ``idle_minutes``, it stops after that long without a request."""
    check_bind(settings, host, insecure)
    ensure_port_free(host, port)
    api = build_api(settings)
    problem = api.state.talkqa.startup_problem()
    if problem:
        log.warning("starting without a working chain: %s", problem)
    run_server(api, host, port, announcer=Announcer(settings, api.state.talkqa.token, "serve"), idle_minutes=idle_minutes)
