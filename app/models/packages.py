"""Where a model package's files are: its folder in site-packages, found without importing it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from app.core.errors import ModelFileError
from app.core.resources import install_command


def package_dir(package: str) -> Path:
    """The folder of ``package`` (``find_spec``: the package's own code never runs)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError(f"model package {package.replace('_', '-')} is not installed (run {install_command()})")
    return Path(list(spec.submodule_search_locations)[0])
