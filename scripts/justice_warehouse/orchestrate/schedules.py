"""What runs on a clock: the validation of the published warehouse every morning, and the
freshness check (``justice-warehouse status``), an asset check on the published file that
fails visibly when the published build is older than ``JW_MAX_BUILD_AGE_HOURS``."""

import dagster as dg

from justice_warehouse.build.published import validate_published
from justice_warehouse.check.report import summary
from justice_warehouse.core.paths import project_dir
from justice_warehouse.core.settings import Settings
from justice_warehouse.operate.status import NOTHING_PUBLISHED, STALE, status
from justice_warehouse.orchestrate.lineage import REPORTING_FILE_KEY

TIMEZONE = "Europe/London"


@dg.op(description="Every validation suite on the published justice.duckdb")
def validate_published_warehouse(context: dg.OpExecutionContext) -> None:
    settings = Settings.from_env()
    root = project_dir(settings.project_dir)
    report = validate_published(
        settings.warehouse_path(root),
        settings.gx_path(root),
        settings,
        settings.validation_keep_runs,
    )
    text = summary(report)
    context.log.info(text)
    data = report.to_json()
    metadata: dict[str, dg.RawMetadataValue] = {
        "passed": data["passed"],
        "failed": data["failed"],
        "errored": data["errored"],
        "validation_run": report.run_id,
    }
    if report.data_docs:
        metadata["data_docs"] = dg.MetadataValue.path(report.data_docs)
    if report.exit_code != 0:
        raise dg.Failure(description=text, metadata=metadata)
    context.log_event(
        dg.AssetObservation(asset_key=REPORTING_FILE_KEY, metadata={**metadata, "validated": True})
    )


@dg.job(description="The morning validation of the published warehouse")
def validate_published_job() -> None:
    validate_published_warehouse()


@dg.asset_check(
    asset=REPORTING_FILE_KEY,
    name="published_build_is_fresh",
    description="justice-warehouse status: fails when nothing is published or the published "
    "build is older than JW_MAX_BUILD_AGE_HOURS (a silent stop)",
)
def published_build_is_fresh() -> dg.AssetCheckResult:
    settings = Settings.from_env()
    root = project_dir(settings.project_dir)
    result = status(settings.warehouse_path(root), settings.max_build_age_hours)
    # The last run having failed is shown by that run; this check is about age, which the
    # exit code (the lowest problem's) would hide behind a failed run: read every problem.
    passed = not result.problems & {NOTHING_PUBLISHED, STALE}
    return dg.AssetCheckResult(
        passed=passed,
        metadata={
            "status_exit_code": result.exit_code,
            "is_stale": STALE in result.problems,
            "status": dg.MetadataValue.md("\n".join(f"    {line}" for line in result.lines)),
        },
    )


freshness_job = dg.define_asset_job(
    "freshness_check", selection=dg.AssetSelection.checks(published_build_is_fresh)
)

SCHEDULES = [
    dg.ScheduleDefinition(
        job=validate_published_job,
        cron_schedule="30 6 * * *",
        execution_timezone=TIMEZONE,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Validates the published warehouse every morning at 06:30",
    ),
    dg.ScheduleDefinition(
        job=freshness_job,
        cron_schedule="0 * * * *",
        execution_timezone=TIMEZONE,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Checks every hour that the published build is not too old",
    ),
]
