"""Publish a checked candidate: the reporting file, its exports and the docs site, then
the row-level warehouse and the manifest, each by atomic rename.

Publishing is ``os.replace`` of finished files, which is atomic: a reader that opened the
old file keeps reading it, a reader that opens the path afterwards gets the new one, and a
build killed at any moment leaves the published files as they were. The version published
before is kept under ``versions/`` (hard links) for ``rollback``.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from justice_warehouse.core.layout import (
    DOCS_DIR,
    HISTORY_LAYOUT,
    MANIFEST_NAME,
    REPORTING_DIGEST,
    REPORTING_NAME,
    WAREHOUSE_DIGEST,
    WAREHOUSE_NAME,
    new_build_id,
    read_manifest,
)
from justice_warehouse.core.storage import create_compatible_file, file_digest
from justice_warehouse.operate import permissions


@dataclass(frozen=True)
class Release:
    """What to publish, and where: ``workdir`` holds the checked candidate."""

    warehouse: Path
    workdir: Path
    build_id: str
    source: str
    storage_version: str
    reader_group: str | None
    keep_versions: int
    # The project's fingerprint (core/paths.py): a build of another version rebuilds what
    # changed (``project_files``: each file's digest) or everything.
    project: str
    project_files: dict[str, str]


def attached_tables(connection: duckdb.DuckDBPyConnection, database: str, schema: str) -> list[str]:
    """Tables of one schema of an attached database, by name."""
    rows = connection.execute(
        "select table_name from duckdb_tables() "
        "where database_name = ? and schema_name = ? order by 1",
        [database, schema],
    ).fetchall()
    return [table for (table,) in rows]


def export_reporting(candidate: Path, target: Path, exports: Path, storage_version: str) -> None:
    """A separate file holding only the reporting tables, for BI tools.

    The tables sit in the file's default schema: opened as ``reporting.duckdb`` its catalog
    is ``reporting``, so ``reporting.<table>`` (and the bare table name) resolve. A schema
    named ``reporting`` inside it would make ``reporting.<table>`` ambiguous in DuckDB.
    Every table is also written as ``exports/<table>.parquet`` for tools that read files.
    """
    exports.mkdir(parents=True, exist_ok=True)
    create_compatible_file(target, storage_version)
    with duckdb.connect(str(target)) as connection:
        connection.execute(f"attach '{candidate}' as candidate (read_only)")
        for table in attached_tables(connection, "candidate", "reporting"):
            connection.execute(
                f"create table main.{table} as select * from candidate.reporting.{table}"
            )
            connection.execute(
                f"copy main.{table} to '{exports / (table + '.parquet')}' (format parquet)"
            )
        connection.execute("detach candidate")
        connection.execute("checkpoint")


def _archive_published(directory: Path, keep: int) -> None:
    """Hard-link the published pair into versions/<build id>/ and keep the newest ``keep``."""
    published = directory / WAREHOUSE_NAME
    if not published.is_file():
        return
    manifest = read_manifest(directory)
    version = directory / "versions" / (manifest.get("build_id") or new_build_id())
    version.mkdir(parents=True, exist_ok=True)
    for name in (WAREHOUSE_NAME, REPORTING_NAME, MANIFEST_NAME):
        source, link = directory / name, version / name
        if source.is_file() and not link.exists():
            os.link(source, link)
    versions = sorted(p for p in (directory / "versions").iterdir() if p.is_dir())
    for stale in versions[: max(len(versions) - keep, 0)]:
        shutil.rmtree(stale)


def _write_manifest(directory: Path, manifest: dict[str, Any], readers: permissions.Modes) -> None:
    temporary = directory / f".{MANIFEST_NAME}.tmp"
    temporary.write_text(json.dumps(manifest, indent=2))
    permissions.set_tree(temporary, readers)
    os.replace(temporary, directory / MANIFEST_NAME)


def replace_files(new: Path, published: Path, pattern: str, readers: permissions.Modes) -> None:
    """Publish each ``pattern`` file of ``new`` into ``published`` by atomic rename (made
    readable first), then drop the published ones no build writes any more."""
    published.mkdir(parents=True, exist_ok=True)
    permissions.set_tree(new, readers)
    permissions.set_tree(published, readers)
    names = {path.name for path in new.glob(pattern)}
    for name in sorted(names):
        os.replace(new / name, published / name)
    for stale in published.glob(pattern):
        if stale.name not in names:
            stale.unlink()


def publish(release: Release) -> None:
    directory = release.warehouse.parent
    workdir = release.workdir
    candidate, reporting = workdir / WAREHOUSE_NAME, workdir / REPORTING_NAME
    export_reporting(candidate, reporting, workdir / "exports", release.storage_version)
    # Readable by BI readers before they appear under the published names.
    readers = permissions.public_modes(release.reader_group)
    permissions.set_tree(reporting, readers)
    _archive_published(directory, release.keep_versions)
    replace_files(workdir / "exports", directory / "exports", "*.parquet", readers)
    replace_files(workdir / DOCS_DIR, directory / DOCS_DIR, "*.html", readers)
    # The checked files' bytes, so that the next build, `status` and `rollback` can tell
    # they are unchanged (operate/soundness.py).
    digest, reporting_digest = file_digest(candidate), file_digest(reporting)
    os.replace(reporting, directory / REPORTING_NAME)
    os.replace(candidate, release.warehouse)
    _write_manifest(
        directory,
        {
            "build_id": release.build_id,
            "published_at": datetime.now(UTC).isoformat(),
            "source": release.source,
            "history": HISTORY_LAYOUT,
            "project": release.project,
            "project_files": release.project_files,
            WAREHOUSE_DIGEST: digest,
            REPORTING_DIGEST: reporting_digest,
        },
        readers,
    )


def record_digest(warehouse: Path, reader_group: str | None) -> None:
    """After a write into the published ``warehouse`` outside a build (the audit rows of
    ``validate``), with the build lock held: the manifest records its bytes again."""
    directory = warehouse.parent
    manifest = read_manifest(directory)
    if manifest and warehouse.is_file():
        manifest[WAREHOUSE_DIGEST] = file_digest(warehouse)
        _write_manifest(directory, manifest, permissions.public_modes(reader_group))
