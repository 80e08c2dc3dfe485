"""The Corpus tab: add talks from uploaded files, remove a talk or a source, rebuild the index.

It is the browser's ``talkqa ingest``, with the same rules: the ingest readers
refuse a bad file with a message naming file and line before anything is
written (the upload is not kept either, see app/web/uploads.py), the indexer's
writer lock keeps one writer per data dir, and a new catalog generation is
built beside the live one and switched in at the end. Answers being streamed
meanwhile finish on the generation they started with; after the switch the
next question sees the new talks (the chain's retriever follows the live
generation: app/index/following.py).

What "remove" means: removing a talk or a source writes a new generation
without its talks (nothing is re-embedded). Removing an uploaded source also
deletes its file from ``<data dir>/uploads/``, so it stays gone; removing a
talk, or a source that is not an upload (the bundled abstracts, a file
ingested from the command line), leaves the file alone, and its talks come
back when it is ingested again ("Re-index", or ``talkqa ingest``).

Who may use it: app/web/auth.py ``corpus_allowed`` (logged-in users when
TALKQA_AUTH is set; otherwise only a server bound to loopback); without that
the tab is not built at all, so its events do not exist.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from pathlib import Path

import gradio as gr

from app.core.config import Settings
from app.core.errors import InputError, TalkqaError
from app.index.store import TalkStore
from app.web.handlers import ChainHolder
from app.web.render import _e
from app.web.uploads import EXTENSIONS, Uploads, where

#: The corpus events' concurrency group: one change of the index at a time from this app.
CORPUS_CONCURRENCY_ID = "corpus"

_STAGES = {"lines": "embedding lines (finding the talks in text files)", "chunks": "embedding chunks"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class CorpusManager:
    """The Corpus tab's handlers over the app's chain holder and the uploads folder."""

    def __init__(self, settings: Settings, chains: ChainHolder, *, require_login: bool):
        self.settings = settings
        self.chains = chains
        self.require_login = require_login
        self.uploads = Uploads(settings.data_dir)
        self._lock = threading.Lock()

    # ------------------------------------------------------------- helpers

    def _check_user(self, request: gr.Request | None) -> None:
        if self.require_login and not getattr(request, "username", None):
            raise gr.Error("Log in to change the talks.")

    def _writer(self) -> TalkStore:
        """A store of its own for writing: a rebuild points it at the new base while readers keep the live one."""
        return TalkStore(self.settings, self.chains.service.embeddings)

    def label(self, source: str) -> str:
        """A source as people read it: uploads by their name in the uploads folder, others as recorded."""
        if self.uploads.owns(source):
            return "uploads/" + str(where(source).relative_to(self.uploads.root.resolve()))
        path = Path(source)
        if path.is_absolute() and len(source) > 40:  # a file ingested from elsewhere: its folder and name say enough
            return f"…/{path.parent.name}/{path.name}"
        return source

    def _talks(self) -> list:
        try:
            return self.chains.catalog().talks
        except TalkqaError:
            return []

    def _title_of(self, talks, ids) -> list[str]:
        """The talks named as the chat names them (with the speaker), escaped."""
        by_id = {t.id: t for t in talks}
        return [_e(_named(by_id[i])) for i in ids if i in by_id]

    # ------------------------------------------------------------- what is shown

    def overview(self) -> tuple:
        """(sources table, source choices, talk choices, count line) for the tab."""
        talks = self._talks()
        counts = Counter(t.source for t in talks)
        indexed = {where(s) for s in counts}
        for path in self.uploads.files():  # an upload none of whose talks is indexed (duplicates of other talks)
            if path.resolve() not in indexed:
                counts[str(path.resolve())] = 0
        rows = [[self.label(s), n, "uploaded" if self.uploads.owns(s) else "—"] for s, n in sorted(counts.items(), key=lambda kv: self.label(kv[0]))]
        sources = [(f"{self.label(s)} ({_plural(n, 'talk')})", s) for s, n in sorted(counts.items(), key=lambda kv: self.label(kv[0]))]
        choices = [(f"{t.title} — {t.speaker or 'unknown speaker'} · {t.id[:8]}", t.id) for t in sorted(talks, key=lambda t: t.title.casefold())]
        count = f"{_plural(len(talks), 'talk')} from {_plural(len(counts), 'source')} in the index" if talks else "No talks in the index yet: upload files to start one."
        return rows, gr.Dropdown(choices=sources, value=None), gr.Dropdown(choices=choices, value=None), count

    def _done(self, status: str) -> tuple:
        return (status, *self.overview())

    def _summary(self, what: str, report) -> str:
        talks = self._talks()
        lines = [f"✓ **{_e(what)}** — {len(report.new)} new, {len(report.changed)} changed, {len(report.removed)} removed, "
                 f"{report.unchanged} unchanged; {_plural(report.talks, 'talk')} in the index ({report.seconds:.1f} s)."]
        for label, ids in (("New", report.new), ("Changed", report.changed)):
            titles = self._title_of(talks, ids)
            if titles:
                lines.append(f"{label}: " + "; ".join(titles[:12]) + (" …" if len(titles) > 12 else ""))
        if report.removed_by_source:
            lines.append("Removed: " + ", ".join(f"{n} from {_e(self.label(s))}" for s, n in sorted(report.removed_by_source.items())) + ".")
        if report.instruction_lines:
            from ingest.indexer import instruction_note

            lines.append("⚠ " + _e(instruction_note({self.label(s): n for s, n in report.instruction_lines.items()})))
        return "\n\n".join(lines)

    @staticmethod
    def _refused(err: BaseException) -> str:
        """The refusal as one sentence: the error's text, which often ends in a file name, gets its full stop."""
        text = str(err).rstrip()
        return f"⚠ **Nothing was changed:** {_e(text)}{'' if text.endswith(('.', '!', '?')) else '.'}"

    @staticmethod
    def _progress(progress: gr.Progress):
        def report(stage: str, done: int, total: int) -> None:
            if total:
                progress((done, total), desc=_STAGES.get(stage, stage))

        return report

    # ------------------------------------------------------------- actions

    def upload(self, files, request: gr.Request = None, progress=gr.Progress()) -> tuple:
        """Add the uploaded files' talks (a file already uploaded under the same name is updated)."""
        from ingest.indexer import ingest

        self._check_user(request)
        paths = [_path_of(f) for f in (files or [])]
        with self._lock:
            try:
                staged = self.uploads.stage(paths)
            except InputError as err:
                return self._done(self._refused(err))
            try:
                progress(0, desc="checking the files")
                self.uploads.check(staged)
            except InputError as err:
                staged.discard()
                return self._done(self._refused(err))
            names = [final.name for _, final in staged.files]
            installed = self.uploads.install(staged)
            try:
                report = ingest(self.settings, self._writer(), self.uploads.ingest_paths(installed.files),
                                progress=self._progress(progress), wait=0)
            except TalkqaError as err:
                installed.undo()
                return self._done(self._refused(err))
            except BaseException:
                installed.undo()
                raise
            installed.keep()
        return self._done(self._summary(f"Added {', '.join(names)}", report))

    def remove_source(self, source: str | None, request: gr.Request = None) -> tuple:
        """Take every talk of ``source`` out of the index; an uploaded source's file is deleted too."""
        from ingest.indexer import remove

        self._check_user(request)
        if not source:
            return self._done("Pick a source to remove first.")
        with self._lock:
            try:
                report = remove(self.settings, self._writer(), sources=[source], wait=0)
            except InputError as err:
                if not (self.uploads.owns(source) and "no indexed talk matches" in str(err)):
                    return self._done(self._refused(err))
                report = None  # an upload none of whose talks is indexed (all duplicates of other talks): only the file goes
            except TalkqaError as err:
                return self._done(self._refused(err))
            deleted = self.uploads.delete(source)
        what = f"Removed {self.label(source)}" + (" and deleted the uploaded file" if deleted else "")
        if report is None:
            return self._done(f"✓ **{_e(what)}** (none of its talks was in the index).")
        note = "" if deleted else " Its file is untouched: its talks come back when it is ingested again."
        return self._done(self._summary(what, report) + note)

    def remove_talk(self, talk_id: str | None, request: gr.Request = None) -> tuple:
        """Take one talk out of the index (its file is untouched)."""
        from ingest.indexer import remove

        self._check_user(request)
        if not talk_id:
            return self._done("Pick a talk to remove first.")
        title = next((_named(t) for t in self._talks() if t.id == talk_id), f"“{talk_id}”")
        with self._lock:
            try:
                report = remove(self.settings, self._writer(), talk_ids=[talk_id], wait=0)
            except TalkqaError as err:
                return self._done(self._refused(err))
        return self._done(
            self._summary(f"Removed {title}", report)
            + " It comes back if its source file is ingested again; to drop it for good, remove it from the file."
        )

    def reindex(self, request: gr.Request = None, progress=gr.Progress()) -> tuple:
        """Rebuild the index from the configured corpus and the uploads, beside the live one (``ingest --rebuild``)."""
        from ingest.indexer import ingest

        self._check_user(request)
        paths = [Path(p) for p in self.settings.corpus if Path(p).exists()] + self.uploads.ingest_paths()
        if not paths:
            return self._done(self._refused(InputError("there is nothing to index: upload files first")))
        with self._lock:
            try:
                progress(0, desc="reading the sources")
                report = ingest(self.settings, self._writer(), paths, rebuild=True, progress=self._progress(progress), wait=0)
            except TalkqaError as err:
                return self._done(self._refused(err))
        return self._done(self._summary("Re-indexed", report))


