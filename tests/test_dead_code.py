"""No dead code: every function, class and method in app/, ingest/ and eval/ is used by the product.

"Used" is read from the source with ``ast``: the name appears as an identifier (a call, an
attribute, an import) in app/, ingest/, eval/, bench/ or scripts/, or as a word in
pyproject.toml, the Makefile or a shell script (console scripts, entry points). A use by the
tests alone does not count: code that only a test calls is dead code with a test. A decorated
function that a decorator registers (a click command, a FastAPI route, a fixture) counts as used.
The check is by name, so it errs on the side of "used" (two methods of one name keep each other).
What a library calls by name, without our code naming it, is in ``CALLED_BY_A_LIBRARY``.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import pytest

from app.core.config import PROJECT_ROOT

DEFINING = ("app", "ingest", "eval")
USING = ("app", "ingest", "eval", "bench", "scripts")
#: Decorators that wrap or describe a function without registering it anywhere.
NOT_REGISTERING = {"lru_cache", "cache", "cached_property", "dataclass", "contextmanager", "staticmethod", "classmethod",
                   "property", "wraps", "total_ordering", "overload"}

#: "path::Class.method": why nothing of ours names it.
CALLED_BY_A_LIBRARY = {
    "app/models/llm_local.py::LlamaCppChatModel._llm_type": "LangChain's BaseChatModel interface",
    "app/models/llm_local.py::LlamaCppChatModel._identifying_params": "LangChain's BaseChatModel interface",
    "app/retrieval/retriever.py::TalkRetriever.model_post_init": "pydantic's hook after __init__",
    "app/retrieval/retriever.py::TalkRetriever._get_relevant_documents": "LangChain's BaseRetriever interface (invoke)",
    "app/models/reranker.py::CrossEncoderReranker.compress_documents": "LangChain's BaseDocumentCompressor interface",
}
def python_files(root: Path, folders) -> list[Path]:
    return [p for d in folders for p in sorted((root / d).rglob("*.py")) if "__pycache__" not in p.parts]


def _decorator_name(node: ast.expr) -> str:
    node = node.func if isinstance(node, ast.Call) else node
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def _registered(node) -> bool:
    return any(_decorator_name(d) not in NOT_REGISTERING for d in node.decorator_list)


def definitions(root: Path, path: Path) -> list[tuple[str, str]]:
    """("path::name" or "path::Class.method", name) for the top-level functions and classes of ``path``
    and the methods of its classes; registered ones and dunder methods left out."""
    where = path.relative_to(root).as_posix()
    found = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or _registered(node):
            continue
        found.append((f"{where}::{node.name}", node.name))
        if isinstance(node, ast.ClassDef):
            found += [(f"{where}::{node.name}.{m.name}", m.name) for m in node.body
                      if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and not m.name.startswith("__") and not _registered(m)]
    return found


def names_used_in(source: str) -> Counter:
    """Every identifier ``source`` uses: names, attributes, imported names."""
    used = Counter()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            used[node.id] += 1
        elif isinstance(node, ast.Attribute):
            used[node.attr] += 1
        elif isinstance(node, ast.ImportFrom):
            used.update(alias.name for alias in node.names)
    return used


def product_uses(root: Path) -> Counter:
    used = Counter()
    for path in python_files(root, USING):
        used += names_used_in(path.read_text(encoding="utf-8"))
    others = [root / "pyproject.toml", root / "Makefile", *(root / "scripts").glob("*.sh")]
    for path in others:
        if path.is_file():
            used.update(re.findall(r"\w+", path.read_text(encoding="utf-8", errors="replace")))
    return used


def dead_code(root: Path, allowed=frozenset()) -> list[str]:
    used = product_uses(root)
    return [key for path in python_files(root, DEFINING) for key, name in definitions(root, path)
            if not used[name] and key not in allowed]


def test_every_function_class_and_method_is_used_by_the_product():
    assert dead_code(PROJECT_ROOT, CALLED_BY_A_LIBRARY.keys()) == []


def test_what_a_library_calls_is_still_there():
    """An entry of the allow-list whose code is gone would hide the next dead function of that name."""
    defined = {key for path in python_files(PROJECT_ROOT, DEFINING) for key, _ in definitions(PROJECT_ROOT, path)}
    assert sorted(CALLED_BY_A_LIBRARY.keys() - defined) == []


def test_the_check_finds_what_only_a_test_calls_and_keeps_what_is_registered(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "app" / "talks.py").write_text(
        "import click\n\n\ndef used():\n    return 1\n\n\ndef only_tested():\n    return used()\n\n\n"
        "@click.command()\ndef listed():\n    pass\n\n\nclass Store:\n    def open(self):\n        return self.orphan\n\n"
        "    def orphan(self):\n        pass\n\n    def closed(self):\n        pass\n"
    )
    (tmp_path / "tests" / "test_talks.py").write_text("from app.talks import only_tested\n\nonly_tested()\nStore().closed()\n")
    assert dead_code(tmp_path) == ["app/talks.py::only_tested", "app/talks.py::Store", "app/talks.py::Store.open", "app/talks.py::Store.closed"]
