"""The dashboards and the docs site, opened in a real browser (Debian's headless Chromium).

The site is built by the CLI from the session's published warehouse and served on loopback,
as ``make serve-dashboards`` serves it. Every page must load with no console error and no
failed request (nothing is fetched from the network), show the reporting tables' own
numbers, mark suppressed cells, and the docs site must show the lineage of a reporting model.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import duckdb
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from conftest import PROJECT_ROOT, cli_env, run_cli
from justice_warehouse.build import docs_site
from justice_warehouse.present import dashboards, screenshots

CHROMIUM = screenshots.chromium_path()


def build_site(warehouse: Path, tmp: Path, out: Path | None = None) -> Path:
    """``justice-warehouse dashboards`` from the reporting file beside ``warehouse``."""
    args = ["dashboards", "--warehouse", str(warehouse)] + (["--out", str(out)] if out else [])
    result = run_cli(args, cwd=PROJECT_ROOT, env=cli_env(tmp))
    assert result.returncode == 0, result.stdout + result.stderr
    return out or warehouse.parent / "dashboards"


@pytest.fixture(scope="module")
def site(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(built_warehouse, tmp_path_factory.mktemp("dashboards"))


def _serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    server, url = _serve(site.parent)  # the warehouse folder: dashboards/ and docs/
    yield url
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).is_file(), "no Chromium: make test installs Debian's chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def _stays_on_the_machine(url: str) -> bool:
    """A request a page may make offline: loopback, or no network at all."""
    parsed = urlparse(url)
    if parsed.scheme in ("data", "file", "blob", "about"):
        return True
    return parsed.scheme in ("http", "https") and parsed.hostname in (
        "127.0.0.1",
        "localhost",
        "::1",
    )


def open_page(browser: Browser, url: str) -> tuple[Page, list[str]]:
    """The page at ``url`` once loaded, and every console error, page error and failed or
    refused request it produced."""
    page = browser.new_page()
    problems: list[str] = []
    # Every request that would leave the machine, whether it fails or not.
    page.on(
        "request",
        lambda request: (
            None
            if _stays_on_the_machine(request.url)
            else problems.append(f"fetched: {request.url}")
        ),
    )
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status}: {response.url}")
            if response.status >= 400
            else None
        ),
    )
    page.goto(url, wait_until="load")
    return page, problems


def wait_for_charts(page: Page) -> None:
    """Every visible chart drawn (Vega-Embed puts an <svg> in its div)."""
    page.wait_for_function(screenshots.CHARTS_DRAWN, timeout=15_000)


def wait_for_docs(page: Page) -> None:
    """dbt's page has drawn its project tree (Angular has run)."""
    page.wait_for_selector("text=Projects", timeout=15_000)


def table_cells(page: Page, panel: str, column: str) -> dict[str, str]:
    """``row key -> cell text`` of one column of one panel's visible table."""
    return page.eval_on_selector_all(
        f".group:not([hidden]) table[data-panel='{panel}'] tbody tr",
        f"""rows => Object.fromEntries(rows.map(row => [
            row.dataset.key, row.querySelector("td[data-column='{column}']").textContent]))""",
    )


def reporting_rows(warehouse_dir: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse_dir / "reporting.duckdb"), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def outcome_counts(warehouse_dir: Path) -> dict[str, str]:
    rows = reporting_rows(warehouse_dir, "select outcome, referrals from rj_referral_outcomes")
    return {outcome: f"{referrals:,}" for outcome, referrals in rows}


def test_every_page_loads_with_no_console_error_and_nothing_fetched(
    site: Path, base_url: str, browser: Browser
):
    pages = sorted(path.name for path in site.glob("*.html"))
    assert {"index.html", "restore.html", "probation.html", "published_figures.html"} <= set(pages)
    for name in pages:
        page, problems = open_page(browser, f"{base_url}/dashboards/{name}")
        if page.locator(".chart").count():
            wait_for_charts(page)
        assert problems == [], (name, problems)
        page.close()
    page, problems = open_page(browser, f"{base_url}/docs/index.html")
    wait_for_docs(page)
    assert problems == [], ("docs", problems)


def test_the_outcomes_page_shows_the_reporting_tables_numbers(
    site: Path, base_url: str, browser: Browser
):
    page, _ = open_page(browser, f"{base_url}/dashboards/restore.html")
    shown = table_cells(page, "outcomes", "referrals")
    assert shown == outcome_counts(site.parent)
    # The bundled synthetic data reproduces the published outcome counts.
    assert shown == {"took_up": "241", "declined": "335", "no_contact": "323", "ongoing": "89"}
    # Each outcome in the words of its seed (referral_outcomes), not its code.
    assert (
        table_cells(page, "outcomes", "outcome_name")["no_contact"]
        == "The team could not make contact"
    )


