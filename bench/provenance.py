"""What every committed benchmark artefact names: the command, the commit, the date and the CPU.

The commit and the CPU are read as an evaluation run reads them (eval/provenance.py), so a benchmark's
artefact and a run's metrics.json name them the same way.
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path

from eval.provenance import commit, cpu


def provenance() -> dict:
    """command, commit (marked when the tracked files differ from it), UTC date and CPU of this run."""
    return {
        "command": "python " + " ".join(sys.argv),
        "commit": commit(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu": cpu(),
    }


def write_result(path: Path, result: dict) -> None:
    """``result`` as JSON at ``path`` with this run's provenance first, so a doc can name it as its artefact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"provenance": provenance(), **result}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
