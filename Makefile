# Two entry points: `make run` builds the bundled default profile, `make test` runs every check.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint setup system-runtime system-test clean upgrade

# constraints.txt pins every package to the versions the suite last passed with.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
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
	$(BIN)/ruff check generator tests bench scripts
	$(BIN)/ruff format --check generator tests bench scripts
	$(BIN)/mypy

test: lint system-test
	$(BIN)/python -m pytest

# The newest versions pyproject.toml allows, resolved in a fresh environment, become the new
# constraints; then the whole suite runs on them. Review the diff of constraints.txt and commit.
upgrade:
	rm -rf .venv-upgrade
	$(PYTHON) -m venv .venv-upgrade
	.venv-upgrade/bin/python -m pip install --quiet --upgrade pip
	.venv-upgrade/bin/python -m pip install --quiet -e '.[dev]'
	.venv-upgrade/bin/python -m pip freeze --exclude-editable > constraints.txt
	rm -rf .venv-upgrade $(STAMP)
	$(MAKE) test

clean:
	rm -rf $(VENV) build
