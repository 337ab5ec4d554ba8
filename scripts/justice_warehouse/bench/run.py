"""``justice-warehouse benchmark``: run every step at one scale and gather the ratios
against raw DuckDB; also the child-process entry points the steps start.
"""

from __future__ import annotations

import shutil
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from justice_warehouse.bench.harness import (
    Setup,
    Step,
    dbt_command,
    fresh_work,
    machine_facts,
    measure,
    met,
    run_plan,
    say,
    sql_runner,
    targets,
    write_plan,
)
from justice_warehouse.bench.plans import compiled_plan, validation_plan
from justice_warehouse.bench.series import delivery_series
from justice_warehouse.bench.steps import (
    ADD_HELD_BACK,
    build_step_seconds,
    delivery_steps,
    end_to_end_steps,
    generate_and_load,
    load_base,
    previous_extract,
    raw_load_step,
    repeat_step,
)
from justice_warehouse.build.dbt import dbt_build_args
from justice_warehouse.core.paths import project_dir
from justice_warehouse.core.settings import Settings


def run_benchmark(
    root: Path, workdir: Path, scale_name: str, runs: int, settings: Settings
) -> dict[str, Any]:
    setup = Setup(root, workdir, scale_name, runs)
    workdir.mkdir(parents=True, exist_ok=True)
    base, rows, loaded = generate_and_load(setup)
    raw_load = raw_load_step(setup)
    full_args = dbt_build_args(published_figures_apply=False, full_refresh=True)
    incremental_args = dbt_build_args(published_figures_apply=False, full_refresh=False)
    steps: dict[str, Step] = {
        "extract_load": Step("extract_load", [loaded]),
        "raw_load": raw_load,
    }

    say("1. dbt build (full refresh) against its compiled SQL in one DuckDB connection")
    steps["dbt_build"] = repeat_step(
        setup, "dbt build", lambda: fresh_work(base, setup.work), dbt_command(root, full_args)
    )
    built = workdir / "built.duckdb"
    shutil.copyfile(setup.work, built)
    compiled = compiled_plan(root, setup.target, built)
    plan = write_plan(workdir / "compiled_plan.json", compiled)
    steps["raw_build"] = repeat_step(
        setup, "raw SQL", lambda: fresh_work(base, setup.work), sql_runner(setup.work, plan)
    )
    nothing = [*full_args, "--select", "tag:benchmark_selects_nothing"]
    steps["dbt_startup"] = repeat_step(
        setup, "dbt start-up", lambda: None, dbt_command(root, nothing)
    )

    say("2. justice-warehouse validate against the same checks as plain SQL")
    checks = validation_plan(built)
    check_plan = write_plan(workdir / "validation_plan.json", checks)
    validate = [
        sys.executable,
        "-m",
        "justice_warehouse.cli",
        "validate",
        "--warehouse",
        str(setup.work),
        "--gx-dir",
        str(workdir / "gx"),
    ]
    steps["validate"] = repeat_step(
        setup, "validate", lambda: fresh_work(built, setup.work), validate
    )
    steps["raw_validate"] = repeat_step(
        setup,
        "plain SQL checks",
        lambda: fresh_work(built, setup.work),
        sql_runner(setup.work, check_plan),
    )

    say("3. incremental dbt build after one new month against the full build")
    previous, new_month = previous_extract(setup, base, full_args)
    add_month = write_plan(workdir / "add_month.json", [ADD_HELD_BACK])

    def prepare_incremental() -> None:
        fresh_work(previous, setup.work)
        measure(sql_runner(setup.work, add_month))

    steps["incremental_build"] = repeat_step(
        setup, "incremental dbt build", prepare_incremental, dbt_command(root, incremental_args)
    )
    steps.update(delivery_steps(setup))
    steps.update(end_to_end_steps(setup))
    checked = [sql for sql in checks if not sql.startswith("create temp table")]
    return _report(setup, rows, steps, len(compiled), len(checked), new_month, settings)


