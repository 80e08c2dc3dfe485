"""`talkqa` as a real subprocess, with faults injected by tests/fault_runner.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest


from support.cli import CliResult
from support.settings import TESTS


# ------------------------------------------------------------------ the CLI in a subprocess, with faults

FAULT_RUNNER = TESTS / "fault_runner.py"


def talkqa_env(data_dir: Path, **extra: str) -> dict:
    """The environment of a `talkqa` subprocess: no developer TALKQA_*, this data dir, small write batches."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALKQA_")}
    env.update({"TALKQA_DATA_DIR": str(data_dir), "TALKQA_EMBEDDING__BATCH_SIZE": "1",
                "PYTHONPATH": str(TESTS.parent), **extra})
    return env


@dataclass
class Talkqa:
    """`talkqa ARGS` as a real process (optionally with a fault from tests/fault_runner.py armed)."""

    cwd: Path

    def command(self, args, fault: tuple[str, str] = ("none", "kill")) -> list[str]:
        return [sys.executable, str(FAULT_RUNNER), *fault, "--", *map(str, args)]

    def start(self, *args, data_dir: Path, fault=("none", "kill"), env: dict | None = None, prefix: list[str] = ()) -> subprocess.Popen:
        return subprocess.Popen([*prefix, *self.command(args, fault)], cwd=self.cwd, env=talkqa_env(data_dir, **(env or {})),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def run(self, *args, data_dir: Path, fault=("none", "kill"), env: dict | None = None, prefix: list[str] = (), timeout: float = 300) -> CliResult:
        proc = self.start(*args, data_dir=data_dir, fault=fault, env=env, prefix=prefix)
        out, err = proc.communicate(timeout=timeout)
        return CliResult(proc.returncode, out, err)


@pytest.fixture
def talkqa(tmp_path) -> Talkqa:
    return Talkqa(cwd=tmp_path)


@pytest.fixture
def proc_index(tmp_path, corpus_path, small_embedding_cache, talkqa) -> Path:
    """A data dir holding an index of the small corpus, built by a `talkqa ingest` process (warm cache)."""
    data = tmp_path / "data"
    shutil.copytree(small_embedding_cache, data / "cache" / "embeddings")
    result = talkqa.run("ingest", corpus_path, data_dir=data)
    assert result.exit_code == 0, result.stderr
    return data
