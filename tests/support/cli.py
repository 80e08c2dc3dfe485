"""The CLI in-process (click's CliRunner), building its own Settings as in production."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

import app.models.embeddings


# ------------------------------------------------------------------ CLI


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(monkeypatch, tmp_path, embedding_model):
    """Run `talkqa ARGS` in-process (click's CliRunner) against ``data_dir``.

    The CLI builds its own Settings from TALKQA_* variables, as in production;
    only the model is shared with the session so that it is not loaded again.
    """
    from app.cli.commands import cli

    real = app.models.embeddings.cached_embeddings
    monkeypatch.setattr(app.models.embeddings, "cached_embeddings", lambda s, model=None: real(s, model or embedding_model))
    monkeypatch.chdir(tmp_path)  # no developer `.env` is read

    def run(*args, data_dir: Path, env: dict | None = None) -> CliResult:
        result = CliRunner().invoke(cli, [str(a) for a in args], env={"TALKQA_DATA_DIR": str(data_dir), **(env or {})})
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception  # a traceback would have escaped: fail loudly
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return run
