"""Shared fixtures: settings on a tmp data dir, the real embedding model (loaded
once), stores on real Chroma, a small corpus cut from the seed, the seed indexed
once per session, a `chroma run` server, the CLI, a network block, an
OpenAI-compatible llama.cpp server, and the live chat app.

Nothing here downloads anything: the model and tiktoken tables come from
installed packages (see app/embeddings.py, app/tokens.py).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from langchain_core.embeddings import Embeddings
from langchain_core.language_models.fake_chat_models import FakeListChatModel

import app.models.embeddings
from app.config import DEFAULT_CORPUS, Settings
from app.models.embeddings import MiniLMEmbeddings, cached_embeddings
from app.store import TalkStore

TESTS = Path(__file__).resolve().parent
SEED_SEGMENTS = TESTS / "data" / "seed_segments.json"


# ------------------------------------------------------------------ environment


@pytest.fixture(autouse=True)
def _no_ambient_settings(monkeypatch):
    """A developer's TALKQA_* variables (a Chroma host, a data dir) must not leak into tests."""
    for name in list(os.environ):
        if name.startswith("TALKQA_"):
            monkeypatch.delenv(name)


def make_settings(data_dir: Path, corpus: list[Path] | None = None, **overrides) -> Settings:
    """Settings that read neither `.env` nor TALKQA_* variables for what we set here."""
    values = {"data_dir": data_dir, "corpus": corpus or [DEFAULT_CORPUS], "chroma_host": None, **overrides}
    return Settings(_env_file=None, **values)


# ------------------------------------------------------------------ embeddings


@pytest.fixture(scope="session")
def embedding_model() -> MiniLMEmbeddings:
    """The real all-MiniLM-L6-v2 int8 model, loaded once per session (loading costs a second)."""
    model = MiniLMEmbeddings()
    model.embed_query("warm-up")
    return model


class CountingEmbeddings(Embeddings):
    """Wraps a model and counts the texts it really embeds (behind the cache: model runs)."""

    def __init__(self, inner: Embeddings):
        self.inner = inner
        self.model_name = getattr(inner, "model_name", type(inner).__name__)
        self.dimension = getattr(inner, "dimension", 0)
        self.texts_embedded = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.texts_embedded += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        self.texts_embedded += 1
        return self.inner.embed_query(text)


class OtherModel(Embeddings):
    """A different embedding model (8 dims, deterministic): its vectors do not compare with MiniLM's."""

    model_name = "other-model"
    dimension = 8

    def _vector(self, text: str) -> list[float]:
        rng = np.random.default_rng(abs(hash(text)) % (2**32))
        v = rng.normal(size=self.dimension)
        return (v / np.linalg.norm(v)).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


# ------------------------------------------------------------------ a scripted chat model


class ScriptedChatModel(FakeListChatModel):
    """The one fake chat model of the suite: replies in order (then from the start again), records every
    prompt it was given, and can be told to fail like an unreachable endpoint (``fail=True``)."""

    fail: bool = False
    prompts: list = []

    def _record(self, messages) -> None:
        self.prompts = [*self.prompts, "\n\n".join(str(m.content) for m in messages)]
        if self.fail:
            raise ConnectionError("connection refused")

    def _call(self, messages, *args, **kwargs):
        self._record(messages)
        return super()._call(messages, *args, **kwargs)

    def _stream(self, messages, *args, **kwargs):
        self._record(messages)
        yield from super()._stream(messages, *args, **kwargs)


def scripted(*replies: str, fail: bool = False) -> ScriptedChatModel:
    return ScriptedChatModel(responses=list(replies) or ["(no reply scripted)"], fail=fail)


# ------------------------------------------------------------------ corpora

#: Seed lines (1-based) making the small corpus: single-line talks (1, 2), a
#: continuation ("In the second part of the talk", 5-6), motivation + "In this
#: talk" + joint-work note + two links (7-11), a "Biography" heading and bio
#: (17-19), an inline "Bio: Name is ..." (41-42), and an abstract twice (59).
SMALL_PICK = [1, 5, 6, 7, 8, 9, 10, 11, 59, 17, 18, 19, 2, 41, 42, 59]


@dataclass(frozen=True)
class SmallTalk:
    """What the small corpus must segment into (line ranges in the small file)."""

    lines: list[tuple[int, int]]
    speaker: str | None = None


