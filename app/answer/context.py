"""The context the model reads: which sentences of each retrieved talk, within the token budget.

The retriever (app/retrieval/) ranks talks and, with the cross-encoder, each
talk's sentences; here those rankings become numbered ``Source``s: every
talk's best sentences, round-robin within ``retrieval.context_tokens``
(``pick_sentences``). ``abstain_early`` decides from the same scores that
nothing retrieved is close enough to ask the model at all.
"""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from app.retrieval.relevance import cheap_orders


def sentence_orders(query: str, docs: list, pools: list[list[str]], embeddings: Embeddings) -> list[list[int]]:
    """Each retrieved talk's sentence indices, most relevant first.

    The cross-encoder's order when the retriever judged the talks
    (``metadata["sentence_order"]``); otherwise the cheap score, from the
    query's and the sentences' vectors (cached after first use).
    """
    if all("sentence_order" in d.metadata for d in docs):
        return [list(d.metadata["sentence_order"]) for d in docs]
    orders = cheap_orders(query, pools, embeddings)
    return [list(d.metadata.get("sentence_order", o)) for d, o in zip(docs, orders)]


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


def abstain_early(sources: list[tuple[float, float | None]], settings) -> bool:
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
