"""The browser chat (``talkqa chat``): streamed cited answers beside a sources panel.

One Gradio 6 ``Blocks`` app, built by ``build_app``:

* **Ask** tab: the chat (answers stream in with their ``[n]`` markers) and,
  beside it, the sources of the current answer: each talk's title, speaker,
  line ranges and links, the passage the model read with the sentences that
  support the answer highlighted, and every answer sentence's support mark.
  The sources appear as soon as retrieval is done, before the answer.
* **Talks** tab: the indexed talks, a page at a time, filtered by text; a click opens a talk.
* **Corpus** tab (app/web/corpus.py): upload files, remove a talk or a source,
  re-index. Only for logged-in users when TALKQA_AUTH is set, otherwise only
  on a loopback server without a share link (``corpus_allowed``).

Each answer can be rated 👍/👎 (the chatbot's like event) with an optional
comment, stored in the data dir (app/web/feedback.py, app/core/feedback_log.py), and the conversation
downloads as Markdown with its citations (app/web/export.py).

Follow-ups: the session's own history goes to ``AnswerChain.ask``, which
condenses a follow-up into a standalone question for retrieval (only when
there is history); the panel shows what was searched for.

This module is the layout and the launch; the handlers are in
app/web/handlers.py, the HTML in app/web/render.py, the styles in
app/web/style.css. The answer event runs one at a time (the embedded model
has two cores); the others wait in Gradio's queue and see their position.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Callable

import gradio as gr

from app.core.config import Settings
from app.core.errors import InputError
from app.core.resources import resource
from app.web.auth import HideApiInfoFromLogin, ThrottledLogin, corpus_allowed, parse_auth
from app.web.corpus import CorpusManager, build_corpus_tab
from app.web.handlers import WebApp, new_session
from app.web.render import WELCOME, render_sources, render_talk

log = logging.getLogger(__name__)

CSS = resource("app.web", "style.css").read_text(encoding="utf-8")
#: Runs once in the page: a click on an answer's ``[n]`` scrolls the sources panel to talk n's card.
JS = resource("app.web", "chat.js").read_text(encoding="utf-8")

#: Shown on first load (and after "Clear") as clickable examples.
EXAMPLES = [
    "What is RevThink and how does it train the student model?",
    "Which talks are about feature learning in neural networks?",
    "Who talks about language models and the brain?",
    "How is tropical geometry used to study neural networks?",
]

#: The answer event's concurrency group: one generation at a time on the embedded model.
LLM_CONCURRENCY_ID = "llm"

#: The talk list is computed one list at a time. The page's load, the filter and the page number are one
#: listener over both inputs that always runs last on the latest values: as two listeners, the list for
#: the filter just cleared (page 1) could arrive or finish after the one for the page asked next and
#: replace it (tests/test_browser_chat.py).
LIST_IN_ORDER = dict(concurrency_limit=1, concurrency_id="talks", show_progress="hidden")


@dataclass
class ChatApp:
    """The Gradio app and the handlers behind it: launching, the private API and tests reach them here."""

    demo: gr.Blocks
    web: WebApp


def build_app(
    settings: Settings,
    chain_factory: Callable[[], object] | None = None,
    *,
    host: str = "127.0.0.1",
    share: bool = False,
) -> ChatApp:
    """The Gradio app and its handlers. ``chain_factory`` (no arguments -> AnswerChain) lets tests inject a chain.

    ``host`` and ``share`` are where it will be served: they decide whether the Corpus tab exists.
    """
    web = WebApp(settings, chain_factory)
    logins = parse_auth(settings.auth)
    corpus = CorpusManager(settings, web.chains, require_login=bool(logins)) if corpus_allowed(logins, host, share) else None
    with gr.Blocks(title="talkqa — ask the talks", analytics_enabled=False) as demo:
        gr.HTML(
            "<h1>talkqa</h1><p>Ask questions about the research talks. Every claim cites its talk as [n]; "
            "the sources panel shows the passages and how well each sentence is supported.</p>",
            elem_id="tq-header",
        )
        state = gr.State(new_session())
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                with gr.Row(equal_height=False, elem_id="tq-ask-row"):
                    with gr.Column(scale=11, min_width=380):
                        chatbot = gr.Chatbot(
                            label="Chat",
                            show_label=False,
                            elem_id="tq-chat",
                            height=500,
                            placeholder=f"**Ask about the talks**\n\n{WELCOME}",
                            examples=[{"text": q} for q in EXAMPLES],
                            feedback_options=("Like", "Dislike"),
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
                        question_note = gr.Markdown("", elem_id="tq-question-note")  # why a question was not asked
                        with gr.Row():
                            clear = gr.Button("Clear conversation", variant="secondary", size="sm", scale=2, elem_id="tq-clear")
                            export = gr.DownloadButton(
                                "Export as Markdown", value=None, interactive=False, size="sm", scale=2, elem_id="tq-export",
                            )
                            strict = gr.Checkbox(
                                False,
                                label="Only sentences a source supports",
                                info="Otherwise unsupported sentences are shown flagged ⚠",
                                scale=4,
                                elem_id="tq-strict",
                            )
                        with gr.Row(equal_height=True):
                            comment = gr.Textbox(
                                placeholder="Optional comment on the answer you rated (thumbs up or down)…",
                                show_label=False,
                                lines=1,
                                max_lines=3,
                                scale=6,
                                elem_id="tq-comment",
                            )
                            send_comment = gr.Button("Send comment", size="sm", scale=1, min_width=120, elem_id="tq-send-comment")
                        feedback_status = gr.Markdown("", elem_id="tq-feedback-status")
                        pending = gr.Textbox(visible=False, label="question")
                        accepted = gr.State(True)  # False: the question box's text was refused (question_note says why)
                    with gr.Column(scale=9, min_width=320, elem_id="tq-sources-column"):
                        sources = gr.HTML(render_sources(), label="Sources", elem_id="tq-sources-box", show_label=False)
                        payload = gr.JSON(visible=False, label="answer")
            with gr.Tab("Talks", id="talks"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=11):
                        with gr.Row():
                            talk_filter = gr.Textbox(placeholder="Filter talks: a word from the title, speaker or abstract…", show_label=False,
                                                     elem_id="tq-talk-filter", scale=5)
                            talk_page = gr.Number(value=1, minimum=1, precision=0, label="page", show_label=False, min_width=80,
                                                  scale=1, elem_id="tq-talk-page", info="page")
                        talk_count = gr.Markdown("", elem_id="tq-talk-count")
                        talk_table = gr.Dataframe(
                            headers=["Title", "Speaker", "Lines", "Id"],
                            datatype="str",
                            interactive=False,
                            wrap=True,
                            max_height=620,
                            column_widths=["50%", "20%", "12%", "18%"],
                            elem_id="tq-talk-table",
                        )
                    with gr.Column(scale=9):
                        talk_view = gr.HTML(render_talk(None), elem_id="tq-talk-view")
                talk_ids = gr.State([])
                talk_shown = gr.State(None)  # the id in the detail pane
                talk_id = gr.Textbox(visible=False, label="talk_id")
            corpus_events, corpus_shown = [], []
            if corpus is not None:
                with gr.Tab("Corpus", id="corpus"):
                    corpus_events, corpus_shown = build_corpus_tab(corpus)

        ask_outputs = [chatbot, sources, state, payload]
        ask_kwargs = dict(
            concurrency_limit=1,
            concurrency_id=LLM_CONCURRENCY_ID,
            show_progress="full",
            show_progress_on=[sources],
        )
        export_kwargs = dict(queue=False, api_visibility="private", show_progress="hidden")
        for i, trigger in enumerate([question.submit, ask.click]):
            trigger(web.pending, [question, state], [question, pending, chatbot, question_note, accepted], queue=False,
                    api_visibility="private").success(
                web.respond,
                [pending, state, strict, accepted],
                ask_outputs,
                api_name="ask" if i == 0 else None,
                api_visibility="public" if i == 0 else "private",
                **ask_kwargs,
            ).then(web.export, [state], [export], **export_kwargs)

        def pick_example(evt: gr.SelectData, current: dict):
            return web.pending(evt.value["text"] if isinstance(evt.value, dict) else str(evt.value), current)

        chatbot.example_select(pick_example, [state], [question, pending, chatbot, question_note, accepted], queue=False,
                               api_visibility="private").success(
            web.respond, [pending, state, strict, accepted], ask_outputs, api_visibility="private", **ask_kwargs
        ).then(web.export, [state], [export], **export_kwargs)
        cleared = [chatbot, sources, state, payload, question]
        clear.click(web.clear, None, cleared, queue=False, api_name="clear").then(
            web.export, [state], [export], **export_kwargs
        ).then(lambda: ("", "", ""), None, [feedback_status, comment, question_note], queue=False, api_visibility="private")
        chatbot.like(web.feedback.rate, [state], [feedback_status, state], queue=False, api_visibility="private")
        comment_kwargs = dict(queue=False, api_visibility="private")
        send_comment.click(web.feedback.comment, [comment, state], [feedback_status, comment, state], **comment_kwargs)
        comment.submit(web.feedback.comment, [comment, state], [feedback_status, comment, state], **comment_kwargs)

        keep_shown = dict(fn=web.keep_shown_talk, inputs=[talk_shown, talk_ids], outputs=[talk_view, talk_shown], queue=False,
                          api_visibility="private", show_progress="hidden")
        listed = [talk_table, talk_ids, talk_count]
        gr.on([demo.load, talk_filter.change, talk_page.change], web.list_talks, [talk_filter, talk_page], listed,
              api_name="talks", trigger_mode="always_last", **LIST_IN_ORDER).then(**keep_shown)
        talk_table.select(web.show_talk, [talk_ids], [talk_view, talk_shown], api_visibility="private")
        talk_id.change(web.talk_html, [talk_id], [talk_view], api_name="talk")

        demo.load(web.on_load, None, [chatbot, sources], api_visibility="private")
        if corpus is not None:
            demo.load(corpus.overview, None, corpus_shown, api_visibility="private")
            for event in corpus_events:  # the Talks tab shows the new index too
                event.then(web.list_talks, [talk_filter], listed, api_visibility="private", **LIST_IN_ORDER)
    return ChatApp(demo, web)


#: System fonts only: the page loads nothing from the internet (no Google Fonts).
_FONTS = ["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
THEME = gr.themes.Soft(
    primary_hue="indigo",
    neutral_hue="slate",
    radius_size="md",
    font=_FONTS,
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
).set(  # WCAG AA contrast (axe-core, tests/test_browser_chat.py): one shade darker than Soft's defaults
    body_text_color_subdued="*neutral_600",
    block_info_text_color="*neutral_600",
    color_accent="*primary_600",
    button_primary_background_fill="*primary_600",
    button_primary_background_fill_hover="*primary_700",
)


def _app_kwargs(auth) -> dict:
    """With logins, Gradio's app gets the middleware that keeps the API schema off the login page."""
    from starlette.middleware import Middleware

    return {"middleware": [Middleware(HideApiInfoFromLogin)]} if auth else {}


