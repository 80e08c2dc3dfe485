"""What kind of question it is, read from its wording: a list of talks, or two talks side by side.

Retrieval cuts an open-ended question's talks differently (every talk whose
relevance holds, not the top k); the answer chain gives it the list prompt and
the list preview, and a comparison gets both compared talks whole. The kinds
are computed once per question (``QuestionKinds.of``) and travel with the
answer's state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: "Which talks ...", "list all talks", "what talks": the user wants every match, not a top 5.
_OPEN_ENDED = re.compile(
    # "What does the talk show ...?" is about one talk; "what talks ...", "which (other) talks" ask for a list.
    r"\b(?:which|what|list|name|find|all|any|every)\b(?:\s+(?!(?:does|did|do|is|was|the|this|that)\b)\w+){0,3}?\s+"
    r"(?:talks?|speakers?|abstracts?|presentations?|seminars?)\b"
    r"|\b(?:talks|speakers|abstracts)\s+(?:that|which|about|on|discussing|covering)\b",
    re.IGNORECASE,
)

_COMPARISON = re.compile(r"\b(?:compare[sd]?|comparison|contrast|differ(?:s|ent|ence|ences)?|versus|vs\.?|both|two talks|each)\b", re.IGNORECASE)


def is_comparison(question: str) -> bool:
    """Does the question set two talks side by side?"""
    return bool(_COMPARISON.search(question))


def is_open_ended(query: str) -> bool:
    """Does the question ask for every talk on a subject?"""
    return bool(_OPEN_ENDED.search(query))


@dataclass(frozen=True)
class QuestionKinds:
    """The kinds of one question: ``open_ended`` read from the query retrieval uses (a condensed follow-up's
    rewrite), ``comparison`` from the question as asked."""

    open_ended: bool
    comparison: bool

    @classmethod
    def of(cls, question: str, query: str) -> "QuestionKinds":
        return cls(open_ended=is_open_ended(query), comparison=is_comparison(question))
