# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test check test-shifted lint audit bench clean

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

# A developer's loop: lint and every test but the browser, R, load and slow tiers.
check: lint
	$(BIN)/pytest -q -m "not browser and not r and not load and not slow"

# The suite again with the machine's clock moved (Debian's faketime), at moments when
# code that reads the date goes wrong: the first minutes of a month in Hải Phòng (still the
# previous day in UTC), 23:59 on New Year's Eve in Hải Phòng, and a leap day. Moments in UTC.
# The clock moves by an offset, not to a start-at moment: faketime starts every new process
# at a start-at moment again, so a server a test restarts minutes into the run would lag
# the test's own clock (a webhook receiver then refuses its signatures as too old).
SHIFTED_CLOCKS ?= 2026-11-30T17:05:00 2026-12-31T16:59:00 2028-02-29T03:00:00
test-shifted: install
	@for moment in $(SHIFTED_CLOCKS); do \
	  echo "== pytest with the clock at $$moment UTC"; \
	  offset=$$(( $$(date -ud "$$(echo $$moment | tr T ' ')" +%s) - $$(date +%s) )); \
	  TZ=UTC faketime -f "$$(printf '%+d' $$offset)" $(BIN)/pytest -q $(PYTEST_ARGS) || exit 1; \
	done

# Known vulnerabilities in the installed dependencies. It needs PyPI's JSON API or OSV;
# --strict fails when a package could not be checked, so an offline run cannot pass.
audit: install
	$(BIN)/pip-audit --strict --skip-editable

bench: install
	$(BIN)/python -m bench.serve_startup
	$(BIN)/python -m bench.cli_startup
	$(BIN)/python -m bench.page
	$(BIN)/python -m bench.posters
	$(BIN)/python -m bench.submissions_wrk
	$(BIN)/python -m bench.submissions
	$(BIN)/python -m bench.catch_up
	$(BIN)/python -m bench.load_faults
	$(BIN)/python -m bench.report
	$(BIN)/python -m bench.dashboard
	$(BIN)/python -m bench.import_responses

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