#: The expected segmentation of the small corpus: 7 talks, one duplicate.
SMALL_TALKS = [
    SmallTalk([(1, 1)]),
    SmallTalk([(2, 3)]),
    SmallTalk([(4, 8)]),
    SmallTalk([(9, 9), (16, 16)]),
    SmallTalk([(10, 12)], "Petros Maragos"),
    SmallTalk([(13, 13)]),
    SmallTalk([(14, 15)], "Mariya Toneva"),
]


@pytest.fixture(scope="session")
def seed_lines() -> list[str]:
    """The seed corpus, one paragraph a line (323 lines, the last without newline)."""
    return DEFAULT_CORPUS.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="session")
def small_lines(seed_lines) -> list[str]:
    return [seed_lines[n - 1] for n in SMALL_PICK]


def write_corpus(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def corpus_path(tmp_path, small_lines) -> Path:
    """A fresh, editable copy of the small corpus."""
    return write_corpus(tmp_path / "talks.txt", small_lines)


@pytest.fixture(scope="session")
def small_embedding_cache(tmp_path_factory, small_lines, embedding_model) -> Path:
    """The embedding cache of the small corpus, filled once: tests copy it instead of running the model again."""
    from ingest.indexer import ingest

    root = tmp_path_factory.mktemp("small-cache")
    settings = make_settings(root / "data", [write_corpus(root / "talks.txt", small_lines)])
    ingest(settings, make_store(settings, embedding_model))
    return settings.cache_dir / "embeddings"


@pytest.fixture
def settings(tmp_path, corpus_path, small_embedding_cache) -> Settings:
    """Settings on a fresh data dir (no index) whose embedding cache already knows the small corpus."""
    settings = make_settings(tmp_path / "data", [corpus_path])
    shutil.copytree(small_embedding_cache, settings.cache_dir / "embeddings")
    return settings


def make_store(settings: Settings, model: Embeddings) -> TalkStore:
    """A store as the CLI builds it: the model behind the file cache, Chroma from settings."""
    return TalkStore(settings, cached_embeddings(settings, model))


@pytest.fixture
def model(embedding_model) -> CountingEmbeddings:
    """The session model, counting the texts this test makes it embed."""
    return CountingEmbeddings(embedding_model)


@pytest.fixture
def store(settings, model) -> TalkStore:
    """A TalkStore on an embedded PersistentClient under the test's data dir."""
    return make_store(settings, model)


@dataclass
class SeedIndex:
    settings: Settings
    store: TalkStore
    report: object  # ingest.indexer.IngestReport of the first (cold) ingest


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("seed") / "data", [DEFAULT_CORPUS])


@pytest.fixture(scope="session")
def seed_embeddings(seed_settings, embedding_model) -> Embeddings:
    """The real model behind the seed index's cache: every seed text is embedded at most once per session."""
    return cached_embeddings(seed_settings, embedding_model)


@pytest.fixture(scope="session")
def seed_embed(seed_embeddings):
    """The ``embed`` callable the segmenter takes, over the seed's cache."""
    return lambda texts: np.asarray(seed_embeddings.embed_documents(texts), dtype=np.float32)


@pytest.fixture(scope="session")
def seed_index(seed_settings, seed_embeddings) -> SeedIndex:
    """The whole seed ingested once into a tmp Chroma store, shared by the session (read-only use)."""
    from ingest.indexer import ingest

    store = TalkStore(seed_settings, seed_embeddings)
    report = ingest(seed_settings, store)
    return SeedIndex(seed_settings, store, report)


# ------------------------------------------------------------------ CLI


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(monkeypatch, tmp_path, embedding_model):
    """Run `talkqa ARGS` in-process (click's CliRunner) against ``data_dir``.

    The CLI builds its own Settings from TALKQA_* variables, as in production;
    only the model is shared with the session so that it is not loaded again.
    """
    from app.cli import cli

    real = app.models.embeddings.cached_embeddings
    monkeypatch.setattr(app.models.embeddings, "cached_embeddings", lambda s, model=None: real(s, model or embedding_model))
    monkeypatch.chdir(tmp_path)  # no developer `.env` is read

    def run(*args, data_dir: Path, env: dict | None = None) -> CliResult:
        result = CliRunner().invoke(cli, [str(a) for a in args], env={"TALKQA_DATA_DIR": str(data_dir), **(env or {})})
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception  # a traceback would have escaped: fail loudly
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return run


# ------------------------------------------------------------------ network


_LOOPBACK = {"127.0.0.1", "::1", "localhost", "0:0:0:0:0:0:0:1"}


