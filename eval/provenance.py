"""Where and when a run was made: the commit, the UTC start time and the CPU, written into ``metrics.json``'s meta.

A run's figures are only comparable with runs on the same code and the same kind of CPU (the embedded
model runs about twice as fast with AVX-512), so every report names both (issue 20).
"""

from __future__ import annotations

import datetime
import re
import subprocess
from pathlib import Path

from app.core.resources import INSTALL_ROOT, is_checkout
from app.models.llama_build import cpu_flags

#: The flag families that decide the embedded model's speed (the doctor lists the same kinds).
SPEED_FLAGS = ("avx", "fma", "f16c", "amx")


def commit(root: Path = INSTALL_ROOT) -> str:
    """``git rev-parse HEAD`` of a checkout, marked when tracked files differ; ``installed`` otherwise."""
    if not is_checkout(root):
        return "installed"
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    head = git("rev-parse", "HEAD") or "unknown"
    return head + (" (with uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else "")


def cpu(cpuinfo: Path = Path("/proc/cpuinfo")) -> dict:
    """The CPU's model name and its speed-deciding instruction-set flags."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    name = re.search(r"^model name\s*:\s*(.*)$", text, re.MULTILINE)
    return {"model": name.group(1).strip() if name else None,
            "flags": sorted(f for f in cpu_flags(cpuinfo) if f.startswith(SPEED_FLAGS))}


def run_provenance() -> dict:
    """commit, started (UTC) and cpu, for a run's meta."""
    return {"commit": commit(), "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), "cpu": cpu()}
