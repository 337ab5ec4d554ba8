"""The Dagster definitions (``code_location.py`` is the module ``dagster dev`` loads).

One pipeline, two ways to start it: a run of ``publish_delivery`` is the project's own build
(``build_asset.py``), so ``justice-warehouse build`` and Dagster publish the same thing. Runs
use the in-process executor, so the build lock holds from the gate to publish within one
process; ``make orchestrate`` writes a ``dagster.yaml`` that queues runs one at a time.
"""

import dagster as dg

from justice_warehouse.build.published import write_dashboards
from justice_warehouse.core.paths import project_dir
from justice_warehouse.core.settings import Settings
from justice_warehouse.orchestrate.build_asset import make_build_asset
from justice_warehouse.orchestrate.lineage import (
    DASHBOARDS_KEY,
    DELIVERIES,
    DELIVERIES_KEY,
    PUBLISHED_GROUP,
    REPORTING_FILE_KEY,
    lineage,
    parse_manifest,
)
from justice_warehouse.orchestrate.schedules import (
    SCHEDULES,
    freshness_job,
    published_build_is_fresh,
    validate_published_job,
)
from justice_warehouse.orchestrate.sensors import JOB_NAME, make_sensor

deliveries = dg.AssetSpec(
    DELIVERIES_KEY,
    partitions_def=DELIVERIES,
    group_name="sources",
    description="One partition per YYYY-MM-DD/ folder of JW_DELIVERIES_DIR, recorded when the "
    "build that checked it with the gate and loaded it was published",
)


@dg.asset(
    key=DASHBOARDS_KEY,
    deps=[REPORTING_FILE_KEY],
    group_name=PUBLISHED_GROUP,
    kinds={"html"},
    description="warehouse/dashboards/: the static dashboards, from the published "
    "reporting.duckdb (read-only)",
)
def dashboards() -> dg.MaterializeResult:
    settings = Settings.from_env()
    root = project_dir(settings.project_dir)
    warehouse = settings.warehouse_path(root)
    written = write_dashboards(warehouse, root, warehouse.parent / "dashboards", settings)
    return dg.MaterializeResult(metadata={"pages": len(written)})


def make_definitions(settings: Settings) -> dg.Definitions:
    root = project_dir(settings.project_dir)
    found = lineage(parse_manifest(root, settings))
    build_asset = make_build_asset(found)
    publish_delivery = dg.define_asset_job(
        JOB_NAME,
        selection=dg.AssetSelection.assets(build_asset, dashboards),
        description="Check, build, validate and publish a delivery, then its dashboards",
    )
    return dg.Definitions(
        assets=[deliveries, *found.source_specs, build_asset, dashboards],
        asset_checks=[published_build_is_fresh],
        jobs=[publish_delivery, validate_published_job, freshness_job],
        sensors=[make_sensor(settings)],
        schedules=SCHEDULES,
        executor=dg.in_process_executor,
    )
