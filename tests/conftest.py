"""The suite's fixtures, by family (each in tests/support/):

* settings.py: settings on a tmp data dir (`make_settings`);
* models.py: the real embedding model, counting/foreign embeddings, the scripted chat model;
* corpora.py: the seed and a small corpus, stores on real Chroma, the seed indexed once;
* browser.py: Chromium through Playwright, axe-core;
* cli.py: the CLI in-process; network.py: a network block;
* servers.py: `chroma run`, llama.cpp's server, the chat app and the HTTP API on loopback;
* processes.py: `talkqa` in a subprocess, with faults;
* synthetic.py: a few thousand synthetic talks on real Chroma (stand-in embeddings), for the scale tests.

Nothing here downloads anything: the models and tiktoken tables come from installed packages.
Tests import the helpers they need from here (`from conftest import make_settings, scripted`).
"""

from __future__ import annotations

import os

import pytest

from support.browser import *  # noqa: F401,F403
from support.cli import *  # noqa: F401,F403
from support.corpora import *  # noqa: F401,F403
from support.models import *  # noqa: F401,F403
from support.network import *  # noqa: F401,F403
from support.processes import *  # noqa: F401,F403
from support.servers import *  # noqa: F401,F403
from support.settings import *  # noqa: F401,F403
from support.synthetic import *  # noqa: F401,F403


# ------------------------------------------------------------------ environment


@pytest.fixture(autouse=True)
def _no_ambient_settings(monkeypatch):
    """A developer's TALKQA_* variables (a Chroma host, a data dir) must not leak into tests."""
    for name in list(os.environ):
        if name.startswith("TALKQA_"):
            monkeypatch.delenv(name)
