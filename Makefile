# Every target sets up what it needs: a virtualenv in .venv with the project installed
# editable, and (for the tests) the independent ZPL renderer from npm.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed
NODE_STAMP := tests/zpl/node_modules/.installed

.PHONY: run test lint typecheck pytest bench clean

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

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The suite runs on SQLite, then every database test again on PostgreSQL when the machine has
# PostgreSQL's server programs (the tests start a private server of their own). That second
# pass leaves out the screens' snapshots that do not depend on the backend, so it only warns
# about snapshots it did not use.
pytest: $(STAMP) $(NODE_STAMP)
	$(BIN)/pytest
	@if $(BIN)/python -m devtools.pg_server; then \
		$(BIN)/pytest --backend postgresql --snapshot-warn-unused; \
	else \
		echo "make test: PostgreSQL is not installed, so its pass was skipped" \
			"(apt-get install postgresql; .ci/run does)"; \
	fi

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench $(AREA)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis tests/zpl/node_modules
