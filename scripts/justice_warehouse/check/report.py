"""A validation run's result: one outcome per expectation, the summary a person reads,
and the audit rows ``audit.validation_runs`` keeps.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:
    pass


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


def short_text(value: Any, limit: int = 300) -> str:
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
        return f"{result.get('observed_value')} unexpected row(s): {short_text(records)}"
    if "observed_value" in result:
        return short_text(result["observed_value"])
    if "unexpected_count" in result:
        # By the suite's row key and the failing value (suites.SuiteSpec.row_key), else the
        # failing values alone.
        examples = (
            result.get("partial_unexpected_index_list")
            or result.get("partial_unexpected_list")
            or []
        )
        return f"{result['unexpected_count']} unexpected value(s), e.g. {short_text(examples[:5])}"
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
    return short_text(shown) if shown else "no violating row or value"


def expectation_outcome(checkpoint: str, suite: str, result: Any) -> ExpectationOutcome:
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
        error=short_text(error, 500) if error else None,
    )


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


def append_audit(
    warehouse: Path, pending_dir: Path, report: ValidationReport, may_write: bool = True
) -> None:
    """Append this run (and any earlier run that could not be written) to audit.validation_runs.

    If the warehouse cannot be opened for writing (another process holds it), or
    ``may_write`` is False (a build or rollback holds its folder), the rows are kept under
    ``pending_dir`` and written by the next run that can: nothing is lost.
    """
    pending_dir.mkdir(parents=True, exist_ok=True)
    pending_file = pending_dir / f"{report.run_id}.json"
    pending_file.write_text(json.dumps(_audit_rows(report), default=str))
    if not may_write:
        report.audit_warning = (
            f"audit rows kept in {pending_dir}: a build or rollback is running in "
            f"{warehouse.parent}"
        )
        return
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
