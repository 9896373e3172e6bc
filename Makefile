# The two commands the README promises: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint install bench clean schemas

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[embedded,test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/newsmonitor run $(ARGS)

test: $(STAMP)
	$(BIN)/ruff check monitor workers tests bench
	$(BIN)/mypy
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check monitor workers tests bench
	$(BIN)/mypy

# The JSON Schemas editors check rule and config files against (tests/test_schemas.py fails
# when they no longer match the models).
schemas: $(STAMP)
	$(BIN)/newsmonitor rules schema > schemas/rule.schema.json
	$(BIN)/newsmonitor config schema > schemas/config.schema.json

bench: $(STAMP)
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/classify.py
	$(BIN)/python bench/rules.py
	$(BIN)/python bench/polling.py
	$(BIN)/python bench/latency.py
	$(BIN)/python bench/soak.py
	$(BIN)/python bench/apprise_cost.py

clean:
	rm -rf $(VENV) build *.egg-info
