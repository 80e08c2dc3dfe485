"""Files uploaded in the Corpus tab, kept in ``<data dir>/uploads/`` so the index can be rebuilt from them.

Layout: ``.txt``, ``.jsonl`` and ``.csv`` files directly in ``uploads/`` (each
read by its extension, like ``talkqa ingest FILE``), ``.md`` files in
``uploads/pages/`` (one talk a file, read like ``talkqa ingest DIR``). A zip
is unpacked into the same places, as if its files had been uploaded one by
one. A file uploaded under a name already there replaces it: its talks are
updated (changed, new, removed), exactly as re-ingesting an edited file.

An upload goes through three steps so that a bad file changes nothing:
``stage`` copies the files beside the uploads (``uploads/.incoming-*``),
``check`` reads them with the ingest readers (every problem is an
``InputError`` naming the file and line), and only then ``install`` moves them
into place, keeping the files they replace until the ingest has switched the
index (``Installed.undo`` puts everything back when it fails).
"""

from __future__ import annotations

import filecmp
import re
import shutil
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from app.core.config import PROJECT_ROOT
from app.core.errors import InputError
from ingest.readers import read_corpus

UPLOADS_DIR = "uploads"
PAGES_DIR = "pages"
#: What may be uploaded (a .zip may hold any of these but .zip).
EXTENSIONS = (".txt", ".jsonl", ".csv", ".md")
#: A zip's files together, unpacked: far above any talk collection, far below a full disk.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ZIP_FILES = 2000


def safe_name(name: str) -> str:
    """The file name an upload is stored under: its base name, with nothing a shell or a path could misread."""
    base = Path(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^\w.\- ]+", "_", base).strip(" .")
    if not cleaned or cleaned.startswith("."):
        raise InputError(f"{name!r}: not a usable file name")
    return cleaned


@dataclass
class Staged:
    """Files copied beside the uploads, not yet in place: ``(staged path, final path)`` pairs."""

    root: Path
    files: list[tuple[Path, Path]] = field(default_factory=list)

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def describe(self, message: str) -> str:
        """An error message with staging paths replaced by the names the user uploaded."""
        for staged, final in self.files:
            message = message.replace(str(staged), final.name)
        return message.replace(str(self.root) + "/", "")


@dataclass
class Installed:
    """Files moved into place; the ones they replaced wait in ``backup`` until ``keep`` or ``undo``."""

    files: list[Path]
    backup: Path
    replaced: list[tuple[Path, Path]]  # (backup copy, original place)

    def keep(self) -> None:
        shutil.rmtree(self.backup, ignore_errors=True)

    def undo(self) -> None:
        for path in self.files:
            path.unlink(missing_ok=True)
        for copy, original in self.replaced:
            original.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(copy), str(original))
        shutil.rmtree(self.backup, ignore_errors=True)


