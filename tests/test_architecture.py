"""The import direction of docs/architecture.md, checked on the source with ``ast``.

app's core (everything in app/ but the surfaces) never imports ingest/ or
eval/, nor a surface; the core's own layers import only downwards.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.core.config import PROJECT_ROOT

#: app's core by package, lowest layer first: a module may import its own layer and the layers before it.
CORE_LAYERS = ["app.core", "app.models", "app.index", "app.retrieval", "app.answer", "app.service"]
SURFACES = ("app.cli", "app.web", "app.api")
OUTSIDE = ("ingest", "eval", "bench", "tests")


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_in(source: str) -> set[str]:
    """Every project module ``source`` imports, at any depth (lazy imports count too)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {name for name in found if name.split(".")[0] in ("app", "ingest", "eval", "bench", "tests")}


def imports_of(path: Path) -> set[str]:
    return imports_in(path.read_text(encoding="utf-8"))


def layer_of(name: str) -> int | None:
    """The layer a module belongs to: the package it is in (``app`` itself, the version, is the bottom)."""
    if name == "app":
        return 0
    for i, package in enumerate(CORE_LAYERS):
        if name == package or name.startswith(package + "."):
            return i
    return None


def problems_of(module: str, targets: set[str]) -> list[str]:
    """What is wrong with ``module`` importing ``targets`` (nothing for a surface)."""
    if module.startswith(SURFACES):
        return []  # surfaces may import anything in app and the entry points of ingest/ and eval/
    mine = layer_of(module)
    if mine is None:
        return [f"{module} is in no layer package of docs/architecture.md"]
    problems = []
    for target in sorted(targets):
        if target.startswith(OUTSIDE) or target.startswith(SURFACES):
            problems.append(f"{module} imports {target}: app's core must not import ingest/, eval/ or a surface")
        elif (theirs := layer_of(target)) is not None and theirs > mine:
            problems.append(f"{module} imports {target}, a layer above it")
    return problems


def violations(files: list[Path]) -> list[str]:
    return [problem for path in files for problem in problems_of(module_name(path), imports_of(path))]


def core_files() -> list[Path]:
    return [p for p in sorted((PROJECT_ROOT / "app").rglob("*.py")) if "__pycache__" not in p.parts]


def test_app_core_imports_only_downwards():
    assert violations(core_files()) == []


def test_ingest_and_eval_never_import_a_surface():
    files = [p for d in ("ingest", "eval") for p in sorted((PROJECT_ROOT / d).rglob("*.py"))]
    bad = [f"{module_name(p)} imports {t}" for p in files for t in imports_of(p) if t.startswith(SURFACES)]
    assert bad == []


@pytest.mark.parametrize(
    "source, expected",
    [
        ("from ingest.derive import Talk\n", "app.index.store imports ingest.derive"),
        ("from app.service import Service\n", "app.index.store imports app.service, a layer above it"),
        ("def f():\n    from eval.harness import run_eval\n", "app.index.store imports eval.harness"),
    ],
)
def test_the_check_catches_an_upward_or_outward_import(source, expected):
    assert any(expected in problem for problem in problems_of("app.index.store", imports_in(source)))


def test_a_module_outside_the_layer_packages_is_reported():
    assert problems_of("app.helpers", set()) == ["app.helpers is in no layer package of docs/architecture.md"]


#: What a one-off `talkqa search` must not pay for at start-up (issue #12): the LLM stack, the web stack, plotting.
NOT_FOR_SEARCH = ("llama_cpp", "openai", "langchain_openai", "langchain_core.language_models.chat_models", "gradio", "fastapi", "matplotlib", "app.web", "app.api")

SHOW_MODULES = """
import json, sys
from app.cli.commands import main
sys.argv = ["talkqa", *sys.argv[1:]]
try:
    main()
except SystemExit as done:
    print(json.dumps({"exit": done.code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


@pytest.mark.processes
def test_a_search_process_imports_no_model_or_web_stack(proc_index):
    import json
    import subprocess
    import sys

    from support.processes import talkqa_env

    done = subprocess.run([sys.executable, "-c", SHOW_MODULES, "search", "--json", "neural networks"], env=talkqa_env(proc_index),
                          capture_output=True, text=True, timeout=300)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["exit"] in (0, None) and json.loads(done.stdout)["results"]
    loaded = [m for m in report["modules"] if m.startswith(NOT_FOR_SEARCH)]
    assert loaded == []
