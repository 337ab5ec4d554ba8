"""The sensor on the deliveries folder: a new dated folder starts one build of it.

Each ``YYYY-MM-DD/`` folder of ``JW_DELIVERIES_DIR`` gives one run request keyed by its name
and the digest of its files, so the same unchanged folder never starts a second run (Dagster
keeps the keys it has seen). A folder the published warehouse already holds with the same
fingerprint is skipped; one it holds with other files starts a run that the gate refuses,
its message naming ``--replay``. Requests come oldest first; the run queue (one at a time)
keeps that order. Copy a delivery in under another name and rename it when complete: a
half-copied dated folder would start a run the gate refuses.
"""

import hashlib
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb

from justice_warehouse.core.paths import project_dir
from justice_warehouse.core.settings import Settings
from justice_warehouse.gate.deliveries import Delivery, dated_folders, loaded_deliveries
from justice_warehouse.gate.files import ExtractError
from justice_warehouse.orchestrate.build_asset import BUILD_ASSET_NAME
from justice_warehouse.orchestrate.lineage import DELIVERIES

JOB_NAME = "publish_delivery"
DELIVERY_TAG = "justice_warehouse/delivery"


def folder_digest(folder: Path) -> str:
    """The gate's fingerprint of the delivery; for a folder the gate cannot read as one (a
    file missing), a digest of every file's name and bytes, so that the run still starts
    and fails with the gate's message."""
    try:
        return Delivery(date.fromisoformat(folder.name), folder, folder.name + "/").fingerprint
    except (ExtractError, ValueError):
        digest = hashlib.sha256()
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()


def published_deliveries(warehouse: Path) -> dict[date, str]:
    """The deliveries the published warehouse holds; none when it cannot be read now (not
    built yet, or another process holds it): the gate judges them in the run instead."""
    if not warehouse.is_file():
        return {}
    try:
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            return loaded_deliveries(connection)
    except duckdb.Error:
        return {}


def delivery_requests(deliveries_dir: Path, warehouse: Path) -> list[dg.RunRequest]:
    if not deliveries_dir.is_dir():
        return []
    published = published_deliveries(warehouse)
    requests = []
    for folder in dated_folders(deliveries_dir):
        digest = folder_digest(folder)
        if published.get(date.fromisoformat(folder.name)) == digest:
            continue
        requests.append(
            dg.RunRequest(
                run_key=f"{folder.name}:{digest}",
                run_config={"ops": {BUILD_ASSET_NAME: {"config": {"delivery": folder.name}}}},
                tags={DELIVERY_TAG: folder.name},
            )
        )
    return requests


def make_sensor(settings: Settings) -> dg.SensorDefinition:
    @dg.sensor(
        name="new_deliveries",
        job_name=JOB_NAME,
        minimum_interval_seconds=settings.sensor_interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Starts one build per new YYYY-MM-DD/ folder of JW_DELIVERIES_DIR",
    )
    def new_deliveries(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        current = Settings.from_env()
        root = project_dir(current.project_dir)
        requests = delivery_requests(current.deliveries_path(root), current.warehouse_path(root))
        names = [request.tags[DELIVERY_TAG] for request in requests]
        return dg.SensorResult(
            run_requests=requests,
            dynamic_partitions_requests=[DELIVERIES.build_add_request(names)] if names else [],
        )

    return new_deliveries