def _confirm_row(elem_id: str, yes: str) -> tuple:
    """(row, yes, cancel): the second question a removal asks, hidden until the remove button is clicked."""
    with gr.Row(visible=False, elem_id=elem_id) as row:
        confirm = gr.Button(yes, variant="stop", size="sm", elem_id=f"{elem_id}-yes")
        cancel = gr.Button("Cancel", size="sm", elem_id=f"{elem_id}-cancel")
    return row, confirm, cancel


def _named(talk) -> str:
    """“Title” — speaker (when the record has one): how the tab's summaries name a talk, as the chat does."""
    return f"“{talk.title}”" + (f" — {talk.speaker}" if talk.speaker else "")


def _path_of(file) -> Path:
    """An uploaded file's path: Gradio gives a path string; a file object has ``.path`` or ``.name``."""
    if isinstance(file, (str, os.PathLike)):
        return Path(file)
    return Path(getattr(file, "path", None) or file.name)


def build_corpus_tab(manager: CorpusManager) -> tuple[list, list]:
    """The tab's components, inside an open ``gr.Tab``; returns (events that change the index, outputs of ``overview``)."""
    gr.Markdown(
        "Add talks from **.txt** (one paragraph a line), **.jsonl** / **.csv** (one talk a record: "
        "`title, speaker, date, url, abstract`), **.md** (one talk a file) or a **.zip** of them. "
        "Uploaded files are kept in the data dir; uploading a file again under the same name updates its talks. "
        "A file that cannot be read is refused with its line number, and nothing changes.",
        elem_id="tq-corpus-help",
    )
    with gr.Row(equal_height=False):
        with gr.Column(scale=11, min_width=380):
            files = gr.File(
                label="Files to add",
                file_count="multiple",
                file_types=[*EXTENSIONS, ".zip"],
                elem_id="tq-corpus-files",
                height=160,
            )
            add = gr.Button("Add to the index", variant="primary", elem_id="tq-corpus-add")
            status = gr.Markdown("", elem_id="tq-corpus-status")
            with gr.Group():
                source = gr.Dropdown(label="Source", choices=[], elem_id="tq-corpus-source", interactive=True)
                remove_source = gr.Button("Remove this source and its talks", variant="stop", size="sm", elem_id="tq-corpus-remove-source")
                confirm_source, yes_source, no_source = _confirm_row("tq-corpus-confirm-source", "Yes, remove the source and its talks")
            with gr.Group():
                talk = gr.Dropdown(label="Talk", choices=[], elem_id="tq-corpus-talk", interactive=True, filterable=True)
                remove_talk = gr.Button("Remove this talk", variant="stop", size="sm", elem_id="tq-corpus-remove-talk")
                confirm, confirm_remove, cancel_remove = _confirm_row("tq-corpus-confirm", "Yes, remove it")
            reindex = gr.Button("Re-index everything", variant="secondary", size="sm", elem_id="tq-corpus-reindex")
            gr.Markdown(
                "<small>Re-index rebuilds the index from the configured corpus and the uploads beside the live one "
                "(answers keep working), like `talkqa ingest --rebuild`.</small>"
            )
        with gr.Column(scale=9, min_width=320):
            count = gr.Markdown("", elem_id="tq-corpus-count")
            table = gr.Dataframe(
                headers=["Source", "Talks", ""],
                datatype=["str", "number", "str"],
                interactive=False,
                wrap=True,
                max_height=560,
                column_widths=["70%", "12%", "18%"],
                elem_id="tq-corpus-sources",
            )
    shown = [table, source, talk, count]
    outputs = [status, *shown]
    common = dict(concurrency_limit=1, concurrency_id=CORPUS_CONCURRENCY_ID, api_visibility="private")
    quick = dict(queue=False, api_visibility="private", show_progress="hidden")
    for ask, chosen, row, cancel, what in ((remove_talk, talk, confirm, cancel_remove, "talk"),
                                           (remove_source, source, confirm_source, no_source, "source")):
        ask.click(lambda picked, what=what: (gr.Row(visible=bool(picked)), "" if picked else f"Pick a {what} to remove first."),
                  chosen, [row, status], **quick)
        cancel.click(lambda: gr.Row(visible=False), None, row, **quick)
        chosen.change(lambda: gr.Row(visible=False), None, row, **quick)

    def cleared(button: gr.Button):
        """The button's click, first clearing the last action's status in the page (no round trip to the
        server): an old message never sits under the new action's progress."""
        return button.click(None, None, status, js="() => ''", queue=False, api_visibility="private", show_progress="hidden")

    events = [
        cleared(add).then(manager.upload, [files], outputs, show_progress="full", show_progress_on=[status], **common),
        yes_source.click(lambda: gr.Row(visible=False), None, confirm_source, queue=False, api_visibility="private").then(
            manager.remove_source, [source], outputs, **common),
        confirm_remove.click(lambda: gr.Row(visible=False), None, confirm, queue=False, api_visibility="private").then(
            manager.remove_talk, [talk], outputs, **common),
        cleared(reindex).then(manager.reindex, None, outputs, show_progress="full", show_progress_on=[status], **common),
    ]
    return events, shown
