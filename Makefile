# The two commands of the README: `make run` (the demo) and `make test`.
# Each does all set-up on a fresh machine: system packages, virtual environment, the project.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test setup system bench clean

run: setup
	$(BIN)/xxgk demo

test: setup
	$(BIN)/python -m pytest -q

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/system-packages.txt
	scripts/install-system-packages
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is required")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

system:
	scripts/install-system-packages

bench: setup
	$(BIN)/python bench/parse.py
	$(BIN)/python bench/documents.py
	$(BIN)/python bench/crawl.py
	$(BIN)/python bench/recrawl.py
	$(BIN)/python bench/distributed.py
	$(BIN)/python bench/serve.py

clean:
	rm -rf $(VENV) data .pytest_cache
