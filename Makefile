# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint audit bench clean

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

# Known vulnerabilities in the installed dependencies. It needs PyPI's JSON API or OSV;
# --strict fails when a package could not be checked, so an offline run cannot pass.
audit: install
	$(BIN)/pip-audit --strict --skip-editable

bench: install
	$(BIN)/python -m bench.serve_startup
	$(BIN)/python -m bench.page
	$(BIN)/python -m bench.submissions
	$(BIN)/python -m bench.load_faults
	$(BIN)/python -m bench.report
	$(BIN)/python -m bench.import_responses

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
