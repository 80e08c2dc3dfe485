"""The one place components are wired together: settings in, store / chains / models out.

The CLI, the web app, the HTTP API, the evaluation and the benchmarks all go
through a ``Service``; none of them builds a store, a retriever or a chat
model itself. Everything is built on first use and reused, so a process reads
the index once however many chains it makes (``--no-llm`` and the answering
chain share one retriever).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings
from app.core.config import RerankSettings, Settings
from app.index.snapshot import IndexSnapshot
from app.models.embeddings import cached_embeddings
from app.retrieval.retriever import TalkRetriever
from app.index.store import TalkStore

if TYPE_CHECKING:  # `talks`, `show`, `ingest` never answer: the chain and chat models load on first use
    from langchain_core.language_models.chat_models import BaseChatModel

    from app.answer.chain import AnswerChain
    from app.answer.result import Answer

#: ``Service.answer_chain(llm=CONFIGURED)``: the chat model the settings name.
CONFIGURED = object()


def build_reranker(settings: Settings):
    """The cross-encoder when ``rerank.enabled`` (checked and loaded now: a bad file fails before any question).

    One per process and configuration: chains built again (web sessions, tests) share the loaded model.
    """
    if not settings.rerank.enabled:
        return None
    return _reranker(settings.rerank.model_dump_json())


@lru_cache(maxsize=4)
def _reranker(rerank_json: str):
    from app.models.reranker import CrossEncoderReranker

    return CrossEncoderReranker(settings=RerankSettings.model_validate_json(rerank_json)).load()


class Service:
    """Components built from one ``Settings``; tests pass their own store, embeddings or chat model."""

    def __init__(
        self,
        settings: Settings,
        *,
        store: TalkStore | None = None,
        embeddings: Embeddings | None = None,
    ):
        self.settings = settings
        self._store = store
        self._embeddings = embeddings if store is None else store.embeddings
        self._retrievers: dict[int | None, TalkRetriever] = {}
        #: The chat's background warm-up and its Talks tab may both ask for the store first.
        self._building = threading.RLock()

    @property
    def embeddings(self) -> Embeddings:
        """The given store's, the given ones, or the configured model behind the file cache (built once)."""
        with self._building:
            if self._embeddings is None:
                self._embeddings = cached_embeddings(self.settings)
            return self._embeddings

    @property
    def store(self) -> TalkStore:
        with self._building:
            if self._store is None:
                self._store = TalkStore(self.settings, self.embeddings)
            return self._store

    def catalog(self) -> IndexSnapshot:
        """The live talks, fetched as needed (raises ``IndexStateError`` without a usable index; loads no model).

        A page, an id prefix or the records of a few talks cost what they read, not the corpus
        (app/index/snapshot.py); ``.talks`` loads every record for whole-corpus listings.
        """
        return self.store.current.snapshot()

    def retriever(self, k: int | None = None) -> TalkRetriever:
        """The hybrid retriever (reads the index once per ``k``)."""
        if k not in self._retrievers:
            base = next(iter(self._retrievers.values()), None)
            if base is not None:
                self._retrievers[k] = base.model_copy(update={"k": k})
            else:
                retriever = TalkRetriever(store=self.store, settings=self.settings.retrieval, k=k, rerank=self.settings.rerank)
                retriever.reranker = build_reranker(self.settings)  # after the index check: no model load for a missing index
                self._retrievers[k] = retriever
        return self._retrievers[k]

    def chat_model(self) -> BaseChatModel:
        """The configured chat model (the embedded model is loaded once per process)."""
        from app.models.llm import chat_model

        return chat_model(self.settings)

    def start_loading_chat_model(self) -> None:
        """Load the embedded chat model in a background thread while the caller reads the index.

        A one-off ``talkqa ask`` spends seconds on imports, the index and retrieval before it
        needs the model, and loading the weights takes seconds more; done side by side, the
        answer starts that much sooner. ``chat_model()`` then returns the loaded model (it waits
        for a load in progress), or raises why it could not be loaded: a failure here is left
        for that call to report. An OpenAI-compatible backend has nothing to load.
        """
        from app.models.llm import backend_name

        if backend_name(self.settings) != "local":
            return

        def load() -> None:
            try:
                self.chat_model()
            except Exception:  # noqa: BLE001 - reported by the caller's own chat_model()
                pass

        threading.Thread(target=load, name="talkqa-load-llm", daemon=True).start()

    def answer_chain(self, *, k: int | None = None, llm: BaseChatModel | None | object = CONFIGURED) -> AnswerChain:
        """The answering chain; ``llm=None`` gives the retrieval-only chain (``--no-llm``, ``search``)."""
        from app.answer.chain import AnswerChain

        retriever = self.retriever(k)  # no usable index: fail here, before a model is loaded
        model = self.chat_model() if llm is CONFIGURED else llm
        return AnswerChain(self.settings, retriever, model, self.store.embeddings)

    def retrieval_only(self, question: str, *, k: int | None = None) -> Answer:
        """The top talks and their best sentences for ``question``, without a model."""
        return self.answer_chain(k=k, llm=None).invoke(question)