def test_the_probation_page_shows_people_never_seen_london_wide_every_month(
    site: Path, base_url: str, browser: Browser
):
    """The figure the probation page exists for, read from the published London-wide table:
    shown for every month of the caseload, none suppressed."""
    page, _ = open_page(browser, f"{base_url}/dashboards/probation.html")
    shown = table_cells(page, "london_monthly", "people_never_seen")
    rows = reporting_rows(
        site.parent,
        "select appointment_month_date, people_never_seen from "
        "probation_engagement_london_monthly where provider_code = 'all'",
    )
    months = reporting_rows(
        site.parent,
        "select count(distinct appointment_month_date) from probation_engagement_monthly",
    )[0][0]
    assert len(shown) == len(rows) == months
    assert sorted(shown.values()) == sorted(f"{count:,}" for _, count in rows)
    assert all(count is not None and count > 0 for _, count in rows)


def test_every_table_fits_its_panel_in_a_1400_pixel_window(
    site: Path, base_url: str, browser: Browser
):
    """No column is cut off (the published figures' Source column was, behind a scroll bar)."""
    for path in sorted(site.glob("*.html")):
        page, _ = open_page(browser, f"{base_url}/dashboards/{path.name}")
        page.set_viewport_size({"width": 1400, "height": 900})
        wider = page.eval_on_selector_all(
            ".group:not([hidden]) table[data-panel]",
            """tables => tables.filter(table => table.scrollWidth > table.parentElement.clientWidth)
                .map(table => table.dataset.panel)""",
        )
        assert wider == [], (path.name, wider)
        page.close()


def test_a_page_built_from_a_changed_reporting_file_shows_the_change(
    built_warehouse: Path, tmp_path: Path, browser: Browser
):
    """The comparison above can fail: a site built from a reporting file with one count
    changed no longer matches the published one."""
    changed = tmp_path / "warehouse"
    changed.mkdir()
    for name in ("reporting.duckdb", "manifest.json"):
        shutil.copy2(built_warehouse.parent / name, changed / name)
    with duckdb.connect(str(changed / "reporting.duckdb")) as connection:
        connection.execute(
            "update rj_referral_outcomes set referrals = referrals + 1 where outcome = 'took_up'"
        )
    site = build_site(changed / "justice.duckdb", tmp_path)
    page, _ = open_page(browser, (site / "restore.html").as_uri())
    shown = table_cells(page, "outcomes", "referrals")
    assert shown == outcome_counts(changed)
    assert shown != outcome_counts(built_warehouse.parent)
    assert shown["took_up"] == "242"


def test_the_as_at_page_shows_the_figures_of_the_chosen_delivery(
    deliveries_warehouse: Path, tmp_path: Path, browser: Browser
):
    site = build_site(deliveries_warehouse, tmp_path, tmp_path / "site")
    rows = reporting_rows(
        deliveries_warehouse.parent,
        "select as_at_date, outcome, referrals from rj_referral_outcomes_as_at",
    )
    expected: dict[str, dict[str, str]] = {}
    for as_at, outcome, referrals in rows:
        shown = "[c]" if referrals is None else f"{referrals:,}"  # null only when suppressed
        expected.setdefault(as_at.isoformat(), {})[outcome] = shown
    assert len(expected) > 1, "the bundled delivery sequence has history"
    assert len({str(counts) for counts in expected.values()}) > 1, "and the counts change"
    page, problems = open_page(browser, (site / "as_at.html").as_uri())
    latest = max(expected)
    assert page.input_value("#as-at") == latest
    assert table_cells(page, "outcomes_as_at", "referrals") == expected[latest]
    for as_at in sorted(expected):
        page.select_option("#as-at", as_at)
        assert table_cells(page, "outcomes_as_at", "referrals") == expected[as_at], as_at
    wait_for_charts(page)
    assert problems == []


def test_a_suppressed_cell_reads_as_suppressed_never_as_zero(
    site: Path, base_url: str, browser: Browser
):
    hidden = reporting_rows(
        site.parent,
        "select borough_name, took_up from rj_funnel_by_borough where is_took_up_suppressed",
    )
    assert hidden, "the bundled data has suppressed borough cells"
    assert all(took_up is None for _, took_up in hidden)
    page, _ = open_page(browser, f"{base_url}/dashboards/restore.html")
    wait_for_charts(page)
    shown = table_cells(page, "funnel_by_borough", "took_up")
    for borough, _ in hidden:
        assert shown[borough] == "[c]", borough
    cell = page.locator(
        f"table[data-panel='funnel_by_borough'] tr[data-key='{hidden[0][0]}'] "
        "td[data-column='took_up']"
    )
    assert cell.get_attribute("data-suppressed") == "true"
    # The chart marks them too: one "[c]" text mark per suppressed value, no bar.
    markers = page.locator("#chart-funnel_by_borough-0 svg text", has_text="[c]")
    assert markers.count() == len(hidden)
    assert page.locator("#funnel_by_borough .footnote", has_text="[c]").count() == 1


