"""A change of the project's SQL since the published build: the next build rebuilds what
the changed files define and everything downstream, whole, and takes the rest by delta
(build/steps.py, ``dbt_build``)."""

from __future__ import annotations

import json

import duckdb

from conftest import PROJECT_ROOT, cli_env, copy_project, run_cli
from justice_warehouse.core.paths import project_files
from test_delivery_sequence import _delivery_names, _differences


def test_a_changed_model_is_rebuilt_whole_with_what_is_downstream(deliveries_warehouse, tmp_path):
    """Every delivery but the last, published; then the last, built by a project in which
    the current referrals' SQL changed (a comment: the same rows) and a model was disabled.
    The build starts from the published warehouse: the changed model and what is downstream
    of it are rebuilt and tested whole, everything else downstream of the extracts takes the
    new delivery by delta, the disabled model's table is dropped, and every table equals one
    full build."""
    names = _delivery_names()
    tmp = tmp_path / "warehouse"
    extracts = tmp / "extracts"
    # The project's own copy of the bundled deliveries, so that both builds know their input
    # as the bundled synthetic data (BuildOptions.is_bundled_synthetic), as the full build's.
    project = copy_project(tmp_path / "project")
    env = cli_env(tmp)
    env.pop("JW_PROJECT_DIR", None)
    args = ["build", "--warehouse", str(tmp / "justice.duckdb"), "--gx-dir", str(tmp / "gx")]

    def build(delivered: list[str]) -> str:
        extracts.mkdir(parents=True, exist_ok=True)
        for name in delivered:
            (extracts / name).symlink_to((project / "seeds" / "deliveries" / name).resolve())
        result = run_cli([*args, "--extracts", str(extracts)], cwd=project, env=env)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
        return result.stdout

    # A model the last build's project disables: its relation (a view) must not stay behind.
    probe = project / "models" / "intermediate" / "restore" / "int_restore__probe.sql"
    probe.write_text("select 1 as probe_id\n")
    build(names[:-1])
    changed = "models/marts/rj/fct_rj_referrals.sql"
    with (project / changed).open("a") as file:
        file.write("\n-- changed: the same rows\n")
    probe.write_text("{{ config(enabled=false) }}\nselect 1 as probe_id\n")
    output = build(names[-1:])
    assert "2 SQL file(s) changed since the published build" in output
    assert "dropped intermediate.int_restore__probe: no model" in output
    disabled = probe.relative_to(project).as_posix()
    assert f"then, rebuilt whole: path:{disabled}+ path:{changed}+" in output
    results = json.loads((tmp / "target" / "run_results.json").read_text())["results"]
    compiled = {
        result["unique_id"].split(".")[2]: result.get("compiled_code") or "" for result in results
    }
    after = f"cast('{names[-2]}' as date)"  # the last delivery the published warehouse held

    def tests_of(model: str) -> list[str]:
        found = [compiled[name] for name in compiled if name.startswith(f"not_null_{model}_")]
        assert found, model
        return found

    # The changed model is rebuilt whole and its row-level tests read every row; the history
    # it reads takes the new delivery's versions and its tests read those (their changed
    # rows, macros/changed_rows.sql); an as-at table beside it adds the new slice only;
    # downstream, the current outcomes are rebuilt; nothing built from reference data runs.
    assert after not in compiled["fct_rj_referrals"]
    assert not any(after in code for code in tests_of("fct_rj_referrals"))
    assert all(after in code for code in tests_of("fct_rj_referral_history"))
    assert f"delivery_date > {after}" in compiled["rj_funnel_monthly_as_at"]
    assert "rj_referral_outcomes" in compiled
    assert not {"dim_borough", "stg_reference__boroughs"} & set(compiled)
    assert "[5/6] docs site (dbt docs generate" in output
    _tables, differences = _differences(tmp / "justice.duckdb", deliveries_warehouse)
    assert differences == {}
    with duckdb.connect(str(tmp / "justice.duckdb"), read_only=True) as connection:
        left = connection.execute(
            "select table_name from duckdb_tables() where table_name like '%probe%' union all "
            "select view_name from duckdb_views() where view_name like '%probe%'"
        ).fetchall()
    assert left == []
    manifest = json.loads((tmp / "manifest.json").read_text())
    assert manifest["project_files"][changed] != project_files(PROJECT_ROOT)[changed]
