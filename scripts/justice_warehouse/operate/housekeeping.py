"""What a build does around its steps: stop what a killed build left running, keep a failed
candidate within the retention rule, and report the disk a warehouse folder uses."""

from __future__ import annotations

from pathlib import Path

from justice_warehouse.core import processes
from justice_warehouse.core.layout import REPORTING_NAME, WAREHOUSE_NAME
from justice_warehouse.operate import retention, space


def disk_report(directory: Path) -> str:
    """What versions/ and failed/ occupy beyond the published files, and the free space."""
    published = [directory / WAREHOUSE_NAME, directory / REPORTING_NAME]
    versions_dir = directory / "versions"
    versions = len([p for p in versions_dir.glob("*") if p.is_dir()])
    full, reduced = retention.counts(directory / "failed")
    return (
        f"disk: versions/ {space.mib(space.disk_used(versions_dir, published))} "
        f"({versions} kept), failed/ {space.mib(space.disk_used(directory / 'failed'))} "
        f"({full} in full, {reduced} reduced); "
        f"{space.gib(space.free_bytes(directory))} free in {directory}"
    )


def stop_leftovers(directory: Path) -> None:
    """Stop the processes a killed build in ``directory`` left running."""
    found = processes.leftovers(directory)
    for leftover in found:
        print(f"stopping a leftover {leftover.text()}", flush=True)
    processes.stop(found)


def keep_failed(
    directory: Path,
    workdir: Path,
    build_id: str,
    error: BaseException,
    needed: int,
    out_of_space: bool,
    keep: int,
) -> Path:
    """Move a failed candidate under failed/, reduced to its reason when space is short."""
    reduce_now = None
    if out_of_space:
        reduce_now = "the build ran out of disk space"
    elif space.free_bytes(directory) < needed:
        reduce_now = f"keeping it would leave less than the {space.gib(needed)} a build needs"
    return retention.keep_failed(directory, workdir, build_id, str(error), reduce_now, keep)


def kept_text(folder: Path) -> str:
    """Where a failed candidate was kept, as the build's message says it."""
    if retention.is_reduced(folder):
        note = (folder / retention.REDUCED).read_text().strip()
        return f"candidate reduced to its reason in {folder} ({note})"
    return f"candidate kept in {folder}"
