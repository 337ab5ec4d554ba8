"""``dagster dev`` as ``make orchestrate`` starts it, on loopback with no network: its
GraphQL lists every reporting model as an asset with its checks, and headless Chromium
opens the asset graph with no console error."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import cli_env
from justice_warehouse.orchestrate.home import write_instance
from justice_warehouse.present.screenshots import take_dagster

ASSETS_QUERY = """
{ assetNodes { assetKey { path } assetChecksOrError { ... on AssetChecks { checks { name } } } } }
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def graphql(base_url: str, query: str) -> dict:
    request = urllib.request.Request(
        base_url + "/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["data"]


def stop(process: subprocess.Popen[bytes]) -> None:
    """dagster dev stops its webserver, daemon and code server on SIGTERM, in seconds."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture(scope="module")
def dagster_dev(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("dagster_dev")
    home = tmp / "home"
    write_instance(home)
    port = free_port()
    env = cli_env(tmp)
    env.update(
        DAGSTER_HOME=str(home),
        JW_PROJECT_DIR=str(project_root),
        JW_WAREHOUSE=str(tmp / "warehouse" / "justice.duckdb"),
        JW_DELIVERIES_DIR=str(tmp / "deliveries"),
        JW_GX_DIR=str(tmp / "gx"),
    )
    dagster = Path(sys.executable).parent / "dagster"
    log = (tmp / "dagster.log").open("wb")
    command = [str(dagster), "dev", "-m", "justice_warehouse.orchestrate.code_location"]
    process = subprocess.Popen(
        [*command, "-h", "127.0.0.1", "-p", str(port)],
        cwd=project_root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, (tmp / "dagster.log").read_text()[-3000:]
            try:
                nodes = graphql(base_url, ASSETS_QUERY)["assetNodes"]
                if nodes:  # the code location has loaded (it runs dbt parse first)
                    break
            except (OSError, KeyError, TypeError):
                pass
            assert time.monotonic() < deadline, (tmp / "dagster.log").read_text()[-3000:]
            time.sleep(2)
        yield base_url
    finally:
        stop(process)
        log.close()
    telemetry = home / "logs" / "event.log"
    assert not telemetry.exists() or not telemetry.read_text().strip(), "telemetry was written"


def test_graphql_lists_every_reporting_model_with_its_checks(dagster_dev: str, project_root: Path):
    nodes = graphql(dagster_dev, ASSETS_QUERY)["assetNodes"]
    checks = {
        tuple(node["assetKey"]["path"]): [c["name"] for c in node["assetChecksOrError"]["checks"]]
        for node in nodes
    }
    reporting = sorted(p.stem for p in (project_root / "models" / "reporting").rglob("*.sql"))
    assert len(reporting) > 5
    for model in reporting:
        assert ("reporting", model) in checks, model
        assert checks["reporting", model], f"{model} has no checks"
    assert "gx_published_figures" in checks["reporting", "published_figure_checks"]
    assert "published_build_is_fresh" in checks["published", "reporting_duckdb"]
    assert ("deliveries",) in checks


def test_the_asset_graph_opens_with_no_console_error(dagster_dev: str, tmp_path: Path):
    shots, errors = take_dagster(dagster_dev, tmp_path)
    assert not errors, errors
    assert all(shot.stat().st_size > 20_000 for shot in shots)  # drawn, not blank
