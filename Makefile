# Two commands on a fresh machine: `make run` and `make test` (Python 3.11+ and make).
# Both build .venv from uv.lock when it is missing or stale; uv is bootstrapped
# into the venv with pip when it is not on PATH.

PYTHON ?= python3
VENV   := .venv
STAMP  := $(VENV)/.synced
UV     := $(shell command -v uv 2>/dev/null || echo $(VENV)/bin/uv)
PYTEST_ARGS ?=

.PHONY: run test lint fuzz bench clean-venv image-test

# Bytecode compiled once at install: where PYTHONDONTWRITEBYTECODE is set, every process
# would otherwise compile the libraries it imports (0.2-0.6 s of a simulated day's start).
$(STAMP): pyproject.toml uv.lock
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@command -v uv >/dev/null 2>&1 || test -x $(VENV)/bin/uv || $(VENV)/bin/python -m pip install --quiet uv
	UV_PROJECT_ENVIRONMENT=$(VENV) UV_SYSTEM_CERTS=1 $(UV) sync --frozen --inexact --compile-bytecode --python $(VENV)/bin/python
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/cicero run

# Tests run under TZ=UTC so a time-zone leak shows up (spec/jobs.md §1).
test: $(STAMP)
	TZ=UTC $(VENV)/bin/python -m pytest $(PYTEST_ARGS)

# ruff, then mypy over cicero/ (strict on cicero/domain/; settings in pyproject.toml).
lint: $(STAMP)
	$(VENV)/bin/ruff check cicero tests bench
	$(VENV)/bin/mypy

# The long property/fuzz runs (menus: 100,000 messages).
CICERO_FUZZ_MESSAGES ?= 100000
fuzz: $(STAMP)
	CICERO_FUZZ_MESSAGES=$(CICERO_FUZZ_MESSAGES) TZ=UTC $(VENV)/bin/python -m pytest \
		tests/unit/domain/menus/test_menu_fuzz.py -o timeout=3600 -p no:cacheprovider

# Build the container image, run it and check it (podman as root; a few minutes): not part
# of `make test`. BASE=python:3.11-slim builds on the registry image instead of Debian's.
image-test:
	$(PYTHON) scripts/image_test.py

bench: $(STAMP)
	for b in bench/*.py; do $(VENV)/bin/python $$b || exit 1; done

clean-venv:
	rm -rf $(VENV)
