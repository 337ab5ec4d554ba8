"""What runs on the published warehouse outside a build, for the command line and the
orchestrator alike: its validation and its dashboards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from justice_warehouse.check.report import ValidationReport
from justice_warehouse.check.validate import run_validation
from justice_warehouse.core.layout import REPORTING_NAME
from justice_warehouse.core.settings import Settings
from justice_warehouse.operate import permissions
from justice_warehouse.present.dashboards import build_site
from justice_warehouse.publish.lock import try_build_lock
from justice_warehouse.publish.release import record_digest


@contextmanager
def audit_window(warehouse: Path, settings: Settings) -> Iterator[bool]:
    """The audit rows go into the published file only while no build or rollback holds its
    folder (a build copies that file); the manifest then records the file's new bytes, so
    the next build need not read it whole to know it is sound (build/steps.py)."""
    with try_build_lock(warehouse.parent) as free:
        yield free
        if free:
            record_digest(warehouse, settings.reader_group)


def validate_published(
    warehouse: Path, gx_dir: Path, settings: Settings, keep_runs: int
) -> ValidationReport:
    """Every suite on ``warehouse``; its results get the row-level files' modes, as they
    name failing rows by key."""
    with permissions.private_umask():
        report = run_validation(
            warehouse,
            gx_dir,
            settings,
            keep_runs=keep_runs,
            audit_guard=lambda: audit_window(warehouse, settings),
        )
    permissions.set_tree(
        gx_dir / "uncommitted", permissions.private_modes(settings.warehouse_group)
    )
    return report


def write_dashboards(warehouse: Path, root: Path, site: Path, settings: Settings) -> list[Path]:
    """The dashboards from the published ``reporting.duckdb`` into ``site``, readable by the
    readers (raises ``DashboardError``)."""
    written = build_site(warehouse.parent / REPORTING_NAME, root / "dashboards", site)
    permissions.set_tree(site, permissions.public_modes(settings.reader_group))
    return written
