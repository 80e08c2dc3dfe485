"""Models for tests: the real MiniLM (loaded once), counting and foreign embeddings, the one scripted chat model."""

from __future__ import annotations

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from app.models.embeddings import MiniLMEmbeddings


# ------------------------------------------------------------------ embeddings


@pytest.fixture(scope="session")
def embedding_model() -> MiniLMEmbeddings:
    """The real all-MiniLM-L6-v2 int8 model, loaded once per session (loading costs a second)."""
    model = MiniLMEmbeddings()
    model.embed_query("warm-up")
    return model


class CountingEmbeddings(Embeddings):
    """Wraps a model and counts the texts it really embeds (behind the cache: model runs)."""

    def __init__(self, inner: Embeddings):
        self.inner = inner
        self.model_name = getattr(inner, "model_name", type(inner).__name__)
        self.dimension = getattr(inner, "dimension", 0)
        self.texts_embedded = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.texts_embedded += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        self.texts_embedded += 1
        return self.inner.embed_query(text)


class OtherModel(Embeddings):
    """A different embedding model (8 dims, deterministic): its vectors do not compare with MiniLM's."""

    model_name = "other-model"
    dimension = 8

    def _vector(self, text: str) -> list[float]:
        rng = np.random.default_rng(abs(hash(text)) % (2**32))
        v = rng.normal(size=self.dimension)
        return (v / np.linalg.norm(v)).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


# ------------------------------------------------------------------ a scripted chat model


class ScriptedChatModel(FakeListChatModel):
    """The one fake chat model of the suite: replies in order (then from the start again), records every
    prompt it was given, and can be told to fail like an unreachable endpoint (``fail=True``)."""

    fail: bool = False
    prompts: list = []

    def _record(self, messages) -> None:
        self.prompts = [*self.prompts, "\n\n".join(str(m.content) for m in messages)]
        if self.fail:
            raise ConnectionError("connection refused")

    def _call(self, messages, *args, **kwargs):
        self._record(messages)
        return super()._call(messages, *args, **kwargs)

    def _stream(self, messages, *args, **kwargs):
        self._record(messages)
        yield from super()._stream(messages, *args, **kwargs)


def scripted(*replies: str, fail: bool = False, sleep: float | None = None) -> ScriptedChatModel:
    """``sleep``: seconds between streamed characters (a browser test watching the draft)."""
    return ScriptedChatModel(responses=list(replies) or ["(no reply scripted)"], fail=fail, sleep=sleep)
