"""Every figure the docs publish points at what backs it (issue 20).

A reader of README.md or docs/*.md must be able to check a published number. So:

* every artefact the docs name (a JSON under ``docs/results/``, a run's ``metrics.json`` or
  ``report.md`` under ``docs/eval-*/``) exists;
* every table of figures is backed: the note under it (up to the next table or heading; for the
  first table of a section, the section's opening text too) names an existing artefact, or says
  plainly that the figures are "not reproducible at this commit";
* every committed ``docs/results/*.json`` names its command, commit, date and CPU.

A table of figures is one with a row holding two or more cells that are numbers (a metric beside a
baseline, a value beside a goal), or whose rows mostly hold an unsigned number after their label
(a phase and its seconds). Tables of settings or exit codes hold a number in a few rows or in the
first column only, and rule weights are signed (+2.5): none of them are figures. Pure text reading:
no model, no index.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.core.config import PROJECT_ROOT

DOCS = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
RESULTS = sorted((PROJECT_ROOT / "docs" / "results").glob("*.json"))

#: An artefact path as the docs write it: from the checkout (docs/...) or relative to the doc (results/...).
ARTEFACT = re.compile(r"(?<![\w/.-])((?:docs/)?(?:results/[\w.-]+\.json|eval-[\w-]+/(?:metrics\.json|report\.md))|eval/data/[\w.-]+\.jsonl)")
UNBACKED_MARK = re.compile(r"not reproducible at this commit", re.IGNORECASE)
HEADING = re.compile(r"^#{1,6} ")
FENCE = re.compile(r"^\s*```")
SEPARATOR = re.compile(r"^\|[\s:|-]+\|$")
#: A cell that is a figure: a number first (a bound or sign allowed before it), short.
FIGURE_CELL = re.compile(r"^[~≈<>≤≥+−-]?\s*\d[\d,]*(?:\.\d+)?(?:\s|$|%|×|/)")
SIGNED = re.compile(r"^[+−-]")


@dataclass(frozen=True)
class Table:
    first: int  # 0-based line numbers, inclusive
    last: int


def prose_lines(text: str) -> list[str]:
    """The doc's lines with fenced code blanked (a `# comment` in a shell block is not a heading)."""
    lines, inside = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            inside = not inside
            lines.append("")
        else:
            lines.append("" if inside else line)
    return lines


def cells(row: str) -> list[str]:
    return [c.strip().strip("*`").strip() for c in row.strip().strip("|").split("|")]


def is_figure(cell: str) -> bool:
    return len(cell) <= 60 and bool(FIGURE_CELL.match(cell))


def is_figure_row(row: str) -> bool:
    return sum(1 for c in cells(row) if is_figure(c)) >= 2


def labels_a_measure(row: str) -> bool:
    """A label, then an unsigned number: "import chromadb | 1.06"."""
    return any(is_figure(c) and not SIGNED.match(c) for c in cells(row)[1:])


def tables(lines: list[str]) -> list[Table]:
    found, start = [], None
    for i, line in enumerate([*lines, ""]):
        if line.startswith("|"):
            start = i if start is None else start
        elif start is not None:
            found.append(Table(start, i - 1))
            start = None
    return found


def figure_tables(lines: list[str]) -> list[Table]:
    """Tables with a header, a separator and a body row of figures."""
    found = []
    for t in tables(lines):
        if t.last - t.first < 2 or not SEPARATOR.match(lines[t.first + 1].strip()):
            continue
        body = [lines[i] for i in range(t.first + 2, t.last + 1)]
        if any(is_figure_row(row) for row in body) or 2 * sum(map(labels_a_measure, body)) >= len(body):
            found.append(t)
    return found


def owned_text(lines: list[str], table: Table, all_tables: list[Table]) -> str:
    """The table and the note under it (up to the next table or heading); the first table of a
    section also owns the section's opening text. Text between two tables is the first one's note."""
    start = table.first
    while start > 0 and not HEADING.match(lines[start - 1]) and not any(t.last == start - 1 for t in all_tables):
        start -= 1
    if start > 0 and not HEADING.match(lines[start - 1]):
        start = table.first  # another table comes before: what lies between is that table's note
    end = table.last
    while end + 1 < len(lines) and not HEADING.match(lines[end + 1]) and not any(t.first == end + 1 for t in all_tables):
        end += 1
    return "\n".join(lines[start:end + 1])


def resolve(path: str, doc_dir: Path) -> Path:
    return PROJECT_ROOT / path if path.startswith(("docs/", "eval/")) else doc_dir / path


def missing_artefacts(text: str, doc_dir: Path) -> list[str]:
    return sorted({m for m in ARTEFACT.findall("\n".join(prose_lines(text))) if not resolve(m, doc_dir).is_file()})


