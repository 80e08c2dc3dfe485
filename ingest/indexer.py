"""Ingest: corpus files -> talks -> chunks -> the Chroma index, incrementally.

Only chunks whose id (a hash of talk id and text) is not in the index yet are
embedded; metadata that moved (a talk whose lines shifted) is updated in place;
talks gone from the given sources are deleted (talks of other sources stay
unless ``replace``). One writer at a time: an exclusive lock on the data dir
(app/core/locks.py); readers never wait. The switch to the new catalog is one
metadata write (see app/index/writer.py), so an interrupted ingest leaves the
previous index usable, and the next ingest reuses whatever chunks it had
already written.

Why not LangChain's ``index()`` with a record manager: it hashes a document's
metadata together with its text, so a talk whose line numbers shift (a talk
inserted above it) would be re-embedded, and it deletes stale documents in
batches interleaved with additions, which can expose half an update. The
embedding cache (``CacheBackedEmbeddings``) and the generation switch give us
both properties with the library pieces.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from app.core.config import PROJECT_ROOT, Settings
from app.core.errors import IndexBusyError, IndexStateError, InputError, ReadOnlyIndexError
from app.core.locks import LockBusy, exclusive
from app.models.tokens import encoding
from app.index.store import TalkStore
from app.index.writer import IndexWriter
from app.core.talk import Talk
from ingest import fingerprint
from ingest.chunking import chunk_talks
from ingest.readers import merge_duplicates, read_corpus
from ingest.screening import screen

#: (stage, done, total): stage is "lines" (the segmenter embedding a text file's lines) or "chunks".
Progress = Callable[[str, int, int], None]
#: Called once with the holder ("pid 123") when another writer holds the data dir.
OnWait = Callable[[str], None]

LOCK_FILE = "ingest.lock"


@dataclass
class IngestReport:
    """What an ingest did; printed by the CLI, as JSON with --json."""

    talks: int = 0
    chunks: int = 0
    duplicates: int = 0
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    #: source -> talks of it removed (the summary names them: an ingest never drops talks silently)
    removed_by_source: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0
    embedded_chunks: int = 0
    deleted_chunks: int = 0
    seconds: float = 0.0
    rebuilt: bool = False
    replaced: bool = False
    #: where a damaged store was moved by --rebuild (None: nothing was damaged)
    set_aside: str | None = None
    #: source -> line numbers of the files read whose text has a sentence that looks like an instruction to an
    #: assistant (app/core/instructions.py). Kept in the index: such sentences are neutralised when answering.
    instruction_lines: dict[str, list[int]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        """The one-line summary the CLI prints."""
        removed = f"{len(self.removed)} removed"
        if self.removed_by_source:
            removed += " (" + ", ".join(f"{n} from {s}" for s, n in sorted(self.removed_by_source.items())) + ")"
        line = (
            f"{self.talks} talks, {self.chunks} chunks, {self.duplicates} duplicate occurrences merged; "
            f"{len(self.new)} new, {len(self.changed)} changed, {removed}, {self.unchanged} unchanged; "
            f"{self.embedded_chunks} chunks embedded, {self.deleted_chunks} deleted; {self.seconds:.2f} s"
        )
        if self.set_aside:
            line += f"; the damaged index was moved to {self.set_aside}"
        if self.instruction_lines:
            line += "; " + instruction_note(self.instruction_lines)
        return line


def instruction_note(found: dict[str, list[int]]) -> str:
    """"3 lines look like instructions to an assistant (a.jsonl lines 4, 9; …)": what the summaries say."""
    count = sum(len(lines) for lines in found.values())
    where = "; ".join(f"{Path(source).name} line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines[:20]))}{' …' if len(lines) > 20 else ''}"
                      for source, lines in sorted(found.items()))
    return (f"{count} line{'s' if count != 1 else ''} with sentences that look like instructions to an assistant ({where}); "
            "kept, and not shown to the model as instructions")


def _overlaps(a: Talk, b: Talk) -> bool:
    """Same source and overlapping lines: ``b`` is an edited version of ``a``."""
    return a.source == b.source and any(s1 <= e2 and s2 <= e1 for s1, e1 in a.lines for s2, e2 in b.lines)


def classify_changes(old: list[Talk], new: list[Talk]) -> tuple[list[str], list[str], list[str], int]:
    """(new ids, changed ids, removed ids, unchanged count) between two catalogs.

    Ids are content hashes, so an edited talk has a new id; we call it
    "changed" when it takes the place (source and lines) of a talk that went.
    """
    old_ids = {t.id for t in old}
    new_ids = {t.id for t in new}
    gone = [t for t in old if t.id not in new_ids]
    added = [t for t in new if t.id not in old_ids]
    changed, fresh = [], []
    for talk in added:
        match = next((g for g in gone if _overlaps(g, talk)), None)
        if match is not None:
            gone.remove(match)
            changed.append(talk.id)
        else:
            fresh.append(talk.id)
    return fresh, changed, [t.id for t in gone], len(old_ids & new_ids)


def covers(paths: list[Path], source: str) -> bool:
    """Is a talk recorded with ``source`` read from one of ``paths`` (the file itself, or a file under a directory)?"""
    where = Path(source) if Path(source).is_absolute() else PROJECT_ROOT / source
    where = where.resolve()
    for path in paths:
        path = Path(path).resolve()
        if where == path or path in where.parents:
            return True
    return False


def _read_only(settings: Settings, err: OSError) -> ReadOnlyIndexError:
    return ReadOnlyIndexError(
        f"cannot write the index in {settings.data_dir} ({err.strerror.lower() if err.strerror else err}): "
        "it is read-only here; `talks`, `search` and `ask` still read it"
    )


class _WriterLock:
    """``with _WriterLock(...)``: the exclusive lock, with our errors for a busy or read-only data dir."""

    def __init__(self, settings: Settings, timeout: float | None, on_wait: OnWait | None):
        self.settings, self.timeout, self.on_wait = settings, timeout, on_wait
        self._held = None

    def __enter__(self):
        path = self.settings.data_dir / LOCK_FILE
        try:
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
            self._held = exclusive(path, timeout=self.timeout, on_wait=self.on_wait)
            self._held.__enter__()
        except LockBusy as busy:
            raise IndexBusyError(
                f"another talkqa ingest ({busy.holder}) is writing to {self.settings.data_dir}; "
                "try again when it has finished, or leave out --no-wait to wait for it"
            ) from None
        except OSError as err:
            raise _read_only(self.settings, err) from None
        return self

    def __exit__(self, *exc):
        return self._held.__exit__(*exc)


def _line_embedder(settings: Settings, embeddings, progress: Progress | None) -> Callable[[list[str]], np.ndarray]:
    """What the segmenter embeds a text file's lines with: in batches, so progress shows and the
    embedding cache is written batch by batch (an interrupted run keeps them)."""

    def embed_lines(texts: list[str]) -> np.ndarray:
        step = max(settings.embedding.batch_size * 8, 1)
        out: list[list[float]] = []
        if progress:
            progress("lines", 0, len(texts))
        for start in range(0, len(texts), step):
            out.extend(embeddings.embed_documents(texts[start : start + step]))
            if progress:
                progress("lines", min(start + step, len(texts)), len(texts))
        return np.asarray(out, dtype=np.float32)

    return embed_lines


def ingest(
    settings: Settings,
    store: TalkStore,
    paths: list[Path] | None = None,
    fmt: str | None = None,
    rebuild: bool = False,
    replace: bool = False,
    progress: Progress | None = None,
    wait: float | None = None,
    on_wait: OnWait | None = None,
) -> IngestReport:
    """Bring the index in line with ``paths`` (default: the configured corpus).

    Talks of other sources already in the index stay, unless ``replace``: then
    the index holds exactly the talks of ``paths``. ``rebuild`` re-embeds
    everything into a new index beside the live one and switches at the end
    (a damaged store is moved aside first). Raises InputError before touching
    the index; one writer at a time per data dir (``wait``: seconds to wait for
    another, None for as long as it takes, 0 not at all).
    """
    started = time.perf_counter()
    paths = [Path(p) for p in (paths or settings.corpus)]
    with _WriterLock(settings, wait, on_wait):
        inputs = fingerprint.of_inputs(settings, paths, fmt, replace) if not rebuild else None
        unchanged = _unchanged(settings, store, inputs)
        if unchanged is not None:
            unchanged.seconds = round(time.perf_counter() - started, 3)
            return unchanged
        # Read under the lock too: the embedding cache is written as lines are embedded.
        read, read_duplicates = read_corpus(paths, fmt=fmt, embed=_line_embedder(settings, store.embeddings, progress))
        screened = screen(read)  # the detector's one pass: instruction lines, titles without planted orders
        enc = encoding(settings.chunks.encoding, settings.cache_dir / "tiktoken")
        with store.writer(rebuild=rebuild) as writer:
            old_talks = writer.old_talks
            kept = [] if replace else [t for t in old_talks if not covers(paths, t.source)]
            talks, across = merge_duplicates([*kept, *screened.talks])  # an abstract both kept and read is one talk
            duplicates = read_duplicates + across
            docs = chunk_talks(talks, enc, settings.chunks)
            report = _write(settings, writer, talks, docs, progress)
        if inputs is not None:
            fingerprint.save(settings, {"inputs": inputs, "stamp": writer.live.stamp, "talks": len(talks), "chunks": len(docs),
                                        "duplicates": duplicates})

    fresh, changed, removed, unchanged = classify_changes(old_talks, talks)
    source_of = {t.id: t.source for t in old_talks}
    report.update(
        talks=len(talks),
        duplicates=duplicates,
        new=fresh,
        changed=changed,
        removed=removed,
        removed_by_source=dict(Counter(source_of[i] for i in removed)),
        unchanged=unchanged,
        seconds=round(time.perf_counter() - started, 3),
        rebuilt=rebuild,
        replaced=replace,
        set_aside=writer.set_aside,
        instruction_lines=screened.instruction_lines,
    )
    return IngestReport(**report)


def remove(
    settings: Settings,
    store: TalkStore,
    *,
    sources: list[str] | tuple[str, ...] = (),
    talk_ids: list[str] | tuple[str, ...] = (),
    wait: float | None = None,
    on_wait: OnWait | None = None,
) -> IngestReport:
    """Take talks out of the index: every talk of ``sources`` (as recorded in ``Talk.source``) and ``talk_ids``.

    A new catalog generation without them, switched in like an ingest's (nothing
    is embedded; their chunks are pruned after the switch). Files are not
    touched: a talk removed this way comes back when its source is ingested
    again. Refuses (``InputError``, the index untouched) when nothing matches or
    when nothing would be left.
    """
    started = time.perf_counter()
    sources, talk_ids = set(sources), set(talk_ids)
    with _WriterLock(settings, wait, on_wait), store.writer() as writer:
        if not writer.generation:
            raise IndexStateError("there is no index yet: nothing to remove")
        old_talks = writer.old_talks
        gone = {t.id for t in old_talks if t.source in sources or t.id in talk_ids}
        if not gone:
            raise InputError("no indexed talk matches " + ", ".join(sorted(sources | talk_ids)))
        talks = [t for t in old_talks if t.id not in gone]
        if not talks:
            raise InputError("that would leave the index empty; add other talks first")
        enc = encoding(settings.chunks.encoding, settings.cache_dir / "tiktoken")
        report = _write(settings, writer, talks, chunk_talks(talks, enc, settings.chunks), None)
    source_of = {t.id: t.source for t in old_talks}
    report.update(
        talks=len(talks),
        removed=sorted(gone),
        removed_by_source=dict(Counter(source_of[i] for i in gone)),
        unchanged=len(talks),
        seconds=round(time.perf_counter() - started, 3),
    )
    return IngestReport(**report)


def _unchanged(settings: Settings, store: TalkStore, inputs: str | None) -> IngestReport | None:
    """The report of an ingest with nothing to do, when the inputs and the index are as the last ingest left them."""
    last = fingerprint.load(settings)
    if inputs is None or last.get("inputs") != inputs:
        return None
    try:
        live = store.live()
    except Exception:  # no index, another model, unreachable: the full path says what is wrong
        return None
    if last.get("stamp") != live.stamp or not store.lexical_files.is_saved(live):
        return None
    return IngestReport(talks=last["talks"], chunks=last["chunks"], duplicates=last["duplicates"], unchanged=last["talks"])


def _write(settings: Settings, writer: IndexWriter, talks: list[Talk], docs, progress: Progress | None) -> dict:
    """Write ``talks`` and their chunks (embedding only the new ones, in batches that show progress)."""
    chunk_progress = (lambda done, total: progress("chunks", done, total)) if progress else None
    written = writer.write(talks, docs, batch=settings.embedding.batch_size * 2, progress=chunk_progress)
    return {"chunks": written.chunks, "embedded_chunks": written.embedded_chunks, "deleted_chunks": written.deleted_chunks}
