"""The browser chat (``talkqa chat``): streamed cited answers beside a sources panel.

One Gradio 6 ``Blocks`` app, built by ``build_app``:

* **Ask** tab: the chat (answers stream in with their ``[n]`` markers) and,
  beside it, the sources of the current answer: each talk's title, speaker,
  line ranges and links, the passage the model read with the sentences that
  support the answer highlighted, and every answer sentence's support mark.
  The sources appear as soon as retrieval is done, before the answer.
* **Talks** tab: the indexed talks, filtered by text; a click opens a talk.

Follow-ups: the session's own history goes to ``AnswerChain.stream``, which
condenses a follow-up into a standalone question for retrieval (only when
there is history); the panel shows what was searched for.

Sessions: every history lives in ``gr.State`` (one per browser tab or API
client), never in module globals. The one chain (index + model) is shared and
stateless; the answer event runs one at a time (the embedded model has two
cores), the others wait in Gradio's queue and see their position.

Errors a user can act on (no index, LLM unreachable, bad question) become an
assistant message; the app keeps running and the next question tries again.
"""

from __future__ import annotations

import html
import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry calls from a local tool

import gradio as gr  # noqa: E402
import numpy as np  # noqa: E402
from langchain_core.embeddings import Embeddings  # noqa: E402

from app.config import Settings  # noqa: E402
from app.errors import IndexStateError, InputError, LLMUnavailableError, ModelFileError, TalkqaError  # noqa: E402
from app.answer.grounding import is_supported  # noqa: E402
from app.text import content_words  # noqa: E402

log = logging.getLogger(__name__)

#: Shown on first load (and after "Clear") as clickable examples.
EXAMPLES = [
    "What is RevThink and how does it train the student model?",
    "Which talks are about feature learning in neural networks?",
    "Who talks about language models and the brain?",
    "How is tropical geometry used to study neural networks?",
]

#: The answer event's concurrency group: one generation at a time on the embedded model.
LLM_CONCURRENCY_ID = "llm"

WELCOME = (
    "Ask about the research talks. Answers cite the talks they use as **[1]**, **[2]** …; "
    "the talks and the sentences that support each claim are shown on the right. "
    "Follow-up questions use the conversation."
)


# ------------------------------------------------------------------ auth


def parse_auth(value: str | None) -> list[tuple[str, str]] | None:
    """``TALKQA_AUTH``: "user:password", or the path of a file with one such line per user."""
    if not value or not value.strip():
        return None
    value = value.strip()
    path = Path(value).expanduser()
    if ":" not in value or path.is_file():
        if not path.is_file():
            raise InputError(f"TALKQA_AUTH is neither user:password nor a readable file: {value!r}")
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        entries = [line for line in lines if line and not line.startswith("#")]
        source = str(path)
    else:
        entries, source = [value], "TALKQA_AUTH"
    pairs = []
    for entry in entries:
        user, sep, password = entry.partition(":")
        if not sep or not user.strip() or not password:
            raise InputError(f"{source}: every login must be user:password")
        pairs.append((user.strip(), password))
    if not pairs:
        raise InputError(f"{source}: no user:password line")
    return pairs


# ------------------------------------------------------------------ the shared chain


class ChainHolder:
    """The one answer chain of the app, built on first use; a failed build is retried on the next call.

    Holds no conversation: every session passes its own history to ``stream``.
    """

    def __init__(self, settings: Settings, chain_factory: Callable[[], object] | None = None):
        self.settings = settings
        self._factory = chain_factory
        self._chain = None
        self._catalog = None
        self._lock = threading.Lock()

    def _build(self):
        if self._factory is not None:
            return self._factory()
        from app.service import build_chain

        return build_chain(self.settings)

    def get(self):
        """The chain, or raises the ``TalkqaError`` that prevents building it."""
        with self._lock:
            if self._chain is None:
                self._chain = self._build()
                self._catalog = self._chain.catalog
            return self._chain

    def catalog(self):
        """The indexed talks, even when the chat model cannot be loaded."""
        try:
            return self.get().catalog
        except (LLMUnavailableError, ModelFileError):
            if self._factory is not None:
                raise
            with self._lock:
                if self._catalog is None:
                    from app.models.embeddings import cached_embeddings
                    from app.store import TalkStore

                    self._catalog = TalkStore(self.settings, cached_embeddings(self.settings)).catalog()
                return self._catalog


