"""The talk record every stage shares: ingest writes it, the store keeps it, answers cite it.

A talk is its abstract plus notes (biography, joint work, references, links),
with what ingest derived from them (title, speaker, co-authors, links) and
where it sits in its source file. A ``Catalog`` is the set of live talks of
one index generation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, Field

LineRange = tuple[int, int]


class Talk(BaseModel):
    """One talk, ready to chunk and index. ``lines`` holds every occurrence in ``source``."""

    id: str
    title: str
    #: Where ``title`` comes from: the file ("given", never replaced), ingest's heuristic
    #: ("derived"), or the chat model ("generated", applied when the catalog is loaded; app/index/titles.py).
    #: Records written before this field existed read as "given" until the next ingest rewrites them.
    title_source: Literal["given", "derived", "generated"] = "given"
    abstract: str
    notes: list[str] = Field(default_factory=list)
    speaker: str | None = None
    coauthors: list[str] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list)
    date: str | None = None
    source: str
    lines: list[LineRange] = Field(default_factory=list)

    @property
    def text(self) -> str:
        """Abstract and notes, as a reader sees the talk."""
        return "\n\n".join([self.abstract, *self.notes])

    def summary(self) -> dict:
        """The stable JSON shape of ``talkqa talks --json`` (other tools read it)."""
        return {
            "id": self.id,
            "title": self.title,
            "speaker": self.speaker,
            "source": self.source,
            "lines": [list(r) for r in self.lines],
            "links": self.links,
        }

    def line_ranges(self, dash: str = "-") -> str:
        """"5-6, 59": every occurrence of the talk in its source, for people."""
        return format_ranges(self.lines, dash)


def format_ranges(lines, dash: str = "-") -> str:
    return ", ".join(f"{s}" if s == e else f"{s}{dash}{e}" for s, e in lines)


@dataclass
class Catalog:
    """The live talks of an index generation."""

    generation: int
    talks: list[Talk]

    @cached_property
    def by_id(self) -> dict[str, Talk]:
        return {talk.id: talk for talk in self.talks}

    def find(self, id_prefix: str) -> Talk:
        """The one talk whose id starts with ``id_prefix``; ``LookupError`` saying why otherwise."""
        prefix = (id_prefix or "").strip()
        matches = [t for t in self.talks if prefix and t.id.startswith(prefix)]
        if len(matches) != 1:
            raise LookupError(f"no talk with id {prefix!r}" if not matches else f"{prefix!r} matches {len(matches)} talks")
        return matches[0]
