"""Personal data stays in the warehouse: pseudonymised ids, small-number suppression, and
BI-safe outputs (DuckDB 1.4-readable files, Parquet exports, read-only SQLAlchemy)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from conftest import PROJECT_ROOT, cli_env, copy_project, copy_with, dbt_in, run_cli
from justice_warehouse.check import disclosure, linked


def manifest_of(built_warehouse: Path) -> Path:
    """The dbt manifest of the build that wrote ``built_warehouse`` (conftest's target)."""
    return built_warehouse.parent / "target" / "manifest.json"


def test_built_warehouse_passes_every_disclosure_check(built_warehouse: Path):
    assert disclosure.check(built_warehouse, manifest_of(built_warehouse)) == []
    with duckdb.connect(str(built_warehouse), read_only=True) as connection:
        suppressed = connection.execute(
            "select count(*) from reporting.probation_engagement_monthly "
            "where is_rescheduled_appointments_suppressed"
        ).fetchall()[0][0]
    assert suppressed > 0  # the synthetic caseload has small cells, and they are hidden


def test_an_unsuppressed_count_is_found(built_warehouse: Path, tmp_path: Path):
    copy = copy_with(
        built_warehouse,
        tmp_path,
        "create table reporting.leaky_conferences as select borough_code, "
        "count(*) as conferences from marts.fct_rj_referrals where is_direct_conference "
        "group by borough_code",
    )
    with duckdb.connect(str(copy), read_only=True) as connection:
        models = disclosure.read_manifest(manifest_of(built_warehouse))
        problems = disclosure.small_count_problems(connection, models)
    assert problems and problems[0].startswith("reporting.leaky_conferences.conferences:")


def test_a_lone_suppressed_cell_is_found(built_warehouse: Path, tmp_path: Path):
    copy = copy_with(
        built_warehouse,
        tmp_path,
        # un-hide one of the two suppressed took_up cells, leaving its partner alone
        "update reporting.rj_funnel_monthly set is_took_up_suppressed = false, took_up = 4 "
        "where referral_month_date = (select min(referral_month_date) "
        "from reporting.rj_funnel_monthly where is_took_up_suppressed)",
    )
    with duckdb.connect(str(copy), read_only=True) as connection:
        assert connection.execute(
            "select count(*) from reporting.rj_funnel_monthly where is_took_up_suppressed"
        ).fetchall() == [(1,)]
        models = disclosure.read_manifest(manifest_of(built_warehouse))
        lone = disclosure.lone_suppression_problems(connection, models)
    assert any(p.startswith("reporting.rj_funnel_monthly.took_up: 1 column group") for p in lone)


def test_every_reporting_column_is_classified_and_none_identifying(
    built_warehouse: Path, tmp_path: Path
):
    manifest = manifest_of(built_warehouse)
    assert disclosure.classification_problems(disclosure.read_manifest(manifest)) == []
    document = json.loads(manifest.read_text())
    node = document["nodes"]["model.justice_warehouse.rj_referral_outcomes"]
    node["columns"]["outcome"]["meta"] = {"sensitivity": "pseudonymous"}
    node["columns"]["referrals"]["meta"] = {}
    (tmp_path / "manifest.json").write_text(json.dumps(document))
    problems = disclosure.classification_problems(
        disclosure.read_manifest(tmp_path / "manifest.json")
    )
    assert len(problems) == 2
    assert "sensitivity 'pseudonymous' may not reach a reporting model" in problems[0]
    assert "no meta.sensitivity" in problems[1]


def test_no_raw_identifier_value_beyond_staging(built_warehouse: Path):
    with duckdb.connect(str(built_warehouse), read_only=True) as connection:
        raw = {
            value
            for (value,) in connection.execute(
                "select victim_ref from main.rj_referrals union select offender_ref "
                "from main.rj_referrals union select case_reference "
                "from main.probation_appointments"
            ).fetchall()
            if value
        }
        leaks = []
        for schema, table, column in connection.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_schema in ('intermediate', 'marts', 'reporting') "
            "and data_type = 'VARCHAR'"
        ).fetchall():
            values = {
                v
                for (v,) in connection.execute(
                    f'select distinct "{column}" from "{schema}"."{table}"'
                ).fetchall()
            }
            if values & raw:
                leaks.append(f"{schema}.{table}.{column}")
    assert len(raw) > 2000
    assert leaks == []


def test_pseudonym_is_the_keyed_sha256_of_salt_and_reference(built_warehouse: Path):
    with duckdb.connect(str(built_warehouse), read_only=True) as connection:
        pseudo, reference = connection.execute(
            "select s.person_pseudo_id, a.case_reference "
            "from staging.stg_probation__appointments as s "
            "inner join main.probation_appointments as a using (appointment_id) limit 1"
        ).fetchall()[0]
    salt = "justice-warehouse-development-salt"  # the documented development salt
    assert pseudo == hashlib.sha256(f"{salt}|{reference}".encode()).hexdigest()