# ------------------------------------------------------------------ rendering (pure functions)

_MARKERS = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]")


def strip_markers(text: str) -> str:
    return _MARKERS.sub("", text).strip()


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def line_ranges(lines) -> str:
    return ", ".join(f"{s}" if s == e else f"{s}–{e}" for s, e in lines)


def support_mark(score: float | None, cited: bool = True) -> tuple[str, str]:
    """(css class, label) for one answer sentence: ✓ supported, ⚠ weak, or ✗ uncited."""
    if not cited:
        return "none", "✗ no source"
    if score is not None and is_supported(score):
        return "ok", f"✓ supported {score:.2f}"
    return "weak", f"⚠ weak {score or 0:.2f}"


def _link_label(url: str) -> str:
    label = re.sub(r"^https?://(www\.)?", "", url).rstrip("/")
    return label if len(label) <= 48 else label[:45] + "…"


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def supporting_sentences(answer, embeddings: Embeddings | None = None) -> dict[int, dict[int, list[int]]]:
    """For each source n: {index of its passage sentence: [answer sentences (1-based) it supports]}.

    An answer sentence citing [n] is matched to the passage sentence of n
    closest in meaning (embeddings) or, without a model, in content words.
    """
    by_n = {s.n: s for s in answer.sources}
    pairs = [(i, n) for i, sent in enumerate(answer.sentences, 1) for n in sent.get("citations", []) if n in by_n and by_n[n].sentences]
    if not pairs:
        return {}
    vectors: dict[str, np.ndarray] = {}
    if embeddings is not None:
        texts = list(dict.fromkeys([answer.sentences[i - 1]["text"] for i, _ in pairs] + [t for _, n in pairs for t in by_n[n].sentences]))
        try:
            vectors = dict(zip(texts, _unit(np.asarray(embeddings.embed_documents(texts), dtype=np.float32))))
        except Exception:  # highlighting is a nicety: never fail an answer for it
            log.exception("could not embed sentences for highlighting")
            vectors = {}
    result: dict[int, dict[int, list[int]]] = {}
    for i, n in pairs:
        sentence = answer.sentences[i - 1]["text"]
        candidates = by_n[n].sentences
        if vectors:
            scores = [float(vectors[sentence] @ vectors[c]) for c in candidates]
        else:
            words = content_words(sentence)
            scores = [len(words & content_words(c)) / (len(words) or 1) for c in candidates]
        best = int(np.argmax(scores))
        if scores[best] <= 0:
            continue  # nothing in common: highlighting a sentence would claim support that is not there
        result.setdefault(n, {}).setdefault(best, []).append(i)
    return result


def _talk_meta(talk) -> str:
    parts = []
    if talk.speaker:
        parts.append(f'<span class="tq-speaker">{_e(talk.speaker)}</span>')
    if talk.coauthors:
        parts.append(f"with {_e(', '.join(talk.coauthors))}")
    parts.append(f'<span class="tq-lines">{_e(Path(talk.source).name)} · lines {_e(line_ranges(talk.lines))}</span>')
    meta = " · ".join(parts)
    links = "".join(
        f'<a href="{_e(url)}" target="_blank" rel="noopener noreferrer">{_e(_link_label(url))}</a>' for url in talk.links
    )
    return f'<div class="tq-meta">{meta}</div>' + (f'<div class="tq-links">{links}</div>' if links else "")


def _source_card(source, marks: dict[int, list[int]], labels: dict[int, tuple[str, str]], cited: bool) -> str:
    pieces = []
    for j, sentence in enumerate(source.sentences):
        supporting = marks.get(j)
        if supporting:
            worst = "ok" if all(labels.get(i, ("ok", ""))[0] == "ok" for i in supporting) else "weak"
            tags = "".join(f'<sup class="tq-ref">{i}</sup>' for i in supporting)
            title = "supports answer sentence " + ", ".join(str(i) for i in supporting)
            pieces.append(f'<mark class="tq-hl tq-{worst}" title="{_e(title)}">{_e(sentence)}{tags}</mark>')
        else:
            pieces.append(_e(sentence))
    talk = source.talk
    full = _e(talk.abstract) + "".join(f"<br><br>{_e(note)}" for note in talk.notes)
    return (
        f'<div class="tq-card{"" if cited else " tq-uncited"}" id="tq-source-{source.n}">'
        f'<div class="tq-card-head"><span class="tq-n">{source.n}</span><span class="tq-title">{_e(talk.title)}</span></div>'
        f"{_talk_meta(talk)}"
        f'<p class="tq-passage">{" ".join(pieces)}</p>'
        f'<details class="tq-full"><summary>Full abstract</summary><div>{full}</div></details>'
        "</div>"
    )


