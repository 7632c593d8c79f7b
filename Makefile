# proxydocs: `make html` and `make test` work on a fresh machine with only python3.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SPHINXOPTS ?= -W --keep-going -q
DOCS_STAMP := $(VENV)/.stamp-docs
TEST_STAMP := $(VENV)/.stamp-test
# a second Python for the same-bytes-on-every-version test (3.13: ipaddress and Unicode changed)
PYTHON_ALT ?= $(firstword $(foreach p,$(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) python3.13,$(shell $(p) -c 'import sys; print(sys.executable)' 2>/dev/null)))
ALT_VENV := .venv-alt
ALT_STAMP := $(ALT_VENV)/.stamp

.PHONY: html livehtml linkcheck snippets check validate test e2e e2e-vm bench bench-docs clean help

help:
	@echo "make html      render the snippets and build the site into _build/html"
	@echo "make livehtml  serve the site and rebuild on every change of docs/, proxy.toml or a template"
	@echo "make linkcheck check the external links (skipped, saying so, without a network)"
	@echo "make test      run every test (unit, validators, docs, end to end, browser)"
	@echo "make snippets  render the snippets from proxy.toml into docs/"
	@echo "make check     fail if docs/ differs from what proxy.toml renders"
	@echo "make validate  check every snippet with the program that reads it"
	@echo "make e2e       the end-to-end tests alone"
	@echo "make e2e-vm    the VM tier alone: a Colima-like VM behind the generated tunnel and proxy"
	@echo "make bench     the benchmark (prints the table)"
	@echo "make bench-docs  the benchmark, also written to docs/reference/bench.md"
	@echo "make clean     remove the build output (not the committed snippets)"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(DOCS_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[docs]'
	touch $@

$(TEST_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	touch $@ $(DOCS_STAMP)

$(ALT_STAMP): pyproject.toml
	@if [ -n "$(PYTHON_ALT)" ]; then \
	  $(PYTHON_ALT) -m venv $(ALT_VENV) && \
	  $(ALT_VENV)/bin/python -m pip install -q --disable-pip-version-check -e . && touch $@; \
	else echo "no Python 3.13 found: the same-bytes test on a second Python will skip (fail under CI=true)"; fi

html: $(DOCS_STAMP)
	$(VENV)/bin/sphinx-build $(SPHINXOPTS) -c . docs _build/html

livehtml: $(DOCS_STAMP)
	$(PY) -m pip install -q --disable-pip-version-check 'sphinx-autobuild>=2024.10'
	$(VENV)/bin/sphinx-autobuild -c . --watch proxy.toml --watch snippets --watch generator \
	  --ignore '*/_generated/*' --ignore '*.tmp' docs _build/html

linkcheck: $(DOCS_STAMP)
	@# github.com stands for the web the pages link to (a package mirror alone is not a network)
	@if $(PY) -c 'import socket; socket.create_connection(("github.com", 443), timeout=5)' 2>/dev/null; then \
	  $(VENV)/bin/sphinx-build -q -b linkcheck -c . docs _build/linkcheck; \
	else echo "linkcheck: no network here, skipped"; fi

snippets: $(DOCS_STAMP)
	$(VENV)/bin/proxydocs render

check: $(DOCS_STAMP)
	$(VENV)/bin/proxydocs render --check

validate: $(TEST_STAMP)
	$(VENV)/bin/proxydocs validate

test: $(TEST_STAMP) $(ALT_STAMP)
	$(PY) -m pytest -n 2

e2e: $(TEST_STAMP)
	$(PY) -m pytest -m e2e tests/e2e

e2e-vm: $(TEST_STAMP)
	PROXYDOCS_VM_FIGURES=1 $(PY) -m pytest -p no:cacheprovider tests/vm

bench: $(TEST_STAMP)
	$(PY) bench/run.py

bench-docs: $(TEST_STAMP)
	$(PY) bench/run.py --write

clean:
	rm -rf _build .pytest_cache build
