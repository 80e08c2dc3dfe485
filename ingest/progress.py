"""What the user sees of a long ingest: a bar per stage, and a warning before a very large input.

Kept out of the indexer (which only reports ``(stage, done, total)``) so that
the library stays quiet and the CLI decides how to show it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from app.core.config import Settings
from app.core.errors import InputError

_STAGES = {"lines": ("embedding lines (segmenter)", "line"), "chunks": ("embedding chunks", "chunk")}


class StageBars:
    """One tqdm bar per stage on stderr (none when stderr is not a terminal: ``disable=None``)."""

    def __init__(self) -> None:
        self._bars: dict = {}

    def update(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        bar = self._bars.get(stage)
        if bar is None:
            if not total:
                return
            desc, unit = _STAGES.get(stage, (stage, "item"))
            bar = self._bars[stage] = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=None)
        bar.n = done
        bar.refresh()

    def __enter__(self) -> "StageBars":
        return self

    def __exit__(self, *exc) -> None:
        for bar in self._bars.values():
            bar.close()


@dataclass
class InputSize:
    """How much a set of corpus paths will ask of the embedding model, counted without parsing."""

    texts: int  # non-empty lines of text/JSONL/CSV files, files of a directory
    bytes: int

    def minutes(self, settings: Settings) -> float:
        return self.texts / settings.ingest.texts_per_second / 60


def measure(paths: list[Path], fmt: str | None = None) -> InputSize:
    """Count what will be embedded; paths that cannot be read count 0 (the reader reports them)."""
    texts = size = 0
    for path in map(Path, paths):
        try:
            if path.is_dir() or fmt == "dir":
                files = [p for p in path.rglob("*") if p.suffix.lower() in (".txt", ".md") and p.is_file()]
                texts += len(files)
                size += sum(p.stat().st_size for p in files)
            elif path.is_file():
                data = path.read_bytes()
                size += len(data)
                texts += sum(1 for line in data.splitlines() if line.strip())
        except OSError:
            continue
    return InputSize(texts, size)


def confirm_large_input(settings: Settings, paths: list[Path], fmt: str | None, *, yes: bool) -> None:
    """Above ``ingest.confirm_texts`` texts: say how big and how long, and go on only if told to.

    On a terminal we ask; otherwise (a script, a pipe) ``--yes`` is required,
    so that a mistaken path does not silently occupy the machine for an hour.
    """
    size = measure(paths, fmt)
    if size.texts <= settings.ingest.confirm_texts or yes:
        return
    import click

    what = (
        f"{', '.join(map(str, paths))}: {size.texts:,} lines ({size.bytes / 1e6:.1f} MB), "
        f"up to about {size.minutes(settings):.0f} minutes of embedding on this machine (less for texts already cached)"
    )
    if sys.stdin.isatty():
        click.echo(f"warning: {what}", err=True)
        if click.confirm("Go ahead?", default=False, err=True):
            return
        raise InputError("not ingesting (answered no)")
    raise InputError(f"{what}; pass --yes to go ahead")