def launch_app(
    demo: gr.Blocks,
    *,
    host: str = "127.0.0.1",
    port: int = 7860,
    share: bool = False,
    auth=None,
    block: bool = True,
    max_queue: int = 64,
    quiet: bool | None = None,
):
    """Queue (one generation at a time) and serve; ``block=False`` returns once the page serves
    (tests; ``serve`` then loads the models and blocks). ``quiet`` defaults to ``not block``."""
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
            quiet=not block if quiet is None else quiet,
            ssr_mode=False,
            footer_links=["api"],
            theme=THEME,
            css=CSS,
            js=JS,
            app_kwargs=_app_kwargs(auth),
        )
    except OSError as err:
        raise InputError(f"cannot serve on {host}:{port}: {err}") from None


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860, share: bool = False) -> None:
    """``talkqa chat``: build the app on the configured chain and serve it until interrupted."""
    auth = parse_auth(settings.auth)
    chat = build_app(settings, host=host, share=share)
    launch_app(chat.demo, host=host, port=port, share=share, auth=ThrottledLogin(auth) if auth else None, block=False, quiet=False)
    from app.api.serving import start_private_api

    private_api = start_private_api(settings, chat.web.chains.service)  # for one-off `talkqa ask` / `search`
    warm_up(chat.web)  # after the page serves: loading holds the interpreter, it would delay the server
    fill_titles_while_idle(chat.web, settings)
    try:
        chat.demo.block_thread()  # until Ctrl-C
    finally:
        if private_api is not None:
            private_api.stop()


