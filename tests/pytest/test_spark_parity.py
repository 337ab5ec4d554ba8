"""The same dbt project on Apache Spark (local mode): every model, seed and test runs there,
and every reporting model equals DuckDB's, row by row. Run by `make test-spark`."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_ROOT, copy_project
from justice_warehouse.bench import parity
from justice_warehouse.build.dbt import dbt_build_args

pytestmark = pytest.mark.spark

REPORTING_DIR = Path(__file__).resolve().parents[2] / "models" / "reporting"
REPORTING_MODELS = sorted(path.stem for path in REPORTING_DIR.rglob("*.sql"))


def dbt_command(
    project: Path, target: str, tmp: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """``dbt <args>`` on ``target``, with its files (and Spark's tables) under ``tmp``."""
    environment = dict(os.environ)
    environment.update(
        {
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "DBT_TARGET_PATH": str(tmp / f"target-{target}"),
            "DBT_LOG_PATH": str(tmp / f"logs-{target}"),
            "JW_SPARK_DIR": str(tmp / "spark"),
            "JW_DUCKDB_PATH": str(tmp / "duckdb.duckdb"),
            **(env or {}),
        }
    )
    command = [sys.executable, "-m", "dbt.cli.main", *args, "--target", target]
    command += ["--project-dir", str(project), "--profiles-dir", str(project), "--quiet"]
    return subprocess.run(command, env=environment, capture_output=True, text=True, check=False)


def dbt_build(project: Path, target: str, tmp: Path, *select: str) -> subprocess.CompletedProcess:
    return dbt_command(project, target, tmp, "build", *(("--select", *select) if select else ()))


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
MARTS_MODELS = sorted(path.stem for path in (REPORTING_DIR.parent / "marts").rglob("*.sql"))


# The bundled deliveries the sequence on Spark builds one per build, after a first build of
# the others (docs/scale-and-spark.md); JW_SPARK_DELIVERY_BUILDS=12 builds every delivery but
# the first alone, as the long tier does on DuckDB (about 2 minutes per Spark build here).
DELIVERY_BUILDS = int(os.environ.get("JW_SPARK_DELIVERY_BUILDS", "3"))
AS_AT_MODELS = ("rj_funnel_monthly_as_at", "rj_referral_outcomes_as_at", "rj_status_movement")


def _partition_files(spark_warehouse: Path, table: str) -> dict[str, float]:
    """Each data file of a partitioned reporting table, with its modification time."""
    folder = parity.spark_table_path(spark_warehouse, "reporting", table)
    return {
        str(path.relative_to(folder)): path.stat().st_mtime
        for path in folder.glob("as_at_date=*/*.parquet")
    }


@dataclass(frozen=True)
class SparkSequence:
    warehouse: Path
    # Each build's as-at partition files (name -> modification time), in build order.
    as_at_files: list[dict[str, dict[str, float]]]


@pytest.fixture(scope="module")
def spark_delivery_sequence(
    deliveries_warehouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> SparkSequence:
    """The bundled delivery sequence on Spark, built as the pipeline builds it on DuckDB:
    a first full build, then one build per delivery, each incremental (dbt_build_args: what
    is downstream of the sources, row-level tests on the new delivery's rows). Spark does not
    run the extract gate: before each build, the source tables are the versions the DuckDB
    gate loaded up to that delivery (macros/load_delivered_sources.sql)."""
    tmp = tmp_path_factory.mktemp("spark_deliveries")
    folder = tmp / "sources"
    folder.mkdir()
    with duckdb.connect(str(deliveries_warehouse), read_only=True) as connection:
        for table in SOURCE_TABLES:
            connection.execute(f"copy main.{table} to '{folder / table}.parquet' (format parquet)")
        names = [
            str(day)
            for (day,) in connection.execute(
                "select delivery_date from landing.deliveries order by 1"
            ).fetchall()
        ]
    builds = [names[: len(names) - DELIVERY_BUILDS], *([name] for name in names[-DELIVERY_BUILDS:])]
    spark_warehouse = tmp / "spark" / "spark-warehouse"
    as_at_files = []
    for number, batch in enumerate(builds):
        load = dbt_command(
            PROJECT_ROOT,
            "spark",
            tmp,
            "run-operation",
            "load_delivered_sources",
            "--args",
            json.dumps({"folder": str(folder), "through": batch[-1]}),
        )
        assert load.returncode == 0, load.stdout[-5000:]
        args = dbt_build_args(
            published_figures_apply=True,
            full_refresh=number == 0,
            input_is_bundled_synthetic=True,
            downstream_of_sources=number > 0,
        )
        changed_after = builds[number - 1][-1] if number else ""
        result = dbt_command(
            PROJECT_ROOT, "spark", tmp, *args, env={"JW_CHANGED_AFTER_DATE": changed_after}
        )
        assert result.returncode == 0, f"build {number} ({batch}): {result.stdout[-5000:]}"
        as_at_files.append(
            {model: _partition_files(spark_warehouse, model) for model in AS_AT_MODELS}
        )
    return SparkSequence(spark_warehouse, as_at_files)


@pytest.mark.parametrize("model", AS_AT_MODELS)
def test_a_delivery_on_spark_adds_its_slice_and_leaves_the_earlier_ones(
    model: str, spark_delivery_sequence: SparkSequence
):
    """insert_overwrite on the as_at_date partitions: each delivery's build writes files for
    its own slice only, and every earlier slice's files stay as they were (not rewritten)."""
    snapshots = [files[model] for files in spark_delivery_sequence.as_at_files]
    for before, after in itertools.pairwise(snapshots):
        slices_before = {name.split("/")[0] for name in before}
        added = {name.split("/")[0] for name in after} - slices_before
        assert len(added) == 1, added
        kept = {name: when for name, when in after.items() if name.split("/")[0] in slices_before}
        assert kept == before


@pytest.mark.parametrize("model", REPORTING_MODELS)
def test_reporting_after_a_year_of_deliveries_is_identical_on_spark(
    model: str, spark_delivery_sequence: SparkSequence, deliveries_warehouse: Path
):
    differences = parity.compare_table(
        deliveries_warehouse, spark_delivery_sequence.warehouse, model
    )
    assert differences == []


@pytest.mark.parametrize("model", MARTS_MODELS)
def test_marts_after_a_year_of_deliveries_are_identical_on_spark(
    model: str, spark_delivery_sequence: SparkSequence, deliveries_warehouse: Path
):
    differences = parity.compare_table(
        deliveries_warehouse, spark_delivery_sequence.warehouse, model, schema="marts"
    )
    assert differences == []
