"""The chat's event handlers, per browser session, over the one shared answer chain.

Sessions: every history lives in ``gr.State`` (one per browser tab or API
client), never in module globals. The one chain (index + model) is shared and
stateless; a follow-up's history (typed ``Turn``s, each answer with the talks it
cited, app/answer/turns.py) goes to ``AnswerChain.ask``, which resolves "the first
one" or "that talk" to those talks, or condenses the follow-up into a standalone question.

Errors a user can act on (no index, LLM unreachable, bad question) become an
assistant message; the app keeps running and the next question tries again.

Each finished answer is kept in the session (its ``ask --json`` record, by
chat message index): 👍/👎 and a comment are stored with it
(app/web/feedback.py), and the conversation export (app/web/export.py) is
written from it.

The chain is rebuilt when the index changes under it: after an upload or a
removal in the Corpus tab, or a ``talkqa ingest`` by another process (the
live base and generation are compared on every use). An answer already
streaming keeps the chain it started with, so it finishes on the talks it
retrieved.
"""

from __future__ import annotations

import contextlib

import logging
import threading
from dataclasses import dataclass
from typing import Callable, Iterator

import gradio as gr

from app.index import snapshot as index_snapshot
from app.answer.draft import draft
from app.answer.turns import Turn
from app.core.config import Settings
from app.core.feedback_log import new_id
from app.service import Service
from app.core.errors import InputError, TalkqaError
from app.models.tokens import encoding
from app.core.question import EMPTY, check_question
from app.web.export import write_export
from app.web.feedback import SessionFeedback
from app.web.render import (
    _e,
    answer_message,
    answer_payload,
    as_markdown_text,
    error_message,
    preview_message,
    render_sources,
    render_talk,
    talk_rows,
    writing,
)

log = logging.getLogger(__name__)

#: The answer's bubble until the talks are retrieved (the same for one user or many: the queue's
#: position, when there is one, shows on the sources panel).
SEARCHING = writing("_Searching the talks…_")

#: Talks a page of the talk browser lists (the filter narrows a large index).
TALKS_PAGE = 200


class ChainHolder:
    """The one answer chain of the app, built on first use; a failed build is retried on the next call.

    Holds no conversation: every session passes its own history to ``ask``. It never needs
    rebuilding for a new index generation: the chain's retriever asks the store's
    ``CurrentIndex`` (app/index/following.py) for the live generation before each question.
    """

    def __init__(self, service: Service, chain_factory: Callable[[], object] | None = None):
        self.service = service
        self._factory = chain_factory
        self._chain = None
        self._lock = threading.Lock()

    def get(self):
        """The chain, or raises the ``TalkqaError`` that prevents building it."""
        with self._lock:
            if self._chain is None:
                self._chain = self._factory() if self._factory is not None else self.service.answer_chain()
            return self._chain

    def catalog(self):
        """The indexed talks, without the chat model: the Talks and Corpus tabs list them while the model
        still loads (or when it cannot be loaded). A test's chain factory brings its own index."""
        if self._factory is None:
            return self.service.catalog()
        chain = self.get()
        return chain.latest_catalog() if hasattr(chain, "latest_catalog") else chain.catalog


def new_session() -> dict:
    """One session's state: what the chat shows, the history (``Turn``s: text without markers, cited talks),
    each finished answer's record by chat message index, the feedback given to them by answer id,
    and the title the session has shown for each talk (a title generated meanwhile is pointed out)."""
    return {"messages": [], "history": [], "answers": {}, "feedback": {}, "titles": {}}


def renamed_since(state: dict, sources) -> dict[str, str]:
    """{talk id: the title this session showed before} for the sources whose title has changed since
    (the idle title filler named them): the panel says so instead of renaming a talk silently."""
    seen = state.get("titles", {})
    return {s.talk.id: seen[s.talk.id] for s in sources or [] if seen.get(s.talk.id, s.talk.title) != s.talk.title}


@dataclass
class Step:
    """One update of the ask event's outputs."""

    messages: list
    sources: str
    state: dict
    payload: dict | None

    def values(self) -> tuple:
        return self.messages, self.sources, self.state, self.payload


