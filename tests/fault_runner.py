"""Run ``talkqa ARGS`` in a subprocess with a fault injected at a named moment (tests/test_faults.py).

    python tests/fault_runner.py MOMENT ACTION -- ingest --rebuild ...

MOMENT: ``lines`` (the 2nd batch of lines embedded by the segmenter), ``chunks``
(the 2nd batch of chunks written), ``publish`` (a finished rebuild about to be
switched in), ``after-publish`` (switched in, old index not yet deleted),
``none``. ACTION: ``kill`` (SIGKILL this process: nothing runs after it) or
``sleep:S`` (hold there S seconds), or ``hold`` (until ``$FAULT_RELEASE``
exists, e.g. to keep the writer lock while the test looks). Before the
first action the runner touches ``$FAULT_MARK`` if set, so a test knows the
moment came. No product code knows about this: it patches library methods.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path


def act(action: str) -> None:
    mark = os.environ.get("FAULT_MARK")
    if mark:
        Path(mark).touch()
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action.startswith("sleep:"):
        time.sleep(float(action.split(":", 1)[1]))
    elif action == "hold":  # until the test creates $FAULT_RELEASE (at most two minutes)
        release = Path(os.environ["FAULT_RELEASE"])
        deadline = time.monotonic() + 120
        while not release.exists() and time.monotonic() < deadline:
            time.sleep(0.05)


def arm(moment: str, action: str) -> None:
    from langchain_chroma import Chroma
    from langchain_classic.embeddings import CacheBackedEmbeddings

    from app.index.generations import Generations

    calls = {"n": 0}

    def on_call(cls, name: str, nth: int, before: bool = True):
        real = getattr(cls, name)

        def patched(self, *args, **kwargs):
            calls["n"] += 1
            if before and calls["n"] == nth:
                act(action)
            result = real(self, *args, **kwargs)
            if not before and calls["n"] == nth:
                act(action)
            return result

        setattr(cls, name, patched)

    if moment == "lines":
        on_call(CacheBackedEmbeddings, "embed_documents", 2)
    elif moment == "chunks":
        on_call(Chroma, "add_documents", 2)
    elif moment == "publish":
        on_call(Generations, "publish", 1)
    elif moment == "after-publish":
        on_call(Generations, "publish", 1, before=False)
    elif moment != "none":
        raise SystemExit(f"unknown moment {moment}")


if __name__ == "__main__":
    moment, action, dashes, *args = sys.argv[1:]
    assert dashes == "--"
    # Ctrl-C stops talkqa as on a terminal, even when the suite runs as a background job (which starts
    # its children with SIGINT ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    arm(moment, action)
    from app.cli.commands import cli

    cli.main(args, prog_name="talkqa")