def render_sources(
    sources=None,
    answer=None,
    *,
    question: str | None = None,
    status: str | None = None,
    embeddings: Embeddings | None = None,
    followup: bool = False,
    query: str | None = None,
) -> str:
    """The sources panel: status, searched-for query, answer check, then one card a talk."""
    parts = ['<div class="tq-sources">']
    if answer is not None:
        sources = answer.sources
        question = answer.question
    if status:
        parts.append(f'<div class="tq-status">{_e(status)}</div>')
    searched = answer.query if answer is not None else query
    asked = answer.question if answer is not None else question
    if searched and asked and searched.strip() != asked.strip():
        parts.append(f'<div class="tq-query">searched for: <q>{_e(searched)}</q></div>')
    elif answer is None and followup and sources is not None and not query:
        parts.append('<div class="tq-query">follow-up: searched with the conversation’s context</div>')
    if sources is None:
        parts.append(
            '<div class="tq-empty tq-welcome"><div class="tq-h">Sources</div>'
            "<p>The talks behind the current answer appear here as soon as they are retrieved: title, speaker, "
            "line numbers and links, the passage the model read with the supporting sentences highlighted, "
            "and a support mark for every sentence of the answer "
            '(<span class="tq-mark tq-ok">✓ supported</span> <span class="tq-mark tq-weak">⚠ weak</span>).</p></div></div>'
        )
        return "".join(parts)

    marks: dict[int, dict[int, list[int]]] = {}
    labels: dict[int, tuple[str, str]] = {}
    cited_ns: set[int] = set()
    if answer is not None and not answer.abstained and answer.sentences:
        marks = supporting_sentences(answer, embeddings)
        rows = []
        for i, sentence in enumerate(answer.sentences, 1):
            cites = sentence.get("citations", [])
            css, label = support_mark(sentence.get("support"), bool(cites))
            labels[i] = (css, label)
            refs = "".join(f'<a class="tq-cite" href="#tq-source-{n}">[{n}]</a>' for n in cites)
            rows.append(
                f'<li><span class="tq-mark tq-{css}">{_e(label)}</span> '
                f'<span class="tq-sent">{_e(sentence["text"])}</span> {refs}</li>'
            )
        weak = sum(1 for css, _ in labels.values() if css != "ok")
        summary = f"support {answer.support:.2f}" + (f" · {weak} of {len(labels)} sentences weak or uncited" if weak else "")
        parts.append(
            f'<div class="tq-check"><div class="tq-h">Answer check <span class="tq-summary">{_e(summary)}</span></div>'
            f'<ol>{"".join(rows)}</ol></div>'
        )
        cited_ns = set(answer.cited)

    if not sources:
        parts.append('<div class="tq-empty">No talk matched the question.</div></div>')
        return "".join(parts)

    if answer is not None and answer.abstained:
        heading = "Closest talks (they do not answer the question)"
        primary, rest = list(sources), []
    elif answer is not None and cited_ns:
        heading = "Cited talks"
        primary = [s for s in sources if s.n in cited_ns]
        rest = [s for s in sources if s.n not in cited_ns]
    elif answer is not None:
        heading = "Retrieved talks (the answer cites none)"
        primary, rest = list(sources), []
    else:
        heading = "Retrieved talks"
        primary, rest = list(sources), []
    parts.append(f'<div class="tq-h">{_e(heading)}</div>')
    parts += [_source_card(s, marks.get(s.n, {}), labels, True) for s in primary]
    if rest:
        parts.append(f'<details class="tq-more"><summary>Also retrieved, not cited ({len(rest)})</summary>')
        parts += [_source_card(s, {}, labels, False) for s in rest]
        parts.append("</details>")
    parts.append("</div>")
    return "".join(parts)


def error_message(err: BaseException) -> str:
    """The assistant's message for a failure (markdown)."""
    if isinstance(err, InputError):
        return f"⚠ **I can't use that question:** {err}."
    if isinstance(err, IndexStateError):
        return f"⚠ **There is no usable index:** {err}. Once it is built, ask again (no restart needed)."
    if isinstance(err, (LLMUnavailableError, ModelFileError)):
        return f"⚠ **The language model is unavailable:** {err}. The retrieved talks (if any) are on the right; try again later."
    if isinstance(err, TalkqaError):
        return f"⚠ {err}"
    return f"⚠ **Something went wrong** ({err.__class__.__name__}: {err}). Please try again."


