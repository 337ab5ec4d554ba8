"""The README's screenshots of the dashboards and of Dagster, taken in Debian's headless
Chromium.

``make screenshots`` (after ``make dashboards``): ``python -m justice_warehouse.present.screenshots
SITE OUT`` writes ``OUT/dashboard_<page>.png`` for the pages in ``PAGES``. With ``make
orchestrate`` running, ``python -m justice_warehouse.present.screenshots --dagster URL OUT``
writes ``OUT/dagster_<view>.png`` for the views in ``DAGSTER_VIEWS``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = ("restore", "published_figures")
VIEWPORT = {"width": 1500, "height": 1100}
# True once Vega-Embed has drawn every visible chart (it puts an <svg> in the chart's div).
CHARTS_DRAWN = (
    "[...document.querySelectorAll('.group:not([hidden]) .chart')]"
    ".every((chart) => chart.querySelector('svg'))"
)


# Dagster's global lineage (the layers as groups) and the reporting group's assets with
# their checks; CODE_LOCATION is the module make orchestrate loads.
CODE_LOCATION = "justice_warehouse.orchestrate.code_location"
DAGSTER_VIEWS = {
    "lineage": "/asset-groups",
    "reporting_checks": f"/locations/{CODE_LOCATION}/asset-groups/reporting",
}
DAGSTER_VIEWPORT = {"width": 1600, "height": 1000}


def chromium_path() -> str:
    """Debian's Chromium (scripts/install-chromium.sh), never a downloaded browser."""
    return shutil.which("chromium") or "/usr/bin/chromium"


def take(site: Path, out: Path) -> list[Path]:
    chromium = chromium_path()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport=VIEWPORT)
        for name in PAGES:
            page.goto((site / f"{name}.html").resolve().as_uri())
            page.wait_for_function(CHARTS_DRAWN)
            path = out / f"dashboard_{name}.png"
            page.screenshot(path=str(path))
            written.append(path)
        browser.close()
    return written


def take_dagster(base_url: str, out: Path) -> tuple[list[Path], list[str]]:
    """Each Dagster view as a PNG; also every console error the pages logged."""
    out.mkdir(parents=True, exist_ok=True)
    written, errors = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        page = browser.new_page(viewport=DAGSTER_VIEWPORT)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        for name, path in DAGSTER_VIEWS.items():
            page.goto(base_url + path, wait_until="networkidle")
            skip = page.get_by_role("button", name="Skip")  # the first visit's newsletter box
            if skip.count():
                skip.click()
            page.wait_for_timeout(2000)  # the graph lays itself out
            shot = out / f"dagster_{name}.png"
            page.screenshot(path=str(shot))
            written.append(shot)
        browser.close()
    return written, errors


if __name__ == "__main__":
    if sys.argv[1] == "--dagster":
        shots, _ = take_dagster(sys.argv[2], Path(sys.argv[3]))
    else:
        shots = take(Path(sys.argv[1]), Path(sys.argv[2]))
    for written in shots:
        print(f"wrote {written}")
