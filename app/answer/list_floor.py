"""A list of talks keeps the talks the model chose, except those the cross-encoder judges clearly off the question.

"Which talks …?" hands the model every talk whose hybrid score holds (up to ``retrieval.max_k``), and the list
prompt asks it for the number of every source that matches. It chooses well among what it is given (on the seen
list questions it cited 86 % of the gold talks handed over) but it also names talks that share only the question's
vocabulary: "infinite-width limit" for out-of-distribution detection, "deep linear networks" for hardware
efficiency. Their best sentence's cross-encoder logit is far below any matching talk's, so:

1. ``judge_listed`` (before the prompt): a plural list's talks the retriever did not judge (it judges its first
   ``rerank.candidates``) get their logit too. Their sentence order, and so the prompt, stays as it was: the floor
   was chosen on answers to those prompts.
2. ``drop_weak_choices`` (the first check after generation): a reply of source numbers only loses the numbers of
   talks below ``rerank.list_floor`` and more than ``rerank.list_margin`` below the best talk it chose (which
   therefore always stays).

Chosen on the seen list questions with no model run (their answers stored by bench/list_prompt.py, each talk's logit
read by bench/list_floor.py; docs/results/list-floor-scores-2026-12-06.json); the margin was added after the floor
alone dropped two gold talks of long questions in blind held-out-42. docs/evaluation.md has the figures and the blind
checks.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from app.answer.citations import is_choice
from app.answer.result import Answer
from app.answer.state import AnswerState
from app.core.talk import Talk
from app.core.text import cited_numbers
from app.retrieval.question_kinds import lists_talks

#: ``TalkRetriever.talk_relevances``: each talk's logit for the query, or None without a cross-encoder.
Judge = Callable[[str, list[Talk]], "list[float] | None"]


def judge_listed(state: AnswerState, judge: Judge, floor: float | None) -> AnswerState:
    """The state whose every retrieved talk has its own relevance, when the question lists talks and a floor is set."""
    unjudged = [i for i, hit in enumerate(state.retrieved) if hit.talk_relevance is None]
    if floor is None or not state.lists_talks or not unjudged:
        return state
    logits = judge(state.query, [state.retrieved[i].talk for i in unjudged])
    if logits is None:
        return state
    judged = dict(zip(unjudged, logits))
    return replace(state, retrieved=tuple(replace(hit, talk_relevance=judged[i]) if i in judged else hit
                                          for i, hit in enumerate(state.retrieved)))


def drop_weak_choices(answer: Answer, floor: float | None, margin: float = 0.0) -> Answer:
    """A plural list answered with source numbers only ("[1][4][7]"), without the talks judged below ``floor`` and
    more than ``margin`` below the best talk chosen: a long, chatty question lowers every talk's logit, and a talk
    near the best one of its own question is not off the question however low both are."""
    if floor is None or answer.abstained or not lists_talks(answer.query) or not is_choice(answer.answer):
        return answer
    relevance = {s.n: s.talk_relevance for s in answer.sources}
    chosen = cited_numbers(answer.answer)
    best = max((relevance[n] for n in chosen if relevance.get(n) is not None), default=floor)
    kept = [n for n in chosen if relevance.get(n) is None or relevance[n] >= min(floor, best - margin)]
    if kept == chosen:
        return answer
    return replace(answer, answer="".join(f"[{n}]" for n in kept))
