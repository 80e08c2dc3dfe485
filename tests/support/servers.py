"""Real servers on 127.0.0.1 and free ports: `chroma run`, llama.cpp's OpenAI-compatible server, the chat app, the HTTP API."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.core.config import DEFAULT_CORPUS, Settings
from app.models.embeddings import cached_embeddings
from app.index.store import TalkStore

from support.settings import make_settings


# ------------------------------------------------------------------ chroma server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, *, timeout: float = 60, proc: subprocess.Popen | None = None, log: Path | None = None) -> None:
    """Poll ``url`` (never through a proxy) until it answers 200; fail with the server's log otherwise."""
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log else ""
            pytest.fail(f"the server behind {url} exited with {proc.returncode}:\n{tail}")
        try:
            with direct.open(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{url} did not answer within {timeout:.0f} s" + (f" (see {log})" if log else ""))
        time.sleep(0.2)


@dataclass(frozen=True)
class ChromaServer:
    host: str
    port: int


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """`chroma run` from the venv on 127.0.0.1 and a free port; stopped at the end of the session."""
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        chroma = Path(shutil.which("chroma") or chroma)
    path = tmp_path_factory.mktemp("chroma-server")
    log = path.parent / "chroma-server.log"
    port = _free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=60, proc=proc, log=log)
        yield ChromaServer("127.0.0.1", port)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ------------------------------------------------------------------ chat models and the web app


@pytest.fixture(scope="session")
def openai_compatible_server(tmp_path_factory):
    """llama.cpp's OpenAI-compatible server with SmolLM2-135M on a free 127.0.0.1 port; stopped after."""
    from app.models.llm import local_model_path

    port = _free_port()
    model = local_model_path(Settings(_env_file=None, llm={"local_model": "smollm2-135m"}))
    log = (tmp_path_factory.mktemp("llm-server") / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", "smollm2",
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        wait_until_up(base + "/models", timeout=120, proc=proc, log=Path(log.name))
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


#: Seed lines (1-based): the first 14 (RevThink, feature learning, a talk with a
#: paper and a code link, ...), Mariya Toneva's talk with its "Bio:" (41-42)
#: and Yiqiao Zhong's with a paper link and bio (43-47): 11 talks.
WEB_PICK = list(range(1, 16)) + list(range(41, 48))  # line 15: the Dynamic Range Activator (the screenshot's question)

#: The embedded model (SmolLM2-135M follows the citation prompt too erratically to test a UI
#: against); short answers keep each generation to seconds.
WEB_LLM = {"backend": "local", "local_model": "qwen-1.5b", "max_tokens": 160}


@dataclass
class WebIndex:
    settings: Settings
    store: TalkStore


@dataclass
class LiveServer:
    url: str
    chat: object  # app.web.app.ChatApp: the Gradio app and its handlers
    index: WebIndex


@pytest.fixture(scope="session")
def web_index(tmp_path_factory, embedding_model) -> WebIndex:
    """About ten seed talks ingested into a tmp data dir, with the embedded model configured (WEB_LLM)."""
    from ingest.indexer import ingest

    root = tmp_path_factory.mktemp("web")
    lines = DEFAULT_CORPUS.read_text(encoding="utf-8").splitlines()
    corpus = root / "talks.txt"
    corpus.write_text("\n".join(lines[n - 1] for n in WEB_PICK) + "\n", encoding="utf-8")
    settings = make_settings(root / "data", [corpus], llm=WEB_LLM)
    store = TalkStore(settings, cached_embeddings(settings, embedding_model))
    report = ingest(settings, store)
    assert 8 <= report.talks <= 12, report.talks
    return WebIndex(settings, store)


def start_server(settings: Settings, chain_factory=None, auth=None) -> tuple[str, object]:
    """``build_app`` + ``launch_app`` on 127.0.0.1:<free port>, not blocking; returns (url, ChatApp).

    ``auth``: Gradio's login callable (e.g. ``ThrottledLogin``), None for an open app.
    """
    from app.web.app import build_app, launch_app

    chat = build_app(settings, chain_factory=chain_factory)
    port = _free_port()
    launch_app(chat.demo, host="127.0.0.1", port=port, block=False, auth=auth)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(url if auth else url + "config", timeout=30)  # with logins, /config needs one
    except BaseException:
        chat.demo.close()
        raise
    return url, chat


@pytest.fixture(scope="session")
def live_server(web_index) -> LiveServer:
    """The chat app with the real chain (the embedded Qwen model, see WEB_LLM) over ``web_index``; closed at the end."""
    from app.service import Service

    chain = Service(web_index.settings, store=web_index.store).answer_chain()  # load the model before the first request
    url, chat = start_server(web_index.settings, chain_factory=lambda: chain)
    try:
        yield LiveServer(url, chat, web_index)
    finally:
        chat.demo.close()


@dataclass
class FakeChatServer:
    url: str
    demo: object
    settings: Settings


def _scripted_servers(settings: Settings, store: TalkStore):
    """``start(*replies, sleep=None, fail=False)`` -> a started FakeChatServer over ``store``; closes them all after."""
    from app.service import Service
    from support.models import scripted

    started = []

    def start(*replies: str, sleep: float | None = None, fail: bool = False) -> FakeChatServer:
        llm = scripted(*replies, sleep=sleep, fail=fail)
        url, chat = start_server(settings, chain_factory=lambda: Service(settings, store=store).answer_chain(llm=llm))
        started.append(chat.demo)
        return FakeChatServer(url, chat.demo, settings)

    yield start
    for demo in started:
        demo.close()


@pytest.fixture
def fake_chat_server(small_index):
    """Start the chat app over the small index (its own data dir) with the scripted chat model:
    ``fake_chat_server(*replies, sleep=None, fail=False)`` (``sleep``: seconds between streamed characters;
    ``fail``: the model is unreachable).
    Every chain the app builds reads the live index, so talks uploaded in the Corpus tab are
    answerable. Closed after the test."""
    yield from _scripted_servers(*small_index)


@pytest.fixture
def seed_chat_server(seed_index):
    """The chat app over the whole seed (a "which talks" question retrieves a dozen) with the
    scripted chat model: ``seed_chat_server(*replies, sleep=None)``. Read-only use of the shared index."""
    yield from _scripted_servers(seed_index.settings, seed_index.store)


# ------------------------------------------------------------------ the HTTP API


class UvicornThread:
    """An ASGI app served by uvicorn on 127.0.0.1:<free port> in a thread (a real server, real sockets)."""

    def __init__(self, app):
        import threading

        import uvicorn

        self.app = app
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, name=f"uvicorn-{self.port}", daemon=True)

    def start(self) -> "UvicornThread":
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start on port {self.port}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@dataclass
class ApiServer:
    url: str
    app: object
    settings: Settings

    @property
    def state(self):
        """The API's shared state (``app.api.ApiState``): its gate and chains."""
        return self.app.state.talkqa


