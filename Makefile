# Quick start: `make run` (install, seed demo data if empty, start the app) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt requirements-distributed.txt | cksum | cut -d' ' -f1)
PORT ?= 8501

PYTEST := $(VENV)/bin/pytest

.PHONY: run test lint typecheck unit integration test-english-model system-deps seed bench clean

$(STAMP): requirements.txt requirements-dev.txt requirements-distributed.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

system-deps:
	@bash scripts/ensure-system-deps.sh

seed: $(STAMP) system-deps
	$(PY) -m coaching seed-demo --if-empty

# The app queues uploads; the worker process beside it analyses them (and runs the retention policy daily).
# Stopping the app (Ctrl-C) stops the worker, which queues its unfinished job again.
run: seed
	$(PY) -m coaching worker & worker=$$!; \
	trap 'exit 130' INT TERM; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(VENV)/bin/streamlit run app.py --server.port $(PORT) --browser.gatherUsageStats false

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy coaching ui pages app.py bench audio_samples tests

# Test tiers: tests/unit is fast (no speech or embedding model, no espeak); the rest transcribe with real
# models, use databases and drive the app and a browser.
unit: $(STAMP) system-deps
	$(PYTEST) -q tests/unit

integration: $(STAMP) system-deps
	$(PYTEST) -q tests --ignore=tests/unit

test: lint typecheck unit integration

# The whole suite with every transcribing test on the English-only tiny.en model (the others skip with the reason).
test-english-model: $(STAMP) system-deps
	COACHING_TEST_WHISPER_MODEL=tiny.en $(PYTEST) -q tests

bench: $(STAMP) system-deps
	$(PY) bench/bench_asr.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
