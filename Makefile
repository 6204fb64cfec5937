# The two commands a new user needs: `make demo` and `make test`. Everything else is for developers.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)

.PHONY: install demo test test-fast lint lock bench clean help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (set PYTHON=...)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing the locked dependencies into $(VENV) (first time: a few minutes) ..."
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.8
	@$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	@$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)  ## create .venv from requirements.lock

demo: install  ## generate extracts, run the pipeline through Airflow, print the published scorecard
	$(BIN)/scorecard demo

test: install  ## run the whole test suite (real Postgres, dbt, GX and Airflow)
	$(BIN)/pytest

test-fast: install  ## the tests that need no dbt build or Airflow run
	$(BIN)/pytest -m "not slow"

lint: install  ## ruff
	$(BIN)/ruff check .

lock:  ## re-resolve requirements.in into requirements.lock (with hashes)
	$(BIN)/uv pip compile requirements.in --python-version 3.11 --generate-hashes -o requirements.lock

bench: install  ## performance figures (see benchmarks/)
	$(BIN)/python benchmarks/run.py

clean:  ## remove generated data, reports, the embedded warehouse and Airflow's metadata
	-$(BIN)/python -c 'from scorecard.embedded import EmbeddedPostgres; from pathlib import Path; EmbeddedPostgres(Path(".warehouse").resolve()).stop()' 2>/dev/null
	rm -rf .warehouse .airflow .demo reports dbt_project/target