@pytest.fixture
def api_server(web_index):
    """Start the HTTP API over ``web_index`` (about ten talks): ``api_server(llm=..., **settings)``.

    ``llm`` goes to ``Service.answer_chain`` (a LangChain fake chat model in the
    fast tests; the configured embedded model when omitted); keyword arguments
    override settings (``api_keys``, ``api_queue``, ``data_dir`` ...). Every
    server started is stopped after the test.
    """
    from app.api.app import build_api
    from app.service import CONFIGURED, Service

    started: list[UvicornThread] = []

    def start(llm=CONFIGURED, **overrides) -> ApiServer:
        settings = web_index.settings.model_copy(update=overrides)
        store = web_index.store if "data_dir" not in overrides else None
        app = build_api(settings, Service(settings, store=store, embeddings=web_index.store.embeddings), llm=llm)
        server = UvicornThread(app).start()
        started.append(server)
        return ApiServer(server.url, app, settings)

    yield start
    for server in started:
        server.stop()


# ------------------------------------------------------------------ a server announced to one-off commands


@dataclass
class AnnouncedServer:
    url: str
    port: int
    app: object
    settings: Settings
    llm: object

    @property
    def token(self) -> str:
        return self.app.state.talkqa.token


@pytest.fixture
def announced_server(small_index):
    """The HTTP API over the small index with the scripted chat model, announced in the data dir as
    ``talkqa serve`` announces itself: ``announced_server(*replies, fail=False)``. Withdrawn and stopped after the test."""
    from app.api.app import build_api
    from app.api.serving import Announcer
    from app.service import Service
    from support.models import scripted

    settings, store = small_index
    started = []

    def start(*replies: str, fail: bool = False) -> AnnouncedServer:
        llm = scripted(*replies, fail=fail)
        app = build_api(settings, Service(settings, store=store), llm=llm)
        server = UvicornThread(app).start()
        announcer = Announcer(settings, app.state.talkqa.token, "serve")
        announcer.announce(server.port)
        started.append((server, announcer))
        return AnnouncedServer(server.url, server.port, app, settings, llm)

    yield start
    for server, announcer in started:
        announcer.withdraw()
        server.stop()
