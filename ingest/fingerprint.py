"""Has anything an ingest reads changed since the last one? A fingerprint of the inputs and the index they made.

An unchanged re-ingest used to read, segment, derive and chunk the whole
corpus and list every chunk in Chroma just to find nothing to do: about a
minute at 100k talks. Ingest now records, after it finishes, a hash of each
input file's bytes, the settings that shape talks and chunks, and the
committed state of the index (collection id, generation); the next ingest with
the same fingerprint, whose index is still at that state and whose lexical
index is saved, has nothing to do and says so in about the time it takes to
hash the files. Anything else (an edited file, other settings, another
ingest in between, a rebuild) takes the full path.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from app.core.config import Settings

#: Bumped when what ingest derives from the same bytes changes (a new segmenter, other ids).
VERSION = 3  # 2: titles derived without the sentences that look like instructions; 3: bare arXiv ids and web addresses without a scheme are links
FILE = "ingest-fingerprint.json"


def _hash_path(path: Path, digest) -> None:
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        digest.update(str(file).encode() + b"\0")
        with open(file, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)


def of_inputs(settings: Settings, paths: list[Path], fmt: str | None, replace: bool) -> str | None:
    """The fingerprint of what an ingest of ``paths`` would read; None when a path cannot be read (the full path reports it)."""
    digest = hashlib.sha256(json.dumps({
        "version": VERSION, "fmt": fmt, "replace": replace, "paths": [str(Path(p).resolve()) for p in paths],
        "chunks": settings.chunks.model_dump(), "embedding": settings.embedding.model,
    }, sort_keys=True).encode())
    try:
        for path in paths:
            _hash_path(Path(path), digest)
    except OSError:
        return None
    return digest.hexdigest()


def load(settings: Settings) -> dict:
    try:
        return json.loads((settings.data_dir / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def save(settings: Settings, record: dict) -> None:
    """Write the record atomically; a data dir we cannot write just means no shortcut next time."""
    target = settings.data_dir / FILE
    tmp = target.with_suffix(".tmp")
    try:
        tmp.write_text(json.dumps(record), encoding="utf-8")
        tmp.replace(target)
    except OSError:
        pass
