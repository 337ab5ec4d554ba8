"""Shared fixtures: the project root, and one warehouse built from it for the session."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock

from justice_warehouse.build.dbt import DbtResult, run_dbt
from justice_warehouse.core.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests/dbt")


def cli_env(tmp: Path) -> dict[str, str]:
    """Environment for a CLI run whose dbt target and logs stay inside ``tmp``."""
    env = dict(os.environ)
    env.update(
        {
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "DBT_TARGET_PATH": str(tmp / "target"),
            "DBT_LOG_PATH": str(tmp / "logs"),
        }
    )
    return env


def dbt_in(
    tmp: Path,
    root: Path,
    args: list[str],
    warehouse: Path,
    target: Path | None = None,
    extra_env: dict[str, str] | None = None,
    **settings: str,
) -> DbtResult:
    """``run_dbt`` with dbt's logs under ``tmp`` and its target at ``target`` (default
    ``tmp/target``); ``settings`` replace fields of the environment's Settings."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_TARGET_PATH", str(target or tmp / "target"))
        patch.setenv("DBT_LOG_PATH", str(tmp / "logs"))
        resolved = dataclasses.replace(Settings.from_env(), **settings)
        return run_dbt(root, args, warehouse, resolved, extra_env=extra_env)


def run_cli(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``justice-warehouse <args>`` as a user would, from ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "justice_warehouse.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def copy_project(destination: Path) -> Path:
    """A copy of the dbt project (models, seeds, tests, macros) to break on purpose."""
    for name in PROJECT_FILES:
        source = PROJECT_ROOT / name
        target = destination / name
        if source.is_dir():
            shutil.copytree(source, target, symlinks=True)  # seeds/deliveries links
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


def build_once(
    factory: pytest.TempPathFactory, worker_id: str, name: str, make: Callable[[Path], Path]
) -> Path:
    """``make(folder)`` run once for the whole test run, and its result shared.

    Under pytest-xdist (make test runs two workers) the first worker to ask builds into a
    folder beside every worker's own temporary folder while the others wait on a file lock,
    then all read it (read-only, or through copies: no test changes a shared build). Run
    alone, pytest just builds it in its own temporary folder."""
    if worker_id == "master":
        return make(factory.mktemp(name))
    folder = factory.getbasetemp().parent / name
    done = folder / ".built"
    with FileLock(f"{folder}.lock"):
        if not done.exists():
            if folder.exists():
                shutil.rmtree(folder)  # an earlier worker's failed attempt
            folder.mkdir()
            result = make(folder)
            done.write_text(str(result.relative_to(folder)))
    return folder / done.read_text()


def _build_bundled(tmp: Path) -> Path:
    warehouse = tmp / "justice.duckdb"
    env = cli_env(tmp)
    env.pop("JW_PROJECT_DIR", None)
    result = run_cli(
        ["build", "--warehouse", str(warehouse), "--gx-dir", str(tmp / "gx")],
        cwd=PROJECT_ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return warehouse


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The whole pipeline (extracts, dbt build, validation, publish) into a temporary folder."""
    return build_once(tmp_path_factory, worker_id, "build", _build_bundled)


def build_with_cli(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``justice-warehouse build <args>`` into tmp/justice.duckdb, GX and dbt files in tmp."""
    env = cli_env(tmp)
    env.pop("JW_PROJECT_DIR", None)
    return run_cli(
        ["build", "--warehouse", str(tmp / "justice.duckdb"), "--gx-dir", str(tmp / "gx"), *args],
        cwd=PROJECT_ROOT,
        env=env,
    )


def _build_deliveries(tmp: Path) -> Path:
    result = build_with_cli(tmp, "--extracts", str(PROJECT_ROOT / "seeds" / "deliveries"))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return tmp / "justice.duckdb"


@pytest.fixture(scope="session")
def deliveries_warehouse(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The pipeline run on the bundled delivery sequence (seeds/deliveries), all at once."""
    return build_once(tmp_path_factory, worker_id, "deliveries", _build_deliveries)


def _build_schema_only(tmp: Path) -> Path:
    warehouse = tmp / "schema.duckdb"
    result = dbt_in(
        tmp, PROJECT_ROOT, ["build", "--empty", "--exclude-resource-type", "test"], warehouse
    )
    # A failing unit test is for test_dbt_unit.py to report; anything else failing is not.
    others = [failure for failure in result.failures if not failure.startswith("unit_test.")]
    assert result.success or not others, others
    return warehouse


@pytest.fixture(scope="session")
def schema_only_warehouse(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """Every seed and model built with no rows (``dbt build --empty``, no data tests), and
    the dbt unit tests run on the way (their inputs are their own fixtures, which --empty
    leaves whole): the relations the unit tests need, in seconds, without the pipeline.
    Its run_results.json is in ``<warehouse folder>/target``."""
    return build_once(tmp_path_factory, worker_id, "schema_only", _build_schema_only)


@pytest.fixture
def warehouse(built_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        yield connection
    finally:
        connection.close()


def rows(connection: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    """All rows of a query (DuckDB 2.0 results must be fetched to the end)."""
    return connection.execute(sql).fetchall()


def copy_with(built: Path, tmp: Path, *statements: str) -> Path:
    """A copy of a built warehouse file with ``statements`` run on it (to break it on purpose)."""
    copy = tmp / "copy.duckdb"
    shutil.copy2(built, copy)
    with duckdb.connect(str(copy)) as connection:
        for statement in statements:
            connection.execute(statement)
    return copy
