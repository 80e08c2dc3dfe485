"""A few thousand synthetic talks (bench/scale_corpus.py) on real Chroma, embedded with the stand-in model.

The stand-in (``standin-hash-384``, app/models/embeddings.py) is a hashing
embedding of MiniLM's dimension: real embedding of 3,000 talks would take
minutes on 2 cores, and what these tests check (what a reader loads, how many
records it parses, whether it rebuilds the lexical index) does not depend on
what the vectors mean. Chroma, ingest, the store and retrieval are the real ones.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.core.config import PROJECT_ROOT, Settings
from app.models.embeddings import cached_embeddings
from app.index.store import TalkStore

from support.settings import make_settings

SYNTHETIC_TALKS = 3000


def scale_corpus():
    """bench/scale_corpus.py as a module (bench/ is scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("scale_corpus", PROJECT_ROOT / "bench" / "scale_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class SyntheticIndex:
    settings: Settings
    corpus: Path
    talks: int


def standin_settings(data_dir: Path, corpus: Path) -> Settings:
    return make_settings(data_dir, [corpus], embedding={"model": "standin-hash-384"}, rerank={"enabled": False})


@pytest.fixture(scope="module")
def synthetic_index(tmp_path_factory) -> SyntheticIndex:
    """3,000 synthetic talks ingested once per module through the normal ingest path (stand-in embeddings)."""
    from ingest.indexer import ingest

    root = tmp_path_factory.mktemp("synthetic")
    corpus = scale_corpus().write_corpus(SYNTHETIC_TALKS, root / "talks.jsonl")
    settings = standin_settings(root / "data", corpus)
    report = ingest(settings, TalkStore(settings, cached_embeddings(settings)))
    assert report.talks == SYNTHETIC_TALKS
    return SyntheticIndex(settings, corpus, report.talks)
