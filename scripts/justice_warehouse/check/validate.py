"""Run every Great Expectations suite against a warehouse and report the outcome.

The suites are defined in ``suites.py`` and configured into the file context (``gx/``) on
each run; the results and Data Docs go to ``gx/uncommitted/``, the newest ``keep_runs``
kept. Exit code 0 every expectation passed, 1 one failed, 2 one could not run.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from justice_warehouse.check.reference import read_reference
from justice_warehouse.core.settings import Settings

if TYPE_CHECKING:
    from justice_warehouse.check.suites import SuiteSpec
from justice_warehouse.check.report import (
    ExpectationOutcome,
    ValidationReport,
    append_audit,
    expectation_outcome,
    new_run_id,
    short_text,
)
from justice_warehouse.check.worker import start_worker, worker_log_path

DATASOURCE = "justice_warehouse"


GENERATED_GX_DIRS = ("checkpoints", "expectations", "validation_definitions")


DEFAULT_KEEP_RUNS = Settings.validation_keep_runs


def _configure(
    context: Any, warehouse: Path, specs: list[SuiteSpec], duckdb_config: dict[str, str]
) -> list[tuple[SuiteSpec, Any]]:
    """Write datasource, suites, validation definitions and checkpoints into the context."""
    # GX (pandas, seconds of start-up) loads only in the worker process, never the build's.
    import great_expectations as gx

    if DATASOURCE in [ds.name for ds in context.data_sources.all().values()]:
        context.data_sources.delete(DATASOURCE)
    datasource = context.data_sources.add_sql(
        name=DATASOURCE,
        connection_string=f"duckdb:///{warehouse}",
        # The project's DuckDB limits (the settings), not DuckDB's default of 80% of RAM.
        kwargs={"connect_args": {"read_only": True, "config": duckdb_config}},
    )
    checkpoints = []
    for spec in specs:
        asset = datasource.add_query_asset(name=spec.name, query=spec.asset_query)
        batch = asset.add_batch_definition_whole_table(name="whole_table")
        suite = context.suites.add_or_update(
            gx.ExpectationSuite(name=spec.name, expectations=spec.expectations)
        )
        definition = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=spec.name, data=batch, suite=suite)
        )
        # One GX checkpoint per suite, since the result format (the row key) is set per
        # checkpoint; outcomes are reported under the suite's own checkpoint name.
        checkpoint = context.checkpoints.add_or_update(
            gx.Checkpoint(
                name=spec.name,
                validation_definitions=[definition],
                actions=[],
                result_format=spec.result_format(),
            )
        )
        checkpoints.append((spec, checkpoint))
    return checkpoints


def _prune(uncommitted: Path, keep: int) -> None:
    """Keep results, Data Docs pages and run records of the newest ``keep`` runs only."""
    runs_dir = uncommitted / "runs"
    run_files = sorted(runs_dir.glob("*.json"))
    for stale in run_files[: max(len(run_files) - keep, 0)]:
        run_id = stale.stem
        for parent in (
            uncommitted / "validations",
            uncommitted / "data_docs" / "local_site" / "validations",
        ):
            for suite_dir in parent.glob("*"):
                shutil.rmtree(suite_dir / run_id, ignore_errors=True)
        stale.unlink()


def _run_checkpoints(
    warehouse: str,
    gx_dir: str,
    run_id: str,
    run_at: str,
    duckdb_config: dict[str, str],
    changed_after: str | None = None,
) -> tuple[list[ExpectationOutcome], dict[tuple[str, str], tuple[str, str]]]:
    """In a worker process: write the GX context, run every checkpoint, build Data Docs.

    GX keeps DuckDB connections inside engines it gives no handle on; running it in a
    short-lived process guarantees that every connection is closed when it returns.
    """
    # GX loads only here, in the worker: after its analytics are switched off, and after
    # gx_duckdb's patch, which must be applied before GX is imported.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    from justice_warehouse.check import gx_duckdb

    gx_duckdb.apply()
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    from justice_warehouse.check.suites import all_suites

    with duckdb.connect(warehouse, read_only=True) as connection:
        specs = all_suites(read_reference(connection, changed_after))
    # Suites, definitions and checkpoints are rewritten from suites.py on every run; clear
    # the previous run's, which may name a suite this warehouse does not have.
    for generated in GENERATED_GX_DIRS:
        shutil.rmtree(Path(gx_dir) / generated, ignore_errors=True)
    context = gx.get_context(mode="file", context_root_dir=gx_dir)
    context.variables.progress_bars = {"globally": False}
    checkpoints = _configure(context, Path(warehouse), specs, duckdb_config)
    run_identifier = RunIdentifier(run_name=run_id, run_time=datetime.fromisoformat(run_at))
    outcomes: list[ExpectationOutcome] = []
    for spec, checkpoint in checkpoints:
        try:
            result = checkpoint.run(run_id=run_identifier)
            suite_outcomes = _outcomes(spec, result)
            if spec.row_key and any(o.column and not o.success for o in suite_outcomes):
                # A row-level expectation failed: run the suite again, naming failing rows
                # by the suite's key (suites.SuiteSpec.row_key).
                checkpoint.result_format = spec.result_format(keyed=True)
                checkpoint.save()
                suite_outcomes = _outcomes(spec, checkpoint.run(run_id=run_identifier))
        except Exception as error:  # GX raises, rather than reports, some asset-level failures
            outcomes.append(_suite_error(spec, "suite could not run", str(error)))
            continue
        outcomes += suite_outcomes or [
            _suite_error(spec, "suite produced no result", "no result returned")
        ]
    context.build_data_docs()
    return outcomes, _custom_sql(specs)


def _outcomes(spec: SuiteSpec, result: Any) -> list[ExpectationOutcome]:
    return [
        expectation_outcome(spec.checkpoint, suite_result.suite_name, expectation_result)
        for suite_result in result.run_results.values()
        for expectation_result in suite_result.results
    ]


def _suite_error(spec: SuiteSpec, expectation: str, error: str) -> ExpectationOutcome:
    return ExpectationOutcome(
        spec.checkpoint,
        spec.name,
        expectation,
        "suite",
        None,
        False,
        True,
        "",
        "",
        short_text(error, 500),
    )


def _custom_sql(specs: list[Any]) -> dict[tuple[str, str], tuple[str, str]]:
    """(suite, description) -> (asset query, check query) of every custom-SQL expectation."""
    return {
        (spec.name, expectation.description): (spec.asset_query, expectation.unexpected_rows_query)
        for spec in specs
        for expectation in spec.expectations
        if getattr(expectation, "unexpected_rows_query", None)
    }


def _add_row_details(
    warehouse: Path, queries: dict[tuple[str, str], tuple[str, str]], report: ValidationReport
) -> None:
    """Show the offending rows of failed custom-SQL checks (at most 5 each).

    GX reports only the number of unexpected rows unless every expectation returns its
    complete results, which for column checks would pull every bad value into Python. So
    the few rows are fetched here, after GX has finished, with the same SQL.
    """
    failed = [o for o in report.failures if (o.suite, o.expectation) in queries]
    if not failed:
        return
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for outcome in failed:
            asset_query, query = queries[(outcome.suite, outcome.expectation)]
            sql = query.replace("{batch}", f"({asset_query})")
            cursor = connection.execute(f"select * from ({sql}) as unexpected limit 5")
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            outcome.observed = f"{outcome.observed} unexpected row(s): {short_text(rows)}"


def run_validation(
    warehouse: Path,
    gx_dir: Path,
    settings: Settings,
    keep_runs: int = DEFAULT_KEEP_RUNS,
    marker: str | None = None,
    worker: ProcessPoolExecutor | None = None,
    before_audit: Callable[[], None] | None = None,
    changed_after: str | None = None,
    audit_guard: Callable[[], AbstractContextManager[bool]] | None = None,
) -> ValidationReport:
    """Validate ``warehouse`` (opened read-only) with every suite; results under ``gx_dir``.

    ``worker`` is one from ``start_worker`` (default: started here, with ``marker``); it is
    shut down before the audit rows are written, closing every connection GX opened.
    ``before_audit`` is called just before those rows are written into ``warehouse``: the
    build waits there for another read-only reader of the file to finish. ``changed_after``:
    in a build that adds deliveries, the last delivery the published warehouse held
    (suites.all_suites). ``audit_guard``: entered around the audit rows' write, it says
    whether the file may be written now (else the rows wait under pending_audit/)."""
    now = datetime.now(UTC)
    report = ValidationReport(
        run_id=new_run_id(now), run_at=now.isoformat(), warehouse=str(warehouse)
    )
    if not warehouse.is_file():
        report.setup_error = f"warehouse not found: {warehouse} (run `make build` first)"
        return report
    try:
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            read_reference(connection)
    except duckdb.Error as error:
        report.setup_error = f"could not read the reference data the suites need: {error}"
        return report

    uncommitted = gx_dir / "uncommitted"
    runs_dir = uncommitted / "runs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    _prune(uncommitted, max(keep_runs - 1, 0))
    log_path = worker_log_path(gx_dir)
    with worker or start_worker(gx_dir, marker) as pool:
        queries: dict[tuple[str, str], tuple[str, str]] = {}
        try:
            report.outcomes, queries = pool.submit(
                _run_checkpoints,
                str(warehouse),
                str(gx_dir),
                report.run_id,
                report.run_at,
                settings.duckdb_config(warehouse),
                changed_after,
            ).result()
        except Exception as error:
            report.setup_error = f"validation could not run: {error} (details in {log_path})"

    _add_row_details(warehouse, queries, report)
    if before_audit:
        before_audit()
    with audit_guard() if audit_guard else nullcontext(True) as may_write:
        append_audit(warehouse, uncommitted / "pending_audit", report, may_write)
    (runs_dir / f"{report.run_id}.json").write_text(json.dumps(report.to_json(), indent=2))
    index = uncommitted / "data_docs" / "local_site" / "index.html"
    report.data_docs = str(index) if index.is_file() else None
    return report