def unbacked_tables(text: str, doc_dir: Path) -> list[str]:
    """The header line of each table of figures that neither names an existing artefact nor says it has none."""
    lines = prose_lines(text)
    every = tables(lines)
    out = []
    for table in figure_tables(lines):
        owned = owned_text(lines, table, every)
        backed = any(resolve(m, doc_dir).is_file() for m in ARTEFACT.findall(owned))
        if not backed and not UNBACKED_MARK.search(owned):
            out.append(f"line {table.first + 1}: {lines[table.first][:80]}")
    return out


# ------------------------------------------------------------------ the docs


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_artefact_a_doc_names_exists(doc):
    assert missing_artefacts(doc.read_text(encoding="utf-8"), doc.parent) == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_table_of_figures_names_its_artefact_or_says_it_has_none(doc):
    assert unbacked_tables(doc.read_text(encoding="utf-8"), doc.parent) == []


def test_the_docs_have_tables_of_figures_to_check():
    benchmarks = prose_lines((PROJECT_ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8"))
    evaluation = prose_lines((PROJECT_ROOT / "docs" / "evaluation.md").read_text(encoding="utf-8"))
    assert len(figure_tables(benchmarks)) >= 5 and len(figure_tables(evaluation)) >= 3


@pytest.mark.parametrize("result", RESULTS, ids=lambda p: p.name)
def test_every_committed_result_names_its_command_commit_date_and_cpu(result):
    text = result.read_text(encoding="utf-8")
    data = json.loads(text)
    data = data.get("provenance", data)  # a result may keep its provenance in one block
    assert {"command", "commands"} & data.keys(), "no command"
    assert data.get("commit"), "no commit"
    assert "cpu" in data or "cpu" in data.get("machine", {}), "no CPU"
    assert "date" in data or re.search(r"\b20\d\d-\d\d-\d\d[T ]\d\d:\d\d", text), "no date"


def test_no_committed_result_is_large():
    assert [p.name for p in RESULTS if p.stat().st_size > 200_000] == []


# ------------------------------------------------------------------ the check itself, on made-up docs

FIGURES = """## Speed

| figure | measured | goal |
|---|---|---|
| first token p50 | 4.2 s | ≤ 4 s |
"""
EXISTING = "docs/results/det-judge-2026-12-02.json"


@pytest.mark.parametrize(
    ("doc", "unbacked"),
    [
        (FIGURES, 1),
        (FIGURES + f"\nArtefact: `{EXISTING}`.\n", 0),
        (FIGURES + "\nArtefact: [it](results/det-judge-2026-12-02.json).\n", 0),
        (FIGURES + "\nArtefact: `docs/results/never-written.json`.\n", 1),
        (FIGURES + "\n*Not reproducible at this commit:* the output was not kept.\n", 0),
        # an artefact under another heading backs nothing here
        (FIGURES + f"\n## Another section\n\nArtefact: `{EXISTING}`.\n", 1),
        # an artefact that backs the table before does not back the next one
        (FIGURES + f"\nArtefact: `{EXISTING}`.\n\n| a | b | c |\n|---|---|---|\n| x | 1.0 | 2.0 |\n", 1),
        # settings (few numbers) and rule weights (signed) are not tables of figures
        ("| variable | default |\n|---|---|\n| `TALKQA_API_QUEUE` | 8 |\n| `TALKQA_LLM__BACKEND` | `auto` |\n"
         "| `TALKQA_COLLECTION` | `talks` |\n", 0),
        ("| evidence | weight |\n|---|---|\n| a continuation cue | +2.5 |\n| a new talk opens | −1.4 |\n", 0),
        # a label and its measure, one a row, is a table of figures
        ("| phase | seconds |\n|---|---|\n| import chromadb | 1.06 |\n| open the store | 0.82 |\n", 1),
        # a shell comment in a code block is not a heading that would cut the table off its note
        (FIGURES + "\n```sh\n# a comment\n```\n\nArtefact: `" + EXISTING + "`.\n", 0),
    ],
    ids=["no-artefact", "artefact-path", "relative-link", "missing-artefact", "marked-unbacked",
         "artefact-in-other-section", "artefact-of-previous-table", "settings-table", "weights-table",
         "label-and-measure", "code-comment"],
)
def test_the_check_tells_backed_tables_from_unbacked_ones(doc, unbacked):
    assert len(unbacked_tables(doc, PROJECT_ROOT / "docs")) == unbacked


def test_a_named_artefact_that_does_not_exist_is_reported():
    doc = "See [the run](eval-v9/metrics.json) and `docs/results/det-judge-2026-12-02.json`.\n"
    assert missing_artefacts(doc, PROJECT_ROOT / "docs") == ["eval-v9/metrics.json"]
