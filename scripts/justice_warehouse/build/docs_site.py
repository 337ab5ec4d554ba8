"""dbt's docs site, published with the warehouse: one self-contained ``docs/index.html``.

``dbt docs generate --static`` writes ``static_index.html``: the page with the manifest and
the catalog inlined, so it opens from a file share with no server and no network. The build
generates it from the candidate (so the catalog describes the tables being published) and
publishes it beside ``reporting.duckdb`` with the rest. ``--no-compile`` inlines the manifest
the build's ``dbt build`` has just written (the lineage and the SQL as written); the compiled
SQL of each model stays in dbt's target folder. It runs with the candidate opened read-only,
beside the validation, which waits for it before writing its audit rows (``DocsRun.wait``):
about 1 s of dbt's own time at the bundled scale once its partial parse is warm.

Two lines of dbt's page make the browser ask for files that do not exist (a console error in
every reader's browser, and a request that a proxy may log): the file-tree icons are written
as ``xlink:href="{{ getIcon(...) }}"``, which the browser fetches before Angular fills it in,
and the favicon link is a webpack placeholder that was never filled in. ``offline_page``
rewrites both; the browser tests (tests/pytest/test_dashboards.py) see any that remain.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from justice_warehouse.build.dbt import DbtError, dbt_artifact, finish_dbt, start_dbt
from justice_warehouse.core.settings import Settings

DOCS_PAGE = "index.html"
# dbt's target folder for the docs run, inside the build's: its read-only profile differs from
# the build's, and each keeps its own partial parse (dbt.start_dbt).
DOCS_TARGET = "docs_site"
_REWRITES = {
    # Angular's ng-attr- prefix sets the attribute only once the expression has a value.
    '<use xlink:href="{{ getIcon(': '<use ng-attr-xlink:href="{{ getIcon(',
    "href=\"${require('./assets/favicons/favicon.ico')}\"": 'href="data:,"',
}


def offline_page(html: str) -> str:
    for old, new in _REWRITES.items():
        html = html.replace(old, new)
    return html


class DocsRun:
    """``dbt docs generate --static`` running on a candidate opened read-only (``start``),
    so that the validation can read the file at the same time."""

    def __init__(self, process: subprocess.Popen[str], page: Path):
        self._process = process
        self._page = page
        self._completed: subprocess.CompletedProcess[str] | None = None

    def wait(self) -> None:
        """Wait for dbt to exit (and release the file)."""
        if self._completed is None:
            self._completed = finish_dbt(self._process)

    def stop(self) -> None:
        """Stop dbt if it is still running (the build failed before it was needed)."""
        if self._completed is None:
            self._process.kill()
            self.wait()

    def write_page(self, out: Path) -> Path:
        """Wait for dbt and write the offline page into ``out``; raise if dbt failed."""
        self.wait()
        completed = self._completed
        assert completed is not None
        if completed.returncode != 0 or not self._page.is_file():
            raise DbtError(
                f"dbt docs generate failed (exit {completed.returncode}):\n"
                f"{(completed.stdout + completed.stderr)[-3000:]}"
            )
        out.mkdir(parents=True, exist_ok=True)
        (out / DOCS_PAGE).write_text(offline_page(self._page.read_text()))
        return out / DOCS_PAGE


class KeptPage:
    """The published docs page, published again as it is (``keep``): what a build that adds
    deliveries to a warehouse of the same project publishes instead of a new page."""

    def __init__(self, page: Path):
        self._page = page

    def wait(self) -> None:
        """Nothing runs."""

    def stop(self) -> None:
        """Nothing runs."""

    def write_page(self, out: Path) -> Path:
        out.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self._page, out / DOCS_PAGE)
        return out / DOCS_PAGE


def keep(published_docs: Path) -> KeptPage | None:
    """The published page, if there is one to keep. The page holds the project (its manifest)
    and the tables' columns and types (dbt's catalog on DuckDB reads no data or statistics).
    A build that adds deliveries starts from a warehouse built by the same project (its
    fingerprint, ``build/steps.py``), so both are the same: ``dbt docs generate`` would write
    the same page but for its timestamps, for 5-7 s of CPU beside the validation."""
    page = published_docs / DOCS_PAGE
    return KeptPage(page) if page.is_file() else None


def start(
    root: Path, warehouse: Path, settings: Settings, marker: str, vars_args: list[str]
) -> DocsRun:
    """Start generating the docs site of the project, its catalog read from ``warehouse``.
    ``vars_args`` are the build's own ``--vars`` (``dbt.dbt_vars_args``), so that dbt's
    partial parse of the build holds here. The catalog is read with the candidate opened
    read-only, so that the validation can read it at the same time."""
    target = settings.target_path(root) / DOCS_TARGET
    page = target / "static_index.html"
    page.unlink(missing_ok=True)
    # With --no-compile, dbt inlines the manifest it finds in its target folder: the build's.
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(dbt_artifact(root, settings, "manifest.json"), target / "manifest.json")
    args = ["docs", "generate", "--static", "--no-compile", *vars_args]
    process = start_dbt(root, args, warehouse, settings, marker, read_only=True, target_path=target)
    return DocsRun(process, page)
