"""Talks a question is known to be about, first among the retrieved ones, in their order.

Two callers know that before retrieval's order does. A follow-up's resolved
talks (app/answer/referents.py): whatever retrieval makes of "Where did she do
her PhD?", the talks it refers to are the ones it is about. A comparison's
sides (app/retrieval/subjects.py): each side searched for on its own, the pair
of talks that fits the two sides best, in the question's order. Either way they become sources
[1]..[m] (a comparison's first two get their whole abstracts and the compare
prompt) and the rest of retrieval follows, without repeats (a follow-up asking its talks' record keeps
them alone: ``pin_follow_up``). And for a question about one talk's record, the
cross-encoder's clearly best talk leads when the fused ranking put another first (``judged_first``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from app.answer.records import asks_record
from app.answer.state import RetrievedTalk
from app.core.talk import Talk
from app.retrieval.subjects import Subjects


def pin_first(retrieved: tuple[RetrievedTalk, ...], pinned: list[Talk],
              elsewhere: tuple[RetrievedTalk, ...] = ()) -> tuple[RetrievedTalk, ...]:
    """``pinned`` in their order, each with its retrieval scores if retrieval found it too, then the other hits.

    A pinned talk retrieval did not find takes its hit from ``elsewhere`` (a side's own search) or has no
    scores of its own; either way it gets the question's relevance (the same for every talk of a question,
    so the "not covered" decision is the question's) and, without a hit, zero for the rest. The list is as
    long as the longer of the two, so the context is no larger than a question's unless more talks are pinned.
    """
    found = {r.talk.id: r for r in retrieved}
    other = {r.talk.id: r for r in elsewhere}
    relevance = retrieved[0].relevance if retrieved else None

    def hit(talk: Talk) -> RetrievedTalk:
        if talk.id in found:
            return found[talk.id]
        if talk.id in other:
            return replace(other[talk.id], relevance=relevance)
        return RetrievedTalk(talk=talk, score=0.0, dense=0.0, relevance=relevance)

    first = [hit(t) for t in pinned]
    ids = {t.id for t in pinned}
    rest = [r for r in retrieved if r.talk.id not in ids]
    return tuple(first + rest)[: max(len(retrieved), len(first))]


def pin_follow_up(retrieved: tuple[RetrievedTalk, ...], pinned: list[Talk], question: str,
                  open_ended: bool) -> tuple[RetrievedTalk, ...]:
    """A follow-up's resolved talks first (``pin_first``); alone when it asks their record (who gave it, co-authors,
    links): every other source's speaker, co-author and link lines could only be borrowed. After "Which talks prove
    convergence for deep linear networks?", "For the one that recasts the dynamics on a manifold of low-rank matrices,
    who were the co-authors?" was resolved to the right talk and answered with another source's co-authors (held-out-17
    t050, seen)."""
    ordered = pin_first(retrieved, pinned)
    return ordered[: len(pinned)] if asks_record(question) and not open_ended else ordered


def side_logits(per_side: list[tuple[RetrievedTalk, ...]], subjects: Subjects,
                judge: Callable[[str, list[Talk]], list[float] | None]) -> list[list[float]] | None:
    """Each side's talks judged by the cross-encoder (``judge``: ``TalkRetriever.talk_relevances``) on that side's own
    words, for ``side_talks``; None without a cross-encoder."""
    judged = [judge(side.text, [hit.talk for hit in hits]) for side, hits in zip(subjects.sides, per_side)]
    return None if None in judged else judged


def side_talks(per_side: list[tuple[RetrievedTalk, ...]], retrieved: tuple[RetrievedTalk, ...],
               judged: list[list[float]] | None = None, weight: float = 0.0) -> tuple[RetrievedTalk, ...] | None:
    """The sides' talks, in the sides' order: the pair of distinct talks, one from each side's own search, whose
    side scores plus their scores for the whole question (plus ``weight`` times each talk's cross-encoder logit for
    its side's own words, ``judged``, aligned with ``per_side``) are highest; None when no such pair exists.

    The question's score breaks what one side's search alone gets wrong: a side read as "a local version" or
    "the one on two-layer CNNs" loses the words the sides share, and its best talk can be the other side's talk
    or a talk on another subject; a talk the whole question also ranks high is the likelier side (dev comparisons).
    The logits judge each side by what it says alone ("the talk arguing the NTK prefers low frequencies"): a side's
    search runs with the rest of the question around it, whose words can rank another talk of the same area first
    (held-out-57 gd024, held-out-58 ge022, read after their blind runs).
    """
    question = {r.talk.id: r.score for r in retrieved}
    logits = [dict(zip((h.talk.id for h in hits), side)) for hits, side in zip(per_side, judged)] if judged else [{}, {}]

    def worth(hit: RetrievedTalk, side: int) -> float:
        return hit.score + question.get(hit.talk.id, 0.0) + weight * logits[side].get(hit.talk.id, 0.0)

    first, second = per_side
    pairs = [(a, b) for a in first for b in second if a.talk.id != b.talk.id]
    return max(pairs, key=lambda pair: worth(pair[0], 0) + worth(pair[1], 1), default=None)


#: A judged talk whose cross-encoder logit beats the first talk's by at least this leads a question about one
#: talk's record (``judged_first``).
LEAD = 6.0


def judged_first(retrieved: tuple[RetrievedTalk, ...]) -> tuple[RetrievedTalk, ...]:
    """The talk the cross-encoder judges clearly most relevant first, when the fused ranking put another first.

    For a question about one talk's record (who advised its speaker, where its code is) the answer reads the first
    source's record, so a wrong first talk means another speaker's bio or links. On the seen bio and link questions
    (dev, held-out, held-out-11, per-talk logits read with no model) every question whose first talk was not the
    asked one had the asked talk as the judged best, by 0.3 to 9.8 logits (y012 0.3, y011 3.0, y015 7.3, y032 7.9,
    y019 9.8); of the questions whose first talk was right, seven had another talk judged best, by 0.03 to 5.7 (y031,
    a question for an arXiv paper whose talk gives only code, where a talk that mentions its paper scores higher).
    ``LEAD`` (6) moves three of the five and none of the seven; 3 moved the same three and y031 too.
    """
    judged = [r for r in retrieved if r.talk_relevance is not None]
    if not judged or retrieved[0].talk_relevance is None:
        return retrieved
    best = max(judged, key=lambda r: r.talk_relevance)
    if best.talk_relevance - retrieved[0].talk_relevance < LEAD:
        return retrieved
    return (best, *(r for r in retrieved if r is not best))
