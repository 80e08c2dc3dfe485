"""The suite's fixtures, by family, each a pytest plugin in tests/support/:

* settings.py: settings on a tmp data dir (`make_settings`);
* models.py: the real embedding model, counting/foreign embeddings, the scripted chat model;
* corpora.py: the seed and a small corpus, stores on real Chroma, the seed indexed once;
* browser.py: Chromium through Playwright, axe-core;
* cli.py: the CLI in-process; network.py: a network block;
* servers.py: `chroma run`, llama.cpp's server, the chat app and the HTTP API on loopback;
* processes.py: `talkqa` in a subprocess, with faults;
* synthetic.py: a few thousand synthetic talks on real Chroma (stand-in embeddings), for the scale tests.

Nothing here downloads anything: the models and tiktoken tables come from installed packages.
Fixtures arrive by name; tests import the helpers (functions, classes, constants) from the module
that owns them (`from support.models import scripted`), never from this file.
"""

from __future__ import annotations

import os

import pytest

pytest_plugins = [
    "support.settings",
    "support.models",
    "support.corpora",
    "support.browser",
    "support.cli",
    "support.network",
    "support.processes",
    "support.servers",
    "support.synthetic",
]


@pytest.fixture(autouse=True)
def _no_ambient_settings(monkeypatch):
    """A developer's TALKQA_* variables (a Chroma host, a data dir) must not leak into tests."""
    for name in list(os.environ):
        if name.startswith("TALKQA_"):
            monkeypatch.delenv(name)