def test_the_docs_site_shows_the_lineage_of_a_reporting_model(
    site: Path, base_url: str, browser: Browser, built_warehouse: Path
):
    """The model's page lists what it is built from (as dbt's manifest has it) and the
    dashboards that read it, and draws its lineage graph."""
    model = "model.justice_warehouse.rj_referral_outcomes"
    manifest = json.loads((built_warehouse.parent / "target" / "manifest.json").read_text())
    parents = manifest["nodes"][model]["depends_on"]["nodes"]
    assert parents
    page, problems = open_page(browser, f"{base_url}/docs/index.html#!/model/{model}")
    wait_for_docs(page)
    depends_on = page.locator("section.section:has(#depends_on)")
    for kind, tab in (("model", "Models"), ("seed", "Seeds")):
        depends_on.get_by_text(tab, exact=True).click()
        shown = depends_on.inner_text()
        for parent in (p for p in parents if p.startswith(f"{kind}.")):
            assert parent.split(".")[-1] in shown, (parent, shown)
    referenced_by = page.locator("section.section:has(#referenced_by)")
    referenced_by.get_by_text("Exposures", exact=True).click()
    shown = referenced_by.inner_text()
    assert "restore_programme_dashboard" in shown, shown
    # The lineage graph of the model, drawn by the page itself.
    page.locator("a[title='View Lineage Graph']").click()
    page.wait_for_selector("#cy canvas", timeout=15_000)
    assert problems == []


def test_the_docs_site_shows_each_metric_with_its_description(
    site: Path, base_url: str, browser: Browser, built_warehouse: Path
):
    """dbt's page lists the metrics of the semantic layer, each with its label, description
    and the metrics it is made of."""
    manifest = json.loads((built_warehouse.parent / "target" / "manifest.json").read_text())
    metric = manifest["metrics"]["metric.justice_warehouse.take_up_rate"]
    page, problems = open_page(
        browser, f"{base_url}/docs/index.html#!/metric/{metric['unique_id']}"
    )
    wait_for_docs(page)
    page.wait_for_selector(f"text={metric['label']}", timeout=15_000)
    shown = page.inner_text("body")
    assert metric["description"] in shown
    depends_on = page.locator("section.section:has(#depends_on)").inner_text()
    assert "referrals" in depends_on and "took_up" in depends_on, depends_on
    assert problems == []


def test_a_request_off_the_machine_is_reported(browser: Browser, tmp_path: Path):
    """The check above can fail: a page that asks another host for an image is reported,
    though the request never gets an answer here."""
    (tmp_path / "index.html").write_text(
        '<html><body><img src="http://192.0.2.1/pixel.png"></body></html>'
    )
    server, url = _serve(tmp_path)
    try:
        page, problems = open_page(browser, f"{url}/index.html")
        page.close()
    finally:
        server.shutdown()
    assert "fetched: http://192.0.2.1/pixel.png" in problems


def test_dbts_own_page_asks_for_files_that_offline_page_removes(
    site: Path, browser: Browser, tmp_path: Path
):
    """Why docs_site.offline_page exists: dbt's page as written requests missing files."""
    fixed = (site.parent / "docs" / "index.html").read_text()
    raw = fixed
    for old, new in docs_site._REWRITES.items():
        raw = raw.replace(new, old)
    assert raw != fixed
    (tmp_path / "index.html").write_text(raw)
    server, url = _serve(tmp_path)
    try:
        page, problems = open_page(browser, f"{url}/index.html")
        wait_for_docs(page)
        assert problems, "dbt's unpatched page requested nothing missing"
    finally:
        server.shutdown()


def test_every_exposure_is_a_built_page_reading_the_tables_it_declares(
    site: Path, built_warehouse: Path
):
    """No exposure names a dashboard that does not exist, and each declares what its page's
    SQL reads (test_privacy checks that together they cover every reporting model)."""
    manifest = json.loads((built_warehouse.parent / "target" / "manifest.json").read_text())
    pages = {
        page.slug: page for page in dashboards.load_pages(PROJECT_ROOT / "dashboards" / "pages")
    }
    reporting = {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "reporting"
    }
    for exposure in manifest["exposures"].values():
        url = Path(exposure["url"])
        assert url.parts[:2] == ("warehouse", "dashboards"), exposure["url"]
        assert (site / url.name).is_file(), exposure["url"]
        page = pages[url.stem]
        sql = " ".join(panel.sql for panel in page.panels)
        read = {name for name in reporting if re.search(rf"\bfrom {name}\b", sql)}
        declared = {node.split(".")[-1] for node in exposure["depends_on"]["nodes"]}
        assert read == declared, (exposure["name"], read, declared)
    assert {Path(e["url"]).stem for e in manifest["exposures"].values()} == set(pages)
