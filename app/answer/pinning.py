"""A follow-up's resolved talks first among the retrieved ones (app/answer/referents.py said which).

The talks a follow-up refers to are the ones it is about, whatever retrieval
makes of a question like "Where did she do her PhD?": they become sources
[1]..[m] (the first one gets its whole abstract and its notes, as a top talk
does), and the rest of retrieval follows, without repeats.
"""

from __future__ import annotations

from app.answer.state import RetrievedTalk
from app.core.talk import Talk


def pin_first(retrieved: tuple[RetrievedTalk, ...], pinned: list[Talk]) -> tuple[RetrievedTalk, ...]:
    """``pinned`` in their order, each with its retrieval scores if retrieval found it too, then the other hits.

    A pinned talk retrieval did not find has no scores of its own: it gets the question's relevance
    (the same for every talk of a question) and zero for the rest. The list is as long as the longer of
    the two, so a follow-up's context is no larger than a question's unless it refers to more talks.
    """
    found = {r.talk.id: r for r in retrieved}
    relevance = retrieved[0].relevance if retrieved else None
    first = [found.get(t.id) or RetrievedTalk(talk=t, score=0.0, dense=0.0, relevance=relevance) for t in pinned]
    ids = {t.id for t in pinned}
    rest = [r for r in retrieved if r.talk.id not in ids]
    return tuple(first + rest)[: max(len(retrieved), len(first))]
