# consult: `make run` to try it, `make test` to check it. GNU make and bash.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
TRANSLATIONS := consult/i18n/translations
# Python 3.11 or 3.12 (pyproject.toml's requires-python); the first one found.
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
# Debian packages the test suite starts or drives.
# Debian packages the app itself needs: Pango for WeasyPrint (summaries as PDF), and a font.
RUN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
TEST_PACKAGES := redis-server postgresql chromium $(RUN_PACKAGES)

.PHONY: help venv translations run test test-blns bench lint system-deps node-deps clean

help:
	@echo "make run     start the app, a worker and beat with demo data (PORT=5000 by default)"
	@echo "make test    lint, then the test suite on SQLite and on PostgreSQL"
	@echo "make test-blns  the same with the whole list of naughty strings (slower)"
	@echo "make bench   load and speed figures into docs/benchmarks.md (PostgreSQL, Redis, wrk)"
	@echo "make lint    ruff check"
	@echo "make venv    create .venv and install the package with its dev tools"
	@echo "make clean   remove caches, build output and compiled translations"

venv: $(STAMP) translations

# Reinstalled only when pyproject.toml changes; the stamp lives inside .venv, so a deleted .venv
# is rebuilt from scratch.
$(STAMP): pyproject.toml
	@if [[ ! -x $(BIN)/python ]]; then \
	    if [[ -z "$(PYTHON)" ]]; then echo "make: Python 3.11 or 3.12 is needed" >&2; exit 1; fi; \
	    echo "==> Creating $(VENV) with $(PYTHON)"; \
	    $(PYTHON) -m venv $(VENV) || { \
	        echo "make: '$(PYTHON) -m venv' failed (Debian: apt-get install python3-venv)" >&2; exit 1; }; \
	fi
	@echo "==> Installing consult and its dev tools into $(VENV)"
	$(BIN)/python -m pip install --disable-pip-version-check -e '.[dev]'
	@touch $@

# Compiled catalogs are not tracked, so every run compiles them (it takes a moment).
translations: $(STAMP)
	@if compgen -G '$(TRANSLATIONS)/*/LC_MESSAGES/*.po' >/dev/null; then \
	    $(BIN)/pybabel -q compile -d $(TRANSLATIONS) --use-fuzzy; \
	fi

run: venv
	@scripts/apt-ensure $(RUN_PACKAGES)
	@scripts/run-dev

system-deps:
	@scripts/apt-ensure $(TEST_PACKAGES)

# Browser-test tools (axe-core), pinned by package-lock.json; reinstalled when the lock changes.
node-deps: $(NODE_STAMP)

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || scripts/apt-ensure npm
	@echo "==> Installing the browser-test tools (npm ci)"
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test: venv system-deps node-deps
	@scripts/test-all

# The same, with every string of the Big List of Naughty Strings instead of every third (slower).
test-blns: venv system-deps node-deps
	@CONSULT_TEST_BLNS=all scripts/test-all

# PostgreSQL and Redis are started on loopback by the harness itself; wrk drives the load.
bench: venv
	@scripts/apt-ensure redis-server postgresql wrk
	$(BIN)/python -m bench.run

lint: venv
	$(BIN)/ruff check .

clean:
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache .coverage htmlcov build dist *.egg-info tests/e2e/artifacts
	find $(TRANSLATIONS) -name '*.mo' -delete 2>/dev/null || true
