"""Failed candidates: kept for inspection, within a bound.

A failed build's candidate moves to ``failed/<build id>/`` with ``reason.txt`` and
``rejected_rows.csv`` (the rows its extract checks rejected, by file, column and reason).
Only the newest ``keep`` failures (``JW_KEEP_FAILED``, default 2) stay in full; older ones
are reduced to those two files plus ``reduced.txt``, which says when and how much was freed.
A candidate is reduced at once, whatever ``keep`` says, when it failed for lack of space or
when keeping it would leave less free space than a build needs.
"""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from justice_warehouse.operate import space

REASON = "reason.txt"
REJECTED = "rejected_rows.csv"
REDUCED = "reduced.txt"
KEPT_WHEN_REDUCED = (REASON, REJECTED, REDUCED)
_REJECTED_COLUMNS = ("source_file", "column_name", "reason", "rows", "first_line")


def rejected_summary(candidate: Path, build_id: str) -> list[tuple[object, ...]]:
    """The rows the build rejected, counted by file, column and reason (no row values)."""
    if not candidate.is_file():
        return []
    try:
        with duckdb.connect(str(candidate), read_only=True) as connection:
            return connection.execute(
                "select source_file, column_name, reason, count(*), min(line_number) "
                "from audit.rejected_rows where build_id = ? group by all order by all",
                [build_id],
            ).fetchall()
    except duckdb.Error:  # no audit table yet, or a candidate DuckDB cannot open
        return []


def _write_rejected(folder: Path, rows: list[tuple[object, ...]]) -> None:
    with (folder / REJECTED).open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(_REJECTED_COLUMNS)
        writer.writerows(rows)


def is_reduced(folder: Path) -> bool:
    return (folder / REDUCED).is_file()


def reduce(folder: Path, why: str) -> int:
    """Remove everything in ``folder`` but its reason and rejected rows; return bytes freed."""
    freed = 0
    for child in folder.iterdir():
        if child.name in KEPT_WHEN_REDUCED:
            continue
        freed += space.disk_used(child) if child.is_dir() else child.stat().st_blocks * 512
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    (folder / REDUCED).write_text(f"reduced {stamp}: {why}; {space.mib(freed)} freed\n")
    return freed


def keep_failed(
    directory: Path,
    workdir: Path,
    build_id: str,
    reason: str,
    reduce_now: str | None,
    keep: int,
) -> Path:
    """Move the candidate ``workdir`` to failed/<build id>/ with its reason, reduced at once
    when ``reduce_now`` says why, then apply the retention rule to every failed folder."""
    rejected = rejected_summary(workdir / "justice.duckdb", build_id)
    failed = directory / "failed" / build_id
    failed.parent.mkdir(parents=True, exist_ok=True)
    if reduce_now:
        reduce(workdir, reduce_now)  # before anything is written: the disk may be full
    shutil.move(str(workdir), failed)
    try:
        (failed / REASON).write_text(reason + "\n")
        _write_rejected(failed, rejected)
    except OSError:  # a full disk: the reason is still printed and in last_run.json
        pass
    enforce(directory / "failed", keep)
    return failed


def enforce(failed_dir: Path, keep: int) -> list[Path]:
    """Reduce every failed folder kept in full but the newest ``keep``; return those reduced."""
    if not failed_dir.is_dir():
        return []
    full = sorted(
        (folder for folder in failed_dir.iterdir() if folder.is_dir() and not is_reduced(folder)),
        key=lambda folder: folder.stat().st_mtime,
    )
    stale = full[: max(len(full) - keep, 0)]
    for folder in stale:
        reduce(folder, f"older than the newest {keep} failed builds kept in full")
    return stale


def counts(failed_dir: Path) -> tuple[int, int]:
    """(kept in full, reduced) among the failed folders."""
    if not failed_dir.is_dir():
        return 0, 0
    folders = [folder for folder in failed_dir.iterdir() if folder.is_dir()]
    reduced = sum(is_reduced(folder) for folder in folders)
    return len(folders) - reduced, reduced
