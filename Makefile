# proxydocs: `make html` and `make test` work on a fresh machine with only python3.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SPHINXOPTS ?= -W --keep-going -q
DOCS_STAMP := $(VENV)/.stamp-docs
TEST_STAMP := $(VENV)/.stamp-test

.PHONY: html snippets check validate test e2e e2e-vm bench clean help

help:
	@echo "make html      render the snippets and build the site into _build/html"
	@echo "make test      run every test (unit, validators, docs, end to end, browser)"
	@echo "make snippets  render the snippets from proxy.toml into docs/"
	@echo "make check     fail if docs/ differs from what proxy.toml renders"
	@echo "make validate  check every snippet with the program that reads it"
	@echo "make e2e       the end-to-end tests alone"
	@echo "make e2e-vm    the VM tier alone: a Colima-like VM behind the generated tunnel and proxy"
	@echo "make bench     the benchmark"
	@echo "make clean     remove the build output (not the committed snippets)"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(DOCS_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[docs]'
	touch $@

$(TEST_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	touch $@ $(DOCS_STAMP)

html: $(DOCS_STAMP)
	$(VENV)/bin/sphinx-build $(SPHINXOPTS) -c . docs _build/html

snippets: $(DOCS_STAMP)
	$(VENV)/bin/proxydocs render

check: $(DOCS_STAMP)
	$(VENV)/bin/proxydocs render --check

validate: $(TEST_STAMP)
	$(VENV)/bin/proxydocs validate

test: $(TEST_STAMP)
	$(PY) -m pytest

e2e: $(TEST_STAMP)
	$(PY) -m pytest -m e2e tests/e2e

e2e-vm: $(TEST_STAMP)
	PROXYDOCS_VM_FIGURES=1 $(PY) -m pytest -p no:cacheprovider tests/vm

bench: $(TEST_STAMP)
	$(PY) bench/run.py

clean:
	rm -rf _build .pytest_cache
