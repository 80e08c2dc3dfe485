"""Corpora and indexes: the seed, a small corpus cut from it, stores on real Chroma, the seed indexed once."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from app.core.config import DEFAULT_CORPUS, Settings
from app.models.embeddings import cached_embeddings
from app.index.store import TalkStore

from support.models import CountingEmbeddings
from support.settings import make_settings


# ------------------------------------------------------------------ corpora

#: Seed lines (1-based) making the small corpus: single-line talks (1, 2), a
#: continuation ("In the second part of the talk", 5-6), motivation + "In this
#: talk" + joint-work note + two links (7-11), a "Biography" heading and bio
#: (17-19), an inline "Bio: Name is ..." (41-42), and an abstract twice (59).
SMALL_PICK = [1, 5, 6, 7, 8, 9, 10, 11, 59, 17, 18, 19, 2, 41, 42, 59]


@dataclass(frozen=True)
class SmallTalk:
    """What the small corpus must segment into (line ranges in the small file)."""

    lines: list[tuple[int, int]]
    speaker: str | None = None


#: The expected segmentation of the small corpus: 7 talks, one duplicate.
SMALL_TALKS = [
    SmallTalk([(1, 1)]),
    SmallTalk([(2, 3)]),
    SmallTalk([(4, 8)]),
    SmallTalk([(9, 9), (16, 16)]),
    SmallTalk([(10, 12)], "Petros Maragos"),
    SmallTalk([(13, 13)]),
    SmallTalk([(14, 15)], "Mariya Toneva"),
]


@pytest.fixture(scope="session")
def seed_lines() -> list[str]:
    """The seed corpus, one paragraph a line (323 lines, the last without newline)."""
    return DEFAULT_CORPUS.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="session")
def small_lines(seed_lines) -> list[str]:
    return [seed_lines[n - 1] for n in SMALL_PICK]


def write_corpus(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def corpus_path(tmp_path, small_lines) -> Path:
    """A fresh, editable copy of the small corpus."""
    return write_corpus(tmp_path / "talks.txt", small_lines)


@pytest.fixture(scope="session")
def small_embedding_cache(tmp_path_factory, small_lines, embedding_model) -> Path:
    """The embedding cache of the small corpus, filled once: tests copy it instead of running the model again."""
    from ingest.indexer import ingest

    root = tmp_path_factory.mktemp("small-cache")
    settings = make_settings(root / "data", [write_corpus(root / "talks.txt", small_lines)])
    ingest(settings, make_store(settings, embedding_model))
    return settings.cache_dir / "embeddings"


@pytest.fixture
def settings(tmp_path, corpus_path, small_embedding_cache) -> Settings:
    """Settings on a fresh data dir (no index) whose embedding cache already knows the small corpus."""
    settings = make_settings(tmp_path / "data", [corpus_path])
    shutil.copytree(small_embedding_cache, settings.cache_dir / "embeddings")
    return settings


def make_store(settings: Settings, model: Embeddings) -> TalkStore:
    """A store as the CLI builds it: the model behind the file cache, Chroma from settings."""
    return TalkStore(settings, cached_embeddings(settings, model))


@pytest.fixture
def model(embedding_model) -> CountingEmbeddings:
    """The session model, counting the texts this test makes it embed."""
    return CountingEmbeddings(embedding_model)


@pytest.fixture
def store(settings, model) -> TalkStore:
    """A TalkStore on an embedded PersistentClient under the test's data dir."""
    return make_store(settings, model)


@pytest.fixture
def small_index(settings, store):
    """The small corpus (7 talks) ingested into the test's data dir: (settings, store)."""
    from ingest.indexer import ingest

    ingest(settings, store)
    return settings, store


@dataclass
class SeedIndex:
    settings: Settings
    store: TalkStore
    report: object  # ingest.indexer.IngestReport of the first (cold) ingest


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("seed") / "data", [DEFAULT_CORPUS])


@pytest.fixture(scope="session")
def seed_embeddings(seed_settings, embedding_model) -> Embeddings:
    """The real model behind the seed index's cache: every seed text is embedded at most once per session."""
    return cached_embeddings(seed_settings, embedding_model)


@pytest.fixture(scope="session")
def seed_embed(seed_embeddings):
    """The ``embed`` callable the segmenter takes, over the seed's cache."""
    return lambda texts: np.asarray(seed_embeddings.embed_documents(texts), dtype=np.float32)


@pytest.fixture(scope="session")
def seed_index(seed_settings, seed_embeddings) -> SeedIndex:
    """The whole seed ingested once into a tmp Chroma store, shared by the session (read-only use)."""
    from ingest.indexer import ingest

    store = TalkStore(seed_settings, seed_embeddings)
    report = ingest(seed_settings, store)
    return SeedIndex(seed_settings, store, report)


# ------------------------------------------------------------------ files to upload (the Corpus tab)

#: Two talks no seed talk resembles: a question about either retrieves it first.
NEW_TALKS = [
    {
        "title": "Quantum origami for protein lattices",
        "speaker": "Ada Quill",
        "url": "https://example.org/origami",
        "abstract": "We fold protein lattices with quantum origami. Quantum origami maps each fold of a lattice to a "
        "qubit rotation, and the folding energy is minimised by a variational circuit. On 40 lattices the "
        "circuit finds the lowest-energy fold three times faster than classical annealing.",
    },
    {
        "title": "Beekeeping logs as a benchmark for time-series forecasting",
        "speaker": "Bram Hive",
        "abstract": "Ten years of hive weight logs from 300 apiaries make a forecasting benchmark with strong "
        "seasonality. We compare state-of-the-art forecasters on it and find that none beats a seasonal "
        "naive baseline during swarming months.",
    },
]
NEW_TALK_QUESTION = "What does quantum origami do with protein lattices?"


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture
def new_talks_file(tmp_path) -> Path:
    """``new-talks.jsonl``: the two NEW_TALKS, as a user would upload them."""
    folder = tmp_path / "upload"
    folder.mkdir(exist_ok=True)
    return write_jsonl(folder / "new-talks.jsonl", NEW_TALKS)


@pytest.fixture
def bad_talks_file(tmp_path) -> Path:
    """``bad-talks.jsonl``: a good first record, then a line that is not JSON (line 2)."""
    folder = tmp_path / "upload-bad"
    folder.mkdir(exist_ok=True)
    path = folder / "bad-talks.jsonl"
    path.write_text(json.dumps(NEW_TALKS[0]) + '\n{"title": "cut off", "abstract": \n', encoding="utf-8")
    return path
