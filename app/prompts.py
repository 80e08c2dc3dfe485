"""Prompt texts live as files in prompts/ so they can be read and edited without touching code."""

from __future__ import annotations

from pathlib import Path

from app.config import PROJECT_ROOT

PROMPTS = PROJECT_ROOT / "prompts"


def load_prompt(name: str, prompts_dir: Path | None = None) -> str:
    return ((prompts_dir or PROMPTS) / f"{name}.txt").read_text(encoding="utf-8").strip()
