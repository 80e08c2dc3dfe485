"""Settings for tests: a tmp data dir, no `.env`, no ambient TALKQA_* variables."""

from __future__ import annotations

from pathlib import Path

from app.core.config import DEFAULT_CORPUS, Settings


TESTS = Path(__file__).resolve().parent.parent
SEED_SEGMENTS = TESTS / "data" / "seed_segments.json"


def make_settings(data_dir: Path, corpus: list[Path] | None = None, **overrides) -> Settings:
    """Settings that read neither `.env` nor TALKQA_* variables for what we set here."""
    values = {"data_dir": data_dir, "corpus": corpus or [DEFAULT_CORPUS], "chroma_host": None, **overrides}
    return Settings(_env_file=None, **values)
