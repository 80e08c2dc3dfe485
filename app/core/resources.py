"""Where talkqa's runtime files are: the same lookup from a checkout and from an installed wheel.

Every file read at run time ships inside a package (``prompts/*.txt``, ``data/abstracts.txt``,
``eval/data/*.jsonl``, ``app/web/style.css``, and what ``talkqa setup`` installs, in
``app/setup_files/``) and is found with ``importlib.resources``, never relative to a checkout.
pip installs a wheel unpacked, so each resource is a real file; the index records paths.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def resource(package: str, *parts: str) -> Path:
    """The file or folder ``parts`` of ``package``, as a path on disk."""
    found = files(package).joinpath(*parts)
    if not isinstance(found, Path):  # a zip import: not a layout pip produces
        raise RuntimeError(f"talkqa must be installed unpacked; {package} is in {found}")
    return found


#: The folder holding the packages: the checkout, or site-packages for an installed wheel.
#: Bundled files are recorded relative to it (``data/abstracts.txt``) in both cases.
INSTALL_ROOT = resource("app").resolve().parent
BUNDLED_CORPUS = resource("data", "abstracts.txt")
PROMPTS = resource("prompts")
#: ``talkqa setup``'s inputs: links to the checkout's requirements-models.txt and scripts/install-llama.sh.
SETUP_FILES = resource("app", "setup_files")


def is_checkout(root: Path = INSTALL_ROOT) -> bool:
    """Is talkqa running from a source checkout (its pyproject.toml beside the packages) rather than installed?"""
    return (root / "pyproject.toml").is_file()


def install_command(root: Path = INSTALL_ROOT) -> str:
    """The command that installs the model packages here: ``make install`` in a checkout, ``talkqa setup`` for an installed tool.

    Error messages name it, so an installed tool never tells its user to run a Makefile they do not have.
    """
    return "`make install`" if is_checkout(root) else "`talkqa setup`"
