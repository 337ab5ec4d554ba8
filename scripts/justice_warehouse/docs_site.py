"""dbt's docs site, published with the warehouse: one self-contained ``docs/index.html``.

``dbt docs generate --static`` writes ``static_index.html``: the page with the manifest and
the catalog inlined, so it opens from a file share with no server and no network. The build
generates it from the candidate (so the catalog describes the tables being published) and
publishes it beside ``reporting.duckdb`` with the rest. ``--no-compile`` keeps it to about 2.5 s
at the bundled scale instead of about 9: the lineage and the SQL as written are in the manifest
dbt has just parsed; the compiled SQL of each model stays in dbt's target folder.

Two lines of dbt's page make the browser ask for files that do not exist (a console error in
every reader's browser, and a request that a proxy may log): the file-tree icons are written
as ``xlink:href="{{ getIcon(...) }}"``, which the browser fetches before Angular fills it in,
and the favicon link is a webpack placeholder that was never filled in. ``offline_page``
rewrites both; the browser tests (tests/pytest/test_dashboards.py) see any that remain.
"""

from __future__ import annotations

from pathlib import Path

from justice_warehouse.dbt import DbtError, dbt_process
from justice_warehouse.settings import Settings

DOCS_PAGE = "index.html"
_REWRITES = {
    # Angular's ng-attr- prefix sets the attribute only once the expression has a value.
    '<use xlink:href="{{ getIcon(': '<use ng-attr-xlink:href="{{ getIcon(',
    "href=\"${require('./assets/favicons/favicon.ico')}\"": 'href="data:,"',
}


def offline_page(html: str) -> str:
    for old, new in _REWRITES.items():
        html = html.replace(old, new)
    return html


def generate(root: Path, warehouse: Path, settings: Settings, out: Path, marker: str) -> Path:
    """Write the docs site of the project, its catalog read from ``warehouse``, to ``out``."""
    page = settings.target_path(root) / "static_index.html"
    page.unlink(missing_ok=True)
    args = ["docs", "generate", "--static", "--no-compile"]
    completed = dbt_process(root, args, warehouse, settings, marker)
    if completed.returncode != 0 or not page.is_file():
        raise DbtError(
            f"dbt docs generate failed (exit {completed.returncode}):\n"
            f"{(completed.stdout + completed.stderr)[-3000:]}"
        )
    out.mkdir(parents=True, exist_ok=True)
    (out / DOCS_PAGE).write_text(offline_page(page.read_text()))
    return out / DOCS_PAGE
