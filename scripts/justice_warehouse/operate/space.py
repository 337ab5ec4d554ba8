"""Disk space: what a build needs, what the folders hold, and a check before anything is written.

A build writes a candidate beside the published warehouse: a copy of the published file (or a
new one), grown by the extracts it loads and by dbt's rebuilt tables, then the reporting file
and its Parquet exports. Measured on the bundled data (2026-12-02): a first build peaked at
4.8 times the extracts' size in the warehouse folder; an incremental one at 1.6 times the
published file plus the extracts. The estimate below covers both with room to spare:

    warehouse folder: 2 x published file + 5 x extracts
    temp directory:   1 x (published file + extracts), what DuckDB may spill

(summed when both are on one filesystem), times ``JW_SPACE_FACTOR`` (default 1; 0 turns the
check off). DuckDB's ``max_temp_directory_size`` is then set to at least the temp share and at
most half the space the build leaves free, so a spilling query cannot take the whole disk.
"""

from __future__ import annotations

import errno
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PER_PUBLISHED_BYTE = 2.0
PER_EXTRACT_BYTE = 5.0
TEMP_PER_INPUT_BYTE = 1.0
# Words by which DuckDB, dbt and the OS say a write failed for lack of space.
OUT_OF_SPACE_WORDS = ("no space left on device", "max_temp_directory_size", "disk is full")


class NotEnoughSpace(Exception):
    """The free space of a folder is less than the build needs."""


@dataclass(frozen=True)
class SpaceNeed:
    directory: Path
    needed: int
    free: int

    @property
    def is_met(self) -> bool:
        return self.free >= self.needed

    def text(self) -> str:
        return f"needs {gib(self.needed)}, {gib(self.free)} free in {self.directory}"


def _power_of_two_below(size: int) -> int:
    return 1 << (size.bit_length() - 1) if size > 0 else 0


def gib(size: float) -> str:
    return f"{size / 2**30:.2f} GiB"


def mib(size: float) -> str:
    return f"{size / 2**20:.1f} MiB"


def free_bytes(directory: Path) -> int:
    return shutil.disk_usage(_existing(directory)).free


def _existing(path: Path) -> Path:
    """The path, or its nearest existing parent (a temp folder may not exist yet)."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def same_filesystem(one: Path, other: Path) -> bool:
    return _existing(one).stat().st_dev == _existing(other).stat().st_dev


def files_size(paths: Iterable[Path]) -> int:
    """Bytes of the files at or below ``paths`` (links followed: what a build reads)."""
    total = 0
    for path in paths:
        if path.is_file():
            total += path.stat().st_size
        elif path.is_dir():
            total += sum(
                file.stat().st_size for file in path.resolve().rglob("*") if file.is_file()
            )
    return total


def disk_used(directory: Path, exclude: Iterable[Path] = ()) -> int:
    """Bytes the files below ``directory`` occupy on disk, each inode once, leaving out the
    inodes of ``exclude`` (the published files that versions/ hard-link)."""
    if not directory.is_dir():
        return 0
    seen = {(p.stat().st_dev, p.stat().st_ino) for p in exclude if p.is_file()}
    total = 0
    for file in directory.rglob("*"):
        if file.is_symlink() or not file.is_file():
            continue
        stat = file.stat()
        if (stat.st_dev, stat.st_ino) in seen:
            continue
        seen.add((stat.st_dev, stat.st_ino))
        total += stat.st_blocks * 512
    return total


@dataclass(frozen=True)
class BuildSpace:
    """What a build needs where it writes, and the spill cap that follows."""

    needs: list[SpaceNeed]
    temp_share: int

    def check(self) -> None:
        short = [need for need in self.needs if not need.is_met]
        if short:
            raise NotEnoughSpace("not enough disk space: " + "; ".join(n.text() for n in short))

    @property
    def max_temp_size(self) -> str:
        """DuckDB's spill cap: half of what the build leaves free on the temp filesystem (the
        last entry), and at least the temp share the check reserved, each rounded down to a
        power of two. dbt takes it in an on-run-start hook (macros/spill_cap.sql), not in
        its profile, so a cap that differs from the last build's leaves dbt's parse valid."""
        temp = self.needs[-1]
        left = max(temp.free - temp.needed, 0)
        cap = max(_power_of_two_below(left // 2), _power_of_two_below(self.temp_share), 2**20)
        return f"{cap // 2**20}MiB"


def build_space(
    warehouse_dir: Path, temp_dir: Path, published_size: int, extracts_size: int, factor: float
) -> BuildSpace:
    """What the build needs in its warehouse folder and temp directory (one entry when they
    share a filesystem)."""
    in_warehouse = int(
        factor * (PER_PUBLISHED_BYTE * published_size + PER_EXTRACT_BYTE * extracts_size)
    )
    in_temp = int(factor * TEMP_PER_INPUT_BYTE * (published_size + extracts_size))
    if same_filesystem(warehouse_dir, temp_dir):
        found = [SpaceNeed(warehouse_dir, in_warehouse + in_temp, free_bytes(warehouse_dir))]
    else:
        found = [
            SpaceNeed(warehouse_dir, in_warehouse, free_bytes(warehouse_dir)),
            SpaceNeed(_existing(temp_dir), in_temp, free_bytes(temp_dir)),
        ]
    return BuildSpace(found, in_temp)


def is_out_of_space(error: BaseException) -> bool:
    """Whether a failure (or one it was raised from) was a write that found no space."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno == errno.ENOSPC:
            return True
        if any(word in str(current).lower() for word in OUT_OF_SPACE_WORDS):
            return True
        current = current.__cause__ or current.__context__
    return False
