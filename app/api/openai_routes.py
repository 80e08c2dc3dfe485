"""OpenAI's chat-completion wire format for talkqa's answers: requests, whole replies, streamed chunks.

The text keeps the answer's ``[n]`` markers (and, if asked, ends with a short
"Sources:" list); the citations and per-sentence support go in an extra
``talkqa`` field. A stream holds the generation gate until it ends, however it
ends, and closes the model's generator so a client who left frees the model.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable, Iterator, Literal

from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from app.answer.chain import AnswerChain
from app.answer.stream import AnswerStream
from app.answer.citations import strip_markers
from app.answer.result import Answer
from app.answer.turns import Turn
from app.core.text import cited_numbers
from app.api.guard import ApiError, GenerationGate, api_error
from app.core.errors import TalkqaError

#: The two models of ``/v1/models``: the configured chat model, and retrieval without one.
MODEL_ANSWER = "talkqa"
MODEL_RETRIEVAL = "talkqa-retrieval"
#: How long a stream waits for the model's first token before it starts with the preview alone.
FIRST_TOKEN_WAIT_S = 0.25
MODELS = {
    MODEL_ANSWER: "Cited answers from the configured chat model",
    MODEL_RETRIEVAL: "The best-matching talks and their sentences, without a language model (instant)",
}
#: What ends an answer's text before the appended sources list; cut from history turns sent back.
SOURCES_HEADER = "\n\nSources:\n"


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
    talk_ids: list[str] = Field(default_factory=list, description="An answer's cited talks in order (its citations' talk_id), "
                                "so a follow-up's \"the first one\" or \"that talk\" is resolved to them")

    def turn(self) -> Turn:
        return Turn(self.role, self.content, tuple(self.talk_ids))


class AskRequest(BaseModel):
    question: str
    k: int | None = Field(None, ge=1, le=50)
    no_llm: bool = Field(False, description="Retrieval only: every retrieved talk and its best sentences")
    history: list[HistoryTurn] = Field(default_factory=list, description="Earlier turns, for a follow-up")
    strict: bool = Field(False, description="Leave out the sentences no source supports (otherwise they are flagged)")


def split_messages(messages: list[ChatMessage], titled: Callable[[str], str | None] = lambda title: None) -> tuple[str, list[Turn]]:
    """(question, history): the last user message, and the user/assistant turns before it.

    System messages are ignored (the chain has its own prompt). An assistant
    turn loses its appended sources list and its [n] markers, as the chat's
    own history does, and keeps the talks it cited (``cited_talks``), so a
    follow-up's "the first one" is resolved to them. ``titled``: the talk id
    of a title (None: unknown).
    """
    turns = []
    for message in messages:
        if message.role in ("system", "developer"):
            continue
        if message.role not in ("user", "assistant"):
            raise ApiError(400, f"messages: unsupported role {message.role!r} (user, assistant or system)", code="invalid_input")
        turns.append((message, message.text()))
    if not turns or turns[-1][0].role != "user":
        raise ApiError(400, "messages: the last message must be the user's question", code="invalid_input")
    history = []
    for message, text in turns[:-1]:
        if message.role == "assistant":
            history.append(Turn("assistant", strip_markers(text.split(SOURCES_HEADER)[0]).strip(), cited_talks(message, text, titled)))
        elif text.strip():
            history.append(Turn.user(text.strip()))
    return turns[-1][1], [t for t in history if t.text or t.talk_ids]


def cited_talks(message: ChatMessage, text: str, titled: Callable[[str], str | None]) -> tuple[str, ...]:
    """The talks an assistant message we sent cited, in the order its text cites them.

    OpenAI's clients send back the text only: the talks are recovered from the
    "Sources:" list appended to it (``- [n] Title — speaker ...``: the number, then
    the title, looked up by ``titled``). A client that keeps the whole message sends
    back its ``talkqa`` field too, whose citations carry the talk ids. Text with
    neither (``sources_in_text`` off, or a foreign answer) cites nothing known.
    """
    extra = (message.model_extra or {}).get("talkqa")
    if isinstance(extra, dict) and isinstance(extra.get("citations"), list):
        return tuple(dict.fromkeys(str(c["talk_id"]) for c in extra["citations"] if isinstance(c, dict) and c.get("talk_id")))
    body, _, listing = text.partition(SOURCES_HEADER)
    numbered = {}
    for line in listing.splitlines():
        match = _SOURCE_LINE.match(line)
        if match:
            numbered[int(match.group(1))] = match.group(2)
    ids = (titled(numbered[n]) for n in dict.fromkeys([*cited_numbers(body), *sorted(numbered)]) if n in numbered)
    return tuple(dict.fromkeys(i for i in ids if i))


def title_lookup(chain: AnswerChain) -> Callable[[str], str | None]:
    """The id of the live talk titled exactly so (case aside), among the few that best match the title; None: none."""

    def titled(title: str) -> str | None:
        ranked = [t.talk_id for t in chain.retriever.rank_talks(title)[:5]]
        found = chain.catalog.fetch(ranked)
        return next((i for i in ranked if i in found and found[i].title.casefold() == title.casefold()), None)

    return titled


#: One line of the appended sources list: "- [n] Title — Speaker (file lines a-b) link" (``sources_text``).
_SOURCE_LINE = re.compile(r"^- \[(\d+)\] (.+?)(?: — [^()]*)? \([^()]* lines [^()]*\)(?: \S+)?$")


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
        "absent_terms": body["absent_terms"],
        "support": answer.support,
        "citations": body["citations"],
        "sentences": body["sentences"],
        "timings": body["timings"],
        "warnings": body["warnings"],
    }


# ------------------------------------------------------------------ replies


def completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def sse(data: dict | str) -> str:
    return f"data: {data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)}\n\n"


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

    def __init__(self, gate: GenerationGate, chain: AnswerChain, body: ChatRequest, *, retrieval: bool, with_sources: bool):
        self.gate, self.chain, self.body = gate, chain, body
        self.retrieval, self.with_sources = retrieval, with_sources
        self.id, self.created = completion_id(), int(time.time())

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
        return sse({
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
            yield sse({"id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": self.body.model,
                        "choices": [], "usage": self.usage(answer, text)})
        yield sse("[DONE]")

    def stream_of_text(self, text: str, answer: Answer) -> StreamingResponse:
        """A whole text as a stream (``talkqa-retrieval``: there is no model to wait for)."""

        async def events():
            yield self.chunk({"role": "assistant", "content": ""})
            yield self.chunk({"content": text})
            for event in self.ending(answer, text):
                yield event

        return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    def stream_of_tokens(self, stream: AnswerStream, pump: TokenPump, first: Awaitable[str | None]) -> StreamingResponse:
        """The extractive preview (in the first chunk's ``talkqa`` field), the checked answer's text as the
        model finishes each sentence (``AnswerStream.checked_text``), then the sources list and the whole
        ``talkqa`` field."""

        async def events():
            try:
                yield self.chunk({"role": "assistant", "content": ""}, talkqa={"preview": stream.preview.to_json()})
                token = await first
                while token is not None:
                    if token:  # "" while the model is inside a sentence
                        yield self.chunk({"content": token})
                    token = await run_in_threadpool(pump.next)
                answer = await run_in_threadpool(stream.result)
                tail = sources_text(answer) if self.with_sources else ""
                if tail:
                    yield self.chunk({"content": tail})
                for event in self.ending(answer, answer.answer + tail):
                    yield event
            except TalkqaError as err:  # after the headers: OpenAI's clients raise on an error event
                yield sse(api_error(err).body())
                yield sse("[DONE]")

        return GatedStream(events(), pump, self.gate)
