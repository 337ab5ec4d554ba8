"""Run every expectation suite against the built warehouse and report the outcome.

Exit codes (see ``ValidationReport.exit_code``): 0 every expectation passed; 1 the data
failed at least one expectation; 2 a check could not run (missing warehouse, missing
table, SQL error), whatever else happened, because then the run proves nothing.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from justice_warehouse import children
from justice_warehouse.reference import read_reference
from justice_warehouse.settings import Settings

if TYPE_CHECKING:
    from justice_warehouse.suites import SuiteSpec

DATASOURCE = "justice_warehouse"
GENERATED_GX_DIRS = ("checkpoints", "expectations", "validation_definitions")
DEFAULT_KEEP_RUNS = Settings.validation_keep_runs
_AUDIT_COLUMNS = (
    "run_id",
    "run_at",
    "checkpoint",
    "suite",
    "expectation",
    "expectation_type",
    "column_name",
    "success",
    "is_error",
    "observed_value",
    "expected_value",
)


@dataclass
class ExpectationOutcome:
    checkpoint: str
    suite: str
    expectation: str
    expectation_type: str
    column: str | None
    success: bool
    is_error: bool
    observed: str
    expected: str
    error: str | None = None


@dataclass
class ValidationReport:
    run_id: str
    run_at: str
    warehouse: str
    outcomes: list[ExpectationOutcome] = field(default_factory=list)
    setup_error: str | None = None
    data_docs: str | None = None
    audit_warning: str | None = None

    @property
    def errors(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if o.is_error]

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and not o.is_error]

    @property
    def exit_code(self) -> int:
        if self.setup_error or self.errors:
            return 2
        return 1 if self.failures else 0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["exit_code"] = self.exit_code
        data["passed"] = sum(o.success for o in self.outcomes)
        data["failed"] = len(self.failures)
        data["errored"] = len(self.errors)
        return data


def new_run_id(now: datetime) -> str:
    return f"{now.strftime('%Y%m%dT%H%M%S%fZ')}-{secrets.token_hex(3)}"


def _short(value: Any, limit: int = 300) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _raised(exception_info: Any) -> str | None:
    """The exception message if GX caught one while computing the expectation's metrics."""
    if not isinstance(exception_info, dict):
        return None
    if exception_info.get("raised_exception"):
        return str(exception_info.get("exception_message"))
    for value in exception_info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def _observed(result: dict[str, Any]) -> str:
    details = result.get("details") or {}
    rows = details.get("unexpected_rows") if isinstance(details, dict) else None
    if rows is not None:
        records = rows.head(3).to_dict("records") if hasattr(rows, "head") else list(rows)[:3]
        return f"{result.get('observed_value')} unexpected row(s): {_short(records)}"
    if "observed_value" in result:
        return _short(result["observed_value"])
    if "unexpected_count" in result:
        # By the suite's row key and the failing value (suites.SuiteSpec.row_key), else the
        # failing values alone.
        examples = (
            result.get("partial_unexpected_index_list")
            or result.get("partial_unexpected_list")
            or []
        )
        return f"{result['unexpected_count']} unexpected value(s), e.g. {_short(examples[:5])}"
    return ""


def _expected(kwargs: dict[str, Any]) -> str:
    if kwargs.get("unexpected_rows_query"):
        return "0 rows from the check's SQL (see the suite definition)"
    shown = {
        key: value
        for key, value in kwargs.items()
        if key not in {"batch_id", "column", "result_format"} and value is not None
    }
    if isinstance(shown.get("value_set"), list) and len(shown["value_set"]) > 8:
        values = shown["value_set"]
        shown["value_set"] = [*values[:8], f"... ({len(values)} values)"]
    return _short(shown) if shown else "no violating row or value"


