# The two commands the README promises: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run demo test lint install browser bench clean schemas faults

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[embedded,test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/newsmonitor run $(ARGS)

# Sample news the project writes itself, served on 127.0.0.1, alerted with the shipped rules
# and shown in the console: something to see in the first minute, offline.
demo: $(STAMP)
	$(BIN)/newsmonitor demo $(ARGS)

# The browser tests drive Debian's chromium. Installed when missing and apt-get can (as root,
# or with password-less sudo); otherwise those tests skip and say why.
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then SUDO=; \
		elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=sudo; \
		else echo "chromium is not installed and cannot be (not root): browser tests will skip"; exit 0; fi; \
		echo "installing chromium (Debian package) for the browser tests"; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null \
			|| echo "chromium could not be installed: browser tests will skip"; \
	fi

test: $(STAMP) browser
	$(BIN)/ruff check monitor workers tests bench
	$(BIN)/mypy
	$(BIN)/pytest -q $(PYTEST_ARGS)

# The fault suite (tests/faults): the real daemon killed, cut off from Redis, SMTP and its
# webhook, and fed hostile input; prints one table (lost, duplicates, recovery) at the end,
# also kept in artifacts/faults.md. About 8 minutes; a fast part of it also runs in `make test`.
faults: $(STAMP)
	$(BIN)/pytest -q -m "faults or not fast_fault" tests/faults $(PYTEST_ARGS)

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
	$(BIN)/python bench/peers.py  # rss2email and newsboat: apt-get install -y rss2email newsboat
	$(BIN)/python bench/latency.py
	$(BIN)/python bench/latency.py --burst 500
	$(BIN)/python bench/soak.py
	$(BIN)/python bench/apprise_cost.py
	$(BIN)/python bench/console_memory.py

clean:
	rm -rf $(VENV) build *.egg-info