def answer_message(answer) -> str:
    """The final assistant message: the answer with its [n] markers and a one-line footer."""
    text = answer.answer.strip() or "_(no answer text)_"
    if answer.abstained:
        return text
    by_n = {s.n: s for s in answer.sources}
    cites = [f"[{n}] {by_n[n].talk.title}" for n in answer.cited if n in by_n]
    footer = []
    if cites:
        footer.append("Sources: " + " · ".join(cites))
    if answer.sentences:
        footer.append(f"support {answer.support:.2f}")
    else:
        footer.append("no cited sentence")
    return text + "\n\n<sub>" + html.escape(" — ".join(footer), quote=False) + "</sub>"


def answer_payload(answer) -> dict:
    """What the API returns beside the chat: the ``ask --json`` shape plus the searched-for query."""
    return {**answer.to_json(), "query": answer.query, "support": answer.support, "error": None}


# ------------------------------------------------------------------ talk browser


def filter_talks(talks, text: str) -> list:
    """Talks whose title, speaker, co-authors, id, abstract or notes contain every word of ``text``."""
    words = [w.casefold() for w in (text or "").split()]
    if not words:
        return list(talks)
    found = []
    for talk in talks:
        haystack = " ".join([talk.id, talk.title, talk.speaker or "", *talk.coauthors, talk.abstract, *talk.notes]).casefold()
        if all(w in haystack for w in words):
            found.append(talk)
    return found


def talk_rows(talks) -> list[list[str]]:
    return [[t.title, t.speaker or "", line_ranges(t.lines), t.id] for t in talks]


def render_talk(talk) -> str:
    if talk is None:
        return '<div class="tq-talk tq-empty">Pick a talk in the list to read its abstract and notes.</div>'
    notes = "".join(f'<p class="tq-note">{_e(n)}</p>' for n in talk.notes)
    return (
        f'<div class="tq-talk"><div class="tq-talk-title">{_e(talk.title)}</div>'
        f"{_talk_meta(talk)}"
        f'<div class="tq-id">id {_e(talk.id)}</div>'
        f'<p class="tq-abstract">{_e(talk.abstract)}</p>'
        + (f'<div class="tq-h">Notes</div>{notes}' if notes else "")
        + "</div>"
    )


# ------------------------------------------------------------------ per-session handlers


