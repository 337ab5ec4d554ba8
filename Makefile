# The two commands: `make build` and `make test`. Both set up .venv on first use;
# re-running them reinstalls nothing unless pyproject.toml or requirements.lock changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WAREHOUSE ?= warehouse/justice.duckdb
TARGET ?= duckdb
SPARK_STAMP := $(VENV)/.installed-spark
export JW_SPARK_DIR ?= $(CURDIR)/warehouse/spark
LINT_WAREHOUSE := target/lint/lint.duckdb

export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DBT_PROFILES_DIR := $(CURDIR)
export JW_PROJECT_DIR := $(CURDIR)

SCALE ?= london
RUNS ?= 3
# pytest runs whole test files on both cores (pytest-xdist); TEST_WORKERS=0 runs them in one.
TEST_WORKERS ?= 2
PYTEST_PARALLEL := -n $(TEST_WORKERS) --dist loadfile

.PHONY: metrics mf orchestrate setup setup-spark setup-dashboards setup-browser setup-old-duckdb build validate rollback test test-fast \
	test-spark test-long lint seeds bench bench-series dashboards serve-dashboards screenshots clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev,orchestrate]'
	touch $(STAMP)

setup: $(STAMP)

# The dashboards' JavaScript (Vega, Vega-Lite, Vega-Embed), exactly as dashboards/package-lock.json
# pins it, into dashboards/node_modules; copied into the site at build time.
DASHBOARDS_STAMP := dashboards/node_modules/.installed
$(DASHBOARDS_STAMP): dashboards/package.json dashboards/package-lock.json
	cd dashboards && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(DASHBOARDS_STAMP)

setup-dashboards: $(DASHBOARDS_STAMP)

# DuckDB 1.4.4, the version BI tools such as Evidence bundle, in its own environment: a test
# opens the published files with it (they are written readable by DuckDB 1.x).
OLD_DUCKDB := 1.4.4
OLD_DUCKDB_STAMP := .venv-duckdb-$(OLD_DUCKDB)/.installed
$(OLD_DUCKDB_STAMP):
	test -x .venv-duckdb-$(OLD_DUCKDB)/bin/python || $(PYTHON) -m venv .venv-duckdb-$(OLD_DUCKDB)
	.venv-duckdb-$(OLD_DUCKDB)/bin/python -m pip install --quiet --disable-pip-version-check duckdb==$(OLD_DUCKDB)
	touch $(OLD_DUCKDB_STAMP)

setup-old-duckdb: $(OLD_DUCKDB_STAMP)

# The browser tests use Debian's Chromium (never a browser downloaded at run time).
setup-browser:
	@command -v chromium >/dev/null || scripts/install-chromium.sh

# The Spark extra (pyspark, dbt-spark) is installed only for the Spark targets.
$(SPARK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev,orchestrate,spark]'
	touch $(SPARK_STAMP)

setup-spark: $(SPARK_STAMP)

# Builds a candidate (extracts -> dbt build -> validation) and publishes it only if every
# step passes. EXTRACTS=DIR builds from your extracts (one delivery, or one YYYY-MM-DD/
# sub-folder per delivery; EXTRACTS=seeds/deliveries is the bundled sequence) instead of the
# synthetic seeds; FULL_REFRESH=1 rebuilds the incremental models from scratch; REPLAY=1
# loads every delivery of EXTRACTS again, in date order, into an empty warehouse.
ifeq ($(TARGET),spark)
# The same project on Apache Spark (local mode); tables under $(JW_SPARK_DIR).
build: setup-spark
	$(BIN)/python -m dbt.cli.main build --target spark --project-dir . --profiles-dir .
else
build: setup
	$(BIN)/justice-warehouse build --warehouse $(WAREHOUSE) $(if $(EXTRACTS),--extracts $(EXTRACTS)) $(if $(FULL_REFRESH),--full-refresh) $(if $(REPLAY),--replay)
endif

rollback: setup
	$(BIN)/justice-warehouse rollback --warehouse $(WAREHOUSE)

validate: setup
	$(BIN)/justice-warehouse validate --warehouse $(WAREHOUSE)

lint: setup
	$(BIN)/ruff check scripts tests
	$(BIN)/ruff format --check scripts tests
	$(BIN)/lint-imports
	mkdir -p $(dir $(LINT_WAREHOUSE))
	# Two processes (the dbt templater compiles every file: 101 s in one, 63 s in two). The
	# macros/ folder is not passed: the dbt templater skips macro files.
	JW_DUCKDB_PATH=$(CURDIR)/$(LINT_WAREHOUSE) $(BIN)/sqlfluff lint --processes 2 models tests/dbt

