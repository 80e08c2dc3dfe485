"""The llama.cpp build this environment has, against the instruction sets of this CPU.

scripts/install-llama.sh (run by ``make install`` and ``talkqa setup``) builds
llama-cpp-python with named instruction sets and records them in
``<venv>/talkqa-llama-build.json``. A build carried to a CPU that lacks one of
them dies with SIGILL on the first token, so ``talkqa doctor`` compares the
record with ``/proc/cpuinfo`` here, and ``talkqa setup`` asks for a compiler
only when the build must be redone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

STAMP_FILE = "talkqa-llama-build.json"
DISTRIBUTION = "llama-cpp-python"


@dataclass(frozen=True)
class LlamaBuild:
    """What install-llama.sh recorded: the version, the tier and the CPU flags the build needs."""

    version: str
    tier: str
    tag: str
    cmake_args: str
    cpu_flags_required: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LlamaStatus:
    """The installed llama-cpp-python (None: not installed), its build record, and what this CPU lacks of it."""

    installed: str | None
    build: LlamaBuild | None
    missing_flags: list[str]

    @property
    def fits_this_cpu(self) -> bool:
        """Installed by the script, at the recorded version, for instruction sets this CPU has."""
        return (self.installed is not None and self.build is not None and self.build.version == self.installed
                and not self.missing_flags)


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str]:
    """The flags of the first CPU in ``cpuinfo`` (empty where there is no such file)."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    line = next((line for line in text.splitlines() if line.startswith("flags")), "")
    return set(line.partition(":")[2].split())


def read_build(prefix: Path) -> LlamaBuild | None:
    """The build record in the environment at ``prefix``; None when absent or unreadable."""
    try:
        raw = json.loads((Path(prefix) / STAMP_FILE).read_text(encoding="utf-8"))
        return LlamaBuild(**raw)
    except (OSError, ValueError, TypeError):
        return None


def installed_version() -> str | None:
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return None


def llama_status(prefix: Path, flags: set[str] | None = None) -> LlamaStatus:
    """The build of the environment at ``prefix`` against ``flags`` (default: this CPU's)."""
    build = read_build(prefix)
    have = cpu_flags() if flags is None else flags
    missing = [f for f in build.cpu_flags_required if f not in have] if build else []
    return LlamaStatus(installed_version(), build, missing)
