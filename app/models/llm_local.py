"""A LangChain chat model over llama.cpp, in-process.

langchain-community's ``ChatLlamaCpp`` would do, but that package is being
sunset (it warns so on import) and pulls SQLAlchemy and aiohttp; this is the
small part we need: ``llama_cpp.Llama.create_chat_completion`` (which applies
the GGUF's own chat template) behind ``BaseChatModel``, with streaming.
A lock serialises generations: one llama.cpp context is not re-entrant.
A second lock, a file in the models dir (``lock_path``), serialises them across
processes on the machine: two llama.cpp generations on the same cores make
each other many times slower (docs/reliability.md, bench/concurrent_asks.py), so a
second process waits its turn and says so.
With ``state_dir``, the system message's evaluated state is kept there for
the next process (app/models/prompt_state.py).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from pathlib import Path
from typing import Any, Iterator

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

log = logging.getLogger("talkqa")

_ROLES = {"human": "user", "ai": "assistant", "system": "system"}


class LlamaCppChatModel(BaseChatModel):
    """Chat with a GGUF model through llama-cpp-python."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    n_ctx: int = 4096
    n_threads: int = 2
    temperature: float = 0.0
    max_tokens: int = 320
    seed: int = 0
    #: A file locked around each generation, shared by every talkqa process on the machine (None: no lock).
    lock_path: str | None = None
    #: Where the system prompt's processed state is kept across processes (None: not kept).
    state_dir: str | None = None
    _llama: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-in-process"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "n_ctx": self.n_ctx, "temperature": self.temperature}

    def load(self) -> "LlamaCppChatModel":
        """Load the weights now (otherwise on first use)."""
        if self._llama is None:
            from llama_cpp import Llama

            self._llama = Llama(
                model_path=self.model_path,
                n_ctx=self.n_ctx,
                n_threads=self.n_threads,
                n_batch=512,
                seed=self.seed,
                verbose=False,
            )
        return self

    @property
    def weights(self):
        """The loaded llama-cpp-python model, for scorers that read its next-token logits (eval's judge)."""
        return self.load()._llama

    def another_context(self):
        """A second llama.cpp instance of the same file, for a scorer that keeps its own prompt cache.

        Two judge prompts scored in turn on one context would re-evaluate each passage every time
        (their beginnings differ); the OS shares the mapped weights, so a context costs its KV cache only.
        """
        from llama_cpp import Llama

        return Llama(model_path=self.model_path, n_ctx=self.n_ctx, n_threads=self.n_threads, n_batch=512,
                     seed=self.seed, verbose=False)

    def close(self) -> None:
        """Free the weights now; llama.cpp's own finaliser fails noisily at interpreter exit."""
        if self._llama is not None:
            self._llama.close()
            self._llama = None

    @contextlib.contextmanager
    def _machine_turn(self) -> Iterator[None]:
        """This machine's turn at the model: the lock file, waited for with a message."""
        if not self.lock_path:
            yield
            return
        from app.core.locks import exclusive

        def on_wait(holder: str) -> None:
            log.warning("waiting for another talkqa process using the model (%s)…", holder)

        try:
            Path(self.lock_path).parent.mkdir(parents=True, exist_ok=True)
            turn = exclusive(Path(self.lock_path), on_wait=on_wait)
            turn.__enter__()
        except OSError:  # a models dir we cannot write: generate without the courtesy
            yield
            return
        try:
            yield
        finally:
            turn.__exit__(None, None, None)

    def _warm_system_prompt(self, messages: list[BaseMessage]) -> None:
        """Before generating: the system message's state from disk (or evaluated now and saved)."""
        if not self.state_dir or not messages or messages[0].type != "system":
            return
        from app.models.prompt_state import prefix_tokens, restore_or_build

        try:
            tokens = prefix_tokens(self._llama, str(messages[0].content))
            outcome = restore_or_build(self._llama, tokens, Path(self.state_dir))
            log.debug("system prompt state: %s (%d tokens)", outcome, len(tokens))
        except Exception as err:  # an optimisation only: the prompt is evaluated in full instead
            log.debug("system prompt state unavailable: %s", err)

    def _request(self, messages: list[BaseMessage], stop: list[str] | None, **kwargs: Any) -> dict:
        return {
            "messages": [{"role": _ROLES.get(m.type, "user"), "content": m.content} for m in messages],
            "temperature": self.temperature,
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
            "stop": stop or [],
            "seed": self.seed,
        }

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(chunk.message.content for chunk in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        self.load()
        with self._lock, self._machine_turn():
            self._warm_system_prompt(messages)
            for part in self._llama.create_chat_completion(stream=True, **self._request(messages, stop, **kwargs)):
                delta = part["choices"][0].get("delta", {}).get("content")
                if not delta:
                    continue
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                if run_manager:
                    run_manager.on_llm_new_token(delta, chunk=chunk)
                yield chunk