class WebApp:
    """The handlers behind the UI; ``build_app`` wires them to components."""

    def __init__(self, settings: Settings, chain_factory: Callable[[], object] | None = None):
        self.settings = settings
        self.chains = ChainHolder(Service(settings), chain_factory)
        self.feedback = SessionFeedback(settings)
        #: Titles filled in while no answer is written (app/web/idle_titles.py); set by ``serve``.
        self.titles = None
        self._enc = None

    # -- chat ---------------------------------------------------------------

    def startup_problem(self) -> str | None:
        """Why no question can be answered right now (no index, model missing), or None."""
        try:
            self.chains.get()
        except TalkqaError as err:
            return error_message(err)
        return None

    def on_load(self) -> tuple[list, str]:
        problem = self.startup_problem()
        if problem:
            return [{"role": "assistant", "content": problem}], render_sources(status="Not ready")
        return [], render_sources()


    def _encoding(self):
        """The encoding the question limit is counted in (the chain's; loaded once, without the chain)."""
        if self._enc is None:
            self._enc = encoding(self.settings.chunks.encoding, self.settings.cache_dir / "tiktoken")
        return self._enc

    def pending(self, message: str, state: dict) -> tuple:
        """Immediately (not queued): (question box, question to answer, chat, note under the box, accepted).

        A question that can be asked is shown with a waiting bubble and the box is cleared. An empty
        or too long one is refused in words under the box, which keeps the text to be fixed; nothing
        reaches the chat or the log, and the answer event that follows does nothing (``accepted``).
        """
        try:
            message = check_question(message, self.settings.max_question_tokens, self._encoding())
        except InputError as err:
            return gr.skip(), gr.skip(), gr.skip(), f"⚠ {str(err)[0].upper()}{str(err)[1:]}.", False
        shown = state["messages"] + [
            {"role": "user", "content": message},
            {"role": "assistant", "content": SEARCHING},
        ]
        return "", message, shown, "", True

    def respond(self, message: str, state: dict | None, strict: bool = False, accepted: bool = True) -> Iterator[tuple]:
        """The ask event: stream (chat messages, sources panel, session state, answer JSON).

        ``strict`` leaves out the sentences no source supports. An empty question is an error the
        caller sees (an API client gets it as an exception), not a silent no-op. ``accepted``:
        False when ``pending`` refused the question in the browser (then nothing changes). While
        it runs, no title is generated in the background.
        """
        if not accepted:
            yield (gr.skip(),) * 4
            return
        with self.titles.busy() if self.titles else contextlib.nullcontext():
            yield from self._respond(message, state, strict)

    def _respond(self, message: str, state: dict | None, strict: bool) -> Iterator[tuple]:
        state = state or new_session()
        message = (message or "").strip()
        if not message:  # an API client (the chat's own input is checked by ``check_question``)
            raise gr.Error(EMPTY)
        history = list(state["history"])
        before = list(state["messages"])
        user = {"role": "user", "content": message}
        followup = bool(history)
        panel = render_sources(status="Searching the talks…" + (" (condensing the follow-up)" if followup else ""))

        def step(content: str, sources_html: str, payload=None, new_state=None) -> tuple:
            shown = before + [user, {"role": "assistant", "content": content}]
            return Step(shown, sources_html, new_state or state, payload).values()

        yield step(SEARCHING, panel)
        sources = None
        try:
            stream = self.chains.get().ask(message, history or None, strict=bool(strict))
            sources = stream.sources
            renamed = renamed_since(state, sources)
            panel = render_sources(
                sources,
                question=message,
                status=f"{len(sources)} talk{'s' if len(sources) != 1 else ''} retrieved · writing the answer…",
                followup=followup,
                query=stream.query,
                renamed=renamed,
            )
            yield step(preview_message(stream.preview), panel)
            tokens: list[str] = []
            for token in stream:
                tokens.append(token)
                shown = draft("".join(tokens), sources)
                if shown.strip():  # the preview stays until the model's draft has text of its own
                    yield step(writing(as_markdown_text(shown)), panel)
            answer = stream.result()
        except Exception as err:  # every failure becomes a message; the app stays up
            if not isinstance(err, TalkqaError):
                log.exception("answering %r failed", message)
            text = error_message(err)
            status = "The answer failed" + (" — the talks retrieved before the failure:" if sources else "")
            panel = render_sources(sources, question=message, status=status) if sources else render_sources(status=status)
            new_state = {**state, "messages": before + [user, {"role": "assistant", "content": text}]}
            payload = {"question": message, "answer": "", "citations": [], "error": {"kind": err.__class__.__name__, "message": str(err)}}
            yield Step(new_state["messages"], panel, new_state, payload).values()
            return
        content = answer_message(answer)
        status = "Not covered by the talks" if answer.abstained else "Answer ready"
        panel = render_sources(answer=answer, status=status, renamed=renamed)
        payload = answer_payload(answer)
        new_state = {
            **state,
            "messages": before + [user, {"role": "assistant", "content": content}],
            "history": state["history"] + [Turn.user(message), Turn.answered(answer)],
            "answers": {**state.get("answers", {}), len(before) + 1: {**payload, "id": new_id()}},
            "titles": {**state.get("titles", {}), **{s.talk.id: s.talk.title for s in answer.sources}},
        }
        yield Step(new_state["messages"], panel, new_state, payload).values()

    def clear(self) -> tuple:
        return [], render_sources(), new_session(), None, ""

    # -- export -------------------------------------------------------------

    def export(self, state: dict):
        """The conversation as a Markdown file for the download button (disabled while there is nothing)."""
        path = write_export(state or new_session())
        return gr.DownloadButton(value=str(path) if path else None, interactive=path is not None)

    # -- talk browser -------------------------------------------------------

    def list_talks(self, text: str, page: int = 1) -> tuple:
        """(table rows, ids in table order, count line) for the filter ``text``: one page of ``TALKS_PAGE`` talks.

        The talks whose record holds every word of the filter, found by the store
        (app/index/snapshot.py): a page costs one read, whatever the number of talks.
        """
        page = max(int(page or 1), 1)
        try:
            talks, total = self.chains.catalog().search(text, (page - 1) * TALKS_PAGE, TALKS_PAGE, index_snapshot.COUNT_UP_TO)
        except TalkqaError as err:
            return [], [], f"⚠ {err}"
        filtered = bool((text or "").strip())
        if filtered and total > index_snapshot.COUNT_UP_TO:
            count = f"more than {index_snapshot.COUNT_UP_TO:,} talks match “{text.strip()}”"
        else:
            count = f"{total} talk{'s' if total != 1 else ''}" + (f" match “{text.strip()}”" if filtered else " in the index")
        pages = max(-(-min(total, index_snapshot.COUNT_UP_TO) // TALKS_PAGE), 1)
        if not talks and total and page > 1:
            count += f" — page {page} is past the end: the last page is {pages}"
        elif total > TALKS_PAGE:
            first = (page - 1) * TALKS_PAGE + 1
            count += f" — showing {first}–{first + len(talks) - 1}" + ("" if filtered else "; type to filter")
        return talk_rows(talks), [t.id for t in talks], count

    def keep_shown_talk(self, shown: str | None, ids: list[str]) -> tuple:
        """After the list changed: the detail pane keeps its talk only if the list still has it."""
        if shown and shown in ids:
            return gr.skip(), shown
        return render_talk(None), None

    def show_talk(self, ids: list[str], evt: gr.SelectData) -> tuple[str, str | None]:
        """(the detail pane, the id of the talk it shows) for a click on a row of the list."""
        row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        if row is None or row >= len(ids):
            return render_talk(None), None
        return self.talk_html(ids[row]), ids[row]

    def talk_html(self, talk_id: str) -> str:
        try:
            return render_talk(self.chains.catalog().find(talk_id))
        except LookupError:
            return render_talk(None)
        except TalkqaError as err:
            return f'<div class="tq-talk tq-empty">⚠ {_e(err)}</div>'
