"""One-off `talkqa ask` and `search` through a running server (app/cli/client.py, app/core/server_file.py).

A server announced in the data dir answers a one-off command when it serves
the same index and settings; the output is the same as in-process, byte for
byte (timings aside). The fast tests run the CLI in-process against a real
uvicorn server over the small index, both sides with the scripted chat model;
the in-process model is made to fail whenever the server is the one expected
to answer, so a silent fallback cannot pass. The process tests run a real
`talkqa serve` and one-off `talkqa` processes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from pydantic import SecretStr

import app.models.llm
from app.cli.client import find_server
from app.core.server_file import ServerFile, new_token, serving_identity
from support.models import scripted

ANSWER = "RevThink trains a student model to reason backwards from the answer [1]."
QUESTION = "What is RevThink and how does it train the student model?"


@pytest.fixture
def in_process_model(monkeypatch):
    """The chat model an in-process `talkqa ask` gets (scripted)."""

    def use(*replies: str, fail: bool = False) -> None:
        monkeypatch.setattr(app.models.llm, "chat_model", lambda settings: scripted(*replies, fail=fail))

    return use


@pytest.fixture
def served(run_cli, monkeypatch):
    """`talkqa ARGS` that the server must answer: building a ``Service`` in this process fails the test."""
    import app.service

    def run(*args, data_dir):
        with monkeypatch.context() as patch:
            patch.setattr(app.service.Service, "__init__", lambda *a, **kw: pytest.fail("answered in-process"))
            return run_cli(*args, data_dir=data_dir)

    return run


def without_timings(stdout: str) -> dict:
    payload = json.loads(stdout)
    payload.pop("timings")
    return payload


REPLY = ANSWER + " It also flies to the moon."  # the second sentence no source supports: flagged, or left out with --strict


# ------------------------------------------------------------------ the same output either way


@pytest.mark.parametrize("flags", [[], ["--no-llm"], ["--strict"]])
def test_ask_json_is_the_same_through_the_server_and_in_process(announced_server, served, run_cli, in_process_model, flags):
    server = announced_server(REPLY)
    through_server = served("ask", "--json", *flags, QUESTION, data_dir=server.settings.data_dir)
    assert through_server.exit_code == 0, through_server.stderr
    assert len(server.llm.prompts) == (0 if "--no-llm" in flags else 1)
    in_process_model(REPLY)
    local = run_cli("ask", "--json", "--no-server", *flags, QUESTION, data_dir=server.settings.data_dir)
    assert local.exit_code == 0, local.stderr
    assert without_timings(through_server.stdout) == without_timings(local.stdout)
    assert json.loads(through_server.stdout)["citations"]


@pytest.mark.parametrize("flags", [[], ["--no-llm"], ["--strict"]])
def test_ask_prints_the_same_through_the_server_and_in_process(announced_server, served, run_cli, in_process_model, flags):
    server = announced_server(REPLY)
    through_server = served("ask", *flags, QUESTION, data_dir=server.settings.data_dir)
    in_process_model(REPLY)
    local = run_cli("ask", "--no-server", *flags, QUESTION, data_dir=server.settings.data_dir)
    assert through_server.exit_code == local.exit_code == 0, through_server.stderr + local.stderr
    assert through_server.stdout == local.stdout and "RevThink" in through_server.stdout


@pytest.mark.parametrize("args", [["search", "--json", "reasoning backwards"], ["search", "reasoning backwards"],
                                  ["search", "--json", "--k", "2", "brain"]])
def test_search_prints_the_same_through_the_server_and_in_process(announced_server, served, run_cli, args):
    server = announced_server(ANSWER)
    through_server = served(*args, data_dir=server.settings.data_dir)
    local = run_cli(args[0], "--no-server", *args[1:], data_dir=server.settings.data_dir)
    assert through_server.exit_code == local.exit_code == 0, through_server.stderr + local.stderr
    assert through_server.stdout == local.stdout and through_server.stdout.strip()


@pytest.mark.parametrize("flags", [[], ["--fallback"], ["--fallback", "--json"]])
def test_an_unreachable_llm_is_reported_alike_through_the_server(announced_server, served, run_cli, in_process_model, flags):
    server = announced_server(fail=True)
    through_server = served("ask", *flags, QUESTION, data_dir=server.settings.data_dir)
    in_process_model(fail=True)
    local = run_cli("ask", "--no-server", *flags, QUESTION, data_dir=server.settings.data_dir)
    assert through_server.exit_code == local.exit_code == (0 if flags else 4)
    assert through_server.stderr == local.stderr and "unreachable" in through_server.stderr
    if "--json" in flags:
        assert without_timings(through_server.stdout) == without_timings(local.stdout)
    else:
        assert through_server.stdout == local.stdout


def test_other_answer_settings_run_in_process(announced_server, run_cli, in_process_model):
    server = announced_server(ANSWER)
    in_process_model(ANSWER)
    result = run_cli("ask", "--json", QUESTION, data_dir=server.settings.data_dir, env={"TALKQA_RETRIEVAL__K": "3"})
    assert result.exit_code == 0, result.stderr
    assert server.llm.prompts == []


def test_a_bad_question_is_the_same_error_line_through_the_server(announced_server, served, run_cli, in_process_model):
    server = announced_server(ANSWER)
    long_question = "why " * 300
    through_server = served("ask", long_question, data_dir=server.settings.data_dir)
    in_process_model(ANSWER)
    local = run_cli("ask", "--no-server", long_question, data_dir=server.settings.data_dir)
    assert through_server.exit_code == local.exit_code == 2
    assert through_server.stderr == local.stderr and through_server.stderr.startswith("error: the question is")


# ------------------------------------------------------------------ which announcements are trusted


def test_the_server_accepts_its_token_beside_the_configured_keys(api_server):
    server = api_server(llm=scripted(ANSWER), api_keys=SecretStr("k1"))
    token = server.state.token
    for key, status in [(token, 200), ("k1", 200), ("wrong", 401)]:
        response = httpx.get(server.url + "/api/search", params={"q": "RevThink"}, headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == status, key
    # what it serves, only for the token: a client learns it talks to the server its file names
    assert httpx.get(server.url + "/api/server", headers={"Authorization": "Bearer k1"}).status_code == 401
    about = httpx.get(server.url + "/api/server", headers={"Authorization": f"Bearer {token}"}).json()
    assert about["identity"] == serving_identity(server.settings) and about["index"]["generation"] >= 1


def test_the_announcement_is_private_to_the_user(announced_server):
    server = announced_server(ANSWER)
    path = server.settings.data_dir / "server.json"
    assert path.stat().st_mode & 0o777 == 0o600
    assert json.loads(path.read_text())["port"] == server.port


def test_an_announcement_others_could_read_is_ignored(announced_server, run_cli, in_process_model):
    server = announced_server(ANSWER)
    (server.settings.data_dir / "server.json").chmod(0o644)
    in_process_model(ANSWER)
    result = run_cli("ask", "--json", QUESTION, data_dir=server.settings.data_dir)
    assert result.exit_code == 0, result.stderr
    assert server.llm.prompts == []


def test_the_announcement_of_a_dead_process_is_ignored_and_removed(tmp_path, settings):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    file = ServerFile(settings.data_dir)
    file.path.parent.mkdir(parents=True, exist_ok=True)
    announcement = file.announce(9, new_token(), serving_identity(settings), "serve")
    file.path.write_text(file.path.read_text().replace(f'"pid": {os.getpid()}', f'"pid": {gone.pid}'))
    assert file.read() is None and not file.path.exists()
    file.announce(announcement.port, announcement.token, announcement.identity, "serve")  # alive, port closed
    assert find_server(settings) is None and not file.path.exists()


class DiesMidAnswer(BaseHTTPRequestHandler):
    """A server that says it serves the right thing, then drops every answer after its first token."""

    identity = ""

    def do_GET(self):
        body = json.dumps({"identity": self.identity}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", "100000")  # promised, never sent
        self.end_headers()
        self.wfile.write(b'data: {"token": "RevThink"}\n\n')
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("json_flag", [["--json"], []])
def test_a_server_dying_mid_answer_falls_back_in_process(small_index, run_cli, in_process_model, json_flag):
    settings, _ = small_index
    handler = type("Handler", (DiesMidAnswer,), {"identity": serving_identity(settings)})
    fake = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    try:
        ServerFile(settings.data_dir).announce(fake.server_address[1], new_token(), serving_identity(settings), "serve")
        in_process_model(ANSWER)
        served = run_cli("ask", *json_flag, QUESTION, data_dir=settings.data_dir)
    finally:
        fake.shutdown()
    local = run_cli("ask", "--no-server", *json_flag, QUESTION, data_dir=settings.data_dir)
    assert served.exit_code == 0 and "Traceback" not in served.stderr
    assert "stopped answering" in served.stderr and "answering in this process" in served.stderr
    if json_flag:
        assert without_timings(served.stdout) == without_timings(local.stdout)
    else:
        assert served.stdout == local.stdout


def test_a_plain_chat_serves_one_off_commands_on_a_private_port(small_index):
    from app.api.serving import start_private_api
    from app.service import Service

    settings, store = small_index
    private = start_private_api(settings, Service(settings, store=store))
    try:
        url = f"http://127.0.0.1:{private.port}/api/search"
        assert httpx.get(url, params={"q": "RevThink"}).status_code == 401  # the token only, keys or not
        server = find_server(settings)
        assert server is not None and server.announcement.kind == "chat"
        status, body = server.json("GET", "/api/search?q=RevThink")
        assert status == 200 and body["results"]
    finally:
        private.stop()
    assert not (settings.data_dir / "server.json").exists()


# ------------------------------------------------------------------ real processes

#: What a one-off command through a server must not import (the point of asking the server).
HEAVY = ("chromadb", "langchain", "langchain_core", "gradio", "onnxruntime", "fastapi", "llama_cpp", "numpy")

SHOW_MODULES = """
import json, sys
from app.cli.commands import main
sys.argv = ["talkqa", *sys.argv[1:]]
try:
    main()
