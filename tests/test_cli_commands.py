"""The command line's frame (app/cli/commands.py, context.py, errors.py): one group that registers the
commands of every module, turns any command's failure into one line, and gives a command one ``Service``."""

from __future__ import annotations

import pytest

from app.cli.commands import cli
from app.service import Service


def test_the_group_registers_the_commands_of_every_module():
    assert sorted(cli.commands) == ["ask", "chat", "doctor", "eval", "eval-compare", "feedback", "ingest", "search", "serve", "setup",
                                    "talk", "talks", "titles"]


def test_a_bug_in_a_command_is_one_error_line_and_exit_1(run_cli, tmp_path, monkeypatch):
    def broken(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(Service, "catalog", broken)
    result = run_cli("talks", data_dir=tmp_path / "d")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: unexpected RuntimeError: boom (set TALKQA_DEBUG=1 for a traceback)"


def test_talkqa_debug_lets_the_traceback_through(run_cli, tmp_path, monkeypatch):
    def broken(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(Service, "catalog", broken)
    with pytest.raises(RuntimeError, match="boom"):
        run_cli("talks", data_dir=tmp_path / "d", env={"TALKQA_DEBUG": "1"})


def test_ask_builds_one_service_with_the_backend_it_was_given(run_cli, seed_index, monkeypatch):
    built = []
    real_init = Service.__init__

    def counting_init(self, settings, **kwargs):
        built.append(settings)
        real_init(self, settings, **kwargs)

    monkeypatch.setattr(Service, "__init__", counting_init)
    result = run_cli("ask", "--no-llm", "--no-server", "--backend", "openai", "tropical geometry of neural networks",
                     data_dir=seed_index.settings.data_dir)
    assert result.exit_code == 0, result.stderr
    assert [s.llm.backend for s in built] == ["openai"]
