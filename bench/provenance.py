"""What every committed benchmark artefact names: the command, the commit, the date and the CPU."""

from __future__ import annotations

import datetime
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cpu() -> dict:
    """/proc/cpuinfo's model name and the vector-instruction flags that decide a figure's speed."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.*)$", info, re.MULTILINE)
    flags = re.search(r"^flags\s*:\s*(.*)$", info, re.MULTILINE)
    return {"model": model.group(1) if model else None,
            "flags": sorted(f for f in (flags.group(1).split() if flags else []) if f.startswith(("avx", "fma", "f16c", "amx")))}


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def provenance() -> dict:
    """command, commit (marked when the tracked files differ from it), UTC date and CPU of this run."""
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return {
        "command": "python " + " ".join(sys.argv),
        "commit": git("rev-parse", "HEAD") + (" (with uncommitted changes)" if dirty else ""),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu": cpu(),
    }