def _is_local(family, address) -> bool:
    if family == getattr(socket, "AF_UNIX", object()) or isinstance(address, (str, bytes)):
        return True  # a Unix socket path
    host = address[0] if isinstance(address, tuple) and address else address
    if isinstance(host, bytes):
        host = host.decode()
    return isinstance(host, str) and (host in _LOOPBACK or host.startswith("127."))


class NetworkBlocked(OSError):
    pass


@pytest.fixture
def no_network(monkeypatch) -> list:
    """Every non-loopback connection (and name lookup) raises; returns the list of attempts.

    The list matters as much as the exception: a library that swallows a
    failed connection (telemetry, a download fallback) still shows up there.
    """
    attempts: list = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_create, real_getaddrinfo = socket.create_connection, socket.getaddrinfo

    def refuse(what, address):
        attempts.append((what, address))
        raise NetworkBlocked(f"network blocked in tests: {what} {address!r}")

    def connect(self, address):
        if not _is_local(self.family, address):
            refuse("connect", address)
        return real_connect(self, address)

    def connect_ex(self, address):
        if not _is_local(self.family, address):
            refuse("connect_ex", address)
        return real_connect_ex(self, address)

    def create_connection(address, *args, **kwargs):
        if not _is_local(None, address):
            refuse("create_connection", address)
        return real_create(address, *args, **kwargs)

    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not _is_local(None, (host,)):
            refuse("getaddrinfo", host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return attempts


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
WEB_PICK = list(range(1, 15)) + list(range(41, 48))

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
    demo: object
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


def start_server(settings: Settings, chain_factory=None) -> tuple[str, object]:
    """``build_app`` + ``launch_app`` on 127.0.0.1:<free port>, not blocking; returns (url, demo)."""
    from app.web.app import build_app, launch_app

    demo = build_app(settings, chain_factory=chain_factory)
    port = _free_port()
    launch_app(demo, host="127.0.0.1", port=port, block=False)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(url + "config", timeout=30)
    except BaseException:
        demo.close()
        raise
    return url, demo


@pytest.fixture(scope="session")
def live_server(web_index) -> LiveServer:
    """The chat app with the real chain (the embedded Qwen model, see WEB_LLM) over ``web_index``; closed at the end."""
    from app.service import Service

    chain = Service(web_index.settings, store=web_index.store).answer_chain()  # load the model before the first request
    url, demo = start_server(web_index.settings, chain_factory=lambda: chain)
    try:
        yield LiveServer(url, demo, web_index)
    finally:
        demo.close()


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
    from app.api import build_api
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


# ------------------------------------------------------------------ the CLI in a subprocess, with faults

FAULT_RUNNER = TESTS / "fault_runner.py"


def talkqa_env(data_dir: Path, **extra: str) -> dict:
    """The environment of a `talkqa` subprocess: no developer TALKQA_*, this data dir, small write batches."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALKQA_")}
    env.update({"TALKQA_DATA_DIR": str(data_dir), "TALKQA_EMBEDDING__BATCH_SIZE": "1",
                "PYTHONPATH": str(TESTS.parent), **extra})
    return env


@dataclass
class Talkqa:
    """`talkqa ARGS` as a real process (optionally with a fault from tests/fault_runner.py armed)."""

    cwd: Path

    def command(self, args, fault: tuple[str, str] = ("none", "kill")) -> list[str]:
        return [sys.executable, str(FAULT_RUNNER), *fault, "--", *map(str, args)]

    def start(self, *args, data_dir: Path, fault=("none", "kill"), env: dict | None = None, prefix: list[str] = ()) -> subprocess.Popen:
        return subprocess.Popen([*prefix, *self.command(args, fault)], cwd=self.cwd, env=talkqa_env(data_dir, **(env or {})),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def run(self, *args, data_dir: Path, fault=("none", "kill"), env: dict | None = None, prefix: list[str] = (), timeout: float = 300) -> CliResult:
        proc = self.start(*args, data_dir=data_dir, fault=fault, env=env, prefix=prefix)
        out, err = proc.communicate(timeout=timeout)
        return CliResult(proc.returncode, out, err)


@pytest.fixture
def talkqa(tmp_path) -> Talkqa:
    return Talkqa(cwd=tmp_path)


@pytest.fixture
def proc_index(tmp_path, corpus_path, small_embedding_cache, talkqa) -> Path:
    """A data dir holding an index of the small corpus, built by a `talkqa ingest` process (warm cache)."""
    data = tmp_path / "data"
    shutil.copytree(small_embedding_cache, data / "cache" / "embeddings")
    result = talkqa.run("ingest", corpus_path, data_dir=data)
    assert result.exit_code == 0, result.stderr
    return data
