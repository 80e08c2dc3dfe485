"""The HTTP API (app/api/app.py), driven by real clients against a live uvicorn server.

Every server runs on 127.0.0.1 over a small real index (about ten talks,
real Chroma, real MiniLM). The OpenAI-compatible routes are driven by the
official ``openai`` package, the REST routes and every error shape by plain
``httpx``. Fast tests answer with LangChain's fake chat models; one slow
test answers through the embedded model.
"""

from __future__ import annotations

import json
import re
import threading
import time

import httpx
import openai
import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from pydantic import SecretStr

from app.api.guard import parse_api_keys
from app.api.openai_routes import ChatMessage, split_messages
from app.core.errors import InputError

ANSWER = "RevThink trains a student model to reason backwards from the answer [1]."
QUESTION = "What is RevThink and how does it train the student model?"


# ------------------------------------------------------------------ helpers


def fake(*responses: str) -> FakeListChatModel:
    return FakeListChatModel(responses=list(responses) or [ANSWER])


class ExplodingModel(FakeListChatModel):
    """A chat model whose endpoint cannot be reached."""

    def _call(self, *args, **kwargs):
        raise ConnectionError("connection refused")

    def _stream(self, *args, **kwargs):
        raise ConnectionError("connection refused")


class TimingOutModel(ExplodingModel):
    def _stream(self, *args, **kwargs):
        raise TimeoutError("the endpoint did not answer in 120 s")


class HeldModel(FakeListChatModel):
    """Streams its answer only once ``release`` is set; ``entered`` is set when a generation starts."""

    entered: object = None
    release: object = None

    def _stream(self, *args, **kwargs):
        self.entered.set()
        self.release.wait(30)
        yield from super()._stream(*args, **kwargs)


def held_model() -> HeldModel:
    return HeldModel(responses=[ANSWER], entered=threading.Event(), release=threading.Event())


def client(server, key: str = "none") -> openai.OpenAI:
    return openai.OpenAI(base_url=server.url + "/v1", api_key=key, max_retries=0, timeout=60)


def error_of(response: httpx.Response) -> dict:
    """The OpenAI error object of a response (fails unless the body has exactly that shape)."""
    body = response.json()
    assert set(body) == {"error"} and {"message", "type", "code"} <= set(body["error"]), body
    assert body["error"]["message"]
    return body["error"]


