"""Dashboards as code: static pages built from the BI-safe reporting file.

Each page is a YAML file in ``dashboards/pages/`` (title, intro, and panels, each with the
SQL it runs against ``reporting.duckdb``, the table columns it shows and the chart it draws).
The build opens ``reporting.duckdb`` read-only (never ``justice.duckdb``), runs every panel's
SQL, and writes one HTML page per YAML file plus ``index.html`` into ``warehouse/dashboards/``.
The pages embed their data and load Vega, Vega-Lite and Vega-Embed from ``assets/``, copied
from ``dashboards/node_modules`` (pinned by ``dashboards/package-lock.json``): they open with
no network, from a file share, an e-mail attachment or ``make serve-dashboards``.

The site is written to a new folder and swapped in whole, so a reader never sees half of it.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import yaml

from justice_warehouse.present import charts
from justice_warehouse.present.charts import SUPPRESSED, format_cell, is_suppressed

# node_modules path of each file the pages load, and its name under assets/
ASSETS = {
    "vega/build/vega.min.js": "vega.min.js",
    "vega-lite/build/vega-lite.min.js": "vega-lite.min.js",
    "vega-embed/build/vega-embed.min.js": "vega-embed.min.js",
}


class DashboardError(RuntimeError):
    """A page definition or its SQL is wrong, or the set-up is missing."""


@dataclass(frozen=True)
class Panel:
    id: str
    title: str
    sql: str
    columns: list[dict[str, Any]]
    key: list[str]
    note: str = ""
    chart: dict[str, Any] | None = None
    as_at: str | None = None


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    intro: str
    panels: list[Panel] = field(default_factory=list)


def _panel(raw: dict[str, Any], source: Path) -> Panel:
    try:
        table = raw["table"]
        key = table["key"]
        return Panel(
            id=raw["id"],
            title=raw["title"],
            sql=raw["sql"],
            columns=table["columns"],
            key=key if isinstance(key, list) else [key],
            note=raw.get("note", ""),
            chart=raw.get("chart"),
            as_at=raw.get("as_at"),
        )
    except KeyError as missing:
        raise DashboardError(f"{source}: panel {raw.get('id', '?')} has no {missing}") from None


def load_pages(folder: Path) -> list[Page]:
    """Every page definition, in file-name order (``01_restore.yml`` -> ``restore.html``)."""
    pages = []
    for path in sorted(folder.glob("*.yml")):
        raw = yaml.safe_load(path.read_text())
        slug = path.stem.split("_", 1)[-1]
        panels = [_panel(panel, path) for panel in raw.get("panels", [])]
        pages.append(Page(slug, raw["title"], raw.get("intro", ""), panels))
    if not pages:
        raise DashboardError(f"no page definitions (*.yml) in {folder}")
    return pages


def query(connection: duckdb.DuckDBPyConnection, panel: Panel) -> list[dict[str, Any]]:
    try:
        result = connection.execute(panel.sql)
        names = [column[0] for column in result.description]
        rows = result.fetchall()
    except duckdb.Error as error:
        raise DashboardError(f"panel {panel.id}: {error}") from None
    missing = [c["name"] for c in panel.columns if c["name"] not in names]
    if missing:
        raise DashboardError(f"panel {panel.id}: its SQL returns no column {', '.join(missing)}")
    return [dict(zip(names, row, strict=True)) for row in rows]


def _cells(panel: Panel, row: dict[str, Any]) -> list[dict[str, Any]]:
    cells = []
    for column in panel.columns:
        name = column["name"]
        hidden = is_suppressed(row, name)
        cells.append(
            {
                "column": name,
                "text": SUPPRESSED if hidden else format_cell(row[name], column.get("format")),
                "suppressed": hidden,
                "numeric": column.get("format") in {"count", "gbp", "decimal"},
                "quote": column.get("format") == "quote",
            }
        )
    return cells


def _view(panel: Panel, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """What the template draws for one panel: one group of rows, or one per as-at date."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        label = str(charts.json_value(row[panel.as_at])) if panel.as_at else ""
        groups.setdefault(label, []).append(row)
    views = []
    for number, (label, members) in enumerate(groups.items()):
        views.append(
            {
                "as_at": label,
                "chart_id": f"chart-{panel.id}-{number}",
                "spec": (
                    json.dumps(charts.vega_lite(panel.chart, members)) if panel.chart else None
                ),
                "rows": [
                    {
                        "key": "|".join(str(charts.json_value(row[k])) for k in panel.key),
                        "cells": _cells(panel, row),
                    }
                    for row in members
                ],
            }
        )
    return {"panel": panel, "groups": views, "has_suppressed": _any_suppressed(panel, rows)}


def _any_suppressed(panel: Panel, rows: list[dict[str, Any]]) -> bool:
    return any(is_suppressed(row, column["name"]) for row in rows for column in panel.columns)


def _environment(templates: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _copy_assets(dashboards_dir: Path, out: Path) -> None:
    modules = dashboards_dir / "node_modules"
    (out / "assets").mkdir(parents=True)
    for source, name in ASSETS.items():
        path = modules / source
        if not path.is_file():
            raise DashboardError(
                f"{path} is missing: run `make dashboards` (npm ci in {dashboards_dir})"
            )
        shutil.copy2(path, out / "assets" / name)
    shutil.copy2(dashboards_dir / "style.css", out / "assets" / "style.css")


def _build_info(warehouse_dir: Path) -> dict[str, str]:
    manifest = warehouse_dir / "manifest.json"
    info = json.loads(manifest.read_text()) if manifest.is_file() else {}
    return {
        "build_id": info.get("build_id", "unknown"),
        "published_at": info.get("published_at", "unknown"),
        "source": info.get("source", "unknown"),
        "is_synthetic": "synthetic" in info.get("source", "synthetic"),
        "rendered_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def render(reporting: Path, dashboards_dir: Path, out: Path) -> list[Path]:
    """Write the site into ``out`` (a new folder); return the pages written."""
    if not reporting.is_file():
        raise DashboardError(f"{reporting} does not exist: run `make build` first")
    pages = load_pages(dashboards_dir / "pages")
    environment = _environment(dashboards_dir / "templates")
    info = _build_info(reporting.parent)
    _copy_assets(dashboards_dir, out)
    written = []
    with duckdb.connect(str(reporting), read_only=True) as connection:
        for page in pages:
            views = [_view(panel, query(connection, panel)) for panel in page.panels]
            html = environment.get_template("page.html").render(
                page=page, pages=pages, views=views, info=info, suppressed=SUPPRESSED
            )
            path = out / f"{page.slug}.html"
            path.write_text(html)
            written.append(path)
    index = environment.get_template("index.html").render(
        pages=pages, info=info, suppressed=SUPPRESSED
    )
    (out / "index.html").write_text(index)
    return [out / "index.html", *written]


def build_site(reporting: Path, dashboards_dir: Path, site: Path) -> list[Path]:
    """Render into a sibling folder, then swap it in for ``site`` whole."""
    fresh = site.with_name(site.name + ".new")
    stale = site.with_name(site.name + ".old")
    for leftover in (fresh, stale):
        shutil.rmtree(leftover, ignore_errors=True)
    written = render(reporting, dashboards_dir, fresh)
    if site.exists():
        site.rename(stale)
    fresh.rename(site)
    shutil.rmtree(stale, ignore_errors=True)
    return [site / path.name for path in written]