def _outcome(checkpoint: str, suite: str, result: Any) -> ExpectationOutcome:
    config = result.expectation_config
    kwargs = dict(config.kwargs)
    column = kwargs.get("column")
    label = config.description or f"{config.type}({column or ''})"
    error = _raised(result.exception_info)
    return ExpectationOutcome(
        checkpoint=checkpoint,
        suite=suite,
        expectation=label,
        expectation_type=config.type,
        column=column,
        success=bool(result.success) and error is None,
        is_error=error is not None,
        observed=_observed(result.result or {}),
        expected=_expected(kwargs),
        error=_short(error, 500) if error else None,
    )


def _configure(
    context: Any, warehouse: Path, specs: list[SuiteSpec], duckdb_config: dict[str, str]
) -> list[tuple[SuiteSpec, Any]]:
    """Write datasource, suites, validation definitions and checkpoints into the context."""
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


def _audit_rows(report: ValidationReport) -> list[tuple[Any, ...]]:
    run_at = datetime.fromisoformat(report.run_at).replace(tzinfo=None)
    return [
        (
            report.run_id,
            run_at,
            outcome.checkpoint,
            outcome.suite,
            outcome.expectation,
            outcome.expectation_type,
            outcome.column,
            outcome.success,
            outcome.is_error,
            outcome.observed,
            outcome.expected,
        )
        for outcome in report.outcomes
    ]


def append_audit(warehouse: Path, pending_dir: Path, report: ValidationReport) -> None:
    """Append this run (and any earlier run that could not be written) to audit.validation_runs.

    If the warehouse cannot be opened for writing (another process holds it), the rows are
    kept under ``pending_dir`` and written by the next run that can: nothing is lost.
    """
    pending_dir.mkdir(parents=True, exist_ok=True)
    pending_file = pending_dir / f"{report.run_id}.json"
    pending_file.write_text(json.dumps(_audit_rows(report), default=str))
    try:
        connection = duckdb.connect(str(warehouse))
    except duckdb.Error as error:
        report.audit_warning = f"audit rows kept in {pending_dir}: {error}"
        return
    try:
        connection.execute("create schema if not exists audit")
        connection.execute(
            "create table if not exists audit.validation_runs ("
            "run_id varchar, run_at timestamp, checkpoint varchar, suite varchar, "
            "expectation varchar, expectation_type varchar, column_name varchar, "
            "success boolean, is_error boolean, observed_value varchar, expected_value varchar)"
        )
        placeholders = ", ".join("?" for _ in _AUDIT_COLUMNS)
        for path in sorted(pending_dir.glob("*.json")):
            rows = json.loads(path.read_text())
            if rows:
                connection.executemany(
                    f"insert into audit.validation_runs values ({placeholders})", rows
                )
            path.unlink()
    finally:
        connection.close()


def _start_worker(log_path: str, parent_pid: int) -> None:
    """Worker initializer: die with the process that started the worker (a killed build
    leaves no worker blocked on its pipe), and send GX's warnings and DuckDB's exit-time
    noise to a log file."""
    children.die_with_parent(parent_pid)
    descriptor = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(descriptor, 2)


@contextmanager
def _marked_environment(marker: str | None) -> Iterator[None]:
    """The worker is spawned with this process's environment: mark it as the build's."""
    if not marker:
        yield
        return
    os.environ.update({children.MARKER: marker})  # a write, for the spawned worker
    try:
        yield
    finally:
        os.environ.pop(children.MARKER, None)


def _run_checkpoints(
    warehouse: str, gx_dir: str, run_id: str, run_at: str, duckdb_config: dict[str, str]
) -> tuple[list[ExpectationOutcome], dict[tuple[str, str], tuple[str, str]]]:
    """In a worker process: write the GX context, run every checkpoint, build Data Docs.

    GX keeps DuckDB connections inside engines it gives no handle on; running it in a
    short-lived process guarantees that every connection is closed when it returns.
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    from justice_warehouse import gx_duckdb

    gx_duckdb.apply()
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    from justice_warehouse.suites import all_suites

    with duckdb.connect(warehouse, read_only=True) as connection:
        specs = all_suites(read_reference(connection))
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
        _outcome(spec.checkpoint, suite_result.suite_name, expectation_result)
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
        _short(error, 500),
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
            outcome.observed = f"{outcome.observed} unexpected row(s): {_short(rows)}"


def _warm_up() -> None:
    """In the worker: import Great Expectations (seconds of start-up) before it is needed."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations  # noqa: F401

    from justice_warehouse import suites  # noqa: F401


