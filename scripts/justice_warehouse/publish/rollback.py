"""``justice-warehouse rollback``: publish the previous version again.

The current version moves to ``failed/rolled-back-<id>/``; the newest version under
``versions/`` is published by atomic rename, as a build publishes.
"""

from __future__ import annotations

import os
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

from justice_warehouse.core.errors import BuildFailed
from justice_warehouse.core.layout import (
    MANIFEST_NAME,
    REPORTING_NAME,
    WAREHOUSE_NAME,
    read_manifest,
)
from justice_warehouse.core.settings import Settings
from justice_warehouse.operate import permissions, retention
from justice_warehouse.operate.soundness import damaged_files, versions
from justice_warehouse.publish.lock import build_lock


def rollback(warehouse: Path, settings: Settings | None = None) -> str:
    """Publish the previous version again; the current one moves to failed/rolled-back-<id>."""
    settings = settings or Settings()
    directory = warehouse.parent
    readers = permissions.public_modes(settings.reader_group)
    with permissions.private_umask(), build_lock(directory):
        kept = versions(directory)
        if not kept:
            raise BuildFailed(f"no previous version in {directory / 'versions'} to roll back to", 2)
        previous = kept[-1]
        damaged = damaged_files(previous)
        if damaged:
            raise BuildFailed(
                f"version {previous.name} is damaged: {damaged[0].text()}; nothing rolled "
                f"back (remove {previous} to roll back to an older one, or rebuild every "
                "delivery with `justice-warehouse build --extracts DIR --replay`)",
                2,
            )
        current = read_manifest(directory).get("build_id", "unknown")
        aside = directory / "failed" / f"rolled-back-{current}"
        aside.mkdir(parents=True, exist_ok=True)
        staging = directory / ".candidates" / f"rollback-{previous.name}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for name in (WAREHOUSE_NAME, REPORTING_NAME, MANIFEST_NAME):
            if (directory / name).is_file() and not (aside / name).exists():
                os.link(directory / name, aside / name)
            if (previous / name).is_file():
                os.link(previous / name, staging / name)
        (aside / retention.REASON).write_text(
            f"rolled back at {datetime.now(UTC).isoformat(timespec='seconds')}; "
            f"build {previous.name} published again\n"
        )
        for name in (REPORTING_NAME, MANIFEST_NAME):  # readable before they are published
            permissions.set_tree(staging / name, readers)
        for name, target in (
            (REPORTING_NAME, directory / REPORTING_NAME),
            (WAREHOUSE_NAME, warehouse),
            (MANIFEST_NAME, directory / MANIFEST_NAME),
        ):
            if (staging / name).is_file():
                os.replace(staging / name, target)
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(previous)
        retention.enforce(directory / "failed", settings.keep_failed)
        permissions.apply(warehouse, [], settings.warehouse_group, settings.reader_group)
    print(f"rolled back to build {previous.name}; build {current} kept in {aside}", file=sys.stdout)
    return previous.name
