"""Every talk of the live catalog that meets a record condition, not the retriever's top k.

A list or counting question that names a literal term ("How many talks
mention CIFAR?", app/retrieval/record_terms.py) has an exact answer: the talks
whose text contains it. Chroma filters the catalog's records with a regular
expression in Rust (``IndexSnapshot.matching``, a superset: case-insensitive,
no look-around) and stops after ``limit`` records; only those are parsed and
checked exactly here. The cost is one filtered read of the catalog collection
plus the parse of the candidates, so the answer is O(matches) and the filter
is bounded: past ``limit`` candidates the count is a lower bound, and the
answer says so (``capped``).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.talk import Talk
from app.index.snapshot import IndexSnapshot
from app.retrieval.record_terms import RecordCondition

#: Candidate records read at most per question (the 210-talk catalog has at most ~50 for a common word).
SCAN_LIMIT = 2000


@dataclass(frozen=True)
class RecordMatch:
    """A talk that meets the condition, and the sentence (or link) that shows it."""

    talk: Talk
    evidence: str


@dataclass(frozen=True)
class ScanResult:
    condition: RecordCondition
    matches: tuple[RecordMatch, ...]
    #: More candidates than were read: ``len(matches)`` is a lower bound.
    capped: bool = False


def scan_records(snapshot: IndexSnapshot, condition: RecordCondition, limit: int = SCAN_LIMIT) -> ScanResult:
    """The talks meeting ``condition``, in catalog order, from at most ``limit`` candidate records."""
    talks = snapshot.matching(condition.candidates(), limit + 1)
    matches = []
    for talk in talks[:limit]:
        evidence = condition.evidence(talk)
        if evidence is not None:
            matches.append(RecordMatch(talk, evidence))
    return ScanResult(condition, tuple(matches), capped=len(talks) > limit)
