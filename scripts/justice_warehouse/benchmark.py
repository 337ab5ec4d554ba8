"""Benchmark: the warehouse against raw DuckDB on the same machine, in one run.

``justice-warehouse benchmark --scale london`` (``make bench``) generates a synthetic extract
set, loads it once, then measures each step ``--runs`` times (median reported), every step in
its own child process so its wall time and peak memory (``ru_maxrss``) are its own:

0. the extract check and load against a raw DuckDB load of the same files (``create table
   as select * from read_parquet(...)`` / ``read_csv``, one connection, same settings);
1. ``dbt build --full-refresh`` against the same SQL dbt compiled (seeds, models, data and
   unit tests, in dbt's order) run directly in one DuckDB connection; dbt's fixed start-up
   cost is a ``dbt build`` that selects nothing;
2. ``justice-warehouse validate`` against the same checks as plain DuckDB SQL;
3. an incremental ``dbt build`` after one new month of appointments against the full build;
4. one new monthly delivery through the whole pipeline (``justice-warehouse build``: extract
   checks of the delivery, dbt, validation, publish) against a full build of the same
   deliveries (``benchmark_deliveries``), once each;
5. the whole ``justice-warehouse build`` of the extract set, end to end, against the sum of
   the three raw anchors (load, dbt's SQL, the checks), with each of its steps (publish
   among them) as the build reports them; and the bundled ``make build`` after set-up;
6. peak memory of each step.

Results go to ``docs/benchmarks/<scale>.json`` and the table in ``docs/benchmarks.md``
(``benchmark_report``); the plain-SQL anchors are built by ``benchmark_plans``. The benchmark
is a tool beside the pipeline: nothing in a build imports it.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb

from justice_warehouse import benchmark_deliveries, extracts, scale
from justice_warehouse.benchmark_plans import compiled_plan, validation_plan
from justice_warehouse.dbt import dbt_build_args
from justice_warehouse.settings import Settings
from justice_warehouse.storage import create_compatible_file

WORK_NAME = "work.duckdb"  # every timed run uses this path, so catalog names match
FACT_MODEL = "model.justice_warehouse.fct_probation_appointments"
TARGETS = {
    "load_ratio": 1.5,
    "build_ratio": 1.3,
    "validation_ratio": 2.0,
    "incremental_ratio": 0.1,
    "delivery_ratio": 0.1,
    "end_to_end_ratio": None,  # reported, no target set
    "bundled_build_seconds": 10.0,
    "peak_memory_gib": 4.0,
}
# Where a scale's target is tighter (the larger the data, the smaller dbt's fixed costs).
SCALE_TARGETS = {"national": {"build_ratio": 1.1, "validation_ratio": 1.5}}


def targets(scale_name: str) -> dict[str, float | None]:
    return {**TARGETS, **SCALE_TARGETS.get(scale_name, {})}


def met(ratios: dict[str, float], wanted: dict[str, float | None]) -> dict[str, bool | None]:
    return {
        name: None if wanted.get(name) is None else value <= wanted[name]  # type: ignore[operator]
        for name, value in ratios.items()
    }


PACKAGES = ("duckdb", "dbt-core", "dbt-duckdb", "great-expectations")


@dataclass(frozen=True)
class Measure:
    seconds: float
    peak_mib: float
    output: str = field(default="", repr=False, compare=False)


@dataclass
class Step:
    name: str
    runs: list[Measure]
    # dbt steps: seconds dbt reports for the incremental model itself, run by run
    fact_seconds: list[float] = field(default_factory=list)

    @property
    def median_seconds(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    @property
    def peak_mib(self) -> float:
        return max(run.peak_mib for run in self.runs)

    def to_json(self) -> dict[str, Any]:
        result = {
            "median_seconds": round(self.median_seconds, 3),
            "peak_mib": round(self.peak_mib, 1),
            "runs_seconds": [round(run.seconds, 3) for run in self.runs],
        }
        if self.fact_seconds:
            result["fact_model_median_seconds"] = round(statistics.median(self.fact_seconds), 3)
        return result


def measure(command: list[str], env: dict[str, str] | None = None) -> Measure:
    """Run ``command``; its wall time and the peak resident memory of it and its children."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command[:6])} ... exited {process.returncode}:\n{output[-3000:]}"
        )
    return Measure(seconds, usage.ru_maxrss / 1024, output)


