"""What every committed benchmark artefact names: the command, the commit, the date and the CPU.

The commit and the CPU are read as an evaluation run reads them (eval/provenance.py), so a benchmark's
artefact and a run's metrics.json name them the same way.
"""

from __future__ import annotations

import datetime
import sys

from eval.provenance import commit, cpu


def provenance() -> dict:
    """command, commit (marked when the tracked files differ from it), UTC date and CPU of this run."""
    return {
        "command": "python " + " ".join(sys.argv),
        "commit": commit(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu": cpu(),
    }
