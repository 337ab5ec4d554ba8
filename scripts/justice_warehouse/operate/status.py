"""``justice-warehouse status``: is the warehouse healthy, for a scheduler and an operator.

Prints the published build and its age, the last run's outcome and reason, what versions/
and failed/ occupy and the free space, and any process an earlier build left running.

Exit codes: 0 healthy; 1 the last run failed or was killed; 2 nothing is published (or the
warehouse folder cannot be read, or a published file cannot be read whole: damaged); 3 the
published build is older than the allowed age (a silent stop). When several apply, the
lowest non-zero code wins.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from justice_warehouse.core import processes, runs
from justice_warehouse.core.layout import WAREHOUSE_NAME, read_manifest
from justice_warehouse.operate.housekeeping import disk_report
from justice_warehouse.operate.soundness import published_damage

HEALTHY, LAST_RUN_FAILED, NOTHING_PUBLISHED, STALE = 0, 1, 2, 3
REASON_LINES = 3


@dataclass
class Status:
    lines: list[str] = field(default_factory=list)
    problems: set[int] = field(default_factory=set)
    damaged: bool = False

    @property
    def exit_code(self) -> int:
        return min(self.problems) if self.problems else HEALTHY


def _is_running(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"justice" in command


def _age_hours(stamp: str, now: datetime) -> float:
    return (now - datetime.fromisoformat(stamp)).total_seconds() / 3600


def _published(directory: Path, max_age_hours: float, now: datetime, status: Status) -> None:
    manifest = read_manifest(directory)
    if not (directory / WAREHOUSE_NAME).is_file() or not manifest:
        status.lines.append(f"published: nothing published in {directory}")
        status.problems.add(NOTHING_PUBLISHED)
        return
    damaged = published_damage(directory)
    if damaged:
        status.lines.append(f"DAMAGED: {damaged}")
        status.problems.add(NOTHING_PUBLISHED)
        status.damaged = True
    age = _age_hours(manifest["published_at"], now)
    status.lines.append(
        f"published: build {manifest['build_id']} at {manifest['published_at']} "
        f"({age:.1f} h ago; allowed {max_age_hours:g} h), from {manifest.get('source')}"
    )
    if age > max_age_hours:
        status.lines.append(
            f"STALE: the published build is {age:.1f} h old, more than {max_age_hours:g} h"
        )
        status.problems.add(STALE)


def _last_run(directory: Path, status: Status) -> None:
    record = runs.read(directory)
    if record is None:
        status.lines.append("last run: none recorded")
        return
    outcome = record["outcome"]
    if outcome == "running":
        if _is_running(record["pid"]):
            status.lines.append(
                f"last run: build {record['build_id']} running since {record['started_at']} "
                f"(process {record['pid']})"
            )
            return
        outcome = "killed"
        reason = f"process {record['pid']} ended without recording an outcome (killed?)"
        status.problems.add(LAST_RUN_FAILED)
    else:
        reason = (record.get("reason") or "").strip()
        if outcome != "published":
            status.problems.add(LAST_RUN_FAILED)
    ended = record.get("finished_at") or record["started_at"]
    status.lines.append(
        f"last run: build {record['build_id']} {outcome} at {ended}"
        + (f" (exit {record['exit_code']})" if "exit_code" in record else "")
    )
    lines = reason.splitlines()
    for line in lines[:REASON_LINES]:
        status.lines.append(f"  reason: {line.strip()}")
    if len(lines) > REASON_LINES:
        status.lines.append(f"  ... ({len(lines) - REASON_LINES} more lines in last_run.json)")


def status(warehouse: Path, max_age_hours: float, now: datetime | None = None) -> Status:
    now = now or datetime.now(UTC)
    directory = warehouse.parent
    result = Status()
    if not directory.is_dir() or not os.access(directory, os.R_OK | os.X_OK):
        result.lines.append(f"published: cannot read {directory}")
        result.problems.add(NOTHING_PUBLISHED)
        return result
    _published(directory, max_age_hours, now, result)
    _last_run(directory, result)
    result.lines.append(disk_report(directory))
    found = processes.leftovers(directory)
    result.lines += [f"LEFTOVER {leftover.text()}" for leftover in found] or [
        "leftover processes: none"
    ]
    verdict = {
        HEALTHY: "healthy",
        LAST_RUN_FAILED: "the last run failed",
        NOTHING_PUBLISHED: "nothing published",
        STALE: "the published build is stale",
    }
    if result.damaged:
        verdict[NOTHING_PUBLISHED] = "the published warehouse is damaged"
    result.lines.append(f"status: {verdict[result.exit_code]}; exit code {result.exit_code}")
    return result
