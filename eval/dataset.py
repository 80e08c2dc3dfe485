"""The evaluation data: questions, labelled judge pairs, and gold talks.

Gold talks are given as line ranges of ``data/abstracts.txt``; a range maps to
the indexed talk whose line ranges contain the range's start line (a talk that
occurs twice, e.g. lines 59 and 79, is one talk in the index).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from app.core.resources import resource
from app.core.talk import Catalog

DATA_DIR = resource("eval", "data")
QUESTIONS = DATA_DIR / "questions.jsonl"
JUDGE_PAIRS = DATA_DIR / "judge_pairs.jsonl"

TYPES = ("factual", "conceptual", "multi_talk", "speaker_bio", "link_reference", "comparison", "unanswerable")


@dataclass
class Question:
    id: str
    type: str
    question: str
    gold_lines: list[list[int]]
    key_facts: list[str]
    notes: str = ""
    gold_talks: list[str] = field(default_factory=list)

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"


@dataclass
class JudgePair:
    id: str
    sentence: str
    passage: str
    supported: bool
    kind: str


def _jsonl(path: Path) -> list[dict]:
    with Path(path).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    fields = Question.__dataclass_fields__
    return [Question(**{k: v for k, v in row.items() if k in fields}) for row in _jsonl(path)]


def load_pairs(path: Path = JUDGE_PAIRS) -> list[JudgePair]:
    return [JudgePair(r["id"], r["sentence"], r["passage"], bool(r["supported"]), r.get("kind", "")) for r in _jsonl(path)]


def line_to_talk(catalog: Catalog, source_name: str | None = None) -> dict[int, str]:
    """Line number (1-based) -> talk id, for the talks of one source file (by file name)."""
    mapping: dict[int, str] = {}
    for talk in catalog.talks:
        if source_name and Path(talk.source).name != source_name:
            continue
        for start, end in talk.lines:
            for n in range(start, end + 1):
                mapping[n] = talk.id
    return mapping


def attach_gold(questions: list[Question], catalog: Catalog, source_name: str = "abstracts.txt") -> list[Question]:
    """Fill ``gold_talks`` from ``gold_lines``; a range whose start line is in no talk is an error.

    A question without ``gold_lines`` may name its gold talks by id (or an unambiguous id prefix)
    in ``gold_talks``: talks of an uploaded file have no lines in ``data/abstracts.txt``, and a
    question exported from feedback (``talkqa feedback --export``) is filled in that way.
    """
    by_line = line_to_talk(catalog, source_name)
    for q in questions:
        if not q.gold_lines and q.gold_talks:
            try:
                q.gold_talks = list(dict.fromkeys(catalog.find(t).id for t in q.gold_talks))
            except LookupError as err:
                raise ValueError(f"{q.id}: gold talk {err}") from None
            continue
        talks = []
        for start, _end in q.gold_lines:
            if start not in by_line:
                raise ValueError(f"{q.id}: gold line {start} is in no indexed talk of {source_name}")
            talks.append(by_line[start])
        q.gold_talks = list(dict.fromkeys(talks))
    return questions
