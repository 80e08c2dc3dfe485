"""The chat's HTML, as pure functions of answers and talks (no Gradio, no models): easy to test.

Everything from the corpus or the model is escaped; links open in a new tab
without a referrer.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from app.answer.attribution import render as render_answer
from app.core.text import MARKER, cited_numbers
from app.answer.grounding import is_supported
from app.answer.result import Answer
from app.core.errors import IndexStateError, InputError, LLMUnavailableError, ModelFileError, TalkqaError

WELCOME = (
    "Ask about the research talks. Answers cite the talks they use as **[1]**, **[2]** …; "
    "the talks and the sentences that support each claim are shown on the right. "
    "Follow-up questions use the conversation."
)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def support_mark(score: float | None, cited: bool = True) -> tuple[str, str]:
    """(css class, label) for one answer sentence: ✓ supported, ⚠ weak, or ✗ uncited."""
    if not cited:
        return "none", "✗ no source"
    if score is not None and is_supported(score):
        return "ok", f"✓ supported {score:.2f}"
    return "weak", f"⚠ weak {score or 0:.2f}"


def attribution_note(sentence) -> str:
    """What attribution changed in the model's markers, so a reader sees why a sentence cites what it cites."""
    if not sentence.moved:
        return ""
    wrote = "".join(f"[{n}]" for n in sentence.model_citations or [])
    if not wrote:
        note = "citation added by the check"
    elif not sentence.citations:
        note = f"the model cited {wrote}"
    else:
        note = f"the model cited {wrote}; moved by the check"
    return f' <span class="tq-moved">{_e(note)}</span>'


def lines_label(talk) -> str:
    """"line 7" or "lines 5–6, 59": where the talk is in its file."""
    one = len(talk.lines) == 1 and talk.lines[0][0] == talk.lines[0][1]
    return f"{'line' if one else 'lines'} {talk.line_ranges('–')}"


def titled(talk) -> str:
    """A talk's title as the chat names it anywhere: with its speaker when the record has one."""
    return f"{talk.title} — {talk.speaker}" if talk.speaker else talk.title


def _link_label(url: str) -> str:
    label = re.sub(r"^https?://(www\.)?", "", url).rstrip("/")
    return label if len(label) <= 48 else label[:45] + "…"


def evidence_marks(answer: Answer) -> dict[int, dict[int, list[int]]]:
    """For each source n: {index of its passage sentence: [answer sentences (1-based) it is the evidence of]}.

    The evidence is what grounding found closest (``Sentence.evidence``); nothing is re-embedded here.
    """
    marks: dict[int, dict[int, list[int]]] = {}
    for i, sentence in enumerate(answer.sentences, 1):
        for n, index in sentence.evidence.items():
            if index >= 0:
                marks.setdefault(n, {}).setdefault(index, []).append(i)
    return marks


def _talk_meta(talk) -> str:
    parts = []
    if talk.speaker:
        parts.append(f'<span class="tq-speaker">{_e(talk.speaker)}</span>')
    if talk.coauthors:
        parts.append(f"with {_e(', '.join(talk.coauthors))}")
    parts.append(f'<span class="tq-lines">{_e(Path(talk.source).name)} · {_e(lines_label(talk))}</span>')
    meta = " · ".join(parts)
    links = "".join(
        f'<a href="{_e(url)}" target="_blank" rel="noopener noreferrer">{_e(_link_label(url))}</a>' for url in talk.links
    )
    return f'<div class="tq-meta">{meta}</div>' + (f'<div class="tq-links">{links}</div>' if links else "")


def _source_card(source, marks: dict[int, list[int]], labels: dict[int, tuple[str, str]], cited: bool,
                 renamed: dict[str, str] | None = None) -> str:
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
        + (f'<div class="tq-renamed">title updated · earlier “{_e(renamed[talk.id])}”</div>' if talk.id in (renamed or {}) else "")
        + f"{_talk_meta(talk)}"
        f'<p class="tq-passage">{" ".join(pieces)}</p>'
        f'<details class="tq-full"><summary>Full abstract</summary><div>{full}</div></details>'
        "</div>"
    )


WELCOME_SOURCES = (
    '<div class="tq-empty tq-welcome"><div class="tq-h">Sources</div>'
    "<p>The talks behind the current answer appear here as soon as they are retrieved: title, speaker, "
    "line numbers and links, the passage the model read with the supporting sentences highlighted, "
    "and a support mark for every sentence of the answer "
    '(<span class="tq-mark tq-ok">✓ supported</span> <span class="tq-mark tq-weak">⚠ weak</span>).</p></div></div>'
)


def render_sources(
    sources=None,
    answer=None,
    *,
    question: str | None = None,
    status: str | None = None,
    followup: bool = False,
    query: str | None = None,
    renamed: dict[str, str] | None = None,
) -> str:
    """The sources panel: status, searched-for query, answer check, then one card a talk.

    ``renamed``: {talk id: the title the session showed before} for talks titled since.
    """
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
        return "".join(parts) + WELCOME_SOURCES
    marks, labels = {}, {}
    if answer is not None and not answer.abstained and answer.sentences:
        marks, labels = evidence_marks(answer), _sentence_labels(answer)
        parts.append(_answer_check(answer, labels))
    if answer is not None and answer.warnings:
        parts.append(render_warnings(answer.warnings))
    if not sources:
        parts.append('<div class="tq-empty">No talk matched the question.</div></div>')
        return "".join(parts)
    heading, primary, rest = _card_groups(sources, answer)
    parts.append(f'<div class="tq-h">{_e(heading)}</div>')
    parts += [_source_card(s, marks.get(s.n, {}), labels, True, renamed) for s in primary]
    if rest:
        parts.append(f'<details class="tq-more"><summary>Also retrieved, not cited ({len(rest)})</summary>')
        parts += [_source_card(s, {}, labels, False, renamed) for s in rest]
        parts.append("</details>")
    parts.append("</div>")
    return "".join(parts)


