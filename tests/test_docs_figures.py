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


# ------------------------------------------------------------------ figures against their one artefact

#: A number as a cell prints it, sign included ("-0.051", "1,526", "0.42").
NUMBER = re.compile(r"(?<![\w.])[+−-]?\d[\d,]*(?:\.\d+)?")
#: How a printed figure may relate to the artefact's value: as is, as a percentage, or ms printed as s.
SCALES = (1, 100, 0.001)
#: A goal ("≥ 0.6 — missed by 0.017") is the issue's figure, not the run's.
GOAL = re.compile(r"^[<>≤≥]")
#: A row whose label says it has no artefact ("counted from results.jsonl, not committed: no artefact").
NO_ARTEFACT = re.compile(r"no artefact", re.IGNORECASE)
#: Cells of one-artefact tables that print a figure from elsewhere, with where it comes from: (doc, cell).
NOT_FROM_THE_ARTEFACT: dict[tuple[str, str], str] = {
    ("evaluation.md", "0.423 (0.377 before the veto, run 2)"): "0.377 is run 2's κ, docs/eval-full/metrics.json",
}


def json_numbers(path: Path) -> list[float]:
    """Every number in a JSON file: its numeric values and the numbers written inside its strings."""
    found: list[float] = []

    def walk(value) -> None:
        if isinstance(value, bool):
            return
        if isinstance(value, (int, float)):
            found.append(float(value))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            found.extend(printed_value(token) for token in NUMBER.findall(value))

    walk(json.loads(path.read_text(encoding="utf-8")))
    return found


def printed_value(token: str) -> float:
    return float(token.replace(",", "").replace("−", "-"))


def shows(token: str, values: list[float]) -> bool:
    """Whether ``token`` prints one of ``values`` to the precision it is printed with."""
    printed = printed_value(token)
    places = len(token.split(".")[1]) if "." in token else 0
    return any(abs(v * scale - printed) <= 0.5 * 10 ** -places + 1e-9 for v in values for scale in SCALES)


def single_artefact(owned: str, doc_dir: Path) -> Path | None:
    """The one JSON artefact a table's text names, if it names exactly one (and says nothing is unbacked)."""
    if UNBACKED_MARK.search(owned):
        return None
    paths = {resolve(m, doc_dir).resolve() for m in ARTEFACT.findall(owned) if m.endswith(".json")}
    paths = {p for p in paths if p.is_file()}
    return paths.pop() if len(paths) == 1 else None


def checked_cells(row: str, doc_name: str) -> list[str]:
    """The cells of a row that must be the artefact's figures: not the label, not a goal, not an exception."""
    label, *rest = cells(row)
    if NO_ARTEFACT.search(label):
        return []
    return [c for c in rest if is_figure(c) and not GOAL.match(c) and (doc_name, c) not in NOT_FROM_THE_ARTEFACT]


def figures_not_in_artefact(text: str, doc_dir: Path, doc_name: str = "") -> list[str]:
    """Each figure of a one-artefact table that is none of that artefact's numbers: "line N: cell"."""
    lines = prose_lines(text)
    every = tables(lines)
    out = []
    for table in figure_tables(lines):
        artefact = single_artefact(owned_text(lines, table, every), doc_dir)
        if artefact is None:
            continue
        values = json_numbers(artefact)
        for i in range(table.first + 2, table.last + 1):
            for cell in checked_cells(lines[i], doc_name):
                if not all(shows(t, values) for t in NUMBER.findall(cell)):
                    out.append(f"line {i + 1}: {cell} (not in {artefact.name})")
    return out


# ------------------------------------------------------------------ the docs


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_artefact_a_doc_names_exists(doc):
    assert missing_artefacts(doc.read_text(encoding="utf-8"), doc.parent) == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_table_of_figures_names_its_artefact_or_says_it_has_none(doc):
    assert unbacked_tables(doc.read_text(encoding="utf-8"), doc.parent) == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_a_table_backed_by_one_json_prints_only_that_jsons_numbers(doc):
    assert figures_not_in_artefact(doc.read_text(encoding="utf-8"), doc.parent, doc.name) == []


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


DET = json.loads((PROJECT_ROOT / EXISTING).read_text(encoding="utf-8"))["judges"]["det"]
JUDGE_TABLE = "## Judge\n\n| judge | accuracy | κ |\n|---|---|---|\n| det | {accuracy} | {kappa} |\n\nArtefact: `" + EXISTING + "`.\n"


@pytest.mark.parametrize(
    ("accuracy", "kappa", "wrong"),
    [
        (f"{DET['accuracy']:.3f}", f"{DET['kappa']:.3f}", 0),
        (f"{DET['accuracy']:.2f}", f"{DET['kappa']:.1f}", 0),  # fewer places: still the same value
        (f"{DET['accuracy'] * 100:.1f} %", f"{DET['kappa']:.3f}", 0),  # as a percentage
        (f"{DET['accuracy']:.3f}", f"{DET['kappa'] + 0.01:.3f}", 1),  # a figure the artefact does not hold
        (f"{DET['accuracy'] + 0.1:.2f}", f"{DET['kappa'] - 0.1:.2f}", 2),
    ],
    ids=["as-is", "rounded", "percent", "one-wrong", "both-wrong"],
)
def test_the_check_finds_a_figure_its_artefact_does_not_hold(accuracy, kappa, wrong):
    doc = JUDGE_TABLE.format(accuracy=accuracy, kappa=kappa)
    assert len(figures_not_in_artefact(doc, PROJECT_ROOT / "docs")) == wrong


def test_a_table_naming_two_artefacts_or_none_is_not_checked_against_one():
    two = JUDGE_TABLE.format(accuracy="0.5", kappa="0.5") + "Also `docs/results/judge-choice-2026-12-02.json`.\n"
    unbacked = JUDGE_TABLE.format(accuracy="0.5", kappa="0.5").replace("Artefact:", "*Not reproducible at this commit:*")
    assert figures_not_in_artefact(two, PROJECT_ROOT / "docs") == []
    assert figures_not_in_artefact(unbacked, PROJECT_ROOT / "docs") == []
