"""The benchmark's timed steps: the raw DuckDB anchors, the extract gate, dbt, the
validation, and whole builds end to end (their own step times read from
``last_run.json``).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import duckdb

from justice_warehouse.bench import deliveries
from justice_warehouse.bench.harness import (
    FACT_MODEL,
    Measure,
    Setup,
    Step,
    dbt_command,
    fresh_work,
    measure,
    say,
    sql_runner,
    write_plan,
)
from justice_warehouse.core import runs
from justice_warehouse.core.settings import Settings
from justice_warehouse.core.storage import create_compatible_file
from justice_warehouse.gate.load import load_extracts
from justice_warehouse.synth import scale
from justice_warehouse.synth.register import DEFAULT_SEED


def generate_and_load(setup: Setup) -> tuple[Path, dict[str, int], Measure]:
    extracts_dir = setup.workdir / "extracts"
    stamp = extracts_dir / "generated.json"
    wanted = {"scale": setup.scale, "seed": DEFAULT_SEED}
    if not stamp.is_file() or json.loads(stamp.read_text()) != wanted:
        say(f"generating the {setup.scale} extract set in {extracts_dir}")
        shutil.rmtree(extracts_dir, ignore_errors=True)
        scale.write_extracts(extracts_dir, setup.scale)
        stamp.write_text(json.dumps(wanted))
    base = setup.workdir / "base.duckdb"
    say("loading the extracts (the build's step 1)")
    loaded = measure(
        [
            sys.executable,
            "-m",
            "justice_warehouse.bench.run",
            "--load",
            str(base),
            str(extracts_dir),
        ]
    )
    with duckdb.connect(str(base), read_only=True) as connection:
        rows = {
            table: connection.execute(f"select count(*) from main.{table}").fetchall()[0][0]
            for table in ("rj_referrals", "probation_appointments")
        }
    return base, rows, loaded


def load_base(base: Path, extracts_dir: Path, root: Path, settings: Settings) -> None:
    """In a child: a fresh warehouse holding the checked extracts, as the build's step 1."""
    create_compatible_file(base, settings.storage_version)
    config = settings.duckdb_config(base, keep_order=True)
    with duckdb.connect(str(base), config=config) as connection:
        load_extracts(connection, extracts_dir, root / "seeds", "benchmark")
        connection.execute("checkpoint")


def _node_seconds(target: Path, unique_id: str) -> list[float]:
    """What dbt's run_results.json reports for one node (empty when it did not run)."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    return [r["execution_time"] for r in results if r["unique_id"] == unique_id]


def repeat_step(
    setup: Setup, name: str, prepare: Any, command: list[str], runs: int | None = None
) -> Step:
    step = Step(name, [])
    for run in range(runs or setup.runs):
        prepare()
        result = measure(command, setup.env())
        step.runs.append(result)
        if "dbt.cli.main" in command:
            step.fact_seconds += _node_seconds(setup.target, FACT_MODEL)
        say(f"  {name} run {run + 1}: {result.seconds:.2f} s, {result.peak_mib:.0f} MiB")
    return step


def _raw_load_plan(extracts_dir: Path) -> list[str]:
    """The raw anchor of the extract step: each file into a table as DuckDB reads it."""
    statements = []
    for path in sorted(extracts_dir.iterdir()):
        reader = {".parquet": "read_parquet", ".csv": "read_csv"}.get(path.suffix)
        if reader:
            statements.append(
                f"create or replace table main.{path.stem} as select * from {reader}('{path}')"
            )
    return statements


def raw_load_step(setup: Setup) -> Step:
    database = setup.workdir / "raw_load.duckdb"
    plan = write_plan(setup.workdir / "raw_load.json", _raw_load_plan(setup.workdir / "extracts"))

    def fresh() -> None:
        database.unlink(missing_ok=True)
        shutil.rmtree(f"{database}.tmp", ignore_errors=True)

    return repeat_step(setup, "raw load", fresh, sql_runner(database, plan))


def end_to_end_steps(setup: Setup) -> dict[str, Step]:
    """The whole build of the extract set into an empty folder, and the bundled build."""
    say("5. the whole build end to end, and the bundled build after set-up")
    steps = {}
    for name, extracts_dir in (
        ("end_to_end_build", setup.workdir / "extracts"),
        ("bundled_build", None),
    ):
        folder = setup.workdir / name
        command = deliveries.build_command(folder, extracts_dir)

        def fresh(folder: Path = folder) -> None:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)

        repeats = 1 if extracts_dir is not None else None
        steps[name] = repeat_step(setup, name.replace("_", " "), fresh, command, runs=repeats)
    return steps


def build_step_seconds(warehouse_dir: Path) -> dict[str, float]:
    """The seconds of each step of the last build into ``warehouse_dir``, as the build
    recorded them in its ``last_run.json`` (core/runs.py)."""
    record = runs.read(warehouse_dir) or {}
    return dict(record.get("step_seconds") or {})


def delivery_steps(setup: Setup) -> dict[str, Step]:
    say("4. one new delivery end to end (justice-warehouse build) against a full build")
    steps = {}
    for name, (prepare_run, command) in deliveries.prepare(
        setup.workdir, setup.scale, lambda command: measure(command, setup.env())
    ).items():
        # once each: every run is a whole pipeline (extract checks, dbt, validation, publish)
        steps[name] = repeat_step(setup, name.replace("_", " "), prepare_run, command, runs=1)
    return steps


_HELD_BACK = "benchmark_held_back"


ADD_HELD_BACK = f"insert into main.probation_appointments select * from main.{_HELD_BACK}"


def previous_extract(setup: Setup, base: Path, full_args: list[str]) -> tuple[Path, str]:
    """The warehouse as built a month ago: every record changed since the last month began
    (that month's appointments, and corrections of earlier ones) held back."""
    previous = setup.workdir / "previous.duckdb"
    shutil.copyfile(base, previous)
    with duckdb.connect(str(previous)) as connection:
        (new_month,) = connection.execute(
            "select cast(date_trunc('month', max(appointment_date)) as date) "
            "from main.probation_appointments"
        ).fetchall()[0]
        held_back = f"record_updated_at >= timestamp '{new_month}'"
        connection.execute(
            f"create or replace table main.{_HELD_BACK} as "
            f"select * from main.probation_appointments where {held_back}"
        )
        connection.execute(f"delete from main.probation_appointments where {held_back}")
        connection.execute("checkpoint")
    fresh_work(previous, setup.work)
    measure(dbt_command(setup.root, full_args), setup.env())
    shutil.copyfile(setup.work, previous)
    return previous, str(new_month)