def _sentence_labels(answer) -> dict[int, tuple[str, str]]:
    """{sentence number: (css class, label)}: each answer sentence's support mark."""
    return {i: support_mark(s.support, bool(s.citations)) for i, s in enumerate(answer.sentences, 1)}


def _answer_check(answer, labels: dict[int, tuple[str, str]]) -> str:
    """The answer check: every sentence with its support mark and links to the cards it cites."""
    rows = []
    for i, sentence in enumerate(answer.sentences, 1):
        css, label = labels[i]
        refs = "".join(f'<a class="tq-cite" href="#tq-source-{n}">[{n}]</a>' for n in sentence.citations)
        rows.append(f'<li><span class="tq-mark tq-{css}">{_e(label)}</span> '
                    f'<span class="tq-sent">{_e(sentence.text)}</span> {refs}{attribution_note(sentence)}</li>')
    weak = len(answer.weak_sentences)
    summary = f"support {answer.support:.2f}" + (f" · {weak} of {len(labels)} sentences weak or uncited" if weak else "")
    return (f'<div class="tq-check"><div class="tq-h">Answer check <span class="tq-summary">{_e(summary)}</span></div>'
            f'<ol>{"".join(rows)}</ol></div>')


def _card_groups(sources, answer) -> tuple[str, list, list]:
    """The cards' heading, the cards shown, and the retrieved-but-uncited ones folded below."""
    cited = set(answer.cited) if answer is not None and not answer.abstained and answer.sentences else set()
    if answer is not None and answer.abstained:
        return "Closest talks (they do not answer the question)", list(sources), []
    if answer is not None and cited:
        return "Cited talks", [s for s in sources if s.n in cited], [s for s in sources if s.n not in cited]
    if answer is not None:
        return "Retrieved talks (the answer cites none)", list(sources), []
    return "Retrieved talks", list(sources), []


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


#: What a chat bubble still being written shows ("Searching the talks…", the preview, the draft). 👍/👎
#: are shown only under a finished answer: style.css hides them under a bubble that contains this mark,
#: and under a failure (``error_message``: it starts with "⚠").
WRITING = "▍"


def writing(text: str) -> str:
    """A bubble that is still being written: ``text`` and the mark."""
    return f"{text} {WRITING}"


def as_markdown_text(text: str) -> str:
    """Model or corpus text for a chat bubble: Markdown, but no HTML (tags are shown, not rendered)."""
    return html.escape(text, quote=False)


def preview_message(preview) -> str:
    """The bubble while the model reads its prompt: the sources' own sentences, as quotes, or the
    early abstention (app/answer/preview.py). The model's answer replaces it token by token."""
    if preview.abstention:
        return writing(as_markdown_text(preview.abstention))
    if not preview.quotes:
        return writing("_Writing the answer…_")
    quotes = "\n".join(f"> “{as_markdown_text(q.text)}” [{q.n}]" for q in preview.quotes)
    return writing("_Writing the answer… meanwhile, from the sources:_") + "\n\n" + quotes


def render_warnings(warnings) -> str:
    """The output guard's findings (app/answer/guard.py) in the answer check: what was dropped and why, escaped."""
    items = "".join(f'<li><span class="tq-mark tq-weak">⚠</span> {_e(w.message)}' + (f': <q>{_e(w.text)}</q>' if w.text else "") + "</li>"
                    for w in warnings)
    return f'<div class="tq-check tq-warnings"><div class="tq-h">Removed by the output check</div><ul>{items}</ul></div>'


def link_markers(text: str) -> str:
    """Every ``[n]`` marker of an answer as a Markdown link to talk n's card: a click scrolls the
    sources panel to it (app/web/chat.js). "[1, 3]" becomes two links."""
    return MARKER.sub(lambda m: "".join(f"[\\[{n}\\]](#tq-source-{n})" for n in cited_numbers(m.group(0))), text)


def answer_message(answer) -> str:
    """The final assistant message: the checked answer with its [n] markers (unsupported sentences
    flagged) and a one-line footer. Markdown without HTML: nothing the model writes is rendered as HTML."""
    if answer.abstained or not answer.sentences:
        return as_markdown_text(answer.answer.strip()) or "_(no answer text)_"
    text = link_markers(as_markdown_text(render_answer(answer.sentences, flag=" ⚠ unsupported")))
    by_n = {s.n: s for s in answer.sources}
    cites = [f"[{n}] {titled(by_n[n].talk)}" for n in answer.cited if n in by_n]
    footer = ["Sources: " + " · ".join(cites)] if cites else []
    footer.append(f"support {answer.support:.2f}")
    return text + "\n\n_" + as_markdown_text(" — ".join(footer)).replace("_", "\\_") + "_"


def answer_payload(answer) -> dict:
    """What the API returns beside the chat: the ``ask --json`` shape plus the searched-for query."""
    return {**answer.to_json(), "support": answer.support, "error": None}


# ------------------------------------------------------------------ talk browser


def talk_rows(talks) -> list[list[str]]:
    return [[t.title, t.speaker or "", t.line_ranges("–"), t.id] for t in talks]


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