def wait_for(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


# ------------------------------------------------------------------ OpenAI-compatible, with the openai client


def test_chat_completion_has_cited_text_sources_list_and_talkqa_field(api_server):
    server = api_server(llm=fake())
    response = client(server).chat.completions.create(model="talkqa", messages=[{"role": "user", "content": QUESTION}])
    text = response.choices[0].message.content
    assert text.startswith(ANSWER) and response.choices[0].finish_reason == "stop"
    assert "\n\nSources:\n- [1] " in text
    extra = response.model_extra["talkqa"]
    assert extra["query"] == QUESTION and extra["abstained"] is False
    assert extra["citations"][0]["n"] == 1 and "RevThink" in extra["citations"][0]["snippet"]
    assert extra["sentences"][0]["citations"] == [1] and extra["sentences"][0]["support"] > 0
    assert response.usage.prompt_tokens > 0 and response.usage.completion_tokens > 0


THREE_SENTENCES = ("RevThink trains a student model to reason backwards [1]. It augments the data with backward questions [1]. "
                   "The student learns from both directions [1].")


def test_streamed_completion_is_openai_chunks_ending_with_the_talkqa_field(api_server):
    server = api_server(llm=fake())
    chunks = list(client(server).chat.completions.create(
        model="talkqa", messages=[{"role": "user", "content": QUESTION}], stream=True, stream_options={"include_usage": True}))
    contents = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    text = "".join(contents)
    assert text.startswith(ANSWER) and "\n\nSources:\n- [1] " in text
    final = [c for c in chunks if c.choices and c.choices[0].finish_reason == "stop"]
    assert len(final) == 1 and final[0].model_extra["talkqa"]["citations"][0]["n"] == 1
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0
    assert chunks[0].choices[0].delta.role == "assistant"


def test_a_stream_sends_the_checked_answer_sentence_by_sentence_as_the_whole_reply_has_it(api_server):
    """A client keeps what it was streamed: the checked text, one piece a finished sentence, not the model's draft."""
    server = api_server(llm=fake(THREE_SENTENCES))
    messages = [{"role": "user", "content": QUESTION}]
    chunks = list(client(server).chat.completions.create(model="talkqa", messages=messages, stream=True))
    contents = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    whole = client(server).chat.completions.create(model="talkqa", messages=messages).choices[0].message.content
    assert "".join(contents) == whole
    assert len(contents) >= 4, "three sentences and the sources list, each sent once ready"


def test_sources_list_is_switched_off_by_the_request(api_server):
    server = api_server(llm=fake())
    response = client(server).chat.completions.create(
        model="talkqa", messages=[{"role": "user", "content": QUESTION}], extra_body={"sources_in_text": False})
    assert response.choices[0].message.content == ANSWER


def test_sources_list_is_switched_off_by_the_setting(api_server):
    server = api_server(llm=fake(), api_sources_in_text=False)
    response = client(server).chat.completions.create(model="talkqa", messages=[{"role": "user", "content": QUESTION}])
    assert response.choices[0].message.content == ANSWER


def test_models_are_talkqa_and_talkqa_retrieval(api_server):
    server = api_server(llm=fake())
    assert [m.id for m in client(server).models.list()] == ["talkqa", "talkqa-retrieval"]


def test_retrieval_model_answers_without_the_llm(api_server):
    server = api_server(llm=ExplodingModel(responses=["unused"]))
    response = client(server).chat.completions.create(model="talkqa-retrieval", messages=[{"role": "user", "content": "RevThink"}])
    text = response.choices[0].message.content
    assert text.startswith("The talks that best match") and "[1] **" in text
    assert len(response.model_extra["talkqa"]["citations"]) >= 1


def test_follow_up_is_condensed_from_the_earlier_turns(api_server):
    condensed = "How does RevThink train the student model?"
    server = api_server(llm=fake(condensed, ANSWER))
    response = client(server).chat.completions.create(model="talkqa", messages=[
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": "What is RevThink?"},
        {"role": "assistant", "content": "A method for reasoning [1].\n\nSources:\n- [1] Some talk"},
        {"role": "user", "content": "How does it train the student?"},
    ])
    assert response.model_extra["talkqa"]["query"] == condensed


def test_history_turns_lose_markers_and_the_sources_list():
    messages = [ChatMessage(role="user", content="What is RevThink?"),
                ChatMessage(role="assistant", content="A method [1][2].\n\nSources:\n- [1] A talk"),
                ChatMessage(role="user", content=[{"type": "text", "text": "And the student?"}])]
    question, history = split_messages(messages)
    assert (question, [(t.role, t.text) for t in history]) == ("And the student?", [("user", "What is RevThink?"), ("assistant", "A method.")])


def test_an_assistant_turn_keeps_the_talks_of_its_sources_list_in_citing_order():
    listing = "\n\nSources:\n- [1] Talk one — Ann Lee (talks.txt lines 3-4) https://x.org\n- [2] Talk (two) (talks.txt lines 9)"
    messages = [ChatMessage(role="user", content="Which talks?"),
                ChatMessage(role="assistant", content="Second [2]. First [1]." + listing),
                ChatMessage(role="user", content="Who gave the first one?")]
    _, history = split_messages(messages, {"Talk one": "id-1", "Talk (two)": "id-2"}.get)
    assert history[1].talk_ids == ("id-2", "id-1")


def test_an_assistant_turn_sent_back_whole_keeps_the_talks_of_its_talkqa_field():
    messages = [ChatMessage(role="user", content="Which talks?"),
                ChatMessage(role="assistant", content="Both [1][2].", talkqa={"citations": [{"talk_id": "a"}, {"talk_id": "b"}]}),
                ChatMessage(role="user", content="And the second?")]
    assert split_messages(messages)[1][1].talk_ids == ("a", "b")


def test_a_follow_up_on_the_api_is_about_the_talk_its_previous_answer_cited(api_server):
    server = api_server(llm=fake())
    first = client(server).chat.completions.create(model="talkqa", messages=[{"role": "user", "content": QUESTION}])
    title = first.model_extra["talkqa"]["citations"][0]["title"]
    response = client(server).chat.completions.create(model="talkqa", messages=[
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": first.choices[0].message.content},
        {"role": "user", "content": "Who gave that talk?"},
    ])
    assert response.model_extra["talkqa"]["query"] == f"Who gave that talk? (about: {title})"


def test_a_wrong_key_is_refused_by_the_openai_client(api_server):
    server = api_server(llm=fake(), api_keys=SecretStr("k-right,k-other"))
    with pytest.raises(openai.AuthenticationError):
        client(server, "k-wrong").models.list()
    assert [m.id for m in client(server, "k-other").models.list()][0] == "talkqa"


def test_unreachable_llm_is_a_502_for_the_openai_client_streaming_or_not(api_server):
    server = api_server(llm=ExplodingModel(responses=["unused"]))
    for stream in (False, True):
        with pytest.raises(openai.InternalServerError) as caught:
            client(server).chat.completions.create(model="talkqa", messages=[{"role": "user", "content": QUESTION}], stream=stream)
        assert caught.value.status_code == 502 and "unreachable" in str(caught.value)


# ------------------------------------------------------------------ REST, with httpx


def test_search_has_the_search_json_shape(api_server):
    server = api_server(llm=fake())
    body = httpx.get(server.url + "/api/search", params={"q": "RevThink student model", "k": 3}).json()
    assert body["query"] == "RevThink student model" and 1 <= len(body["results"]) <= 3
    assert set(body["results"][0]) == {"talk_id", "title", "lines", "score", "snippet"}


def test_talks_are_paged_with_the_total(api_server):
    server = api_server(llm=fake())
    everything = httpx.get(server.url + "/api/talks", params={"limit": 500}).json()
    page = httpx.get(server.url + "/api/talks", params={"limit": 3, "offset": 2}).json()
    assert page["total"] == everything["total"] == len(everything["talks"]) >= 8
    assert page["talks"] == everything["talks"][2:5]
    assert set(page["talks"][0]) == {"id", "title", "speaker", "source", "lines", "links"}


def test_a_talk_is_found_by_an_id_prefix(api_server):
    server = api_server(llm=fake())
    first = httpx.get(server.url + "/api/talks", params={"limit": 1}).json()["talks"][0]
    talk = httpx.get(server.url + f"/api/talks/{first['id'][:7]}").json()
    assert talk["id"] == first["id"] and talk["abstract"]


def test_an_unknown_talk_is_a_404(api_server):
    server = api_server(llm=fake())
    response = httpx.get(server.url + "/api/talks/tzzzzzz")
    assert response.status_code == 404 and error_of(response)["code"] == "talk_not_found"


def test_ask_has_the_ask_json_shape(api_server):
    server = api_server(llm=fake())
    body = httpx.post(server.url + "/api/ask", json={"question": QUESTION}, timeout=60).json()
    assert set(body) == {"question", "query", "answer", "abstained", "absent_terms", "citations", "sentences", "preview", "timings", "warnings"}
    assert body["answer"] == ANSWER and body["citations"][0]["n"] == 1


def test_ask_without_the_llm_lists_every_retrieved_talk(api_server):
    server = api_server(llm=ExplodingModel(responses=["unused"]))
    body = httpx.post(server.url + "/api/ask", json={"question": "neural networks", "no_llm": True, "k": 3}).json()
    search = httpx.get(server.url + "/api/search", params={"q": "neural networks", "k": 3}).json()
    assert body["answer"] == "" and len(body["citations"]) > 1
    assert [c["talk_id"] for c in body["citations"]] == [r["talk_id"] for r in search["results"]]


def test_docs_are_served_without_a_cdn(api_server):
    server = api_server(llm=fake(), api_keys=SecretStr("k1"))
    page = httpx.get(server.url + "/docs")
    assert page.status_code == 200 and "/static-offline-docs/swagger-ui-bundle.js" in page.text
    assert httpx.get(server.url + "/static-offline-docs/swagger-ui-bundle.js").status_code == 200
    schema = httpx.get(server.url + "/openapi.json").json()
    assert {"/v1/chat/completions", "/v1/models", "/api/search", "/api/talks", "/api/talks/{talk_id}", "/api/ask"} <= set(schema["paths"])


def test_pages_of_the_configured_origins_may_call_it(api_server):
    server = api_server(llm=fake(), api_cors_origins=["https://seminar.example.org"])
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"}
    allowed = httpx.options(server.url + "/api/ask", headers={"Origin": "https://seminar.example.org", **preflight})
    other = httpx.options(server.url + "/api/ask", headers={"Origin": "https://elsewhere.example.com", **preflight})
    assert allowed.headers["access-control-allow-origin"] == "https://seminar.example.org"
    assert "access-control-allow-origin" not in other.headers


# ------------------------------------------------------------------ errors: OpenAI's shape, the right status


LONG = "why " * 400


@pytest.mark.parametrize(
    "method, path, payload",
    [
        ("post", "/v1/chat/completions", {"model": "talkqa", "messages": [{"role": "user", "content": "   "}]}),
        ("post", "/v1/chat/completions", {"model": "talkqa", "messages": [{"role": "user", "content": LONG}]}),
        ("post", "/v1/chat/completions", {"model": "talkqa", "messages": [{"role": "user", "content": "hi"}], "k": 0}),
        ("post", "/v1/chat/completions", {"model": "talkqa", "messages": []}),
        ("post", "/v1/chat/completions", {"model": "talkqa", "messages": [{"role": "assistant", "content": "hi"}]}),
        ("post", "/api/ask", {"question": ""}),
        ("post", "/api/ask", {"question": "RevThink", "k": 51}),
        ("get", "/api/search?q=RevThink&k=0", None),
        ("get", "/api/search?q=%20", None),
        ("get", "/api/search", None),
        ("get", "/api/talks?limit=0", None),
    ],
)
def test_bad_input_is_a_400(api_server, method, path, payload):
    server = api_server(llm=fake())
    response = httpx.request(method, server.url + path, json=payload)
    assert response.status_code == 400 and error_of(response)["code"] == "invalid_input"


def test_malformed_json_is_a_400(api_server):
    server = api_server(llm=fake())
    response = httpx.post(server.url + "/v1/chat/completions", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and error_of(response)["type"] == "invalid_request_error"


def test_an_unknown_model_is_a_404(api_server):
    server = api_server(llm=fake())
    response = httpx.post(server.url + "/v1/chat/completions", json={"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]})
    assert response.status_code == 404 and error_of(response)["code"] == "model_not_found"


@pytest.mark.parametrize("headers, code", [({}, "missing_api_key"), ({"Authorization": "Bearer k-wrong"}, "invalid_api_key")])
def test_missing_or_wrong_key_is_a_401_on_every_route(api_server, headers, code):
    server = api_server(llm=fake(), api_keys=SecretStr("k-right"))
    for path in ("/v1/models", "/api/talks", "/api/search?q=RevThink"):
        response = httpx.get(server.url + path, headers=headers)
        assert response.status_code == 401 and error_of(response)["code"] == code
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert httpx.get(server.url + "/api/talks", headers={"Authorization": "Bearer k-right"}).status_code == 200


def test_no_index_is_a_503(api_server, tmp_path):
    server = api_server(llm=fake(), data_dir=tmp_path / "empty")
    for response in (httpx.get(server.url + "/api/talks"),
                     httpx.post(server.url + "/v1/chat/completions", json={"messages": [{"role": "user", "content": "hi"}]})):
        assert response.status_code == 503 and error_of(response)["code"] == "index_missing"
        assert "talkqa ingest" in error_of(response)["message"]


def test_unreachable_llm_is_a_502(api_server):
    server = api_server(llm=ExplodingModel(responses=["unused"]))
    response = httpx.post(server.url + "/api/ask", json={"question": QUESTION}, timeout=60)
    assert response.status_code == 502 and error_of(response)["code"] == "llm_unavailable"


def test_timed_out_llm_is_a_504(api_server):
    server = api_server(llm=TimingOutModel(responses=["unused"]))
    response = httpx.post(server.url + "/v1/chat/completions", json={"messages": [{"role": "user", "content": QUESTION}]}, timeout=60)
    assert response.status_code == 504 and error_of(response)["code"] == "llm_timeout"


def test_a_full_queue_is_a_429_and_the_queued_answers_still_come(api_server):
    model = held_model()
    server = api_server(llm=model, api_queue=1)
    results: dict[str, httpx.Response] = {}

    def ask(name: str) -> None:
        results[name] = httpx.post(server.url + "/api/ask", json={"question": QUESTION}, timeout=60)

    first = threading.Thread(target=ask, args=("first",))
    first.start()
    assert model.entered.wait(30)  # generating
    queued = threading.Thread(target=ask, args=("queued",))
    queued.start()
    wait_for(lambda: server.state.gate.waiting == 1)
    refused = httpx.post(server.url + "/v1/chat/completions", json={"messages": [{"role": "user", "content": QUESTION}]})
    assert refused.status_code == 429 and error_of(refused)["code"] == "queue_full"
    assert refused.headers["Retry-After"]
    model.release.set()
    first.join(60), queued.join(60)
    assert results["first"].status_code == results["queued"].status_code == 200


def test_a_client_leaving_a_stream_frees_the_model_for_the_next(api_server):
    model = FakeListChatModel(responses=[ANSWER * 20], sleep=0.02)
    server = api_server(llm=model, api_queue=0)
    payload = {"messages": [{"role": "user", "content": QUESTION}], "stream": True}
    with httpx.stream("POST", server.url + "/v1/chat/completions", json=payload, timeout=60) as response:
        assert response.status_code == 200
        next(response.iter_lines())  # one event, then leave
    wait_for(lambda: not server.state.gate.busy)
    again = httpx.post(server.url + "/v1/chat/completions", json={**payload, "stream": False}, timeout=60)
    assert again.status_code == 200


def test_a_failure_after_the_first_token_ends_the_stream_with_an_error_event(api_server):
    class FailingMidway(FakeListChatModel):
        def _stream(self, *args, **kwargs):
            for i, chunk in enumerate(super()._stream(*args, **kwargs)):
                if i == len(ANSWER) + 5:  # after the first sentence was sent
                    raise ConnectionError("connection reset")
                yield chunk

    server = api_server(llm=FailingMidway(responses=[ANSWER + " " + ANSWER]))
    payload = {"messages": [{"role": "user", "content": QUESTION}], "stream": True}
    with httpx.stream("POST", server.url + "/v1/chat/completions", json=payload, timeout=60) as response:
        events = [line[len("data: "):] for line in response.iter_lines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    assert json.loads(events[-2])["error"]["code"] == "llm_unavailable"


# ------------------------------------------------------------------ keys, binding, the CLI


def test_api_keys_from_a_list_or_a_file(tmp_path):
    assert parse_api_keys(" k1, k2 ,") == ["k1", "k2"]
    keys = tmp_path / "keys"
    keys.write_text("# the team\nk1\n\nk2\n")
    assert parse_api_keys(str(keys)) == ["k1", "k2"]
    assert parse_api_keys(None) == []
    with pytest.raises(InputError, match="not a readable file"):
        parse_api_keys(str(tmp_path / "missing"))


def test_cli_serve_binds_loopback_by_default(run_cli, tmp_path, monkeypatch):
    import app.api.app

    calls = []
    monkeypatch.setattr(app.api.app, "run_server", lambda api, host, port, **serving: calls.append((host, port)))
    result = run_cli("serve", data_dir=tmp_path / "d")
    assert result.exit_code == 0, result.stderr
    assert calls == [("127.0.0.1", 8080)]


def test_cli_serve_refuses_a_public_host_without_keys(run_cli, tmp_path, monkeypatch):
    import app.api.app

    calls = []
    monkeypatch.setattr(app.api.app, "run_server", lambda api, host, port, **serving: calls.append((host, port)))
    result = run_cli("serve", "--host", "0.0.0.0", data_dir=tmp_path / "d")
    assert result.exit_code == 2 and result.stderr.startswith("error: refusing to serve the API on 0.0.0.0 without API keys")
    assert run_cli("serve", "--host", "0.0.0.0", "--insecure", data_dir=tmp_path / "d").exit_code == 0
    assert run_cli("serve", "--host", "0.0.0.0", data_dir=tmp_path / "d", env={"TALKQA_API_KEYS": "k1"}).exit_code == 0
    assert calls == [("0.0.0.0", 8080), ("0.0.0.0", 8080)]


def test_cli_serve_on_a_busy_port_is_one_line(run_cli, tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = run_cli("serve", "--port", busy.getsockname()[1], data_dir=tmp_path / "d")
    assert result.exit_code == 2 and result.stderr.startswith("error: cannot serve on 127.0.0.1:") and result.stderr.count("\n") == 1


def test_cli_chat_api_refuses_share(run_cli, tmp_path):
    result = run_cli("chat", "--api", "--share", data_dir=tmp_path / "d")
    assert result.exit_code == 2 and "--share and --api" in result.stderr


def test_chat_and_api_in_one_process(web_index):
    from app.api.app import build_api
    from app.service import Service
    from app.web.app import build_app, mount_app
    from support.servers import UvicornThread

    service = Service(web_index.settings, store=web_index.store)
    demo = build_app(web_index.settings, chain_factory=lambda: service.answer_chain(llm=fake())).demo
    server = UvicornThread(mount_app(demo, build_api(web_index.settings, service, llm=fake()))).start()
    try:
        page = httpx.get(server.url + "/")
        assert page.status_code == 200 and "talkqa" in page.text  # the chat page
        assert httpx.get(server.url + "/config").status_code == 200  # and Gradio's own routes
        assert httpx.get(server.url + "/v1/models").json()["data"][0]["id"] == "talkqa"
        answer = httpx.post(server.url + "/api/ask", json={"question": QUESTION}, timeout=60).json()
        assert answer["answer"] == ANSWER
    finally:
        server.stop()


# ------------------------------------------------------------------ the embedded model


@pytest.mark.slow
@pytest.mark.server
def test_embedded_model_answers_through_the_openai_client(api_server):
    server = api_server()  # the configured model: the embedded Qwen 1.5B (web_index settings)
    chunks = list(client(server).chat.completions.create(
        model="talkqa", messages=[{"role": "user", "content": "What is RevThink?"}], stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    extra = [c.model_extra["talkqa"] for c in chunks if c.model_extra.get("talkqa")][-1]  # the first has the preview, the last the answer
    assert "RevThink" in text and not extra["abstained"]
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", text)}
    assert markers and markers <= {c["n"] for c in extra["citations"]}, (text, extra["citations"])
