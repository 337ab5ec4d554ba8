"""Run dbt against the committed project and profile, in its own process.

dbt-duckdb keeps its DuckDB database open for the life of the process that ran it, which
would stop the next step (validation, publishing) from opening the file. Running dbt as a
child process closes everything when it exits; its results come from run_results.json.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from justice_warehouse.core import processes
from justice_warehouse.core.settings import Settings

# How many failing rows of a failed dbt data test are stored and printed.
FAILING_ROWS_SHOWN = 5


class DbtError(RuntimeError):
    """dbt could not run at all."""


@dataclass(frozen=True)
class DbtResult:
    success: bool
    failures: list[str]
    summary: str


def _store_failing_rows(
    warehouse: Path, failed_tests: list[dict], settings: Settings
) -> dict[str, str]:
    """Re-run each failed data test's compiled SQL once, after dbt has exited, store a few of
    its failing rows in ``audit.dbt_test_failures`` and return them as text to print.

    Only failed tests are re-run, so a passing build pays nothing for this.
    """
    if not failed_tests or not warehouse.is_file():
        return {}

    texts: dict[str, str] = {}
    with duckdb.connect(str(warehouse), config=settings.duckdb_config(warehouse)) as connection:
        connection.execute("create schema if not exists audit")
        connection.execute(
            "create table if not exists audit.dbt_test_failures (tested_at timestamp, "
            "test_id varchar, failing_row bigint, row_values varchar)"
        )
        for result in failed_tests:
            sql = (result.get("compiled_code") or "").strip().rstrip(";")
            if not sql:
                continue
            try:
                cursor = connection.execute(
                    f"select * from ({sql}) as failing limit {FAILING_ROWS_SHOWN}"
                )
                names = [column[0] for column in cursor.description]
                rows = cursor.fetchall()
            except duckdb.Error as error:
                texts[result["unique_id"]] = f"\n      (failing rows unavailable: {error})"
                continue
            shown = [dict(zip(names, row, strict=True)) for row in rows]
            connection.executemany(
                "insert into audit.dbt_test_failures values (current_timestamp, ?, ?, ?)",
                [
                    [result["unique_id"], number, json.dumps(row, default=str)]
                    for number, row in enumerate(shown, start=1)
                ],
            )
            texts[result["unique_id"]] = "".join(
                "\n      failing row: "
                + ", ".join(f"{name}={value!r}" for name, value in row.items())
                for row in shown
            )
    return texts


def dbt_artifact(root: Path, settings: Settings, name: str) -> Path:
    """One of the artifacts dbt writes in the project's target folder (``run_results.json``,
    ``manifest.json``)."""
    return settings.target_path(root) / name


def start_dbt(
    root: Path,
    args: list[str],
    warehouse: Path,
    settings: Settings,
    marker: str | None = None,
    read_only: bool = False,
    target_path: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> subprocess.Popen[str]:
    """Start ``dbt <args>`` for the project at ``root`` on the DuckDB file ``warehouse``.

    dbt dies with the calling process, even on SIGKILL (``processes.die_with_parent``);
    ``marker`` is the build's ``processes.MARKER`` value, by which a later build finds it.
    ``read_only`` opens the file read-only (the profile's access_mode), so that other
    read-only processes can read it at the same time. ``target_path`` is dbt's target folder
    (default the settings'). dbt parses the whole project again when the profile's values
    differ from the last run's in that folder (4-5 s), so a read-only run keeps its own.
    """
    env = dict(os.environ)  # the child inherits the environment, with the resolved settings
    env.update(settings.dbt_env())
    env.update(
        {
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "JW_DUCKDB_PATH": str(warehouse),
            "DBT_TARGET_PATH": str(target_path or settings.target_path(root)),
        }
    )
    env.update(extra_env or {})
    if read_only:
        env["JW_DUCKDB_ACCESS_MODE"] = "read_only"
    if marker:
        env[processes.MARKER] = marker
    command = [
        sys.executable,
        "-m",
        "dbt.cli.main",
        *args,
        "--project-dir",
        str(root),
        "--profiles-dir",
        str(root),
        "--quiet",
    ]
    return subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=functools.partial(processes.die_with_parent, os.getpid()),
    )


def finish_dbt(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    """Wait for a dbt started by ``start_dbt``; its exit code and output."""
    stdout, stderr = process.communicate()
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def dbt_process(
    root: Path,
    args: list[str],
    warehouse: Path,
    settings: Settings,
    marker: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``dbt <args>`` (``start_dbt``) and wait for it."""
    return finish_dbt(start_dbt(root, args, warehouse, settings, marker, extra_env=extra_env))


def run_dbt(
    root: Path,
    args: list[str],
    warehouse: Path,
    settings: Settings,
    marker: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> DbtResult:
    """``dbt_process``, then every failing node read from run_results.json. ``extra_env``
    is set for dbt on top of the settings' (read by the project's macros at execution)."""
    run_results = dbt_artifact(root, settings, "run_results.json")
    run_results.unlink(missing_ok=True)
    completed = dbt_process(root, args, warehouse, settings, marker, extra_env)
    if not run_results.is_file():
        raise DbtError(
            f"dbt {args[0]} could not run (exit {completed.returncode}):\n"
            f"{(completed.stdout + completed.stderr)[-3000:]}"
        )
    results = json.loads(run_results.read_text())["results"]
    failed = [r for r in results if r["status"] in {"error", "fail", "runtime error"}]
    samples = _store_failing_rows(warehouse, [r for r in failed if r["status"] == "fail"], settings)
    failures = [
        f"{result['unique_id']}: {result['status']}: {result.get('message') or ''}".strip()
        + samples.get(result["unique_id"], "")
        for result in failed
    ]
    statuses: dict[str, int] = {}
    for result in results:
        statuses[result["status"]] = statuses.get(result["status"], 0) + 1
    summary = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
    return DbtResult(completed.returncode == 0 and not failures, failures, summary)


def combined(first: DbtResult, second: DbtResult) -> DbtResult:
    """Two dbt runs of one build as one result."""
    return DbtResult(
        first.success and second.success,
        first.failures + second.failures,
        f"{first.summary}; then {second.summary}",
    )


def merge_run_results(earlier: dict, run_results: Path) -> None:
    """Put an earlier run's results (run_results.json, read before the later run replaced
    it) before the later run's in ``run_results``: one file for the build's two runs, which
    the orchestrator reads node by node."""
    later = json.loads(run_results.read_text())
    later["results"] = earlier["results"] + later["results"]
    later["elapsed_time"] = earlier["elapsed_time"] + later["elapsed_time"]
    run_results.write_text(json.dumps(later))


def drop_unnamed_relations(candidate: Path, manifest: Path) -> list[str]:
    """Drop the tables and views of dbt's schemas (those holding a model, seed or snapshot of
    ``manifest``) that no node or source of it names, and return them: what a model left
    behind when its SQL file moved it (a new ``alias`` or ``schema``) or disabled it, in a
    build that started from the published warehouse. A schema none of them uses any more is
    not looked at."""
    loaded = json.loads(manifest.read_text())
    nodes = [
        node
        for node in loaded["nodes"].values()
        if node["resource_type"] in ("model", "seed", "snapshot")
        and node["config"].get("materialized") != "ephemeral"
    ]
    named = {(node["schema"].lower(), (node["alias"] or node["name"]).lower()) for node in nodes}
    named |= {
        (source["schema"].lower(), (source["identifier"] or source["name"]).lower())
        for source in loaded["sources"].values()
    }
    schemas = sorted({node["schema"].lower() for node in nodes})
    dropped = []
    with duckdb.connect(str(candidate)) as connection:
        found = connection.execute(
            "select schema_name, table_name, 'table' from duckdb_tables() "
            "where database_name = current_database() and list_contains(?, schema_name) "
            "union all select schema_name, view_name, 'view' from duckdb_views() "
            "where database_name = current_database() and not internal "
            "and list_contains(?, schema_name) order by 1, 2",
            [schemas, schemas],
        ).fetchall()
        for schema, name, kind in found:
            if (schema.lower(), name.lower()) not in named:
                connection.execute(f'drop {kind} "{schema}"."{name}"')
                dropped.append(f"{schema}.{name}")
    return dropped


# What a build that adds deliveries to a published warehouse selects: the sources (the
# extract tables the gate loads) and everything downstream of them, with their tests; or,
# when the gate says which of those tables took new versions, only what is downstream of
# those (``delivery_selection``).
DELIVERY_SELECTION = "source:*+"


def delivery_selection(changed_tables: Sequence[str]) -> list[str]:
    """dbt's selection of what is downstream of the source tables the new deliveries
    changed (gate/deliveries.py ``DeliveryReport.new_versions``), tests included: every
    source when that is not known (none given)."""
    if not changed_tables:
        return [DELIVERY_SELECTION]
    return [f"source:*.{table}+" for table in changed_tables]


def changed_selection(changed_files: Sequence[str]) -> list[str]:
    """dbt's selection of what ``changed_files`` (project paths, core/paths.py
    ``changed_sql_files``) define and everything downstream of it, tests included."""
    return [f"path:{name}+" for name in changed_files]


def dbt_build_args(
    published_figures_apply: bool,
    full_refresh: bool,
    input_is_bundled_synthetic: bool = False,
    downstream_of_sources: bool = False,
    changed_files: Sequence[str] = (),
    only_changed: bool = False,
    changed_tables: Sequence[str] = (),
) -> list[str]:
    """``dbt build`` of everything but the row-level seeds, which come from the extracts,
    and the unit tests: their inputs are fixed, so they run in ``make test`` (as dbt Labs
    recommends), not on every production build.

    ``downstream_of_sources``: only the nodes downstream of the sources and their tests (a
    build that adds deliveries to a published warehouse of the same project). The others
    (the reference seeds, their staging views, the dimensions and calendar built from them,
    and their tests: 126 of 379 nodes) read nothing a delivery changes, and the project's
    fingerprint says they are the code that built and tested them when published, so the
    candidate's copies are what this build would write. With ``changed_tables`` (the source
    tables the deliveries changed), only what is downstream of those: a monthly delivery
    that resends the budget and cost lines unchanged leaves what is built from them alone
    as published (73 of 285 nodes at `london`), for the same reason.

    ``changed_files`` (SQL files changed since the published build): with
    ``downstream_of_sources``, what they define and everything downstream of it is left out;
    with ``only_changed``, only that is built (with ``full_refresh``: rebuilt whole)."""
    excluded = ["path:seeds/synthetic"]
    args = ["build"]
    if only_changed:
        args += ["--select", *changed_selection(changed_files)]
    elif downstream_of_sources:
        args += ["--select", *delivery_selection(changed_tables)]
        excluded += changed_selection(changed_files)
    args += ["--exclude", *excluded, "--exclude-resource-type", "unit_test"]
    args += dbt_vars_args(published_figures_apply, input_is_bundled_synthetic)
    return args + (["--full-refresh"] if full_refresh else [])


def dbt_vars_args(published_figures_apply: bool, input_is_bundled_synthetic: bool) -> list[str]:
    """The build's ``--vars``. Every dbt command of one build passes the same: dbt parses
    the whole project again (4-5 s) whenever they differ from the last command's."""
    dbt_vars = {
        "published_figures_apply": published_figures_apply,
        "input_is_bundled_synthetic": input_is_bundled_synthetic,
    }
    return ["--vars", json.dumps(dbt_vars)]