def _dbt_env(root: Path, database: Path, target: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "DBT_PROFILES_DIR": str(root),
            "JW_DUCKDB_PATH": str(database),
            "DBT_TARGET_PATH": str(target),
            "DBT_LOG_PATH": str(target / "logs"),
        }
    )
    return env


def _dbt(root: Path, args: list[str]) -> list[str]:
    return [sys.executable, "-m", "dbt.cli.main", *args, "--project-dir", str(root), "--quiet"]


def _sql_runner(database: Path, plan: Path) -> list[str]:
    return [sys.executable, "-m", "justice_warehouse.benchmark", str(database), str(plan)]


def run_plan(database: Path, plan: Path, settings: Settings) -> None:
    """In a child: execute each statement of ``plan`` in order in one connection."""
    statements = json.loads(plan.read_text())
    with duckdb.connect(str(database), config=settings.duckdb_config(database)) as connection:
        for statement in statements:
            connection.execute(statement).fetchall()


def _write_plan(path: Path, statements: list[str]) -> Path:
    path.write_text(json.dumps(statements))
    return path


# --- the benchmark ------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    root: Path
    workdir: Path
    scale: str
    runs: int

    @property
    def work(self) -> Path:
        return self.workdir / WORK_NAME

    @property
    def target(self) -> Path:
        return self.workdir / "target"

    def env(self) -> dict[str, str]:
        return _dbt_env(self.root, self.work, self.target)


def _say(message: str) -> None:
    print(message, flush=True)


def _fresh_work(source: Path, work: Path) -> None:
    shutil.rmtree(f"{work}.tmp", ignore_errors=True)
    shutil.copyfile(source, work)


