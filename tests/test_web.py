"""The browser chat (app/web.py).

Fast tests drive the handlers and renderers directly, with LangChain's fake
chat model over a real small index. The server tests (marked server and
slow) go through ``gradio_client`` against a live app on 127.0.0.1 with the
small real model: a cited answer, a condensed follow-up, and two concurrent
sessions that keep their own histories.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from pathlib import Path

import gradio as gr
import pytest

from app.answer.result import Answer, Sentence, Source
from app.core.errors import IndexStateError, InputError, LLMUnavailableError
from app.answer.citations import strip_markers
from app.service import Service
from app.core.talk import Talk
from app.web.app import build_app
from app.web.auth import ThrottledLogin, parse_auth
from app.web.handlers import ChainHolder, WebApp, new_session
from app.web.render import error_message, lines_label, link_markers, render_sources, render_talk
from support.models import scripted
from support.settings import make_settings

DEPTH_Q = "What does the proportional infinite-depth-and-width limit describe?"


# ------------------------------------------------------------------ helpers


def text_of(message: dict) -> str:
    """A chat message's text as a reader sees it, whether content is a string (handlers) or a list of parts
    (API): an answer's ``[n]`` links to its card (``[\\[1\\]](#tq-source-1)``) read as ``[1]``."""
    content = message["content"]
    if not isinstance(content, str):
        content = " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return re.sub(r"\[\\\[(\d+)\\\]\]\(#tq-source-\d+\)", r"[\1]", content)


def test_an_answers_markers_link_to_their_cards():
    assert link_markers("Max-plus algebra [1, 2]. Tropical [3].") == (
        "Max-plus algebra [\\[1\\]](#tq-source-1)[\\[2\\]](#tq-source-2). Tropical [\\[3\\]](#tq-source-3).")


def make_talk(n: int, **overrides) -> Talk:
    values = dict(
        id=f"t{n:011d}",
        title=f"Talk number {n}",
        abstract=f"Abstract of talk {n}. It studies topic {n} in depth.",
        source="/data/talks.txt",
        lines=[(n, n + 1)],
    )
    return Talk(**{**values, **overrides})


def sample_answer() -> Answer:
    tropical = make_talk(
        1,
        title="Tropical geometry of ReLU networks",
        speaker="Petros Maragos",
        coauthors=["Ann Lee"],
        links=["https://arxiv.org/abs/2007.12826"],
        lines=[(5, 6), (59, 59)],
        abstract="Tropical geometry describes ReLU networks. Max-plus algebra gives their decision boundaries.",
    )
    other = make_talk(2, title="Unrelated <script>alert(1)</script> talk")
    sources = [
        Source(1, tropical, ["Tropical geometry describes ReLU networks.", "Max-plus algebra gives their decision boundaries."], 0.9, 0.7),
        Source(2, other, ["It studies topic 2 in depth."], 0.3, 0.3),
    ]
    return Answer(
        question="And the boundaries?",
        query="How does tropical geometry describe the decision boundaries of ReLU networks?",
        answer="Max-plus algebra gives the decision boundaries [1]. Something unsupported [1].",
        sources=sources,
        sentences=[
            Sentence("Max-plus algebra gives the decision boundaries.", [1], 0.82, evidence={1: 1}),
            Sentence("Something unsupported.", [1], 0.31),
            Sentence("A sentence without a source.", [], 0.0),
        ],
        cited=[1],
    )


def web_with(small_index, llm) -> WebApp:
    settings, store = small_index
    return WebApp(settings, chain_factory=lambda: Service(settings, store=store).answer_chain(llm=llm))


def run(web: WebApp, question: str, state: dict) -> list[tuple]:
    return list(web.respond(question, state))


# ------------------------------------------------------------------ rendering


def test_sources_panel_shows_talks_links_highlights_and_support_marks():
    answer = sample_answer()
    panel = render_sources(answer=answer, status="Answer ready")
    assert "Tropical geometry of ReLU networks" in panel
    assert "Petros Maragos" in panel and "with Ann Lee" in panel
    assert "talks.txt · lines 5–6, 59" in panel
    assert '<a href="https://arxiv.org/abs/2007.12826" target="_blank" rel="noopener noreferrer">' in panel
    assert "✓ supported 0.82" in panel and "⚠ weak 0.31" in panel and "✗ no source" in panel
    # The passage sentence closest to the supported answer sentence is highlighted, tagged with its number.
    assert '<mark class="tq-hl tq-ok" title="supports answer sentence 1">Max-plus algebra' in panel
    assert panel.count("<mark") == 1  # the unsupported sentence shares no word with the passage
    assert "searched for: <q>How does tropical geometry describe" in panel
    # The uncited talk is listed apart, and its text is escaped.
    assert "Also retrieved, not cited (1)" in panel
    assert "<script>" not in panel and "&lt;script&gt;" in panel


def test_the_answer_check_says_where_attribution_moved_the_models_marker():
    answer = sample_answer()
    answer.sentences[0].model_citations = [2]  # the model cited the wrong talk; attribution moved it to [1]
    answer.sentences[1].model_citations = [1]  # kept as written: no note
    panel = render_sources(answer=answer, status="Answer ready")
    assert panel.count('class="tq-moved"') == 1
    assert "the model cited [2]; moved by the check" in panel


def test_sources_panel_before_the_answer_lists_the_retrieved_talks():
    answer = sample_answer()
    panel = render_sources(answer.sources, question=answer.question, status="2 talks retrieved · writing the answer…", followup=True)
    assert "Retrieved talks" in panel and "Tropical geometry of ReLU networks" in panel
    assert "writing the answer" in panel and "searched with the conversation" in panel
    assert "Answer check" not in panel and "<mark" not in panel


def test_abstained_answer_shows_closest_talks_without_marks():
    answer = sample_answer()
    answer.abstained, answer.sentences, answer.cited = True, [], []
    panel = render_sources(answer=answer)
    assert "Closest talks" in panel and "Answer check" not in panel


def test_error_messages_name_the_problem_and_the_remedy():
    assert "no usable index" in error_message(IndexStateError("no index yet: run `talkqa ingest` first"))
    assert "language model is unavailable" in error_message(LLMUnavailableError("the LLM endpoint is unreachable"))
    assert "can't use that question" in error_message(InputError("the question is empty"))
    assert "Something went wrong" in error_message(RuntimeError("boom"))


def test_a_talks_place_says_line_or_lines():
    assert lines_label(make_talk(7, lines=[(7, 7)])) == "line 7"
    assert lines_label(make_talk(5, lines=[(5, 6), (59, 59)])) == "lines 5–6, 59"


def test_a_list_answer_names_each_talks_speaker():
    from app.answer.citations import render_choice

    listed = render_choice(dataclasses.replace(sample_answer(), answer="[1][2]")).splitlines()
    assert listed[0].startswith("- Tropical geometry of ReLU networks (Petros Maragos)"), listed
    assert listed[1].startswith("- Unrelated <script>alert(1)</script> talk [2]"), "no speaker, no brackets"


def test_strip_markers():
    assert strip_markers("A [1]. B [1, 2]. C [3][4].") == "A. B. C."


def test_talk_view_shows_abstract_notes_and_links():
    talk = make_talk(3, notes=["Bio: Jane Doe is a professor."], links=["https://example.org/x"], speaker="Jane Doe")
    view = render_talk(talk)
    assert "Abstract of talk 3" in view and "Bio: Jane Doe" in view and 'href="https://example.org/x"' in view
    assert "Pick a talk" in render_talk(None)


def test_parse_auth(tmp_path):
    assert parse_auth(None) is None and parse_auth("  ") is None
    assert parse_auth("ann:s3cret:x") == [("ann", "s3cret:x")]
    logins = tmp_path / "logins"
    logins.write_text("# users\nann:one\n\nbob:two\n", encoding="utf-8")
    assert parse_auth(str(logins)) == [("ann", "one"), ("bob", "two")]
    with pytest.raises(InputError):
        parse_auth(str(tmp_path / "missing"))
    with pytest.raises(InputError):
        parse_auth(":nouser")


# ------------------------------------------------------------------ handlers, fake model, real small index


def test_answer_streams_sources_first_then_tokens_then_the_cited_answer(small_index):
    web = web_with(small_index, scripted("The limit is a model of finite networks [1]."))
    steps = run(web, DEPTH_Q, new_session())
    panels = [panel for _, panel, _, _ in steps]
    chats = [text_of(messages[-1]) for messages, _, _, _ in steps]
    first_sources = next(i for i, p in enumerate(panels) if "tq-card" in p)
    first_token = next(i for i, c in enumerate(chats) if c.startswith("The"))
    assert first_sources < first_token, "sources must be shown before the answer streams"
    assert "writing the answer" in panels[first_sources]
    messages, panel, state, payload = steps[-1]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert "[1]" in text_of(messages[-1]) and "Sources: [1]" in text_of(messages[-1])
    assert payload["citations"] and payload["error"] is None and payload["query"] == DEPTH_Q
    assert "Answer check" in panel and ("✓ supported" in panel or "⚠ weak" in panel)
    assert [(t.role, t.text) for t in state["history"]] == [("user", DEPTH_Q), ("assistant", "The limit is a model of finite networks.")]


def test_the_session_history_keeps_the_talks_each_answer_cited(small_index):
    """A follow-up's "that talk" needs them: the text alone has lost its markers."""
    web = web_with(small_index, scripted("The limit is a model of finite networks [1]."))
    _, _, state, payload = run(web, DEPTH_Q, new_session())[-1]
    assert state["history"][1].talk_ids == (payload["citations"][0]["talk_id"],)


def test_an_answer_in_progress_holds_back_the_idle_title_filler(small_index):
    from app.web.idle_titles import IdleTitleFiller

    web = web_with(small_index, scripted("The limit is a model of finite networks [1]."))
    web.titles = IdleTitleFiller(small_index[0], web.chains.service, lambda: None, "m", idle_s=0)
    during = [web.titles.idle() for _ in web.respond(DEPTH_Q, new_session())]
    assert not any(during) and web.titles.idle()


def test_strict_leaves_out_the_sentence_no_source_supports(small_index):
    reply = "The limit is a model of finite networks [1]. Compilers were rewritten for bridges [1]."
    loose = run(web_with(small_index, scripted(reply)), DEPTH_Q, new_session())[-1]
    strict = list(web_with(small_index, scripted(reply)).respond(DEPTH_Q, new_session(), True))[-1]
    assert "rewritten for bridges [1]. ⚠ unsupported" in text_of(loose[0][-1])
    assert "bridges" not in text_of(strict[0][-1]) and "finite networks" in text_of(strict[0][-1])
    assert [s["supported"] for s in loose[3]["sentences"]] == [True, False]


def test_model_html_is_shown_as_text_in_the_chat(small_index):
    web = web_with(small_index, scripted('The limit models finite networks [1]. It is a model of finite networks [1]. <img src=x onerror="alert(document.domain)">'))
    messages = run(web, DEPTH_Q, new_session())[-1][0]
    assert "<img" not in text_of(messages[-1]) and "&lt;img" in text_of(messages[-1])


def test_an_empty_question_is_an_error_the_caller_sees(small_index):
    web = web_with(small_index, scripted("unused"))
    with pytest.raises(gr.Error, match="empty"):
        run(web, "   ", new_session())


def test_failed_logins_are_slowed_and_lock_the_user():
    login = ThrottledLogin([("ann", "pw")], delay_s=0.01, max_failures=3, window_s=60)
    assert login("ann", "pw")
    assert not any(login("ann", guess) for guess in ("a", "b", "c"))
    assert not login("ann", "pw"), "a user with too many recent failures is locked, right password or not"
    assert not login("mallory", "pw")


def test_follow_up_sends_history_and_shows_the_condensed_query(small_index):
    condensed = "What does the infinite-depth-and-width limit say about the feature covariance?"
    llm = scripted("It models finite networks [1].", condensed, "An SDE describes it [1].")
    web = web_with(small_index, llm)
    state = run(web, DEPTH_Q, new_session())[-1][2]
    messages, panel, state, payload = run(web, "and what about the covariance?", state)[-1]
    assert payload["query"] == condensed
    assert f"searched for: <q>{condensed}</q>" in panel
    assert [text_of(m).split("\n")[0] for m in messages if m["role"] == "user"] == [DEPTH_Q, "and what about the covariance?"]
    assert len(state["history"]) == 4


def test_first_question_is_not_condensed(small_index):
    web = web_with(small_index, scripted("It models finite networks [1]."))
    payload = run(web, DEPTH_Q, new_session())[-1][3]
    assert payload["query"] == DEPTH_Q  # one LLM call only: the fake's single reply was the answer


def test_unreachable_llm_becomes_a_chat_message_and_keeps_the_sources(small_index):
    web = web_with(small_index, scripted(fail=True))
    messages, panel, state, payload = run(web, DEPTH_Q, new_session())[-1]
    assert "language model is unavailable" in text_of(messages[-1])
    assert "tq-card" in panel and "The answer failed" in panel
    assert payload["error"]["kind"] == "LLMUnavailableError"
    assert state["history"] == [], "a failed turn is not history for the next follow-up"
    assert len(state["messages"]) == 2


def test_bad_question_becomes_a_chat_message(small_index):
    web = web_with(small_index, scripted("unused"))
    messages, _, _, payload = run(web, "word " * 400, new_session())[-1]
    assert "can't use that question" in text_of(messages[-1]) and "characters" in text_of(messages[-1])
    assert payload["error"]["kind"] == "InputError"


def test_missing_index_the_app_starts_and_says_so(tmp_path):
    settings = make_settings(tmp_path / "nothing-here")
    web: WebApp = build_app(settings).web  # does not raise
    messages, panel = web.on_load()
    assert "no usable index" in text_of(messages[0]) and "talkqa ingest" in text_of(messages[0])
    rows, ids, count = web.list_talks("")
    assert rows == [] and "talkqa ingest" in count
    messages, _, state, payload = run(web, "What is RevThink?", new_session())[-1]
    assert "no usable index" in text_of(messages[-1]) and payload["error"]["kind"] == "IndexStateError"


def test_warm_up_loads_the_chain_in_the_background_once(small_index):
    """`talkqa chat` serves its page while the index and models load; the first question reuses what loaded."""
    import threading

    from app.web.app import warm_up

    settings, store = small_index
    release, built = threading.Event(), []

    def slow_chain():
        release.wait(10)
        built.append(1)
        return Service(settings, store=store).answer_chain(llm=scripted("First answer [1]."))

    web = WebApp(settings, chain_factory=slow_chain)
    loading = warm_up(web)
    assert loading.is_alive(), "warm_up returned while the chain was still loading"
    release.set()
    loading.join(10)
    run(web, DEPTH_Q, new_session())
    assert built == [1]


def test_sessions_keep_their_own_history(small_index):
    """Two tabs take turns on one app: b's first question is not condensed with a's conversation, and a's
    follow-up is condensed with a's own turns only."""
    condensed = "What does the infinite-depth-and-width limit say about the feature covariance?"
    llm = scripted("First answer [1].", "B's answer [1].", condensed, "A's follow-up answer [1].")
    web = web_with(small_index, llm)
    a = run(web, DEPTH_Q, new_session())[-1][2]
    b_question = "How is tropical geometry used to study neural networks?"
    b_messages, _, b, b_payload = run(web, b_question, new_session())[-1]
    assert b_payload["query"] == b_question and len(b["history"]) == 2
    assert [m["role"] for m in b_messages] == ["user", "assistant"]
    a_messages, _, a, a_payload = run(web, "and what about the covariance?", a)[-1]
    assert a_payload["query"] == condensed and len(a["history"]) == 4
    assert "tropical" not in " ".join(text_of(m) for m in a_messages)
    assert len(b["history"]) == 2, "a's follow-up left b's session alone"


def test_talk_browser_filters_and_opens_a_talk(small_index):
    web = web_with(small_index, scripted("unused"))
    rows, ids, count = web.list_talks("")
    assert len(rows) == len(ids) == 7 and count == "7 talks in the index"
    rows, ids, count = web.list_talks("Maragos")
    assert len(ids) == 1 and rows[0][1] == "Petros Maragos"
    assert web.list_talks("tropical MARAGOS")[1] == ids  # every word, any field, any case
    assert web.list_talks("Maragos nothing-like-this")[1] == []
    view = web.talk_html(ids[0][:6])
    assert "Petros Maragos" in view and "tq-abstract" in view


def test_a_talk_titled_during_a_session_is_pointed_out_not_renamed_silently(small_index):
    """The idle title filler may name a talk between two questions: the card says what it was called."""
    from app.models.llm import describe
    from app.index.titles import TitleCache

    settings, _ = small_index
    web = web_with(small_index, scripted("The limit is a model of finite networks [1]."))
    state = run(web, DEPTH_Q, new_session())[-1][2]
    talk_id, before = next(iter(state["titles"].items()))
    TitleCache.in_data_dir(settings.data_dir).put(talk_id, describe(settings), "Finite networks in the proportional limit")
    _, panel, state, _ = run(web, DEPTH_Q, state)[-1]
    assert "Finite networks in the proportional limit" in panel
    assert f"title updated · earlier “{before}”" in panel.replace("&#x27;", "'")
    assert state["titles"][talk_id] == "Finite networks in the proportional limit"


def test_a_page_past_the_end_says_so(small_index, monkeypatch):
    import app.web.handlers

    monkeypatch.setattr(app.web.handlers, "TALKS_PAGE", 3)
    web = web_with(small_index, scripted("unused"))
    rows, ids, count = web.list_talks("", 9)
    assert rows == [] and count == "7 talks in the index — page 9 is past the end: the last page is 3"
    assert web.list_talks("", 3)[2] == "7 talks in the index — showing 7–7; type to filter"


def test_the_detail_pane_drops_a_talk_the_filter_excludes(small_index):
    web = web_with(small_index, scripted("unused"))
    _, ids, _ = web.list_talks("Maragos")
    pane, shown = web.keep_shown_talk(ids[0], ids)
    assert shown == ids[0] and pane == gr.skip()
    _, others, _ = web.list_talks("Toneva")
    pane, shown = web.keep_shown_talk(ids[0], others)
    assert shown is None and pane == render_talk(None)


def test_a_filter_counts_its_matches_up_to_a_cap_then_says_more(small_index, monkeypatch):
    """Counting every match of a common word would read every matching record of a 100k-talk archive."""
    import app.index.snapshot

    web = web_with(small_index, scripted("unused"))
    rows, ids, count = web.list_talks("the")
    assert len(ids) == 7 and count == "7 talks match “the”"
    monkeypatch.setattr(app.index.snapshot, "COUNT_UP_TO", 3)
    rows, ids, count = web.list_talks("the")
    assert len(ids) == 7 and count == "more than 3 talks match “the”"


def test_cli_chat_binds_localhost_without_share_by_default(run_cli, tmp_path, monkeypatch):
    import app.web.app

    calls = []
    monkeypatch.setattr(app.web.app, "serve", lambda settings, **kw: calls.append((settings, kw)))
    result = run_cli("chat", data_dir=tmp_path / "d", env={"TALKQA_AUTH": "ann:pw"})
    assert result.exit_code == 0, result.stderr
    settings, kwargs = calls[0]
    assert kwargs == {"host": "127.0.0.1", "port": 7860, "share": False}
    assert settings.auth == "ann:pw"
    run_cli("chat", "--host", "0.0.0.0", "--port", "8123", "--share", data_dir=tmp_path / "d")
    assert calls[1][1] == {"host": "0.0.0.0", "port": 8123, "share": True}


def test_cli_chat_rejects_a_bad_auth_setting(run_cli, tmp_path):
    result = run_cli("chat", data_dir=tmp_path / "d", env={"TALKQA_AUTH": str(tmp_path / "no-such-file")})
    assert result.exit_code == 2 and "TALKQA_AUTH" in result.stderr


@pytest.mark.server
def test_login_page_does_not_embed_the_api_schema(small_index):
    import httpx

    from support.servers import start_server

    settings, store = small_index
    chain = Service(settings, store=store).answer_chain(llm=scripted("unused"))
    url, chat = start_server(settings, chain_factory=lambda: chain, auth=ThrottledLogin([("ann", "pw")], delay_s=0.01))
    try:
        with httpx.Client(base_url=url, timeout=30) as browser:
            login_page = browser.get("/").text
            assert "window.gradio_api_info = null;" in login_page and '"/ask"' not in login_page
            assert browser.post("/login", data={"username": "ann", "password": "pw"}).status_code == 200
            assert '"/ask"' in browser.get("/").text, "after logging in, the page carries the schema again"
    finally:
        chat.demo.close()


# ------------------------------------------------------------------ live server, gradio_client, small real model


def client_for(server):
    from gradio_client import Client

    return Client(server.url, verbose=False, download_files=False, analytics_enabled=False)


@pytest.mark.server
@pytest.mark.slow
def test_api_question_gets_an_answer_with_citations(live_server):
    chat, sources, payload = client_for(live_server).predict("What is RevThink?", api_name="/ask")
    assert payload["error"] is None and payload["answer"]
    assert payload["citations"], payload
    assert any("RevThink" in c["title"] + c["snippet"] for c in payload["citations"]), payload["citations"]
    assert [m["role"] for m in chat] == ["user", "assistant"]
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", text_of(chat[-1]))}
    assert markers and markers <= {c["n"] for c in payload["citations"]}, text_of(chat[-1])
    assert "Sources:" in text_of(chat[-1])
    assert "Cited talks" in sources and "tq-card" in sources


@pytest.mark.server
@pytest.mark.slow
def test_api_follow_up_is_condensed_with_the_earlier_subject(live_server):
    client = client_for(live_server)
    client.predict("What is RevThink?", api_name="/ask")
    follow_up = "How much does it improve over the student model?"
    chat, sources, payload = client.predict(follow_up, api_name="/ask")
    query = payload["query"]
    assert query.strip() != follow_up
    assert "revthink" in query.lower() or "reverse" in query.lower(), query
    assert "searched for:" in sources
    assert [text_of(m) for m in chat if m["role"] == "user"] == ["What is RevThink?", follow_up]


@pytest.mark.server
@pytest.mark.slow
def test_api_two_concurrent_sessions_do_not_mix(live_server):
    a, b = client_for(live_server), client_for(live_server)
    questions = {
        "a": ["What is RevThink?", "What are its objectives?"],
        "b": ["What does Mariya Toneva study?", "Where does she work?"],
    }
    results: dict[str, list] = {"a": [], "b": []}

    def session(name, client):
        for q in questions[name]:
            results[name].append(client.predict(q, api_name="/ask"))

    threads = [threading.Thread(target=session, args=(n, c)) for n, c in (("a", a), ("b", b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    for name in ("a", "b"):
        assert len(results[name]) == 2, f"session {name} did not finish"
        chat = results[name][-1][0]
        assert [text_of(m) for m in chat if m["role"] == "user"] == questions[name]
        assert len(chat) == 4
    # Clearing one session leaves the other alone.
    a.predict(api_name="/clear")
    chat, _, payload = a.predict("What is RevThink?", api_name="/ask")
    assert [text_of(m) for m in chat if m["role"] == "user"] == ["What is RevThink?"]
    assert payload["query"] == "What is RevThink?"  # no history after clear: not condensed


@pytest.mark.server
@pytest.mark.slow
def test_api_talk_browser(live_server):
    client = client_for(live_server)
    table, count = client.predict("Toneva", api_name="/talks")
    assert count.startswith("1 talk") and "Mariya Toneva" in str(table)
    talk_id = table["data"][0][3]
    view = client.predict(talk_id, api_name="/talk")
    assert "Max Planck" in view


def test_the_talk_list_does_not_wait_for_the_chat_model(small_index, monkeypatch):
    """The Talks and Corpus tabs list the index while the chat model still loads: they never build the answer chain."""
    settings, store = small_index
    service = Service(settings, store=store)
    monkeypatch.setattr(service, "answer_chain", lambda *args, **kwargs: pytest.fail("the talk list built the answer chain"))
    assert len(ChainHolder(service).catalog().talks) == 7