def rerun_delivery_steps(
    root: Path, workdir: Path, scale_name: str, stored: dict[str, Any]
) -> dict[str, Any]:
    """Measure only the end-to-end delivery steps and add them to a stored result (for a
    scale whose other steps were measured in an earlier run); says when each was measured."""
    setup = Setup(root, workdir, scale_name, 1)
    workdir.mkdir(parents=True, exist_ok=True)
    steps = delivery_steps(setup)
    result = dict(stored)
    result["steps"] = {**stored["steps"], **{name: s.to_json() for name, s in steps.items()}}
    result["deliveries_measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    ratio = steps["one_delivery"].median_seconds / steps["full_build"].median_seconds
    result["delivery_step_seconds"] = delivery_step_seconds(workdir)
    result["ratios"] = {
        **stored["ratios"],
        "delivery_ratio": round(ratio, 3),
        "delivery_dbt_ratio": incremental_dbt_ratio(result["delivery_step_seconds"]),
    }
    peak = max(step["peak_mib"] for step in result["steps"].values()) / 1024
    result["ratios"]["peak_memory_gib"] = round(peak, 3)
    result["targets"] = targets(scale_name)
    result["met"] = met(result["ratios"], result["targets"])
    return result


def add_series(
    root: Path, workdir: Path, scale_name: str, stored: dict[str, Any], count: int
) -> dict[str, Any]:
    """Measure the delivery series (series.py) and add it to a stored result."""
    setup = Setup(root, workdir, scale_name, 1)
    workdir.mkdir(parents=True, exist_ok=True)
    result = dict(stored)
    result["series"] = delivery_series(setup, count)
    result["series_measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    if result["series"]["last_to_second"] is not None:
        result["ratios"] = {
            **stored["ratios"],
            "series_last_to_second": result["series"]["last_to_second"],
        }
    result["targets"] = targets(scale_name)
    result["met"] = met(result["ratios"], result["targets"])
    return result


def delivery_step_seconds(workdir: Path) -> dict[str, dict[str, float]]:
    """Each step's seconds in the two end-to-end delivery builds, as each build recorded them
    (a monthly delivery's dbt step is the incremental dbt build an operator runs)."""
    return {name: build_step_seconds(workdir / name) for name in ("full_build", "one_delivery")}


def incremental_dbt_ratio(step_seconds: dict[str, dict[str, float]]) -> float:
    """The dbt step of one new delivery's build against that of the full build of both."""
    return round(step_seconds["one_delivery"]["dbt"] / step_seconds["full_build"]["dbt"], 3)


def _report(
    setup: Setup,
    rows: dict[str, int],
    steps: dict[str, Step],
    statements: int,
    checks: int,
    new_month: str,
    settings: Settings,
) -> dict[str, Any]:
    build = steps["dbt_build"].median_seconds
    peak = max(step.peak_mib for step in steps.values()) / 1024
    fact_full = statistics.median(steps["dbt_build"].fact_seconds)
    fact_incremental = statistics.median(steps["incremental_build"].fact_seconds)
    anchors = sum(steps[name].median_seconds for name in ("raw_load", "raw_build", "raw_validate"))
    ratios = {
        "load_ratio": steps["extract_load"].median_seconds / steps["raw_load"].median_seconds,
        "build_ratio": build / steps["raw_build"].median_seconds,
        "validation_ratio": steps["validate"].median_seconds / steps["raw_validate"].median_seconds,
        "incremental_ratio": steps["incremental_build"].median_seconds / build,
        "delivery_dbt_ratio": incremental_dbt_ratio(delivery_step_seconds(setup.workdir)),
        "delivery_ratio": steps["one_delivery"].median_seconds / steps["full_build"].median_seconds,
        "end_to_end_ratio": steps["end_to_end_build"].median_seconds / anchors,
        "bundled_build_seconds": steps["bundled_build"].median_seconds,
        "peak_memory_gib": peak,
    }
    wanted = targets(setup.scale)
    return {
        "scale": setup.scale,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "runs": setup.runs,
        "rows": rows,
        "new_month": new_month,
        "compiled_statements": statements,
        "validation_checks": checks,
        "machine": machine_facts(settings),
        "steps": {name: step.to_json() for name, step in steps.items()},
        "dbt_build_without_startup_seconds": round(build - steps["dbt_startup"].median_seconds, 3),
        "ratios": {name: round(value, 3) for name, value in ratios.items()},
        # Not a target: the incremental model alone (dbt's own timing), new month vs full.
        "fact_model_incremental_ratio": round(fact_incremental / fact_full, 3),
        "raw_anchors_seconds": round(anchors, 3),
        "end_to_end_step_seconds": build_step_seconds(setup.workdir / "end_to_end_build"),
        "delivery_step_seconds": delivery_step_seconds(setup.workdir),
        "targets": wanted,
        "met": met(ratios, wanted),
    }


def main(argv: list[str]) -> int:
    """Child-process entry points: ``--load BASE EXTRACTS`` or ``DATABASE PLAN``."""

    settings = Settings.from_env()  # a child process: its own command line
    if argv[0] == "--load":
        load_base(Path(argv[1]), Path(argv[2]), project_dir(settings.project_dir), settings)
    else:
        run_plan(Path(argv[0]), Path(argv[1]), settings)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
