"""Prompt texts live as files in prompts/ so they can be read and edited without touching code.

``prompts/`` is a package: the texts ship in the wheel and are found with importlib.resources.
"""

from __future__ import annotations

from pathlib import Path

from app.core.resources import PROMPTS


def load_prompt(name: str, prompts_dir: Path | None = None) -> str:
    return ((prompts_dir or PROMPTS) / f"{name}.txt").read_text(encoding="utf-8").strip()
