# Fresh machine to green tests / a demo in one command each. CI runs `make test` via .ci/run.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SHARED ?= ../shared
# Point the library at the shared ESCO download when it is beside the checkout; otherwise
# skillx falls back to its cache or the official ESCO download.
ESCO_DIR := $(if $(wildcard $(SHARED)/esco/*.zip),$(abspath $(SHARED)/esco),)
export SKILLX_ESCO ?= $(ESCO_DIR)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install test test-fast lint demo model bench clean

install: $(VENV)/.installed

# torch first, from the CPU build on this disk: a plain `torch` requirement pulls a CUDA build.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

lint: install
	$(PY) -m ruff check skillx tests benchmarks
	$(PY) -m mypy

test: install lint
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not slow"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
