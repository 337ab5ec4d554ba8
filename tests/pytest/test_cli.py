"""The command line: exit codes and messages a scheduler can rely on."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import cli_env, copy_project, run_cli


def test_build_fails_with_exit_1_when_a_published_figure_no_longer_matches(tmp_path: Path):
    project = copy_project(tmp_path / "project")
    referrals = project / "seeds" / "synthetic" / "rj_referrals.csv"
    lines = referrals.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if ",declined," in line)
    lines[index] = lines[index].replace(",declined,", ",took_up,")
    referrals.write_text("\n".join(lines) + "\n")

    env = cli_env(tmp_path)
    env["JW_PROJECT_DIR"] = str(project)
    result = run_cli(["build", "--warehouse", str(tmp_path / "w.duckdb")], cwd=project, env=env)

    assert result.returncode == 1
    assert "published_figure_checks_no_mismatch" in result.stderr
    assert "failing row: figure_id='rj_took_up'" in result.stderr
    assert "BUILD FAILED: dbt build failed" in result.stderr


@pytest.mark.fast
def test_check_seeds_exit_codes(tmp_path: Path, project_root: Path):
    env = cli_env(tmp_path)
    env["JW_PROJECT_DIR"] = str(project_root)
    assert run_cli(["check-seeds"], cwd=project_root, env=env).returncode == 0

    project = copy_project(tmp_path / "project")
    costs = project / "seeds" / "synthetic" / "reoffending_costs.csv"
    costs.write_text(
        costs.read_text() + "RC9999,london,2016,modelled,robbery,police,all,all,1.00,x\n"
    )
    env["JW_PROJECT_DIR"] = str(project)
    result = run_cli(["check-seeds"], cwd=project, env=env)
    assert result.returncode == 1
    assert "reoffending_costs.csv differs" in result.stderr


@pytest.mark.fast
def test_missing_project_is_exit_2(tmp_path: Path):
    env = cli_env(tmp_path)
    env["JW_PROJECT_DIR"] = str(tmp_path / "nowhere")
    result = run_cli(["build", "--warehouse", str(tmp_path / "w.duckdb")], cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert "holds no dbt_project.yml" in result.stderr


@pytest.mark.fast
def test_only_the_settings_module_reads_the_environment(project_root: Path):
    readers = re.compile(r"os\.environ\.get|os\.environ\[|os\.getenv|environ\.get\(\"JW_")
    package = project_root / "scripts" / "justice_warehouse"
    offenders = [
        path.name
        for path in package.glob("*.py")
        if path.name != "settings.py" and readers.search(path.read_text())
    ]
    assert offenders == []


def _imported(args: list[str], cwd: Path, env: dict[str, str]) -> set[str]:
    """The top-level packages a ``justice-warehouse`` process imported (``-X importtime``)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "justice_warehouse.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


@pytest.mark.fast
def test_status_and_build_load_neither_numpy_nor_pandas(tmp_path: Path, project_root: Path):
    env = cli_env(tmp_path)
    warehouse = str(tmp_path / "warehouse" / "justice.duckdb")
    status = _imported(["status", "--warehouse", warehouse], project_root, env)
    # --help parses the arguments after every module the build command runs is imported.
    build = _imported(["build", "--help"], project_root, env)
    assert "justice_warehouse" in status and "duckdb" in status  # the record was read
    for imported in (status, build):
        assert not imported & {"numpy", "pandas"}, imported & {"numpy", "pandas"}
