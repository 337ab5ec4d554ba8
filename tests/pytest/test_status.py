"""The status command's exit codes (healthy, stale, failed, damaged, nothing published), and a
leftover process of an earlier build found and stopped."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from conftest import run_cli
from justice_warehouse.core import processes
from test_publish import project_env


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def status(directory: Path, project_root: Path, tmp: Path, *extra: str):
    env = project_env(project_root, tmp)
    return run_cli(
        ["status", "--warehouse", str(directory / "justice.duckdb"), *extra], project_root, env
    )


@pytest.mark.fast
def test_status_exit_codes(tmp_path: Path, project_root: Path):
    directory = tmp_path / "warehouse"
    directory.mkdir()
    assert status(directory, project_root, tmp_path).returncode == 2  # nothing published
    duckdb.connect(str(directory / "justice.duckdb")).close()  # an empty, sound warehouse
    published_at = "2026-01-01T00:00:00+00:00"
    (directory / "manifest.json").write_text(
        json.dumps({"build_id": "b1", "published_at": published_at, "source": "test"})
    )
    (directory / "last_run.json").write_text(
        json.dumps(
            {
                "build_id": "b1",
                "pid": 1,
                "started_at": published_at,
                "outcome": "published",
                "exit_code": 0,
            }
        )
    )
    healthy = status(directory, project_root, tmp_path, "--max-age-hours", "1e9")
    assert healthy.returncode == 0, healthy.stdout
    assert "status: healthy" in healthy.stdout
    quiet = status(directory, project_root, tmp_path, "--max-age-hours", "1e9", "--quiet")
    assert (quiet.returncode, quiet.stdout) == (0, "")
    stale = status(directory, project_root, tmp_path, "--max-age-hours", "24")
    assert stale.returncode == 3, stale.stdout
    assert "STALE" in stale.stdout
    assert "STALE" in status(directory, project_root, tmp_path, "--quiet").stdout
    (directory / "last_run.json").write_text(
        json.dumps(
            {
                "build_id": "b2",
                "pid": 1,
                "started_at": published_at,
                "outcome": "failed",
                "exit_code": 1,
                "reason": "dbt build failed:\n  model x: error",
            }
        )
    )
    failed = status(directory, project_root, tmp_path, "--max-age-hours", "1e9")
    assert failed.returncode == 1, failed.stdout
    assert "reason: model x: error" in failed.stdout
    # A published file that is not a readable DuckDB file: damaged, named, exit 2 when it is
    # the only problem.
    (directory / "reporting.duckdb").write_bytes(b"not a database" * 1000)
    record = json.loads((directory / "last_run.json").read_text())
    (directory / "last_run.json").write_text(json.dumps({**record, "outcome": "published"}))
    damaged = status(directory, project_root, tmp_path, "--max-age-hours", "1e9")
    assert damaged.returncode == 2, damaged.stdout
    assert f"DAMAGED: the published warehouse is damaged: {directory / 'reporting.duckdb'}" in (
        damaged.stdout
    )
    assert "status: the published warehouse is damaged; exit code 2" in damaged.stdout


@pytest.mark.fast
def test_a_leftover_process_of_an_earlier_build_is_found_and_stopped(tmp_path: Path):
    directory = tmp_path / "warehouse"
    directory.mkdir()
    env = dict(os.environ)
    env[processes.MARKER] = processes.marker_value(directory, "earlier-build")
    # Not a child of this process, as a killed build's worker is not: started by a shell
    # that exits at once.
    subprocess.run(["sh", "-c", "sleep 120 >/dev/null 2>&1 &"], env=env, check=True)
    assert wait_for(lambda: bool(processes.leftovers(directory)), 5)
    (found,) = processes.leftovers(directory)
    assert found.build_id == "earlier-build"
    assert "sleep 120" in found.command
    assert not processes.leftovers(directory, current_build="earlier-build")
    processes.stop([found])
    assert wait_for(lambda: not processes.leftovers(directory), 5)
