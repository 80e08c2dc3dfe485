"""Read corpus files into talks.

Formats, detected by extension (``--format`` overrides):

* ``txt``: one paragraph a line, talks inferred by ingest.segment.
* ``jsonl``: one talk a line, fields title, speaker, date, url, abstract.
* ``csv``: a header row with the same fields; ``abstract`` is required.
* ``dir``: a directory of .txt/.md files, one talk a file, optional
  front matter between ``---`` lines (title, speaker, date, url).

Every problem is an ``InputError`` naming file and line, raised before
anything is written, so a bad file never touches the existing index.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from app.core.config import PROJECT_ROOT
from app.core.errors import InputError
from ingest.segment import Kind, Line, Segment, segment
from app.core.talk import Talk
from app.core.text import normalise
from ingest.derive import (
    derive_title,
    extract_coauthors,
    extract_links,
    speaker_from_bio,
    speaker_from_inline_bio,
    talk_id,
)

FORMATS = ("txt", "jsonl", "csv", "dir")
_EXTENSIONS = {".txt": "txt", ".text": "txt", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
FIELDS = ("title", "speaker", "date", "url", "abstract")

Embed = Callable[[list[str]], np.ndarray]


def detect_format(path: Path) -> str:
    if path.is_dir():
        return "dir"
    fmt = _EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: unknown format {path.suffix!r}; use --format one of {', '.join(FORMATS)}")
    return fmt


def read_text(path: Path) -> str:
    """The file's text, refusing what is missing, empty, binary or not UTF-8."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise InputError(f"{path}: binary file (contains NUL bytes), expected UTF-8 text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(f"{path}:{line}: not valid UTF-8 (byte 0x{data[err.start]:02x})") from None
    if not text.strip():
        raise InputError(f"{path}: empty file")
    return text


# ----------------------------------------------------------------- plain text


def _talk_from_segment(seg: Segment, source: str) -> Talk:
    abstract = "\n".join(seg.texts(Kind.PROSE)) or seg.lines[0].text
    notes = [line.text for line, kind in zip(seg.lines, seg.kinds) if kind is not Kind.PROSE]
    speaker = None
    for line, kind in zip(seg.lines, seg.kinds):
        if kind is Kind.BIO and (speaker := speaker_from_bio(line.text)):
            break
    else:
        for line in seg.lines:
            if speaker := speaker_from_inline_bio(line.text):
                break
    coauthors: list[str] = []
    for text in [*notes, abstract]:
        coauthors += [n for n in extract_coauthors(text) if n not in coauthors]
    return Talk(
        id=talk_id(abstract),
        title=derive_title(abstract),
        title_source="derived",
        abstract=abstract,
        notes=notes,
        speaker=speaker,
        coauthors=[c for c in coauthors if c != speaker],
        links=extract_links("\n".join([abstract, *notes])),
        source=source,
        lines=[(seg.start, seg.end)],
    )


def read_txt(path: Path, embed: Embed | None) -> list[Talk]:
    text = read_text(path)
    lines = [Line(number, raw.strip()) for number, raw in enumerate(text.splitlines(), start=1) if raw.strip()]
    return [_talk_from_segment(seg, source_name(path)) for seg in segment(lines, embed=embed)]


# ----------------------------------------------------------------- structured


def _talk_from_record(record: dict, source: str, line: int, where: str) -> Talk:
    abstract = str(record.get("abstract") or "").strip()
    if not abstract:
        raise InputError(f"{where}: no abstract")
    given = str(record.get("title") or "").strip()
    url = str(record.get("url") or "").strip()
    links = extract_links(" ".join([url, abstract]))
    return Talk(
        id=talk_id(abstract),
        title=given or derive_title(abstract),
        title_source="given" if given else "derived",
        abstract=abstract,
        speaker=(str(record.get("speaker")).strip() or None) if record.get("speaker") else None,
        date=str(record.get("date")).strip() if record.get("date") else None,
        links=links,
        source=source,
        lines=[(line, line)],
    )


