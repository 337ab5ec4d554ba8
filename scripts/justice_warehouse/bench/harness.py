"""The benchmark's harness: a timed command with its peak memory, the steps and their
targets, and the machine the figures were measured on.
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
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb

from justice_warehouse.core.settings import Settings

WORK_NAME = "work.duckdb"  # every timed run uses this path, so catalog names match


FACT_MODEL = "model.justice_warehouse.fct_probation_appointments"


TARGETS = {
    "load_ratio": 1.5,
    "build_ratio": 1.3,
    "validation_ratio": 2.0,
    "incremental_ratio": 0.1,
    # the dbt step of the one-new-delivery build against the full build's (both end to end)
    "delivery_dbt_ratio": 0.1,
    "delivery_ratio": 0.1,
    "end_to_end_ratio": None,  # reported, no target set
    "bundled_build_seconds": 10.0,
    "peak_memory_gib": 4.0,
    # the last of the delivery series against its second (series.py): flat, not growing
    "series_last_to_second": 1.2,
}


# Where a scale's target is tighter (the larger the data, the smaller dbt's fixed costs).
SCALE_TARGETS = {
    "london": {"delivery_ratio": 0.25},
    "national": {"build_ratio": 1.1, "validation_ratio": 1.5},
}


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


def dbt_command(root: Path, args: list[str]) -> list[str]:
    return [sys.executable, "-m", "dbt.cli.main", *args, "--project-dir", str(root), "--quiet"]


def sql_runner(database: Path, plan: Path) -> list[str]:
    return [sys.executable, "-m", "justice_warehouse.bench.run", str(database), str(plan)]


def run_plan(database: Path, plan: Path, settings: Settings) -> None:
    """In a child: execute each statement of ``plan`` in order in one connection."""
    statements = json.loads(plan.read_text())
    with duckdb.connect(str(database), config=settings.duckdb_config(database)) as connection:
        for statement in statements:
            connection.execute(statement).fetchall()


def write_plan(path: Path, statements: list[str]) -> Path:
    path.write_text(json.dumps(statements))
    return path


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


def say(message: str) -> None:
    print(message, flush=True)


def fresh_work(source: Path, work: Path) -> None:
    shutil.rmtree(f"{work}.tmp", ignore_errors=True)
    shutil.copyfile(source, work)


def machine_facts(settings: Settings) -> dict[str, Any]:
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
