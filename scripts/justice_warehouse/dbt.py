"""Run dbt in-process against the committed project and profile."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dbt.cli.main import dbtRunner


class DbtError(RuntimeError):
    """dbt could not run, or a model or test failed."""


@dataclass(frozen=True)
class DbtResult:
    success: bool
    failures: list[str]


def run_dbt(root: Path, args: list[str], warehouse: Path | None = None) -> DbtResult:
    """Run ``dbt <args>`` for the project at ``root``; a warehouse path overrides the profile's."""
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    if warehouse is not None:
        warehouse.parent.mkdir(parents=True, exist_ok=True)
        os.environ["JW_DUCKDB_PATH"] = str(warehouse)
    full_args = [*args, "--project-dir", str(root), "--profiles-dir", str(root)]
    outcome = dbtRunner().invoke(full_args)
    if outcome.exception is not None:
        raise DbtError(f"dbt {args[0]} could not run: {outcome.exception}")
    failures = []
    for result in getattr(outcome.result, "results", None) or []:
        status = str(getattr(result, "status", "")).lower()
        if status in {"error", "fail", "runtime error"}:
            failures.append(f"{result.node.unique_id}: {status}: {result.message}")
    return DbtResult(success=bool(outcome.success), failures=failures)
