# Two entry points: `make run` builds the bundled default profile, `make test` runs every check.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint setup system-runtime system-test clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

system-runtime:
	@scripts/system-deps.sh runtime

system-test:
	@scripts/system-deps.sh test

run: $(STAMP) system-runtime
	$(BIN)/ccdocs validate
	$(BIN)/ccdocs build

lint: $(STAMP)
	$(BIN)/ruff check generator tests bench
	$(BIN)/ruff format --check generator tests bench
	$(BIN)/mypy

test: lint system-test
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build