class Uploads:
    """The uploads folder of one data dir."""

    def __init__(self, data_dir: Path):
        self.root = Path(data_dir) / UPLOADS_DIR

    @property
    def pages(self) -> Path:
        return self.root / PAGES_DIR

    def place_of(self, name: str) -> Path:
        """Where a file called ``name`` is stored (refusing what cannot be read as talks)."""
        name = safe_name(name)
        suffix = Path(name).suffix.lower()
        if suffix not in EXTENSIONS:
            raise InputError(f"{name}: cannot read {suffix or 'a file without extension'}; upload .txt, .jsonl, .csv or .md files, or a .zip of them")
        return (self.pages if suffix == ".md" else self.root) / name

    # ------------------------------------------------------------- what is there

    def files(self) -> list[Path]:
        """Every stored upload, flat files first, then the Markdown pages."""
        flat = sorted(p for p in self.root.glob("*") if p.is_file() and p.suffix.lower() in EXTENSIONS and p.suffix.lower() != ".md")
        pages = sorted(p for p in self.pages.glob("*.md") if p.is_file()) if self.pages.is_dir() else []
        return flat + pages

    def ingest_paths(self, files: list[Path] | None = None) -> list[Path]:
        """The paths to give ``ingest``: each flat file, and the pages folder when a page is among ``files``."""
        files = self.files() if files is None else files
        paths = [p for p in files if p.parent == self.root]
        if any(p.parent == self.pages for p in files) and any(self.pages.glob("*.md")):
            paths.append(self.pages)
        return paths

    def owns(self, source: str | Path) -> bool:
        """Is ``source`` (a talk's recorded source) a stored upload?"""
        return self.root.resolve() in where(source).parents

    def delete(self, source: str | Path) -> bool:
        """Delete a stored upload (never anything outside the uploads folder); False when it was not there."""
        if not self.owns(source):
            return False
        path = where(source)
        existed = path.is_file()
        path.unlink(missing_ok=True)
        return existed

    # ------------------------------------------------------------- an upload

    def stage(self, uploaded: list[Path]) -> Staged:
        """Copy the uploaded files (a zip unpacked) beside the uploads; ``InputError`` for what cannot be used."""
        if not uploaded:
            raise InputError("choose one or more files to upload first")
        staged = Staged(self.root / f".incoming-{uuid.uuid4().hex[:8]}")
        try:
            for path in map(Path, uploaded):
                if path.suffix.lower() == ".zip":
                    self._unzip(path, staged)
                else:
                    self._add(staged, self.place_of(path.name), lambda target, p=path: shutil.copyfile(p, target))
        except BaseException:
            staged.discard()
            raise
        return staged

    def _add(self, staged: Staged, final: Path, write) -> None:
        """Stage one file; the same file chosen twice (a browser may send a selection twice) is kept once."""
        target = staged.root / final.relative_to(self.root)
        target.parent.mkdir(parents=True, exist_ok=True)
        if any(f == final for _, f in staged.files):
            second = target.with_name(f".second-{target.name}")
            write(second)
            same = filecmp.cmp(target, second, shallow=False)
            second.unlink()
            if not same:
                raise InputError(f"two different files named {final.name} in one upload")
            return
        write(target)
        staged.files.append((target, final))

    def _unzip(self, path: Path, staged: Staged) -> None:
        name = safe_name(path.name)
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as err:
            raise InputError(f"{name}: not a readable zip file ({err})") from None
        with archive:
            members = [m for m in archive.infolist() if not m.is_dir() and not _junk(m.filename)]
            if not members:
                raise InputError(f"{name}: no files in the archive")
            if len(members) > MAX_ZIP_FILES or sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
                raise InputError(f"{name}: too large unpacked (at most {MAX_ZIP_FILES} files, {MAX_UNPACKED_BYTES // 2**20} MB)")
            for member in members:
                if Path(member.filename).suffix.lower() == ".zip":
                    raise InputError(f"{name}: {member.filename} is a zip inside the zip; upload it on its own")
                try:
                    final = self.place_of(member.filename)
                except InputError as err:
                    raise InputError(f"{name}: {err}") from None

                def write(target: Path, m=member) -> None:
                    with archive.open(m) as src, target.open("wb") as dst:
                        shutil.copyfileobj(src, dst)

                self._add(staged, final, write)

    def check(self, staged: Staged) -> int:
        """Read the staged files as ingest will (no model: a text file's talks are not split yet); returns talks found.

        Raises ``InputError`` with the uploaded names in its message.
        """
        flat = [s for s, f in staged.files if f.parent == self.root]
        pages = staged.root / PAGES_DIR
        paths = flat + ([pages] if any(f.parent == self.pages for _, f in staged.files) else [])
        try:
            talks, _ = read_corpus(paths)
        except InputError as err:
            raise InputError(staged.describe(str(err))) from None
        return len(talks)

    def install(self, staged: Staged) -> Installed:
        """Move the staged files into place; the files they replace are kept aside until ``keep``/``undo``."""
        backup = self.root / f".previous-{uuid.uuid4().hex[:8]}"
        replaced: list[tuple[Path, Path]] = []
        placed: list[Path] = []
        for source, final in staged.files:
            final.parent.mkdir(parents=True, exist_ok=True)
            if final.exists():
                copy = backup / final.relative_to(self.root)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(final), str(copy))
                replaced.append((copy, final))
            shutil.move(str(source), str(final))
            placed.append(final)
        staged.discard()
        return Installed(placed, backup, replaced)


def where(source: str | Path) -> Path:
    """The file a talk's recorded source names (bundled files are recorded relative to the project)."""
    path = Path(source)
    return (path if path.is_absolute() else PROJECT_ROOT / path).resolve()


def _junk(name: str) -> bool:
    """Archive entries that are not content: macOS resource forks, hidden files."""
    parts = Path(name.replace("\\", "/")).parts
    return any(p == "__MACOSX" or (p.startswith(".") and p not in (".", "..")) for p in parts)