def _generate_and_load(setup: Setup) -> tuple[Path, dict[str, int], Measure]:
    extracts_dir = setup.workdir / "extracts"
    stamp = extracts_dir / "generated.json"
    wanted = {"scale": setup.scale, "seed": scale.generate.DEFAULT_SEED}
    if not stamp.is_file() or json.loads(stamp.read_text()) != wanted:
        _say(f"generating the {setup.scale} extract set in {extracts_dir}")
        shutil.rmtree(extracts_dir, ignore_errors=True)
        scale.write_extracts(extracts_dir, setup.scale)
        stamp.write_text(json.dumps(wanted))
    base = setup.workdir / "base.duckdb"
    _say("loading the extracts (the build's step 1)")
    loaded = measure(
        [
            sys.executable,
            "-m",
            "justice_warehouse.benchmark",
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
        extracts.load_extracts(connection, extracts_dir, root / "seeds", "benchmark")
        connection.execute("checkpoint")


def _node_seconds(target: Path, unique_id: str) -> list[float]:
    """What dbt's run_results.json reports for one node (empty when it did not run)."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    return [r["execution_time"] for r in results if r["unique_id"] == unique_id]


def _repeat(
    setup: Setup, name: str, prepare: Any, command: list[str], runs: int | None = None
) -> Step:
    step = Step(name, [])
    for run in range(runs or setup.runs):
        prepare()
        result = measure(command, setup.env())
        step.runs.append(result)
        if "dbt.cli.main" in command:
            step.fact_seconds += _node_seconds(setup.target, FACT_MODEL)
        _say(f"  {name} run {run + 1}: {result.seconds:.2f} s, {result.peak_mib:.0f} MiB")
    return step


def run_benchmark(
    root: Path, workdir: Path, scale_name: str, runs: int, settings: Settings
) -> dict[str, Any]:
    setup = Setup(root, workdir, scale_name, runs)
    workdir.mkdir(parents=True, exist_ok=True)
    base, rows, loaded = _generate_and_load(setup)
    raw_load = _raw_load_step(setup)
    full_args = dbt_build_args(published_figures_apply=False, full_refresh=True)
    incremental_args = dbt_build_args(published_figures_apply=False, full_refresh=False)
    steps: dict[str, Step] = {
        "extract_load": Step("extract_load", [loaded]),
        "raw_load": raw_load,
    }

    _say("1. dbt build (full refresh) against its compiled SQL in one DuckDB connection")
    steps["dbt_build"] = _repeat(
        setup, "dbt build", lambda: _fresh_work(base, setup.work), _dbt(root, full_args)
    )
    built = workdir / "built.duckdb"
    shutil.copyfile(setup.work, built)
    compiled = compiled_plan(root, setup.target, built)
    plan = _write_plan(workdir / "compiled_plan.json", compiled)
    steps["raw_build"] = _repeat(
        setup, "raw SQL", lambda: _fresh_work(base, setup.work), _sql_runner(setup.work, plan)
    )
    nothing = [*full_args, "--select", "tag:benchmark_selects_nothing"]
    steps["dbt_startup"] = _repeat(setup, "dbt start-up", lambda: None, _dbt(root, nothing))

    _say("2. justice-warehouse validate against the same checks as plain SQL")
    checks = validation_plan(built)
    check_plan = _write_plan(workdir / "validation_plan.json", checks)
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
    steps["validate"] = _repeat(setup, "validate", lambda: _fresh_work(built, setup.work), validate)
    steps["raw_validate"] = _repeat(
        setup,
        "plain SQL checks",
        lambda: _fresh_work(built, setup.work),
        _sql_runner(setup.work, check_plan),
    )

    _say("3. incremental dbt build after one new month against the full build")
    previous, new_month = _previous_extract(setup, base, full_args)
    add_month = _write_plan(workdir / "add_month.json", [_ADD_HELD_BACK])

    def prepare_incremental() -> None:
        _fresh_work(previous, setup.work)
        measure(_sql_runner(setup.work, add_month))

    steps["incremental_build"] = _repeat(
        setup, "incremental dbt build", prepare_incremental, _dbt(root, incremental_args)
    )
    steps.update(_delivery_steps(setup))
    steps.update(_end_to_end_steps(setup))
    checked = [sql for sql in checks if not sql.startswith("create temp table")]
    return _report(setup, rows, steps, len(compiled), len(checked), new_month, settings)


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


def _raw_load_step(setup: Setup) -> Step:
    database = setup.workdir / "raw_load.duckdb"
    plan = _write_plan(setup.workdir / "raw_load.json", _raw_load_plan(setup.workdir / "extracts"))

    def fresh() -> None:
        database.unlink(missing_ok=True)
        shutil.rmtree(f"{database}.tmp", ignore_errors=True)

    return _repeat(setup, "raw load", fresh, _sql_runner(database, plan))


def _end_to_end_steps(setup: Setup) -> dict[str, Step]:
    """The whole build of the extract set into an empty folder, and the bundled build."""
    _say("5. the whole build end to end, and the bundled build after set-up")
    steps = {}
    for name, extracts_dir in (
        ("end_to_end_build", setup.workdir / "extracts"),
        ("bundled_build", None),
    ):
        folder = setup.workdir / name
        command = benchmark_deliveries.build_command(folder, extracts_dir)

        def fresh(folder: Path = folder) -> None:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)

        runs = 1 if extracts_dir is not None else None
        steps[name] = _repeat(setup, name.replace("_", " "), fresh, command, runs=runs)
    return steps


def build_step_seconds(output: str) -> dict[str, float]:
    """The per-step seconds a build prints last (publish.STEP_SECONDS)."""
    from justice_warehouse.publish import STEP_SECONDS

    for line in reversed(output.splitlines()):
        if line.startswith(STEP_SECONDS):
            pairs = line.removeprefix(STEP_SECONDS).split(",")
            return {name: float(value) for name, value in (pair.split() for pair in pairs if pair)}
    return {}


def _delivery_steps(setup: Setup) -> dict[str, Step]:
    _say("4. one new delivery end to end (justice-warehouse build) against a full build")
    steps = {}
    for name, (prepare_run, command) in benchmark_deliveries.prepare(
        setup.workdir, setup.scale, lambda command: measure(command, setup.env())
    ).items():
        # once each: every run is a whole pipeline (extract checks, dbt, validation, publish)
        steps[name] = _repeat(setup, name.replace("_", " "), prepare_run, command, runs=1)
    return steps


def rerun_delivery_steps(
    root: Path, workdir: Path, scale_name: str, stored: dict[str, Any]
) -> dict[str, Any]:
    """Measure only the end-to-end delivery steps and add them to a stored result (for a
    scale whose other steps were measured in an earlier run); says when each was measured."""
    setup = Setup(root, workdir, scale_name, 1)
    workdir.mkdir(parents=True, exist_ok=True)
    steps = _delivery_steps(setup)
    result = dict(stored)
    result["steps"] = {**stored["steps"], **{name: s.to_json() for name, s in steps.items()}}
    result["deliveries_measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    ratio = steps["one_delivery"].median_seconds / steps["full_build"].median_seconds
    result["ratios"] = {**stored["ratios"], "delivery_ratio": round(ratio, 3)}
    peak = max(step["peak_mib"] for step in result["steps"].values()) / 1024
    result["ratios"]["peak_memory_gib"] = round(peak, 3)
    result["targets"] = targets(scale_name)
    result["met"] = met(result["ratios"], result["targets"])
    return result


_HELD_BACK = "benchmark_held_back"
_ADD_HELD_BACK = f"insert into main.probation_appointments select * from main.{_HELD_BACK}"


def _previous_extract(setup: Setup, base: Path, full_args: list[str]) -> tuple[Path, str]:
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
    _fresh_work(previous, setup.work)
    measure(_dbt(setup.root, full_args), setup.env())
    shutil.copyfile(setup.work, previous)
    return previous, str(new_month)


def _machine(settings: Settings) -> dict[str, Any]:
    memory_kib = 0
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": {name: metadata.version(name) for name in PACKAGES},
        "duckdb_settings": {
            key: value
            for key, value in settings.duckdb_config(Path(WORK_NAME)).items()
            if key != "temp_directory"
        },
    }


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
        "machine": _machine(settings),
        "steps": {name: step.to_json() for name, step in steps.items()},
        "dbt_build_without_startup_seconds": round(build - steps["dbt_startup"].median_seconds, 3),
        "ratios": {name: round(value, 3) for name, value in ratios.items()},
        # Not a target: the incremental model alone (dbt's own timing), new month vs full.
        "fact_model_incremental_ratio": round(fact_incremental / fact_full, 3),
        "raw_anchors_seconds": round(anchors, 3),
        "end_to_end_step_seconds": build_step_seconds(steps["end_to_end_build"].runs[-1].output),
        "targets": wanted,
        "met": met(ratios, wanted),
    }


def main(argv: list[str]) -> int:
    """Child-process entry points: ``--load BASE EXTRACTS`` or ``DATABASE PLAN``."""
    from justice_warehouse.paths import project_dir

    settings = Settings.from_env()  # a child process: its own command line
    if argv[0] == "--load":
        load_base(Path(argv[1]), Path(argv[2]), project_dir(settings.project_dir), settings)
    else:
        run_plan(Path(argv[0]), Path(argv[1]), settings)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
