"""The wheel, installed outside the checkout, runs the same smoke test as the checkout (issue #26).

What this proves: ``pip wheel`` builds talkqa from a copy of the source tree with the build
requirements of pyproject.toml (setuptools from PyPI, in pip's isolated build environment); the
wheel is small, carries every runtime file and no tests; installed into a fresh venv outside the
checkout, with no editable install and no source tree on the path, ``talkqa doctor``, ``ingest``
(the bundled corpus, into the platform's data dir), ``search`` and ``ask --no-llm`` work from it.

What it does not prove: that the dependencies install from PyPI into an empty venv. The wheel is
installed with ``--no-deps`` and the fresh venv sees the test environment's packages through a
``.pth`` file (a full install would download ~1 GB and take minutes); ``talkqa doctor`` checks that
each declared dependency is present at an accepted version. It does not run ``talkqa setup`` (a
llama.cpp build takes ~10 minutes; tests/test_doctor.py checks its plan) nor the LLM.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from support.settings import TESTS

pytestmark = [pytest.mark.slow, pytest.mark.install]

CHECKOUT = TESTS.parent
MAX_WHEEL_BYTES = 5 * 1024**2
#: Folders of a checkout that are not sources (generated state, caches, build output).
NOT_SOURCES = shutil.ignore_patterns(".git", ".venv", ".talkqa", "__pycache__", "*.egg-info", "build", "dist", "eval/runs",
                                     "bench/out", ".pytest_cache")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built by pip from a copy of the source tree (the build writes build/ and *.egg-info beside the sources)."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    shutil.copytree(CHECKOUT, source, ignore=NOT_SOURCES)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(root / "dist"), str(source)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    (found,) = (root / "dist").glob("talkqa-*.whl")
    return found


def test_the_wheel_is_small_and_carries_the_runtime_files_and_no_tests(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert wheel.stat().st_size < MAX_WHEEL_BYTES
    runtime = {"data/abstracts.txt", "prompts/answer_system.txt", "prompts/judge.txt", "app/web/style.css",
               "eval/data/questions.jsonl", "eval/data/questions-heldout.jsonl", "eval/data/questions-heldout2.jsonl", "eval/data/questions-heldout3.jsonl", "eval/data/questions-heldout4.jsonl", "eval/data/questions-heldout5.jsonl", "eval/data/questions-heldout6.jsonl", "eval/data/questions-heldout7.jsonl", "eval/data/questions-heldout8.jsonl", "eval/data/questions-heldout9.jsonl", "eval/data/questions-heldout10.jsonl", "eval/data/questions-heldout11.jsonl", "eval/data/questions-heldout12.jsonl", "eval/data/questions-heldout13.jsonl", "eval/data/questions-heldout14.jsonl", "eval/data/questions-heldout15.jsonl", "eval/data/questions-heldout16.jsonl", "eval/data/questions-heldout17.jsonl", "eval/data/questions-heldout18.jsonl", "eval/data/questions-heldout19.jsonl", "eval/data/questions-heldout20.jsonl", "eval/data/questions-heldout21.jsonl", "eval/data/questions-heldout22.jsonl", "eval/data/questions-heldout23.jsonl", "eval/data/questions-heldout24.jsonl", "eval/data/questions-heldout25.jsonl", "eval/data/questions-heldout26.jsonl", "eval/data/questions-heldout27.jsonl", "eval/data/questions-heldout28.jsonl", "eval/data/questions-heldout29.jsonl", "eval/data/questions-heldout30.jsonl", "eval/data/questions-heldout31.jsonl", "eval/data/questions-heldout32.jsonl", "eval/data/questions-heldout33.jsonl", "eval/data/questions-heldout34.jsonl", "eval/data/questions-heldout35.jsonl", "eval/data/questions-heldout36.jsonl", "eval/data/questions-heldout37.jsonl", "eval/data/questions-heldout38.jsonl", "eval/data/questions-heldout39.jsonl", "eval/data/questions-heldout40.jsonl", "eval/data/questions-heldout41.jsonl", "eval/data/questions-heldout42.jsonl", "eval/data/questions-heldout43.jsonl", "eval/data/questions-heldout44.jsonl", "eval/data/questions-heldout45.jsonl", "eval/data/questions-heldout46.jsonl", "eval/data/questions-heldout47.jsonl", "eval/data/questions-heldout48.jsonl", "eval/data/questions-heldout49.jsonl", "eval/data/questions-heldout50.jsonl", "eval/data/questions-heldout51.jsonl", "eval/data/questions-heldout52.jsonl", "eval/data/questions-heldout53.jsonl", "eval/data/questions-heldout54.jsonl", "eval/data/questions-heldout55.jsonl", "eval/data/questions-heldout56.jsonl", "eval/data/questions-heldout57.jsonl", "eval/data/questions-heldout58.jsonl", "eval/data/questions-heldout59.jsonl", "eval/data/questions-heldout60.jsonl", "eval/data/questions-heldout61.jsonl", "eval/data/judge_pairs.jsonl", "eval/data/judge_pairs_current.jsonl", "eval/data/injections.jsonl", "app/setup_files/requirements-models.txt",
               "app/setup_files/install-llama.sh", "app/core/instruction_weights.json", "app/cli/commands.py", "ingest/indexer.py"}
    assert runtime <= names
    assert not [n for n in names if n.startswith(("tests/", "bench/", "docs/", "eval/runs/"))]
    assert "eval/data/titles.jsonl" not in names  # read by bench/titles.py only
    llama_script = zipfile.ZipFile(wheel).read("app/setup_files/install-llama.sh")
    assert llama_script == (CHECKOUT / "scripts" / "install-llama.sh").read_bytes()  # the file, not the link


def _dependency_dirs() -> list[str]:
    """Where this test environment's packages are: every sys.path folder but the checkout and what is under
    it, except this venv's own folders (`.venv` lives in the checkout)."""
    venv = Path(sys.prefix).resolve()
    found = []
    for entry in sys.path:
        path = Path(entry or ".").resolve()
        in_checkout = path == CHECKOUT or (CHECKOUT in path.parents and venv not in path.parents)
        if path.is_dir() and not in_checkout and str(path) not in found:
            found.append(str(path))
    return found


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv outside the checkout with the wheel installed (no deps: see the module docstring); its folder."""
    venv = tmp_path_factory.mktemp("installed") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (Path(site) / "zz-test-dependencies.pth").write_text("\n".join(_dependency_dirs()) + "\n")
    return venv


def _run(venv: Path, *args: str, home: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """``talkqa ARGS`` from the fresh venv, in a folder outside the checkout, with no TALKQA_* and no PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TALKQA_", "PYTHON"))}
    env.update({"XDG_DATA_HOME": str(home / "share"), "XDG_CACHE_HOME": str(home / "cache")})
    return subprocess.run([str(venv / "bin" / "talkqa"), *args], cwd=home, env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_the_installed_tool_runs_from_its_venv_alone(installed, tmp_path):
    probe = ("import app, data, prompts, sys, json; "
             "print(json.dumps({'files': [app.__file__, data.__file__, prompts.__file__], 'finders': [repr(f) for f in sys.meta_path]}))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    done = subprocess.run([installed / "bin" / "python", "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    found = json.loads(done.stdout)
    assert all(Path(f).is_relative_to(installed) for f in found["files"])
    assert not [f for f in found["finders"] if "editable" in f.lower()]


def test_the_installed_tool_passes_the_smoke_run_on_the_bundled_corpus(installed, tmp_path, seed_index):
    home = tmp_path
    data_dir = home / "share" / "talkqa"  # platformdirs' user data dir: an installed tool has no checkout to write in
    # The seed's embeddings, computed once in this session: the installed ingest reads them instead of embedding again.
    shutil.copytree(seed_index.settings.cache_dir / "embeddings", data_dir / "cache" / "embeddings")

    before = _run(installed, "doctor", "--json", home=home)
    assert before.stdout, before.stderr[-3000:]  # a traceback instead of the report
    checks = {c["name"]: c for c in json.loads(before.stdout)["checks"]}
    assert before.returncode == 1 and checks["index"]["status"] == "fail" and "talkqa ingest" in checks["index"]["fix"]
    assert "installed in" in checks["python"]["detail"] and checks["data dir"]["detail"].startswith(str(data_dir))
    assert checks["packages"]["status"] == "ok" and checks["embedding model"]["status"] == "ok"

    ingest = _run(installed, "ingest", "--json", home=home)
    assert ingest.returncode == 0, ingest.stderr[-2000:]
    talks = seed_index.store.talk_count(seed_index.store.live())

    after = _run(installed, "doctor", "--json", home=home)
    checks = {c["name"]: c for c in json.loads(after.stdout)["checks"]}
    assert checks["index"]["status"] == "ok" and f"{talks} talks" in checks["index"]["detail"]
    assert checks["BM25 index"]["status"] == "ok"
    assert after.returncode == (1 if any(c["status"] == "fail" for c in checks.values()) else 0)

    search = _run(installed, "search", "--json", "graph neural networks", home=home)
    assert search.returncode == 0, search.stderr[-2000:]
    assert json.loads(search.stdout)["results"]

    ask = _run(installed, "ask", "--no-llm", "--json", "Which talks are about graph neural networks?", home=home)
    assert ask.returncode == 0, ask.stderr[-2000:]
    assert json.loads(ask.stdout)["citations"]
    listed = _run(installed, "talks", "--json", "--limit", "1", home=home)
    assert json.loads(listed.stdout)[0]["source"] == "data/abstracts.txt"  # the bundled file, recorded as from a checkout


def test_the_installed_setup_runs_the_model_list_and_llama_script_shipped_in_the_wheel(installed, tmp_path):
    plan = _run(installed, "setup", "--dry-run", home=tmp_path)
    assert plan.returncode == 0, plan.stderr[-2000:]
    shipped = [Path(word) for word in plan.stdout.split() if word.endswith(("requirements-models.txt", "install-llama.sh"))]
    assert len(shipped) == 2 and all(p.is_relative_to(installed) and p.is_file() for p in shipped)
    assert f"install-llama.sh {installed}" in plan.stdout  # for the tool's own venv
