"""The same dbt project on Apache Spark (local mode): every model, seed and test runs there,
and every reporting model equals DuckDB's, row by row. Run by `make test-spark`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import copy_project
from justice_warehouse.bench import parity

pytestmark = pytest.mark.spark

REPORTING_DIR = Path(__file__).resolve().parents[2] / "models" / "reporting"
REPORTING_MODELS = sorted(path.stem for path in REPORTING_DIR.rglob("*.sql"))


def dbt_build(project: Path, target: str, tmp: Path, *select: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(
        {
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "DBT_TARGET_PATH": str(tmp / f"target-{target}"),
            "DBT_LOG_PATH": str(tmp / f"logs-{target}"),
            "JW_SPARK_DIR": str(tmp / "spark"),
            "JW_DUCKDB_PATH": str(tmp / "duckdb.duckdb"),
        }
    )
    command = [
        sys.executable,
        "-m",
        "dbt.cli.main",
        "build",
        "--target",
        target,
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--quiet",
    ]
    if select:
        command += ["--select", *select]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def spark_warehouse(project_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole project (seeds, models, data and unit tests) built on Spark."""
    tmp = tmp_path_factory.mktemp("spark")
    result = dbt_build(project_root, "spark", tmp)
    assert result.returncode == 0, result.stdout[-5000:]
    return tmp / "spark" / "spark-warehouse"


@pytest.mark.parametrize("model", REPORTING_MODELS)
def test_reporting_model_is_identical_on_spark(
    model: str, spark_warehouse: Path, built_warehouse: Path
):
    assert parity.compare_table(built_warehouse, spark_warehouse, model) == []


def test_an_engine_specific_expression_breaks_parity(tmp_path: Path):
    """concat() with a null is null on Spark but ignores the null on DuckDB."""
    project = copy_project(tmp_path / "project")
    model = project / "models" / "reporting" / "rj" / "rj_referral_outcomes.sql"
    model.write_text(
        model.read_text().replace(
            "cast(outcomes.outcome as {{ dbt.type_string() }}) as outcome",
            "concat(outcomes.outcome, cast(null as {{ dbt.type_string() }})) as outcome",
        )
    )
    # only models: on Spark the unit tests already catch the changed outcome column
    selection = ("+rj_referral_outcomes", "--exclude", "test_type:data", "test_type:unit")
    duck = dbt_build(project, "duckdb", tmp_path, *selection)
    assert duck.returncode == 0, duck.stdout[-3000:]
    spark = dbt_build(project, "spark", tmp_path, *selection)
    assert spark.returncode == 0, spark.stdout[-3000:]
    differences = parity.compare_table(
        tmp_path / "duckdb.duckdb", tmp_path / "spark" / "spark-warehouse", "rj_referral_outcomes"
    )
    assert differences and "only in spark" in differences[0]


def test_incremental_fact_on_spark_equals_duckdb(
    project_root: Path, built_warehouse: Path, tmp_path: Path
):
    """insert_overwrite by month on Spark: a build without the last month's changes, then an
    incremental run with them, gives DuckDB's fact exactly."""
    project = copy_project(tmp_path / "project")
    seed = project / "seeds" / "synthetic" / "probation_appointments.csv"
    full = seed.read_text()
    header, *rows = full.splitlines()
    updated_at = header.split(",").index("record_updated_at")
    seed.write_text(
        "\n".join([header, *(r for r in rows if r.split(",")[updated_at] < "2017-03-01")]) + "\n"
    )
    selection = ("+fct_probation_appointments", "--exclude", "test_type:unit", "test_type:data")
    first = dbt_build(project, "spark", tmp_path, *selection)
    assert first.returncode == 0, first.stdout[-5000:]
    seed.write_text(full)
    second = dbt_build(project, "spark", tmp_path, *selection)
    assert second.returncode == 0, second.stdout[-5000:]
    spark_warehouse = tmp_path / "spark" / "spark-warehouse"
    partitions = list(
        parity.spark_table_path(spark_warehouse, "marts", "fct_probation_appointments").glob(
            "appointment_month_date=*"
        )
    )
    assert len(partitions) == 12
    assert (
        parity.compare_table(
            built_warehouse, spark_warehouse, "fct_probation_appointments", schema="marts"
        )
        == []
    )


SOURCE_TABLES = (
    "rj_referrals",
    "programme_budget_lines",
    "reoffending_costs",
    "probation_appointments",
)
HISTORY_MARTS = ("fct_rj_referral_history", "fct_probation_appointment_history", "dim_delivery")


@pytest.fixture(scope="module")
def spark_deliveries_warehouse(
    deliveries_warehouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The project on Spark from the source tables the DuckDB extract gate loaded from the
    bundled delivery sequence: every version of every record, with its delivery_date, as
    the seeds (models, seeds and data tests; the unit tests ran in the first build)."""
    tmp = tmp_path_factory.mktemp("spark_deliveries")
    project = copy_project(tmp / "project")
    seeds = project / "seeds" / "synthetic"
    with duckdb.connect(str(deliveries_warehouse), read_only=True) as connection:
        for table in SOURCE_TABLES:
            connection.execute(
                f"copy (select * from main.{table} order by all) to '{seeds / table}.csv' "
                "(header, format csv)"
            )
    result = dbt_build(project, "spark", tmp, "fqn:*", "--exclude", "test_type:unit")
    assert result.returncode == 0, result.stdout[-5000:]
    return tmp / "spark" / "spark-warehouse"


@pytest.mark.parametrize("model", REPORTING_MODELS)
def test_reporting_after_a_year_of_deliveries_is_identical_on_spark(
    model: str, spark_deliveries_warehouse: Path, deliveries_warehouse: Path
):
    assert parity.compare_table(deliveries_warehouse, spark_deliveries_warehouse, model) == []


@pytest.mark.parametrize("model", HISTORY_MARTS)
def test_history_is_identical_on_spark(
    model: str, spark_deliveries_warehouse: Path, deliveries_warehouse: Path
):
    differences = parity.compare_table(
        deliveries_warehouse, spark_deliveries_warehouse, model, schema="marts"
    )
    assert differences == []
