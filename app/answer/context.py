"""The context the model reads: which sentences of each retrieved talk, within the token budget.

The retriever (app/retrieval/) ranks talks and, with the cross-encoder, each
talk's sentences; here those rankings become numbered ``Source``s: every
talk's best sentences, round-robin within ``retrieval.context_tokens``
(``pick_sentences``). ``abstain_early`` decides from the same scores that
nothing retrieved is close enough to ask the model at all.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from langchain_core.embeddings import Embeddings

from app.answer.result import Source
from app.answer.state import RetrievedTalk
from app.core.config import RetrievalSettings, Settings
from app.core.text import split_sentences
from app.retrieval.relevance import cheap_orders, talk_sentences


def sentence_orders(query: str, retrieved: list[RetrievedTalk], pools: list[list[str]], embeddings: Embeddings) -> list[list[int]]:
    """Each retrieved talk's sentence indices, most relevant first.

    The cross-encoder's order when the retriever judged the talks; otherwise
    the cheap score, from the query's and the sentences' vectors (cached after
    first use).
    """
    if all(r.sentence_order is not None for r in retrieved):
        return [list(r.sentence_order) for r in retrieved]
    orders = cheap_orders(query, pools, embeddings)
    return [list(r.sentence_order) if r.sentence_order is not None else o for r, o in zip(retrieved, orders)]


def select_sources(query: str, retrieved: list[RetrievedTalk], embeddings: Embeddings, count_tokens: Callable[[str], int],
                   settings: RetrievalSettings) -> tuple[Source, ...]:
    """Each talk's title plus its sentences most relevant to the query, within the token budget, numbered from 1."""
    if not retrieved:
        return ()
    pools = [talk_sentences(r.talk) for r in retrieved]
    orders = sentence_orders(query, retrieved, pools, embeddings)
    chosen = pick_sentences(orders, pools, [r.talk.title for r in retrieved], count_tokens, settings.context_tokens,
                            settings.sentences_per_talk)
    return tuple(
        Source(
            n=i + 1,
            talk=hit.talk,
            sentences=[pool[j] for j in chosen[i]],
            score=hit.score,
            dense=hit.dense,
            relevance=hit.relevance,
            talk_relevance=hit.talk_relevance,
            lead=pool[orders[i][0]] if orders[i] else None,
            ranked=[pool[j] for j in orders[i] if j in chosen[i]],
        )
        for i, (hit, pool) in enumerate(zip(retrieved, pools))
    )


def whole_abstract(source: Source) -> Source:
    """The source with its talk's whole abstract, then the selected sentences the abstract lacks (notes)."""
    whole = split_sentences(source.talk.abstract)
    return replace(source, sentences=whole + [s for s in source.sentences if s not in whole])


def pick_sentences(orders: list[list[int]], pools: list[list[str]], titles: list[str], count_tokens, budget: int, per_talk: int) -> list[list[int]]:
    """Each talk's chosen sentence indices (text order), round-robin by relevance within a token budget.

    Every talk's best sentence goes in (even over budget: a numbered source
    needs something to cite), then every talk's second-best, and so on while
    the budget lasts, at most ``per_talk`` a talk.
    """
    chosen: list[list[int]] = [[] for _ in pools]
    used = sum(count_tokens(t) + 4 for t in titles)
    for depth in range(per_talk):
        for i, pool in enumerate(pools):
            if depth < len(orders[i]):
                index = orders[i][depth]
                cost = count_tokens(pool[index])
                if depth == 0 or used + cost <= budget:
                    chosen[i].append(index)
                    used += cost
    return [sorted(c) for c in chosen]


def abstain_early(sources: list[tuple[float, float | None]], settings: Settings) -> bool:
    """Should the chain answer "not covered" without the LLM? ``sources``: (best dense, question relevance) each.

    With the cross-encoder's score: below ``rerank.abstain_threshold``. Without
    it: every talk's dense similarity below ``retrieval.min_dense``.
    """
    if not sources:
        return True
    relevance = [r for _, r in sources if r is not None]
    if relevance:
        return max(relevance) < settings.rerank.abstain_threshold
    return max(d for d, _ in sources) < settings.retrieval.min_dense


def too_far(talks, settings: Settings) -> bool:
    """``abstain_early`` for retrieved talks or sources (anything with ``dense`` and ``relevance``): below the floor."""
    return abstain_early([(t.dense, t.relevance) for t in talks], settings)
