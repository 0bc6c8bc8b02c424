# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(STAMP)

run: install
	$(BIN)/sipas db upgrade
	$(BIN)/sipas seed --demo
	$(BIN)/sipas serve --no-migrate

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

bench: install
	$(BIN)/python -m bench.serve_startup
	$(BIN)/python -m bench.page
	$(BIN)/python -m bench.submissions
	$(BIN)/python -m bench.import_responses

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
