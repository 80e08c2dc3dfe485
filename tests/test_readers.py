"""Corpus formats (plain text, JSONL, CSV, a directory of .txt/.md) and bad input.

Bad input is refused before anything is written: an ``InputError`` naming the
file (and the line where there is one); through the CLI, exit code 2 and one
line ``error: ...`` with no traceback, the existing index untouched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.errors import InputError
from ingest.indexer import ingest
from ingest.readers import detect_format, read_corpus

from support.corpora import make_store, write_corpus
from support.settings import make_settings

ABSTRACT_A = "In this talk, we study the implicit bias of gradient descent on separable data and show it converges to the max-margin solution."
ABSTRACT_B = "We present a theory of feature learning in two-layer networks trained with one large gradient step."


def jsonl(path: Path, *records: dict | str) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


# ------------------------------------------------------------------ JSONL


def test_jsonl_reads_one_talk_a_line_with_its_fields(tmp_path):
    path = jsonl(
        tmp_path / "talks.jsonl",
        {"title": "Implicit bias", "speaker": "Ada Lovelace", "date": "2024-05-01", "url": "https://arxiv.org/pdf/2101.00001v2", "abstract": ABSTRACT_A},
        {"abstract": ABSTRACT_B},
    )
    talks, duplicates = read_corpus([path])
    first, second = talks
    assert duplicates == 0
    assert (first.title, first.speaker, first.date) == ("Implicit bias", "Ada Lovelace", "2024-05-01")
    assert first.links == ["https://arxiv.org/abs/2101.00001"]
    assert (first.source, first.lines) == (str(path.resolve()), [(1, 1)])
    assert second.lines == [(2, 2)]


def test_jsonl_without_a_title_gets_a_derived_one(tmp_path):
    (talk,), _ = read_corpus([jsonl(tmp_path / "t.jsonl", {"abstract": ABSTRACT_A})])
    assert talk.title.startswith("The implicit bias of gradient descent")
    assert len(talk.title.removesuffix(" …").split()) <= 12


def test_jsonl_skips_blank_lines_and_keeps_line_numbers(tmp_path):
    path = jsonl(tmp_path / "t.jsonl", {"abstract": ABSTRACT_A}, "", {"abstract": ABSTRACT_B})
    talks, _ = read_corpus([path])
    assert [t.lines for t in talks] == [[(1, 1)], [(3, 3)]]


def test_jsonl_repeated_abstract_is_one_talk_with_both_lines(tmp_path):
    path = jsonl(tmp_path / "t.jsonl", {"abstract": ABSTRACT_A}, {"abstract": ABSTRACT_B}, {"abstract": ABSTRACT_A})
    talks, duplicates = read_corpus([path])
    assert duplicates == 1
    assert talks[0].lines == [(1, 1), (3, 3)]


# ------------------------------------------------------------------ CSV


def test_csv_reads_the_documented_fields(tmp_path):
    path = tmp_path / "talks.csv"
    path.write_text(
        "title,speaker,date,url,abstract\n"
        f'Implicit bias,Ada Lovelace,2024-05-01,https://github.com/org/repo,"{ABSTRACT_A}"\n'
        f',,,,"{ABSTRACT_B}"\n',
        encoding="utf-8",
    )
    first, second = read_corpus([path])[0]
    assert (first.title, first.speaker, first.date, first.links) == (
        "Implicit bias",
        "Ada Lovelace",
        "2024-05-01",
        ["https://github.com/org/repo"],
    )
    assert first.lines == [(2, 2)]
    assert second.speaker is None and second.title


def test_csv_header_is_case_and_space_insensitive(tmp_path):
    path = tmp_path / "talks.csv"
    path.write_text(f' Title , Abstract \nX,"{ABSTRACT_A}"\n', encoding="utf-8")
    (talk,), _ = read_corpus([path])
    assert (talk.title, talk.abstract) == ("X", ABSTRACT_A)


def test_csv_names_the_line_where_a_multiline_record_starts(tmp_path):
    path = tmp_path / "talks.csv"
    path.write_text(f'title,abstract\nA,"{ABSTRACT_A}\nsecond paragraph"\nB,"{ABSTRACT_B}"\n', encoding="utf-8")
    first, second = read_corpus([path])[0]
    assert (first.lines, second.lines) == ([(2, 2)], [(4, 4)])


def test_csv_refuses_an_abstract_far_longer_than_the_rest(tmp_path):
    path = tmp_path / "talks.csv"
    rows = [f'T{i},"{ABSTRACT_B} {i}"' for i in range(5)] + ['Long,"' + "word " * 4000 + '"']
    path.write_text("title,abstract\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"talks\.csv:7: an abstract of 20,000 characters"):
        read_corpus([path])


# ------------------------------------------------------------------ directory


def test_directory_reads_one_talk_a_file_with_front_matter(tmp_path):
    folder = tmp_path / "talks"
    (folder / "nested").mkdir(parents=True)
    (folder / "a.md").write_text(
        f"---\ntitle: Implicit bias\nspeaker: \"Ada Lovelace\"\ndate: 2024-05-01\nurl: arXiv:2101.00001\n---\n{ABSTRACT_A}\n",
        encoding="utf-8",
    )
    (folder / "nested" / "b.txt").write_text(f"{ABSTRACT_B}\n\nSecond paragraph of the same talk.\n", encoding="utf-8")
    (folder / "ignored.json").write_text("{}", encoding="utf-8")
    a, b = read_corpus([folder])[0]
    assert (a.title, a.speaker, a.date, a.links) == ("Implicit bias", "Ada Lovelace", "2024-05-01", ["https://arxiv.org/abs/2101.00001"])
    assert a.source.endswith("a.md") and a.lines == [(7, 7)]
    assert b.abstract == ABSTRACT_B + "\nSecond paragraph of the same talk."
    assert b.source.endswith("b.txt") and b.lines == [(1, 3)]


def test_directory_markdown_heading_is_the_title(tmp_path):
    folder = tmp_path / "talks"
    folder.mkdir()
    (folder / "a.md").write_text(f"# Feature learning in one step\n\n{ABSTRACT_B}\n", encoding="utf-8")
    (talk,), _ = read_corpus([folder])
    assert talk.title == "Feature learning in one step"
    assert talk.abstract == ABSTRACT_B


# ------------------------------------------------------------------ detection


@pytest.mark.parametrize(
    "name, fmt", [("a.txt", "txt"), ("a.TXT", "txt"), ("a.jsonl", "jsonl"), ("a.ndjson", "jsonl"), ("a.csv", "csv")]
)
def test_format_is_detected_by_extension(tmp_path, name, fmt):
    assert detect_format(tmp_path / name) == fmt


def test_a_directory_is_detected_as_dir(tmp_path):
    assert detect_format(tmp_path) == "dir"


def test_unknown_extension_asks_for_format(tmp_path):
    path = tmp_path / "talks.dat"
    path.write_text(json.dumps({"abstract": ABSTRACT_A}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"talks\.dat.*--format"):
        read_corpus([path])


def test_format_override_reads_an_unknown_extension(tmp_path):
    path = tmp_path / "talks.dat"
    path.write_text(json.dumps({"abstract": ABSTRACT_A}) + "\n", encoding="utf-8")
    (talk,), _ = read_corpus([path], fmt="jsonl")
    assert talk.abstract == ABSTRACT_A


def test_format_override_beats_the_extension(tmp_path):
    path = tmp_path / "talks.txt"
    path.write_text(f'abstract\n"{ABSTRACT_A}"\n', encoding="utf-8")
    assert [t.abstract for t in read_corpus([path], fmt="csv")[0]] == [ABSTRACT_A]
    assert read_corpus([path])[0][0].abstract.startswith("abstract\n")  # by extension: plain text


def test_the_seed_reads_as_plain_text(tmp_path, small_lines):
    talks, duplicates = read_corpus([write_corpus(tmp_path / "talks.txt", small_lines)])
    assert (len(talks), duplicates) == (7, 1)


# ------------------------------------------------------------------ bad input

#: name, file content (None: the file does not exist), the format, what the message must say after the file name.
BAD_INPUTS = {
    "missing file": ("talks.txt", None, r": no such file"),
    "empty file": ("talks.txt", b"  \n\n", r": empty file"),
    "binary file": ("talks.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", r": binary file"),
    "non-UTF-8 file": ("talks.txt", "first line\nsecond line caf\xe9\n".encode("latin-1"), r":2: not valid UTF-8"),
    "JSONL line not JSON": ("talks.jsonl", b'{"abstract": "fine"}\n{"abstract": broken\n', r":2: not JSON"),
    "JSONL record without abstract": ("talks.jsonl", b'{"abstract": "fine"}\n{"title": "x"}\n', r":2: no abstract"),
    "CSV without abstract column": ("talks.csv", b"title,speaker\nA talk,Ada\n", r":1: no 'abstract' column"),
    "CSV quote never closed": (
        "talks.csv", b'title,abstract\nA,A first abstract.\nB,"An abstract whose quote is never closed.\nC,Third.\nD,Fourth.\n',
        r":3: malformed CSV \(unexpected end of data; a quote opened there is never closed\)",
    ),
    "CSV quote swallowing rows": (
        "talks.csv", b'title,abstract\nA,"An abstract, with a stray quote.\nB,Second abstract.\nC,Third abstract."\nD,Fourth.\n',
        r":2: a quoted field runs to line 4 and holds what look like CSV rows",
    ),
    "CSV row with more fields than the header": ("talks.csv", b"title,abstract\nA,One, two\n", r":2: 3 fields, the header has 2"),
}


def make_bad(tmp_path: Path, case: str) -> tuple[Path, str]:
    name, content, message = BAD_INPUTS[case]
    path = tmp_path / "bad" / name
    path.parent.mkdir(exist_ok=True)
    if content is not None:
        path.write_bytes(content)
    return path, message


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_raises_input_error_naming_file_and_line(tmp_path, case):
    path, message = make_bad(tmp_path, case)
    with pytest.raises(InputError) as raised:
        read_corpus([path])
    assert re.match(re.escape(str(path)) + message, str(raised.value)), str(raised.value)


# ------------------------------------------------------------------ bad input through the CLI


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, small_lines, small_embedding_cache, embedding_model) -> Path:
    """A data dir holding an index of the small corpus, built once for this module."""
    root = tmp_path_factory.mktemp("readers-index")
    settings = make_settings(root / "data", [write_corpus(root / "talks.txt", small_lines)])
    shutil.copytree(small_embedding_cache, settings.cache_dir / "embeddings")
    ingest(settings, make_store(settings, embedding_model))
    return settings.data_dir


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_cli_bad_input_exits_2_with_one_line_and_leaves_the_index_untouched(run_cli, indexed, tmp_path, case):
    path, message = make_bad(tmp_path, case)
    before = run_cli("talks", "--json", data_dir=indexed)
    assert before.exit_code == 0 and json.loads(before.stdout)

    result = run_cli("ingest", path, data_dir=indexed)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert re.match("error: " + re.escape(str(path)) + message, result.stderr), result.stderr
    assert "Traceback" not in result.stderr
    assert run_cli("talks", "--json", data_dir=indexed).stdout == before.stdout


def test_console_script_reports_bad_input_in_one_line_with_exit_2(tmp_path):
    path, _ = make_bad(tmp_path, "JSONL line not JSON")
    talkqa = Path(sys.executable).parent / "talkqa"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALKQA_")}
    env["TALKQA_DATA_DIR"] = str(tmp_path / "data")
    proc = subprocess.run([str(talkqa), "ingest", str(path)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [f"error: {path}:2: not JSON (Expecting value)"]
    assert proc.stdout == ""


def test_cli_format_override_ingests_an_unknown_extension(run_cli, tmp_path):
    path = tmp_path / "talks.dat"
    path.write_text(json.dumps({"abstract": ABSTRACT_A}) + "\n" + json.dumps({"abstract": ABSTRACT_B}) + "\n", encoding="utf-8")
    refused = run_cli("ingest", path, data_dir=tmp_path / "data")
    assert refused.exit_code == 2 and "--format" in refused.stderr
    result = run_cli("ingest", path, "--format", "jsonl", "--json", data_dir=tmp_path / "data")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["talks"] == 2


def test_cli_rejects_an_unknown_format_name_with_exit_2(run_cli, tmp_path, corpus_path):
    result = run_cli("ingest", corpus_path, "--format", "xml", data_dir=tmp_path / "data")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args, says",
    [
        (["ask", "--k", "0", "a question"], "error: Invalid value for '--k': 0 is not in the range 1<=x<=50."),
        (["search", "a query", "--k", "many"], "error: Invalid value for '--k': 'many' is not a valid integer range."),
        (["ingest", "--bogus"], "error: No such option '--bogus'."),
        (["talk"], "error: Missing argument 'TALK_ID'."),
    ],
)
def test_cli_bad_options_are_one_error_line_with_exit_2(run_cli, tmp_path, args, says):
    result = run_cli(*args, data_dir=tmp_path / "data")
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(says) and line.endswith("--help`)"), line
    assert result.stdout == ""