def new_session() -> dict:
    """One session's state: what the chat shows and the clean (role, text) history for condensing."""
    return {"messages": [], "history": []}


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
        self.chains = ChainHolder(settings, chain_factory)

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

    def pending(self, message: str, state: dict) -> tuple:
        """Immediately: show the question and a waiting bubble, clear the box (not queued)."""
        message = (message or "").strip()
        if not message:
            return gr.skip(), gr.skip(), gr.skip()
        shown = state["messages"] + [
            {"role": "user", "content": message},
            {"role": "assistant", "content": "_Waiting for the model (it answers one question at a time)…_"},
        ]
        return "", message, shown

    def respond(self, message: str, state: dict | None) -> Iterator[tuple]:
        """The ask event: stream (chat messages, sources panel, session state, answer JSON)."""
        state = state or new_session()
        message = (message or "").strip()
        if not message:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        history = [tuple(turn) for turn in state["history"]]
        before = list(state["messages"])
        user = {"role": "user", "content": message}
        followup = bool(history)
        panel = render_sources(status="Searching the talks…" + (" (condensing the follow-up)" if followup else ""))

        def step(content: str, sources_html: str, payload=None, new_state=None) -> tuple:
            shown = before + [user, {"role": "assistant", "content": content}]
            return Step(shown, sources_html, new_state or state, payload).values()

        yield step("_Searching the talks…_", panel)
        sources = None
        answer = None
        try:
            chain = self.chains.get()
            tokens: list[str] = []
            query = None
            for kind, value in chain.stream(message, history or None):
                if kind == "query":
                    query = value
                elif kind == "sources":
                    sources = value
                    panel = render_sources(
                        value,
                        question=message,
                        status=f"{len(value)} talk{'s' if len(value) != 1 else ''} retrieved · writing the answer…",
                        followup=followup,
                        query=query,
                    )
                    yield step("_Writing the answer…_", panel)
                elif kind == "token":
                    tokens.append(value)
                    yield step("".join(tokens) + " ▍", panel)
                elif kind == "answer":
                    answer = value
        except Exception as err:  # every failure becomes a message; the app stays up
            if not isinstance(err, TalkqaError):
                log.exception("answering %r failed", message)
            text = error_message(err)
            status = "The answer failed" + (" — the talks retrieved before the failure:" if sources else "")
            panel = render_sources(sources, question=message, status=status) if sources else render_sources(status=status)
            new_state = {"messages": before + [user, {"role": "assistant", "content": text}], "history": state["history"]}
            payload = {"question": message, "answer": "", "citations": [], "error": {"kind": err.__class__.__name__, "message": str(err)}}
            yield Step(new_state["messages"], panel, new_state, payload).values()
            return
        if answer is None:  # the chain ended without its final event: a bug, say so plainly
            err = RuntimeError("the answer stream ended without an answer")
            new_state = {"messages": before + [user, {"role": "assistant", "content": error_message(err)}], "history": state["history"]}
            yield Step(new_state["messages"], render_sources(status="The answer failed"), new_state, None).values()
            return
        content = answer_message(answer)
        status = "Not covered by the talks" if answer.abstained else "Answer ready"
        panel = render_sources(answer=answer, status=status, embeddings=getattr(chain, "embeddings", None))
        new_state = {
            "messages": before + [user, {"role": "assistant", "content": content}],
            "history": state["history"] + [("user", message), ("assistant", strip_markers(answer.answer))],
        }
        yield Step(new_state["messages"], panel, new_state, answer_payload(answer)).values()

    def clear(self) -> tuple:
        return [], render_sources(), new_session(), None, ""

    # -- talk browser -------------------------------------------------------

    def _talks(self):
        return self.chains.catalog().talks

    def list_talks(self, text: str) -> tuple:
        """(table rows, ids in table order, count line) for the filter ``text``."""
        try:
            talks = filter_talks(self._talks(), text)
        except TalkqaError as err:
            return [], [], f"⚠ {err}"
        count = f"{len(talks)} talk{'s' if len(talks) != 1 else ''}" + (f" match “{text.strip()}”" if (text or "").strip() else " in the index")
        return talk_rows(talks), [t.id for t in talks], count

    def show_talk(self, ids: list[str], evt: gr.SelectData) -> str:
        row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        if row is None or row >= len(ids):
            return render_talk(None)
        return self.talk_html(ids[row])

    def talk_html(self, talk_id: str) -> str:
        try:
            by_id = {t.id: t for t in self._talks()}
        except TalkqaError as err:
            return f'<div class="tq-talk tq-empty">⚠ {_e(err)}</div>'
        matches = [t for i, t in by_id.items() if i.startswith((talk_id or "").strip())] if talk_id else []
        return render_talk(matches[0] if len(matches) == 1 else None)


# ------------------------------------------------------------------ layout

