"""Is what is published sound? A damaged published file is named, with the way back.

A build starts from the published ``justice.duckdb``; BI tools read ``reporting.duckdb``.
When either cannot be read whole (blocks overwritten or truncated on disk: DuckDB's
checksums fail), the build stops before it copies anything, ``status`` says which file is
damaged, and both name the version ``rollback`` would publish, checked the same way first.

A file that holds the bytes its build published is sound without being read whole: that
build wrote and checked them, and the manifest beside the file records their digest
(``as_published``: 1.5 s for the 4.3 GB national file, against about 10 s to read every
column). Any other bytes are read whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from justice_warehouse.core.layout import (
    FILE_DIGESTS,
    REPORTING_NAME,
    WAREHOUSE_NAME,
    read_manifest,
)
from justice_warehouse.core.storage import damage, file_digest

PUBLISHED_FILES = (WAREHOUSE_NAME, REPORTING_NAME)


@dataclass(frozen=True)
class Damage:
    file: Path
    reason: str

    def text(self) -> str:
        return f"{self.file} cannot be read whole: {self.reason}"


def versions(directory: Path) -> list[Path]:
    """The kept versions under ``versions/``, oldest first (rollback takes the last)."""
    versions_dir = directory / "versions"
    if not versions_dir.is_dir():
        return []
    return sorted(path for path in versions_dir.iterdir() if path.is_dir())


def as_published(path: Path, key: str | None = None) -> bool:
    """``path`` holds the bytes its build published: the digest the manifest beside it
    records under ``key`` (by default the file's own key, ``FILE_DIGESTS``)."""
    key = key or FILE_DIGESTS.get(path.name)
    recorded = read_manifest(path.parent).get(key) if key else None
    return recorded is not None and recorded == file_digest(path)


def damaged_files(
    directory: Path, names: tuple[str, ...] = PUBLISHED_FILES, trust_digests: bool = True
) -> list[Damage]:
    """The files of ``names`` in ``directory`` that exist and cannot be read whole; with
    ``trust_digests``, a file ``as_published`` is not read."""
    found = []
    for name in names:
        path = directory / name
        if not path.is_file() or (trust_digests and as_published(path)):
            continue
        if (reason := damage(path)) is not None:
            found.append(Damage(path, reason))
    return found


def way_back(directory: Path) -> str:
    """What an operator can do: roll back to the newest kept version if its files read
    whole, else rebuild every delivery."""
    kept = versions(directory)
    if kept:
        newest = kept[-1]
        bad = damaged_files(newest)
        if not bad:
            return (
                f"`justice-warehouse rollback` publishes build {newest.name} again "
                "(its files were checked just now)"
            )
        return (
            f"the newest kept version is damaged too ({bad[0].text()}); rebuild every "
            "delivery with `justice-warehouse build --extracts DIR --replay`"
        )
    return (
        "no earlier version is kept; rebuild every delivery with "
        "`justice-warehouse build --extracts DIR --replay`"
    )


def published_damage(
    directory: Path, names: tuple[str, ...] = PUBLISHED_FILES, trust_digests: bool = True
) -> str | None:
    """A message naming each damaged published file and the way back, or None."""
    bad = damaged_files(directory, names, trust_digests)
    if not bad:
        return None
    files = "; ".join(item.text() for item in bad)
    return f"the published warehouse is damaged: {files}. {way_back(directory)}"
