# The two commands: `make build` and `make test`. Both set up .venv on first use;
# re-running them reinstalls nothing unless pyproject.toml or requirements.lock changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WAREHOUSE ?= warehouse/justice.duckdb
LINT_WAREHOUSE := target/lint/lint.duckdb

export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DBT_PROFILES_DIR := $(CURDIR)
export JW_PROJECT_DIR := $(CURDIR)

.PHONY: setup build validate rollback test lint seeds clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# Builds a candidate (extracts -> dbt build -> validation) and publishes it only if every
# step passes. EXTRACTS=DIR builds from your extracts instead of the synthetic seeds.
build: setup
	$(BIN)/justice-warehouse build --warehouse $(WAREHOUSE) $(if $(EXTRACTS),--extracts $(EXTRACTS))

rollback: setup
	$(BIN)/justice-warehouse rollback --warehouse $(WAREHOUSE)

validate: setup
	$(BIN)/justice-warehouse validate --warehouse $(WAREHOUSE)

lint: setup
	$(BIN)/ruff check scripts tests
	$(BIN)/ruff format --check scripts tests
	mkdir -p $(dir $(LINT_WAREHOUSE))
	JW_DUCKDB_PATH=$(CURDIR)/$(LINT_WAREHOUSE) $(BIN)/sqlfluff lint models macros tests/dbt

test: setup lint
	$(BIN)/justice-warehouse check-seeds
	$(BIN)/pytest

seeds: setup
	$(BIN)/justice-warehouse generate-seeds

clean:
	rm -rf target logs .pytest_cache .ruff_cache
