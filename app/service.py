"""Build the answering pipeline from settings: the one place components are wired together.

The CLI, the web app and the evaluation all call ``build_chain``; tests build
the same pieces with a fake or small chat model.
"""

from __future__ import annotations

from functools import lru_cache

from langchain_core.language_models.chat_models import BaseChatModel

from app.answer.chain import AnswerChain
from app.config import RerankSettings, Settings
from app.models.embeddings import cached_embeddings
from app.retrieval import TalkRetriever
from app.store import TalkStore


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


def build_chain(
    settings: Settings,
    llm: BaseChatModel | None = None,
    *,
    with_llm: bool = True,
    k: int | None = None,
    store: TalkStore | None = None,
) -> AnswerChain:
    """An ``AnswerChain`` over the configured index and chat model.

    ``with_llm=False`` gives the retrieval-only chain (``--no-llm``, ``search``).
    Raises ``IndexStateError`` when there is no usable index, before loading any model.
    """
    store = store or TalkStore(settings, cached_embeddings(settings))
    retriever = TalkRetriever(store=store, settings=settings.retrieval, k=k, rerank=settings.rerank)
    retriever.reranker = build_reranker(settings)  # after the index check: no model load for a missing index
    if with_llm and llm is None:
        from app.models.llm import chat_model

        llm = chat_model(settings)
    return AnswerChain(settings, retriever, llm if with_llm else None, store.embeddings)
