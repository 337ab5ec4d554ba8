"""The README's screenshots of the dashboards, taken in Debian's headless Chromium.

``make screenshots`` (after ``make dashboards``): ``python -m justice_warehouse.present.screenshots
SITE OUT`` writes ``OUT/dashboard_<page>.png`` for the pages in ``PAGES``.
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


if __name__ == "__main__":
    for written in take(Path(sys.argv[1]), Path(sys.argv[2])):
        print(f"wrote {written}")