CSS = """
.gradio-container { max-width: 1480px !important; margin: 0 auto; }
#tq-header { padding: 4px 2px 0; }
#tq-header h1 { font-size: 1.45rem; margin: 0; font-weight: 700; letter-spacing: -0.01em; }
#tq-header p { margin: 2px 0 0; color: var(--body-text-color-subdued); font-size: 0.95rem; }
#tq-chat { border-radius: 12px; }
#tq-sources-box { max-height: 680px; overflow-y: auto; padding-right: 2px; }
.tq-sources { display: flex; flex-direction: column; gap: 10px; font-size: 0.92rem; line-height: 1.45; }
.tq-status { font-weight: 600; color: var(--body-text-color); padding: 6px 10px; border-radius: 8px;
  background: var(--background-fill-secondary); border: 1px solid var(--border-color-primary); }
.tq-query { font-size: 0.88rem; color: var(--body-text-color-subdued); padding: 0 2px; }
.tq-query q { color: var(--body-text-color); font-style: italic; }
.tq-empty { color: var(--body-text-color-subdued); padding: 8px 2px; }
.tq-h { font-weight: 700; font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.05em;
  color: var(--body-text-color-subdued); margin-top: 4px; }
.tq-summary { text-transform: none; letter-spacing: 0; font-weight: 500; margin-left: 6px; }
.tq-check ol { margin: 6px 0 0; padding-left: 1.4em; }
.tq-check li { margin: 3px 0; }
.tq-mark { display: inline-block; font-size: 0.76rem; font-weight: 600; padding: 0 7px; border-radius: 999px;
  margin-right: 4px; white-space: nowrap; }
.tq-mark.tq-ok { background: #dcfce7; color: #166534; }
.tq-mark.tq-weak { background: #fef3c7; color: #92400e; }
.tq-mark.tq-none { background: #fee2e2; color: #991b1b; }
.tq-cite { font-weight: 600; text-decoration: none; margin-left: 2px; }
.tq-card { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 10px 12px;
  background: var(--background-fill-primary); box-shadow: 0 1px 2px rgba(0,0,0,0.04); }
.tq-card.tq-uncited { opacity: 0.85; margin-top: 8px; }
.tq-card-head { display: flex; gap: 8px; align-items: baseline; }
.tq-n { flex: none; display: inline-flex; align-items: center; justify-content: center; min-width: 1.6em; height: 1.6em;
  border-radius: 6px; background: var(--color-accent); color: white; font-weight: 700; font-size: 0.8rem; }
.tq-title { font-weight: 650; font-size: 0.98rem; }
.tq-meta { color: var(--body-text-color-subdued); font-size: 0.83rem; margin: 3px 0 0 2px; }
.tq-speaker { color: var(--body-text-color); font-weight: 600; }
.tq-links { font-size: 0.83rem; margin: 2px 0 0 2px; display: flex; flex-wrap: wrap; gap: 4px 10px; }
.tq-links a, .tq-meta a { color: var(--link-text-color); }
.tq-links a::before { content: "↗ "; }
.tq-welcome p { margin: 6px 0 0; }
#tq-clear { max-width: 220px; }
.tq-passage { margin: 8px 0 4px; }
mark.tq-hl { border-radius: 4px; padding: 1px 2px; color: inherit; }
mark.tq-hl.tq-ok { background: rgba(34, 197, 94, 0.22); }
mark.tq-hl.tq-weak { background: rgba(245, 158, 11, 0.25); }
.tq-ref { font-weight: 700; font-size: 0.68rem; margin-left: 2px; color: var(--body-text-color-subdued); }
.tq-full summary, .tq-more summary { cursor: pointer; color: var(--body-text-color-subdued); font-size: 0.83rem; }
.tq-full div { margin-top: 6px; font-size: 0.86rem; color: var(--body-text-color-subdued); }
.tq-talk { padding: 4px 6px; line-height: 1.5; }
.tq-talk-title { font-weight: 700; font-size: 1.1rem; margin-bottom: 2px; }
.tq-id { font-size: 0.78rem; color: var(--body-text-color-subdued); margin: 2px 0 0 2px; font-family: var(--font-mono); }
.tq-abstract { margin-top: 10px; }
.tq-note { color: var(--body-text-color-subdued); }
"""