except SystemExit as done:
    print(json.dumps({"exit": done.code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def search_process(data_dir, env: dict, *args: str) -> tuple[str, list[str]]:
    """`talkqa search ARGS` as a process: its stdout, and the heavy modules it imported."""
    from support.processes import talkqa_env

    done = subprocess.run([sys.executable, "-c", SHOW_MODULES, "search", *args], env=talkqa_env(data_dir, **env),
                          capture_output=True, text=True, timeout=120)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["exit"] in (0, None), done.stderr
    return done.stdout, [m for m in report["modules"] if m.split(".")[0] in HEAVY]


def wait_for_announcement(server: subprocess.Popen, data_dir) -> dict:
    path = data_dir / "server.json"
    deadline = time.monotonic() + 180
    while not path.exists():
        assert server.poll() is None, server.communicate()[1][-2000:]
        assert time.monotonic() < deadline, "the server never announced itself"
        time.sleep(0.2)
    return json.loads(path.read_text())


@pytest.mark.processes
def test_a_served_search_process_imports_nothing_heavy_and_the_server_stops_when_idle(proc_index, talkqa):
    from support.servers import _free_port

    env = {"TALKQA_LLM__LOCAL_MODEL": "smollm2-135m"}
    server = talkqa.start("serve", "--port", _free_port(), "--idle-exit", "0.1", data_dir=proc_index, env=env)
    try:
        assert wait_for_announcement(server, proc_index)["kind"] == "serve"
        served, heavy = search_process(proc_index, env, "--json", "neural networks")
        assert heavy == []
        local = talkqa.run("search", "--json", "--no-server", "neural networks", data_dir=proc_index, env=env)
        assert served == local.stdout and json.loads(served)["results"]
        # six seconds without a request: it stops by itself, and takes its announcement with it
        assert server.wait(timeout=60) == 0
        assert not (proc_index / "server.json").exists()
    finally:
        if server.poll() is None:
            server.kill()
        server.communicate()


@pytest.mark.processes
def test_a_running_browser_chat_answers_a_one_off_search(proc_index, talkqa):
    import signal

    from support.servers import _free_port

    env = {"TALKQA_LLM__LOCAL_MODEL": "smollm2-135m", "TALKQA_TITLES_WHILE_IDLE": "false"}
    chat = talkqa.start("chat", "--port", _free_port(), data_dir=proc_index, env=env)
    try:
        assert wait_for_announcement(chat, proc_index)["kind"] == "chat"
        served, heavy = search_process(proc_index, env, "graph positional encodings")
        assert heavy == []
        local = talkqa.run("search", "--no-server", "graph positional encodings", data_dir=proc_index, env=env)
        assert local.exit_code == 0 and served == local.stdout and served.strip()
        chat.send_signal(signal.SIGINT)
        chat.wait(timeout=60)
        assert not (proc_index / "server.json").exists()
    finally:
        if chat.poll() is None:
            chat.kill()
        chat.communicate()
