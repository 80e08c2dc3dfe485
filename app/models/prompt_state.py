"""The system prompt's processed state, kept on disk so a new process does not read it again.

Every answer starts with the same system message (prompts/answer_system.txt),
about 250 tokens that llama.cpp must evaluate before the sources and the
question. Within one process llama-cpp-python reuses the evaluated prefix of
the previous prompt; a one-off ``talkqa ask`` is a new process and paid for
the whole system prompt again (several seconds on 2 cores: docs/benchmarks.md).

Here the prefix is evaluated once, its llama.cpp state (the KV cache of those
tokens) saved to ``<dir>/<key>.npz``, and loaded by later processes before
they generate. The key hashes the model file's identity, the context size, the
llama-cpp-python version and the prefix tokens, so any change makes a new file.
Correctness never depends on the file: llama-cpp-python compares the loaded
tokens with the real prompt and evaluates whatever does not match.

The file holds numbers only (``np.load(allow_pickle=False)``); the logits of the
prefix are not kept (150 MB for Qwen's vocabulary, and unused: the suffix's
evaluation produces the logits that are sampled).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger("talkqa")


def prefix_tokens(llama: Any, system_text: str) -> list[int]:
    """The tokens every prompt with this system message starts with (the GGUF's own chat template)."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    template = llama.metadata.get("tokenizer.chat_template")
    if not template:
        return []
    eos, bos = llama.token_eos(), llama.token_bos()
    formatter = Jinja2ChatFormatter(  # as llama-cpp-python builds it from the GGUF, without the reply's opening
        template=template,
        eos_token=llama._model.token_get_text(eos) if eos != -1 else "",
        bos_token=llama._model.token_get_text(bos) if bos != -1 else "",
        add_generation_prompt=False,
    )
    rendered = formatter(messages=[{"role": "system", "content": system_text}])
    return llama.tokenize(rendered.prompt.encode("utf-8"), add_bos=not rendered.added_special, special=True)


def state_key(llama: Any, tokens: list[int]) -> str:
    """Which model, context and tokens a saved state belongs to."""
    import llama_cpp

    path = Path(llama.model_path)
    stat = path.stat()
    digest = hashlib.sha256()
    digest.update(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{llama.n_ctx()}|{llama_cpp.__version__}|".encode())
    digest.update(np.asarray(tokens, dtype=np.int32).tobytes())
    return digest.hexdigest()[:24]


def has_prefix(llama: Any, tokens: list[int]) -> bool:
    """Does the loaded context already hold these tokens at its start (in-process reuse)?"""
    n = len(tokens)
    return llama.n_tokens >= n and list(llama.input_ids[:n]) == list(tokens)


def restore_or_build(llama: Any, tokens: list[int], directory: Path) -> str:
    """Put ``tokens``' state into ``llama``: loaded from disk, or evaluated now and saved.

    Returns what happened ("cached" in memory, "loaded", "built", "skipped").
    """
    if not tokens:
        return "skipped"
    if has_prefix(llama, tokens):
        return "cached"
    file = directory / f"{state_key(llama, tokens)}.npz"
    if file.is_file() and _load(llama, file, tokens):
        return "loaded"
    llama.reset()
    llama.eval(tokens)
    _save(llama, file)
    return "built"


def _load(llama: Any, file: Path, tokens: list[int]) -> bool:
    from llama_cpp.llama import LlamaState

    try:
        with np.load(file, allow_pickle=False) as saved:
            ids, blob = saved["input_ids"], saved["llama_state"]
        if list(ids) != list(tokens):
            return False
        input_ids = np.zeros(llama.input_ids.shape, dtype=llama.input_ids.dtype)
        input_ids[: len(ids)] = ids
        state = LlamaState(
            input_ids=input_ids,
            scores=np.zeros((1, llama.n_vocab()), dtype=np.single),  # broadcast into the prefix rows
            n_tokens=len(ids),
            llama_state=blob.tobytes(),
            llama_state_size=blob.size,
            seed=llama._seed,
        )
        llama.load_state(state)
        return True
    except Exception as err:  # a damaged or foreign file: evaluate the prefix instead
        log.debug("prompt state %s not used: %s", file, err)
        return False


def _save(llama: Any, file: Path) -> None:
    """Write atomically; a read-only or full disk only costs the next process the evaluation."""
    try:
        state = llama.save_state()
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                np.savez(
                    out,
                    input_ids=np.asarray(state.input_ids[: state.n_tokens], dtype=np.int32),
                    llama_state=np.frombuffer(state.llama_state, dtype=np.uint8),
                )
            os.replace(tmp, file)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as err:
        log.debug("prompt state not saved to %s: %s", file, err)