test: setup setup-dashboards setup-browser setup-old-duckdb lint
	$(BIN)/justice-warehouse check-seeds
	$(BIN)/pytest $(PYTEST_PARALLEL)

# The fast tier, under a minute: Python lint, the Python tooling's unit tests and the dbt
# unit tests against a schema-only build (dbt build --empty); no pipeline build.
test-fast: setup
	$(BIN)/ruff check scripts tests
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_PARALLEL) -m "fast and not spark"

# The long tier: the delivery sequence built one delivery per build (13 builds), in two and in
# three builds, each against one full build; the builds that change or replay a delivery,
# a damaged warehouse, a build killed at each step, a failing dbt test and expectation,
# builds of a generated set and the benchmark's smoke run at small scale, and a metric
# changed in one place reaching the dashboards (hence the dashboards' JavaScript). CI runs it
# after make test.
test-long: setup setup-dashboards
	$(BIN)/pytest $(PYTEST_PARALLEL) -m long

# Builds the project on Spark and on DuckDB and compares every reporting model row by row;
# then the delivery sequence on Spark, its last JW_SPARK_DELIVERY_BUILDS (default 3) deliveries
# one per build, against DuckDB's build of it (every mart and reporting table).
test-spark: setup-spark
	$(BIN)/pytest -m spark

seeds: setup
	$(BIN)/justice-warehouse generate-seeds

# Not part of `make test`: generates a SCALE set (small, london, national) in
# target/benchmark and writes docs/benchmarks.md.
bench: setup
	$(BIN)/justice-warehouse benchmark --scale $(SCALE) --runs $(RUNS)

# Not part of `make test`: SERIES monthly deliveries at SCALE, one build each, then a
# --replay of them; the chart and the comparison go into docs/benchmarks.md.
SERIES ?= 12
bench-series: setup
	$(BIN)/justice-warehouse benchmark --scale $(SCALE) --series $(SERIES)

# Static dashboards from warehouse/reporting.duckdb (read-only) into warehouse/dashboards/;
# builds the warehouse first if there is none.
# The metrics (dbt's semantic layer, models/marts/*/_<folder>__metrics.yml) with their
# formulas; `make mf ARGS="query --metrics take_up_rate --group-by borough"` runs MetricFlow on
# the published warehouse, read-only (README, "Metrics"). Both build the warehouse first if
# nothing is published.
metrics: setup
	test -f $(WAREHOUSE) || $(MAKE) build
	$(BIN)/justice-warehouse metrics --warehouse $(WAREHOUSE)

mf: setup
	test -f $(WAREHOUSE) || $(MAKE) build
	$(BIN)/justice-warehouse mf --warehouse $(WAREHOUSE) $(ARGS)

dashboards: setup setup-dashboards
	test -f $(dir $(WAREHOUSE))reporting.duckdb || $(MAKE) build
	$(BIN)/justice-warehouse dashboards --warehouse $(WAREHOUSE)

# The dashboards and the docs site on http://127.0.0.1:$(PORT)/dashboards/ (loopback only).
PORT ?= 8080
serve-dashboards: dashboards
	@echo "dashboards: http://127.0.0.1:$(PORT)/dashboards/  docs: http://127.0.0.1:$(PORT)/docs/"
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory $(dir $(WAREHOUSE))

# Dagster on http://127.0.0.1:$(DAGSTER_PORT)/ (loopback only): the asset graph from dbt's
# manifest, a sensor on $(JW_DELIVERIES_DIR) (default warehouse/deliveries/), the morning
# validation and the hourly freshness check. DAGSTER_HOME is the ignored .dagster/.
DAGSTER_PORT ?= 3000
DAGSTER_HOME ?= $(CURDIR)/.dagster
orchestrate: setup setup-dashboards
	$(BIN)/python -m justice_warehouse.orchestrate.home $(DAGSTER_HOME)
	mkdir -p "$${JW_DELIVERIES_DIR:-$(dir $(WAREHOUSE))deliveries}"
	DAGSTER_HOME=$(DAGSTER_HOME) JW_WAREHOUSE=$(abspath $(WAREHOUSE)) $(BIN)/dagster dev \
		-m justice_warehouse.orchestrate.code_location -h 127.0.0.1 -p $(DAGSTER_PORT)

# The README's screenshots (docs/img/) from the built dashboards.
screenshots: dashboards setup-browser
	$(BIN)/python -m justice_warehouse.present.screenshots $(dir $(WAREHOUSE))dashboards docs/img

clean:
	rm -rf target logs .pytest_cache .ruff_cache
