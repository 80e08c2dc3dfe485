"""`talkqa ask` refuses a question it cannot use with one ``error:`` line that says the limit and the fix,
and exit 2, on every path: plain, --json, --no-llm, on a terminal or not (a real process: issue #25).

The question is checked before the embedded model starts loading: llama.cpp silences the
process's stderr while it loads, which used to swallow the error line.
"""

from __future__ import annotations

import os
import re
import subprocess

import pytest

LONG = ("How do kernel methods relate to neural networks in the infinite width limit? " * 70)[:5000]
PATHS = {"plain": [], "json": ["--json"], "no-llm": ["--no-llm"], "no-llm-json": ["--no-llm", "--json"]}


def run_on_a_terminal(talkqa, *args, data_dir) -> tuple[int, str]:
    """`talkqa ARGS` with its stdout on a pseudo-terminal (as a person runs it); returns (exit code, stderr)."""
    from support.processes import talkqa_env

    leader, follower = os.openpty()
    try:
        proc = subprocess.Popen(talkqa.command(args), cwd=talkqa.cwd, env=talkqa_env(data_dir), stdout=follower,
                                stderr=subprocess.PIPE, text=True)
        _, err = proc.communicate(timeout=300)
    finally:
        os.close(follower)
        os.close(leader)
    return proc.returncode, err


def assert_one_error_line(stderr: str, *wanted: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    for text in wanted:
        assert re.search(text, lines[0]), (text, lines[0])


@pytest.mark.parametrize("path", list(PATHS), ids=list(PATHS))
def test_a_too_long_question_gets_one_error_line_with_the_limit_in_characters(talkqa, proc_index, path):
    result = talkqa.run("ask", *PATHS[path], LONG, data_dir=proc_index)
    assert result.exit_code == 2 and result.stdout == ""
    assert_one_error_line(result.stderr, r"5,000 characters", r"at most about [\d,]+ characters", r"shorten it")
    assert "token" not in result.stderr


@pytest.mark.parametrize("path", list(PATHS), ids=list(PATHS))
def test_a_too_long_question_gets_its_error_line_on_a_terminal(talkqa, proc_index, path):
    code, stderr = run_on_a_terminal(talkqa, "ask", *PATHS[path], LONG, data_dir=proc_index)
    assert code == 2
    assert_one_error_line(stderr, r"5,000 characters", r"shorten it")


@pytest.mark.parametrize("path", list(PATHS), ids=list(PATHS))
def test_an_empty_question_gets_one_error_line_that_says_what_to_do(talkqa, proc_index, path):
    result = talkqa.run("ask", *PATHS[path], "   ", data_dir=proc_index)
    assert result.exit_code == 2 and result.stdout == ""
    assert_one_error_line(result.stderr, r"^error: the question is empty: type a question about the talks$")