def build_app(settings: Settings, chain_factory: Callable[[], object] | None = None) -> gr.Blocks:
    """The Gradio app. ``chain_factory`` (no arguments -> AnswerChain) lets tests inject a chain."""
    web = WebApp(settings, chain_factory)
    with gr.Blocks(title="talkqa — ask the talks", analytics_enabled=False) as demo:
        demo.talkqa = web  # tests and launch() reach the handlers through the app
        gr.HTML(
            "<h1>talkqa</h1><p>Ask questions about the research talks. Every claim cites its talk as [n]; "
            "the sources panel shows the passages and how well each sentence is supported.</p>",
            elem_id="tq-header",
        )
        state = gr.State(new_session())
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=11, min_width=380):
                        chatbot = gr.Chatbot(
                            label="Chat",
                            elem_id="tq-chat",
                            height=600,
                            placeholder=f"**Ask about the talks**\n\n{WELCOME}",
                            examples=[{"text": q} for q in EXAMPLES],
                            feedback_options=None,
                            buttons=["copy"],
                        )
                        with gr.Row():
                            question = gr.Textbox(
                                placeholder="Ask a question about the talks…",
                                show_label=False,
                                lines=1,
                                max_lines=4,
                                scale=8,
                                elem_id="tq-question",
                                autofocus=True,
                            )
                            ask = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="tq-ask")
                        with gr.Row():
                            clear = gr.Button("Clear conversation", variant="secondary", size="sm", elem_id="tq-clear")
                        pending = gr.Textbox(visible=False, label="question")
                    with gr.Column(scale=9, min_width=320):
                        sources = gr.HTML(render_sources(), label="Sources", elem_id="tq-sources-box", show_label=False)
                        payload = gr.JSON(visible=False, label="answer")
            with gr.Tab("Talks", id="talks"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=11):
                        talk_filter = gr.Textbox(placeholder="Filter talks: a word from the title, speaker or abstract…", show_label=False, elem_id="tq-talk-filter")
                        talk_count = gr.Markdown("", elem_id="tq-talk-count")
                        talk_table = gr.Dataframe(
                            headers=["Title", "Speaker", "Lines", "Id"],
                            datatype="str",
                            interactive=False,
                            wrap=True,
                            max_height=620,
                            column_widths=["56%", "22%", "8%", "14%"],
                            elem_id="tq-talk-table",
                        )
                    with gr.Column(scale=9):
                        talk_view = gr.HTML(render_talk(None), elem_id="tq-talk-view")
                talk_ids = gr.State([])
                talk_id = gr.Textbox(visible=False, label="talk_id")

        ask_outputs = [chatbot, sources, state, payload]
        ask_kwargs = dict(
            concurrency_limit=1,
            concurrency_id=LLM_CONCURRENCY_ID,
            show_progress="full",
            show_progress_on=[sources],
        )
        for i, trigger in enumerate([question.submit, ask.click]):
            trigger(web.pending, [question, state], [question, pending, chatbot], queue=False, api_visibility="private").then(
                web.respond,
                [pending, state],
                ask_outputs,
                api_name="ask" if i == 0 else None,
                api_visibility="public" if i == 0 else "private",
                **ask_kwargs,
            )

        def pick_example(evt: gr.SelectData, current: dict):
            return web.pending(evt.value["text"] if isinstance(evt.value, dict) else str(evt.value), current)

        chatbot.example_select(pick_example, [state], [question, pending, chatbot], queue=False, api_visibility="private").then(
            web.respond, [pending, state], ask_outputs, api_visibility="private", **ask_kwargs
        )
        clear.click(web.clear, None, [chatbot, sources, state, payload, question], queue=False, api_name="clear")
        chatbot.clear(web.clear, None, [chatbot, sources, state, payload, question], queue=False, api_visibility="private")

        talk_filter.change(web.list_talks, [talk_filter], [talk_table, talk_ids, talk_count], api_name="talks", show_progress="hidden")
        talk_table.select(web.show_talk, [talk_ids], [talk_view], api_visibility="private")
        talk_id.change(web.talk_html, [talk_id], [talk_view], api_name="talk")

        demo.load(web.on_load, None, [chatbot, sources], api_visibility="private")
        demo.load(web.list_talks, [talk_filter], [talk_table, talk_ids, talk_count], api_visibility="private")
    return demo


#: System fonts only: the page loads nothing from the internet (no Google Fonts).
_FONTS = ["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
THEME = gr.themes.Soft(
    primary_hue="indigo",
    neutral_hue="slate",
    radius_size="md",
    font=_FONTS,
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
)


def launch_app(
    demo: gr.Blocks,
    *,
    host: str = "127.0.0.1",
    port: int = 7860,
    share: bool = False,
    auth: list[tuple[str, str]] | None = None,
    block: bool = True,
    max_queue: int = 64,
):
    """Queue (one generation at a time) and serve; ``block=False`` returns at once (tests)."""
    demo.queue(default_concurrency_limit=4, max_size=max_queue)
    try:
        return demo.launch(
            server_name=host,
            server_port=port,
            share=share,
            auth=auth,
            auth_message="talkqa: please log in" if auth else None,
            prevent_thread_lock=not block,
            inbrowser=False,
            show_error=True,
            quiet=not block,
            ssr_mode=False,
            footer_links=["api"],
            theme=THEME,
            css=CSS,
        )
    except OSError as err:
        raise InputError(f"cannot serve on {host}:{port}: {err}") from None


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860, share: bool = False) -> None:
    """``talkqa chat``: build the app on the configured chain and serve it until interrupted."""
    auth = parse_auth(settings.auth)
    demo = build_app(settings)
    problem = demo.talkqa.startup_problem()  # load index and model now, not on the first question
    if problem:
        log.warning("starting without a working chain: %s", problem)
    launch_app(demo, host=host, port=port, share=share, auth=auth, block=True)