def _log_path(gx_dir: Path) -> Path:
    return gx_dir / "uncommitted" / "validation.log"


def start_worker(gx_dir: Path, marker: str | None = None) -> ProcessPoolExecutor:
    """The validation worker: a process of its own that dies with this one, started now and
    importing GX at once, so a build can start it before its slower steps and validate
    without waiting for the import. ``run_validation`` uses it once and shuts it down.

    ``marker`` is the calling build's ``children.MARKER`` value, given to the worker."""
    log_path = _log_path(gx_dir)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with _marked_environment(marker):
        pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(str(log_path), os.getpid()),
        )
        pool.submit(_warm_up)  # spawns the worker now, with the marker in its environment
    return pool


def run_validation(
    warehouse: Path,
    gx_dir: Path,
    settings: Settings,
    keep_runs: int = DEFAULT_KEEP_RUNS,
    marker: str | None = None,
    worker: ProcessPoolExecutor | None = None,
    before_audit: Callable[[], None] | None = None,
) -> ValidationReport:
    """Validate ``warehouse`` (opened read-only) with every suite; results under ``gx_dir``.

    ``worker`` is one from ``start_worker`` (default: started here, with ``marker``); it is
    shut down before the audit rows are written, closing every connection GX opened.
    ``before_audit`` is called just before those rows are written into ``warehouse``: the
    build waits there for another read-only reader of the file to finish."""
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
    log_path = _log_path(gx_dir)
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
            ).result()
        except Exception as error:
            report.setup_error = f"validation could not run: {error} (details in {log_path})"

    _add_row_details(warehouse, queries, report)
    if before_audit:
        before_audit()
    append_audit(warehouse, uncommitted / "pending_audit", report)
    (runs_dir / f"{report.run_id}.json").write_text(json.dumps(report.to_json(), indent=2))
    index = uncommitted / "data_docs" / "local_site" / "index.html"
    report.data_docs = str(index) if index.is_file() else None
    return report


def summary(report: ValidationReport) -> str:
    """A short human summary: per suite, passed / failed / errors, then each problem."""
    lines = [f"validation run {report.run_id} on {report.warehouse}"]
    if report.setup_error:
        lines.append(f"ERROR {report.setup_error}")
    suites: dict[str, list[ExpectationOutcome]] = {}
    for outcome in report.outcomes:
        suites.setdefault(outcome.suite, []).append(outcome)
    for suite, outcomes in suites.items():
        passed = sum(o.success for o in outcomes)
        failed = sum(not o.success and not o.is_error for o in outcomes)
        errored = sum(o.is_error for o in outcomes)
        lines.append(f"  {suite:<30} {passed:>3} passed {failed:>3} failed {errored:>3} errors")
    for outcome in report.failures:
        lines.append(
            f"FAILED {outcome.suite}: {outcome.expectation}\n"
            f"       observed: {outcome.observed}\n       expected: {outcome.expected}"
        )
    for outcome in report.errors:
        lines.append(f"ERROR  {outcome.suite}: {outcome.expectation}\n       {outcome.error}")
    if report.audit_warning:
        lines.append(f"WARNING {report.audit_warning}")
    verdict = {
        0: "PASS",
        1: "FAIL (data failed an expectation)",
        2: "ERROR (a check could not run)",
    }
    lines.append(f"result: {verdict[report.exit_code]}; exit code {report.exit_code}")
    if report.data_docs:
        lines.append(f"Data Docs: {report.data_docs}")
    return "\n".join(lines)
