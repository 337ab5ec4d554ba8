"""The dbt unit tests: excluded from production builds (fixed inputs), run here in a
schema-only build (no pipeline), so they are part of the fast tier."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import copy_project
from justice_warehouse.build.dbt import DbtResult, run_dbt
from justice_warehouse.core.settings import Settings

pytestmark = pytest.mark.fast


def _unit_tests(
    root: Path, warehouse: Path, tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[DbtResult, list[dict[str, Any]]]:
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp / "logs"))
    copy = tmp / "unit.duckdb"
    shutil.copyfile(warehouse, copy)
    result = run_dbt(root, ["test", "--select", "test_type:unit"], copy, Settings.from_env())
    results = json.loads((tmp / "target" / "run_results.json").read_text())["results"]
    return result, results


def test_every_unit_test_passes(schema_only_warehouse: Path) -> None:
    target = schema_only_warehouse.parent / "target"
    manifest = json.loads((target / "manifest.json").read_text())
    results = {
        result["unique_id"]: result
        for result in json.loads((target / "run_results.json").read_text())["results"]
        if result["unique_id"].startswith("unit_test.")
    }
    assert set(results) == set(manifest["unit_tests"])
    assert len(results) >= 10
    failed = {name: r["message"] for name, r in results.items() if r["status"] != "pass"}
    assert failed == {}


def test_a_broken_rule_fails_its_unit_test(
    schema_only_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_project(tmp_path / "project")
    model = project / "models/marts/probation/fct_probation_person_months.sql"
    rule = "attended_to_date = 0 as is_never_seen"
    assert rule in model.read_text()
    model.write_text(model.read_text().replace(rule, "false as is_never_seen"))
    result, _ = _unit_tests(project, schema_only_warehouse, tmp_path, monkeypatch)
    assert not result.success
    assert any("never_seen_until_first_attendance" in failure for failure in result.failures)