def read_jsonl(path: Path) -> list[Talk]:
    talks = []
    for number, raw in enumerate(read_text(path).splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as err:
            raise InputError(f"{path}:{number}: not JSON ({err.msg})") from None
        if not isinstance(record, dict):
            raise InputError(f"{path}:{number}: expected a JSON object with an abstract field")
        talks.append(_talk_from_record(record, source_name(path), number, f"{path}:{number}"))
    return talks


#: A quoted field this many times longer than the median of its column (and at least
#: ``_LONG_FIELD_MIN`` characters) has most likely swallowed the rows after an unclosed quote.
_LONG_FIELD_FACTOR = 10
_LONG_FIELD_MIN = 10_000


def read_csv(path: Path) -> list[Talk]:
    """Strict CSV: a quote never closed, a row with more fields than the header, or a field
    that holds what look like rows is refused, naming the line where the record starts."""
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        raw_header = next(reader)
    except (csv.Error, StopIteration) as err:
        raise InputError(f"{path}:1: malformed CSV header ({err})") from None
    header = [h.strip().lower() for h in raw_header]
    if "abstract" not in header:
        raise InputError(f"{path}:1: no 'abstract' column (columns: {', '.join(header) or 'none'})")
    records: list[tuple[int, dict]] = []
    end = reader.line_num
    while True:
        start = end + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            hint = "; a quote opened there is never closed" if "end of data" in str(err) else ""
            raise InputError(f"{path}:{start}: malformed CSV ({err}{hint})") from None
        end = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise InputError(f"{path}:{start}: {len(row)} fields, the header has {len(header)} (an unquoted comma?)")
        for cell in row:
            if "\n" in cell and any(line.count(",") >= len(header) - 1 for line in cell.splitlines()[1:]) and len(header) > 1:
                raise InputError(
                    f"{path}:{start}: a quoted field runs to line {end} and holds what look like CSV rows (a quote not closed?)"
                )
        records.append((start, dict(zip(header, row))))
    _check_field_lengths(path, records)
    return [_talk_from_record(record, source_name(path), line, f"{path}:{line}") for line, record in records]


def _check_field_lengths(path: Path, records: list[tuple[int, dict]]) -> None:
    lengths = sorted(len(r.get("abstract") or "") for _, r in records)
    if len(lengths) < 3:
        return
    median = lengths[len(lengths) // 2]
    for line, record in records:
        n = len(record.get("abstract") or "")
        if n >= _LONG_FIELD_MIN and n > _LONG_FIELD_FACTOR * max(median, 1):
            raise InputError(
                f"{path}:{line}: an abstract of {n:,} characters, {n // max(median, 1)} times the median: "
                "did a quote swallow the rows after it?"
            )


_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


def read_dir(path: Path) -> list[Talk]:
    files = sorted(p for p in path.rglob("*") if p.suffix.lower() in (".txt", ".md") and p.is_file())
    if not files:
        raise InputError(f"{path}: no .txt or .md files")
    talks = []
    for file in files:
        text = read_text(file)
        record: dict[str, str] = {}
        body_start = 1
        if match := _FRONT_MATTER.match(text):
            for number, raw in enumerate(match.group(1).splitlines(), start=2):
                if not raw.strip():
                    continue
                key, sep, value = raw.partition(":")
                if not sep:
                    raise InputError(f"{file}:{number}: front matter line is not 'key: value'")
                record[key.strip().lower()] = value.strip().strip("\"'")
            body_start = match.group(0).count("\n") + 1
            text = text[match.end() :]
        body = text.strip()
        if heading := re.match(r"#\s+(.+)\n?", body):  # a Markdown title line
            record.setdefault("title", heading.group(1).strip())
            body = body[heading.end() :]
        record["abstract"] = re.sub(r"\s*\n\s*\n\s*", "\n", body).strip()
        talk = _talk_from_record(record, source_name(file), body_start, str(file))
        end = body_start + text.strip().count("\n")
        talks.append(talk.model_copy(update={"lines": [(body_start, end)]}))
    return talks


# ----------------------------------------------------------------- together


def merge_duplicates(talks: Iterable[Talk]) -> tuple[list[Talk], int]:
    """One talk per abstract: a repeated abstract adds its line range to the first occurrence.

    Returns the talks in first-occurrence order and how many occurrences were merged.
    """
    by_key: dict[str, Talk] = {}
    merged = 0
    for talk in talks:
        key = normalise(talk.abstract)
        first = by_key.get(key)
        if first is None:
            by_key[key] = talk.model_copy(deep=True)
            continue
        merged += 1
        if talk.source == first.source:
            first.lines.extend(talk.lines)
        for note in talk.notes:
            if note not in first.notes:
                first.notes.append(note)
        first.links = list(dict.fromkeys([*first.links, *talk.links]))
        first.speaker = first.speaker or talk.speaker
        first.coauthors = list(dict.fromkeys([*first.coauthors, *talk.coauthors]))
    return list(by_key.values()), merged


def source_name(path: Path) -> str:
    """How a talk's source is recorded: relative to the project for bundled files, else absolute."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(resolved)


def read_corpus(paths: Iterable[Path], fmt: str | None = None, embed: Embed | None = None) -> tuple[list[Talk], int]:
    """All talks of all ``paths``, duplicates merged. Raises ``InputError`` before anything is indexed."""
    talks: list[Talk] = []
    for path in paths:
        path = Path(path)
        kind = fmt or detect_format(path)
        if kind == "dir" and not path.is_dir():
            raise InputError(f"{path}: not a directory")
        if kind == "txt":
            talks += read_txt(path, embed)
        elif kind == "jsonl":
            talks += read_jsonl(path)
        elif kind == "csv":
            talks += read_csv(path)
        elif kind == "dir":
            talks += read_dir(path)
        else:
            raise InputError(f"unknown format {kind!r}; use one of {', '.join(FORMATS)}")
    if not talks:
        raise InputError("no talks found in " + ", ".join(map(str, paths)))
    return merge_duplicates(talks)
