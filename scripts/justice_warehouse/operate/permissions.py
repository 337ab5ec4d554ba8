"""Who may read what the build writes.

Row-level files (the warehouse, its versions, failed and in-progress candidates, the build
lock and run record, DuckDB's spill files, dbt's target and logs, the validation results and
Data Docs) are the owner's only: files 0600, folders 0700. With a warehouse group
(``JW_WAREHOUSE_GROUP`` or ``--warehouse-group``) they are also readable by that group
(0640 / 0750), for analysts cleared for row-level data.

What BI tools and readers read (``reporting.duckdb``, ``exports/``, ``manifest.json``, the
docs site ``docs/`` and the dashboards ``dashboards/``: no row-level data) is readable by
everyone (0644 / 0755), or by the reader group only (``JW_READER_GROUP`` or
``--reader-group``: 0640 / 0750). The warehouse folder itself can be passed through by
everyone (0755; 0751 with a reader group, so others can open a path but not list it).

The build runs with umask 077, so every file it (and dbt, and the validation worker) creates
starts owner-only; ``apply`` then sets the documented modes, after publish, rollback and
failure, and again at the start of every build (which repairs what a killed build left). Only the
files the build writes are touched, never the rest of a shared folder.
"""

from __future__ import annotations

import grp
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PRIVATE_UMASK = 0o077
# Published for BI tools, relative to the warehouse folder.
PUBLIC_NAMES = ("reporting.duckdb", "exports", "manifest.json", "docs", "dashboards")
# What else the build writes in the warehouse folder (besides the warehouse file itself, its
# .wal and its .tmp spill folder). Nothing else there is touched: the folder may be shared.
PRIVATE_NAMES = (
    "versions",
    "failed",
    ".candidates",
    ".build.lock",
    "last_run.json",
    ".last_run.json.tmp",
    ".manifest.json.tmp",
)


@dataclass(frozen=True)
class Modes:
    """The file and folder modes, and group, of one class of files."""

    file: int
    folder: int
    gid: int | None = None


def group_id(name: str | None) -> int | None:
    if not name:
        return None
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        if name.isdigit():
            return int(name)
        raise ValueError(f"group {name!r} does not exist on this machine") from None


def private_modes(warehouse_group: str | None) -> Modes:
    gid = group_id(warehouse_group)
    return Modes(0o640, 0o750, gid) if gid is not None else Modes(0o600, 0o700)


def public_modes(reader_group: str | None) -> Modes:
    gid = group_id(reader_group)
    return Modes(0o640, 0o750, gid) if gid is not None else Modes(0o644, 0o755)


@contextmanager
def private_umask() -> Iterator[None]:
    """Every file created inside (by this process and its children) starts owner-only."""
    previous = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def _set(path: Path, modes: Modes) -> None:
    if path.is_symlink():
        return
    mode = modes.folder if path.is_dir() else modes.file
    if modes.gid is not None and path.stat().st_gid != modes.gid:
        os.chown(path, -1, modes.gid)
    if (path.stat().st_mode & 0o7777) != mode:
        os.chmod(path, mode)


def is_shared_folder(path: Path) -> bool:
    """A folder others write to or that holds more than the build's files (``/``, the home
    folder, a sticky or world-writable one such as /tmp): never given the build's modes."""
    if path.resolve() in (Path("/"), Path.home().resolve()):
        return True
    mode = path.stat().st_mode
    return bool(mode & (stat.S_ISVTX | stat.S_IWOTH))


def set_tree(path: Path, modes: Modes) -> None:
    """``modes`` on ``path`` and everything below it (links, and shared folders such as /tmp
    given as a dbt target or log path, are left alone)."""
    if not path.exists() or path.is_symlink():
        return
    if path.is_dir() and is_shared_folder(path):
        return
    _set(path, modes)
    if path.is_dir():
        for child in path.rglob("*"):
            try:
                _set(child, modes)
            except FileNotFoundError:  # a file removed while we walk (DuckDB's spill files)
                continue


def folder_modes(reader_group: str | None) -> Modes:
    gid = group_id(reader_group)
    return Modes(0o751, 0o751, gid) if gid is not None else Modes(0o755, 0o755)


def make_warehouse_folder(directory: Path, reader_group: str | None) -> None:
    """Create the warehouse folder (and its parents) if missing; a folder the build creates
    gets the readers' mode (0755, or 0751 with a reader group). An existing one keeps its own:
    the operator decides who may pass through it."""
    if directory.is_dir():
        return
    directory.mkdir(parents=True)
    _set(directory, folder_modes(reader_group))


def apply(
    warehouse: Path,
    private_dirs: list[Path],
    warehouse_group: str | None,
    reader_group: str | None,
) -> None:
    """Set the documented modes on what the build writes beside the ``warehouse`` file, and
    on ``private_dirs`` (dbt's target and logs, the validation results)."""
    private = private_modes(warehouse_group)
    public = public_modes(reader_group)
    directory = warehouse.parent
    own = {warehouse.name, f"{warehouse.name}.wal", f"{warehouse.name}.tmp", *PRIVATE_NAMES}
    for name in sorted(own):  # the private ones first: a shared inode ends up readable
        set_tree(directory / name, private)
    for name in PUBLIC_NAMES:
        set_tree(directory / name, public)
    for folder in private_dirs:
        set_tree(folder, private)