def test_production_build_refuses_without_a_salt(project_root: Path, tmp_path: Path):
    env = cli_env(tmp_path)
    env.update({"JW_PROJECT_DIR": str(project_root), "JW_ENV": "production"})
    env.pop("JW_PSEUDONYM_SALT", None)
    result = run_cli(
        ["build", "--warehouse", str(tmp_path / "w" / "justice.duckdb")], cwd=project_root, env=env
    )
    assert result.returncode == 2
    assert "JW_PSEUDONYM_SALT is not set" in result.stderr
    assert not (tmp_path / "w" / "justice.duckdb").exists()
    # plain dbt refuses too, in the macro itself
    dbt = subprocess.run(
        [
            sys.executable,
            "-m",
            "dbt.cli.main",
            "compile",
            "--select",
            "stg_restore__referrals",
            "--project-dir",
            str(project_root),
            "--profiles-dir",
            str(project_root),
        ],
        env={**env, "JW_DUCKDB_PATH": str(tmp_path / "dev.duckdb")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert dbt.returncode != 0
    assert "refusing to pseudonymise" in dbt.stdout + dbt.stderr


def test_disclosure_config_is_read_from_the_manifest_as_each_model_sets_it(
    built_warehouse: Path,
):
    models = disclosure.read_manifest(manifest_of(built_warehouse))
    assert set(models.suppressed) == {
        "rj_referral_outcomes",
        "rj_referral_outcomes_as_at",
        "rj_funnel_monthly",
        "rj_funnel_monthly_as_at",
        "rj_funnel_by_borough",
        "rj_status_movement",
        "programme_value_for_money",
        "programme_value_for_money_as_at",
        "probation_engagement_monthly",
        "probation_engagement_london_monthly",
        "probation_engagement_borough_annual",
        "int_probation__engagement_suppressed",
    }
    assert models.threshold > 0  # one threshold for all (var suppression_threshold)
    engagement = models.suppressed["int_probation__engagement_suppressed"]
    assert engagement.schema == "intermediate"
    assert [group.partition for group in engagement.linked] == [
        ("period", "period_start_date", "provider_code"),
        ("period", "period_start_date", "borough_code"),
        ("financial_year", "borough_code"),
    ]
    assert engagement.additive[0][0] == "appointments"
    for split in (
        "probation_engagement_monthly",
        "probation_engagement_london_monthly",
        "probation_engagement_borough_annual",
    ):
        assert models.suppressed[split].suppressed_in == "int_probation__engagement_suppressed"


def test_the_delivery_sequence_passes_every_disclosure_check(deliveries_warehouse: Path):
    assert disclosure.check(deliveries_warehouse, manifest_of(deliveries_warehouse)) == []


# Each reporting table split from int_probation__engagement_suppressed: its rows of the
# joint model (where the exact audit ran), in the table's own columns.
ENGAGEMENT_SPLITS = {
    "probation_engagement_monthly": (
        "period_start_date as appointment_month_date, provider_code, borough_code",
        "period = 'month' and provider_code <> 'all' and borough_code <> 'all'",
    ),
    "probation_engagement_london_monthly": (
        "period_start_date as appointment_month_date, provider_code",
        "period = 'month' and borough_code = 'all'",
    ),
    "probation_engagement_borough_annual": (
        "financial_year, borough_code",
        "period = 'financial_year'",
    ),
}


@pytest.mark.parametrize("fixture", ["built_warehouse", "deliveries_warehouse"])
def test_the_split_tables_publish_exactly_the_audited_cells(
    fixture: str, request: pytest.FixtureRequest
):
    """The audit reads the joint model; readers get the split tables. Each is its share of
    the joint rows, cell for cell and flag for flag, and together they are every row."""
    warehouse = request.getfixturevalue(fixture)
    counts = (
        disclosure.read_manifest(manifest_of(warehouse))
        .suppressed["int_probation__engagement_suppressed"]
        .counts
    )
    cells = ", ".join(f"{column}, is_{column}_suppressed" for column in counts)
    published = 0
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        joint = "intermediate.int_probation__engagement_suppressed"
        for table, (keys, rows) in ENGAGEMENT_SPLITS.items():
            audited = f"select {keys}, {cells} from {joint} where {rows}"
            shown = f"select * from reporting.{table}"
            for left, right in ((audited, shown), (shown, audited)):
                extra = connection.execute(
                    f"select count(*) from ({left} except all {right}) as extra"
                ).fetchall()[0][0]
                assert extra == 0, (table, left)
            published += connection.execute(f"select count(*) from ({shown}) as t").fetchall()[0][0]
        assert published == connection.execute(f"select count(*) from {joint}").fetchall()[0][0]


def _grid(hidden: set[tuple[str, str]]) -> duckdb.DuckDBPyConnection:
    """A 4 x 4 table of counts with its row, column and grand totals, as one relation
    (margins marked 'all'), the cells in ``hidden`` suppressed."""
    connection = duckdb.connect()
    keys = ["r1", "r2", "r3", "r4", "all"]
    cells = [
        (row, column, 10, (row, column) in hidden)
        for row in keys
        for column in [key.replace("r", "c") for key in keys]
    ]
    connection.execute(
        "create table grid (row_key varchar, col_key varchar, n int, is_n_suppressed bool)"
    )
    connection.executemany("insert into grid values (?, ?, ?, ?)", cells)
    return connection


def test_the_exact_audit_finds_a_cell_the_one_suppressed_cell_rule_misses():
    """Two blocks of four hidden cells joined by one hidden cell: every row and column holds
    two or more hidden cells, yet the joining cell is determined by the margins."""
    blocks = {(r, c) for r in ("r1", "r2") for c in ("c1", "c2")} | {
        (r, c) for r in ("r3", "r4") for c in ("c3", "c4")
    }
    spec = disclosure.SuppressedTable(
        threshold=5,
        counts=("n",),
        schema="main",
        linked=(
            disclosure.LinkedGroup(("row_key",), "row_key <> 'all'", "col_key = 'all'"),
            disclosure.LinkedGroup(("col_key",), "col_key <> 'all'", "row_key = 'all'"),
        ),
    )
    models = disclosure.ReportingModels(columns={}, suppressed={"grid": spec})
    joined = _grid(blocks | {("r1", "c3")})
    assert disclosure.lone_suppression_problems(joined, models) == []
    assert linked.recoverable_cells(joined, "grid", spec) == ["n (col_key c3, row_key r1)"]
    # Without the joining cell (two separate blocks), nothing can be recovered.
    assert linked.recoverable_cells(_grid(blocks), "grid", spec) == []


SWITCHED_OFF = {
    # Each grain suppressed as a table of its own (the macro's column groups within a period
    # and provider only): London's row then gives away a provider's hidden count.
    "grains_one_at_a_time": (
        "        **disclosure\n",
        "        threshold=disclosure.threshold, key_columns=disclosure.key_columns,\n"
        "        passthrough_columns=disclosure.passthrough_columns,\n"
        "        count_columns=disclosure.count_columns,\n"
        "        additive_groups=disclosure.additive_groups,\n"
        "        group_by=['period', 'period_start_date', 'provider_code']\n",
    ),
    # A borough's year protected by the column rule (two hidden cells per group) instead of
    # hiding it wherever one of its months is hidden: on the bundled data, chains through
    # the months and their London-wide totals give away 3 cells.
    "year_by_the_column_rule": (
        "'total_follows_members': true",
        "'total_follows_members': false",
    ),
}


@pytest.mark.parametrize("switched_off", sorted(SWITCHED_OFF))
def test_secondary_suppression_across_grains_switched_off_fails_the_audit(
    built_warehouse: Path, tmp_path: Path, switched_off: str
):
    """The joint suppression of the probation grains with one of its protections off: the
    exact audit finds a hidden cell that the published totals give away."""
    project = copy_project(tmp_path / "project")
    model = (
        project
        / "models"
        / "intermediate"
        / "probation"
        / "int_probation__engagement_suppressed.sql"
    )
    text = model.read_text()
    protection, without = SWITCHED_OFF[switched_off]
    assert protection in text
    model.write_text(text.replace(protection, without))
    warehouse = tmp_path / "justice.duckdb"
    shutil.copyfile(built_warehouse, warehouse)
    result = dbt_in(
        tmp_path, project, ["run", "--select", "int_probation__engagement_suppressed+"], warehouse
    )
    assert result.success, result.failures
    problems = disclosure.check(warehouse, tmp_path / "target" / "manifest.json")
    assert any(
        problem.startswith("intermediate.int_probation__engagement_suppressed: ")
        and "can be recovered exactly" in problem
        for problem in problems
    ), problems


def test_deliberately_unsuppressed_model_fails_the_build(built_warehouse: Path, tmp_path: Path):
    project = copy_project(tmp_path / "project")
    model = project / "models" / "reporting" / "rj" / "rj_funnel_by_borough.sql"
    text = model.read_text()
    # the same contract, but every count shown: the suppression macro bypassed
    stages = disclosure.read_manifest(manifest_of(built_warehouse)).suppressed[
        "rj_funnel_by_borough"
    ]
    flags = ", ".join(f"false as is_{column}_suppressed" for column in stages.counts)
    text = text.replace("from suppressed\n", f"from (select *, {flags} from complete) as raw\n")
    model.write_text(text)
    env = cli_env(tmp_path)
    env["JW_PROJECT_DIR"] = str(project)
    result = run_cli(
        [
            "build",
            "--warehouse",
            str(tmp_path / "w" / "justice.duckdb"),
            "--gx-dir",
            str(tmp_path / "gx"),
        ],
        cwd=project,
        env=env,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "the reporting tables could disclose people" in result.stderr
    assert "reporting.rj_funnel_by_borough.direct_conference" in result.stderr
    assert not (tmp_path / "w" / "reporting.duckdb").exists()


OLD_DUCKDB = "1.4.4"


# A separate environment with the DuckDB that BI tools such as Evidence bundle, installed
# by `make test` before the tests run (the Makefile's setup-old-duckdb), never by a test.
OLD_DUCKDB_PYTHON = PROJECT_ROOT / f".venv-duckdb-{OLD_DUCKDB}" / "bin" / "python"


@pytest.fixture(scope="module")
def old_duckdb() -> Path:
    assert OLD_DUCKDB_PYTHON.is_file(), (
        f"no DuckDB {OLD_DUCKDB} environment at {OLD_DUCKDB_PYTHON}: make test installs it "
        "(make setup-old-duckdb)"
    )
    return OLD_DUCKDB_PYTHON


OPEN_WITH_OLD = """
import json, sys, duckdb
published = sys.argv[1]
out = {"version": duckdb.__version__}
for name in ("reporting.duckdb", "justice.duckdb"):
    with duckdb.connect(f"{published}/{name}", read_only=True) as connection:
        out[name] = connection.execute(
            "select sum(referrals) from reporting.rj_referral_outcomes").fetchall()[0][0]
out["parquet"] = duckdb.sql(
    f"select count(*) from '{published}/exports/rj_funnel_by_borough.parquet'").fetchall()[0][0]
print(json.dumps(out))
"""


def test_published_files_open_in_duckdb_1_4(old_duckdb: Path, built_warehouse: Path):
    result = subprocess.run(
        [str(old_duckdb), "-c", OPEN_WITH_OLD, str(built_warehouse.parent)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout) == {
        "version": OLD_DUCKDB,
        "reporting.duckdb": 988,
        "justice.duckdb": 988,
        "parquet": 33,
    }


def test_every_reporting_model_is_exported_as_parquet(built_warehouse: Path):
    exports = built_warehouse.parent / "exports"
    with duckdb.connect(str(built_warehouse.parent / "reporting.duckdb"), read_only=True) as con:
        tables = {
            t for (t,) in con.execute("select table_name from information_schema.tables").fetchall()
        }
        for table in tables:
            # Row for row, both ways, duplicates counted: the file is the table.
            exported = f"read_parquet('{exports / (table + '.parquet')}')"
            differing = con.execute(
                f"select count(*) from ((select * from {table} except all select * from "
                f"{exported}) union all (select * from {exported} except all "
                f"select * from {table}))"
            ).fetchall()
            assert differing == [(0,)], table
            assert (
                con.execute(f"select count(*) from {exported}").fetchall()
                == con.execute(f"select count(*) from {table}").fetchall()
            )
    assert {p.stem for p in exports.glob("*.parquet")} == tables


def test_bi_sqlalchemy_url_is_read_only(built_warehouse: Path):
    path = built_warehouse.parent / "reporting.duckdb"
    engine = sa.create_engine(f"duckdb:///{path}?access_mode=read_only")
    try:
        with engine.connect() as connection:
            total = connection.execute(
                sa.text("select sum(referrals) from reporting.rj_referral_outcomes")
            ).scalar()
            assert total == 988
            with pytest.raises(sa.exc.DBAPIError, match="read-only"):
                connection.execute(sa.text("create table sneaky (a integer)"))
    finally:
        engine.dispose()


def test_dashboards_are_declared_as_exposures(built_warehouse: Path):
    manifest = json.loads((built_warehouse.parent / "target" / "manifest.json").read_text())
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert set(exposures) == {
        "restore_programme_dashboard",
        "value_for_money_dashboard",
        "probation_engagement_dashboard",
        "reoffending_costs_dashboard",
        "published_figures_report",
        "figures_as_at_dashboard",
    }
    depends = {n for e in exposures.values() for n in e["depends_on"]["nodes"]}
    reporting = {
        n
        for n in manifest["nodes"]
        if n.startswith("model.justice_warehouse.")
        and manifest["nodes"][n]["schema"] == "reporting"
    }
    assert depends == reporting