def warm_up(web: WebApp) -> threading.Thread:
    """Load the index and the models now, in the background, so the page serves meanwhile.

    Not on the first question: a question asked before they are loaded waits for them
    (``ChainHolder`` builds the chain under a lock), and why no chain can be built (no
    index, a model file missing) is logged as soon as it is known.
    """

    def load() -> None:
        problem = web.startup_problem()
        if problem:
            log.warning("starting without a working chain: %s", problem)

    thread = threading.Thread(target=load, name="talkqa-warm-up", daemon=True)
    thread.start()
    return thread


def fill_titles_while_idle(web: WebApp, settings: Settings) -> None:
    """With ``titles_while_idle``, a background thread titles the talks between answers."""
    if not settings.titles_while_idle:
        return
    from app.models.llm import describe
    from app.web.idle_titles import IdleTitleFiller

    service = web.chains.service
    web.titles = IdleTitleFiller(settings, service, service.chat_model, describe(settings)).start()


def mount_app(demo: gr.Blocks, api, *, auth=None, max_queue: int = 64):
    """The chat mounted at ``/`` of the HTTP API's FastAPI app (``chat --api``): one process serves both.

    The API's routes (``/v1``, ``/api``, ``/docs``) are matched first; everything else is Gradio's.
    """
    demo.queue(default_concurrency_limit=4, max_size=max_queue)
    return gr.mount_gradio_app(
        api, demo, path="/", auth=auth, auth_message="talkqa: please log in" if auth else None,
        footer_links=["api"], ssr_mode=False, show_error=True, theme=THEME, css=CSS, js=JS, app_kwargs=_app_kwargs(auth),
    )


def serve_with_api(settings: Settings, host: str = "127.0.0.1", port: int = 7860, insecure: bool = False) -> None:
    """``talkqa chat --api``: the chat and the HTTP API in one process, sharing the index and the model."""
    from app.api.app import build_api, check_bind, ensure_port_free
    from app.api.serving import Announcer, run_server

    auth = parse_auth(settings.auth)
    check_bind(settings, host, insecure)
    ensure_port_free(host, port)
    chat = build_app(settings, host=host)
    warm_up(chat.web)
    fill_titles_while_idle(chat.web, settings)  # watches the chat's answers; an API answer waits for one title at most
    api = build_api(settings, chat.web.chains.service)
    run_server(mount_app(chat.demo, api, auth=ThrottledLogin(auth) if auth else None), host, port,
               announcer=Announcer(settings, api.state.talkqa.token, "chat"))
