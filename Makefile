# Every target sets up what it needs: a virtualenv in .venv with the project installed
# editable, and (for the tests) the independent ZPL renderer from npm.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed
NODE_STAMP := tests/zpl/node_modules/.installed

.PHONY: run test test-fast lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

$(NODE_STAMP): tests/zpl/package.json tests/zpl/package-lock.json
	cd tests/zpl && npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

run: $(STAMP)
	$(BIN)/station

test: lint typecheck pytest

# Tests run in lanes (ARCHITECTURE.md, Tests): unit, services, cli and ui here, on SQLite, four
# workers (more than the cores: many tests wait on a UI, a socket or a lock); system (and
# PostgreSQL) only in make test.
WORKERS ?= 4
test-fast: $(STAMP)
	$(BIN)/pytest -n $(WORKERS) -p no:cacheprovider tests/unit tests/services tests/cli tests/ui

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The suite runs on SQLite and, when the machine has PostgreSQL's server programs, every
# database test again on PostgreSQL (each worker starts a private server of its own). The
# two passes run side by side, each on two workers; the PostgreSQL pass's report follows the
# SQLite one.
# It leaves out the screens' snapshots that do not depend on the backend, so it only warns
# about snapshots it did not use.
pytest: $(STAMP) $(NODE_STAMP)
	@if $(BIN)/python -m devtools.pg_server; then \
		log=$$(mktemp); \
		$(BIN)/pytest -n 2 --backend postgresql --snapshot-warn-unused -p no:cacheprovider \
			>"$$log" 2>&1 & pg=$$!; \
		trap 'kill $$pg 2>/dev/null; rm -f "$$log"' INT TERM; \
		$(BIN)/pytest -n 2; lite=$$?; \
		wait $$pg; postgres=$$?; \
		echo "--- the PostgreSQL pass:"; cat "$$log"; rm -f "$$log"; \
		[ $$lite -eq 0 ] && [ $$postgres -eq 0 ]; \
	else \
		$(BIN)/pytest -n $(WORKERS); lite=$$?; \
		echo "make test: PostgreSQL is not installed, so its pass was skipped" \
			"(apt-get install postgresql; .ci/run does)"; \
		exit $$lite; \
	fi

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench $(AREA)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis tests/zpl/node_modules
