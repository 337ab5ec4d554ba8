"""One Dagster asset run = one ``justice-warehouse build``: the project's own pipeline.

The multi-asset runs ``build.pipeline.build`` (the gate, ``dbt build`` with the arguments the
pipeline computes, the disclosure checks, the suites, publish) under the build lock, on a
candidate. Write-audit-publish is the pipeline's: nothing is published unless every
blocking check passed. Dagster records the assets' materialisations only after publish, each
carrying the build id, so what it shows as materialised is what was published; a failed
build yields the check results it reached (a failed dbt test or suite shows as a failed
check) and then fails, with the build's own message, materialising nothing.
"""

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import dagster as dg

from justice_warehouse.build import pipeline
from justice_warehouse.build.options import BuildOptions, BuildOutcome
from justice_warehouse.check.report import ValidationReport
from justice_warehouse.core.errors import BuildFailed
from justice_warehouse.core.layout import REPORTING_NAME
from justice_warehouse.core.paths import project_dir
from justice_warehouse.core.settings import Settings
from justice_warehouse.orchestrate.lineage import DELIVERIES, DELIVERIES_KEY, Lineage

BUILD_ASSET_NAME = "warehouse_build"
# dbt test statuses that pass a check; "warn" passes with a warning.
PASSING = {"pass", "warn"}
# The dbt status of a test a build that adds deliveries did not select (_dbt_checks).
UNCHANGED = "unchanged"

Event = dg.MaterializeResult | dg.AssetCheckResult | dg.AssetMaterialization


class DeliveryConfig(dg.Config):
    """Which delivery a run builds: ``YYYY-MM-DD``, one folder of the deliveries folder
    (those before it that are not loaded yet come with it; later ones wait). Empty: every
    delivery waiting in the folder."""

    delivery: str = ""
    # Compare the data with the published figures (the command line's --published-figures);
    # unset: only for the bundled seeds.
    published_figures: bool | None = None


def build_options(config: DeliveryConfig, settings: Settings) -> BuildOptions:
    root = project_dir(settings.project_dir)
    return BuildOptions(
        root=root,
        warehouse=settings.warehouse_path(root),
        extracts_dir=settings.deliveries_path(root),
        gx_dir=settings.gx_path(root),
        published_figures=config.published_figures,
        keep_versions=settings.keep_versions,
        keep_runs=settings.validation_keep_runs,
        max_rejected_share=settings.max_rejected_share,
        last_delivery=date.fromisoformat(config.delivery) if config.delivery else None,
        settings=settings,
    )


def _dbt_results(outcome: BuildOutcome) -> dict[str, dict]:
    if outcome.dbt_results is None or not outcome.dbt_results.is_file():
        return {}
    results = json.loads(outcome.dbt_results.read_text())["results"]
    return {result["unique_id"]: result for result in results}


def _dbt_checks(
    lineage: Lineage, results: dict[str, dict], failed_build: bool = False
) -> Iterator[dg.AssetCheckResult]:
    """Each dbt test's result. After a failed build, only the tests dbt ran (one skipped
    because its model failed is left unevaluated, not shown as failed). A build that adds
    deliveries runs only the tests downstream of the extracts (build/dbt.py,
    dbt_build_args); Dagster needs a result for every check of a run that succeeds, so each
    of the others is reported as what it is: not run by this build, with the tables it
    reads as published (they passed it then), its status `unchanged`."""
    for unique_id, key in lineage.check_by_test_id.items():
        result = results.get(unique_id)
        if result is None and results and not failed_build:
            yield dg.AssetCheckResult(
                asset_key=key.asset_key,
                check_name=key.name,
                passed=True,
                metadata={
                    "dbt_status": UNCHANGED,
                    "failing_rows": 0,
                    "message": "not run by this build: it reads nothing the new deliveries "
                    "changed, and passed when the tables it reads were published",
                },
            )
            continue
        status = result["status"] if result else "not run"
        if failed_build and status in {"skipped", "not run"}:
            continue
        yield dg.AssetCheckResult(
            asset_key=key.asset_key,
            check_name=key.name,
            passed=status in PASSING,
            severity=dg.AssetCheckSeverity.WARN
            if status == "warn"
            else dg.AssetCheckSeverity.ERROR,
            metadata={
                "dbt_status": status,
                "failing_rows": (result or {}).get("failures") or 0,
                "message": (result or {}).get("message") or "",
            },
        )


def _suite_checks(
    lineage: Lineage, report: ValidationReport | None
) -> Iterator[dg.AssetCheckResult]:
    if report is None:
        return
    for suite, key in lineage.check_by_suite.items():
        outcomes = [o for o in report.outcomes if o.suite == suite]
        failed = [o for o in outcomes if not o.success]
        metadata: dict[str, dg.RawMetadataValue] = {
            "passed": sum(o.success for o in outcomes),
            "failed": len(failed),
            "errored": sum(o.is_error for o in outcomes),
            "validation_run": report.run_id,
            "failing_expectations": ", ".join(o.expectation for o in failed) or "none",
        }
        if report.data_docs:
            metadata["data_docs"] = dg.MetadataValue.path(report.data_docs)
        yield dg.AssetCheckResult(
            asset_key=key.asset_key,
            check_name=key.name,
            passed=bool(outcomes) and not failed and report.setup_error is None,
            metadata=metadata,
        )


def _deliveries(
    context: dg.AssetExecutionContext, outcome: BuildOutcome
) -> Iterator[dg.AssetMaterialization]:
    keys = [str(report.delivery.delivery_date) for report in outcome.deliveries]
    context.instance.add_dynamic_partitions(DELIVERIES.name, keys)
    for report in outcome.deliveries:
        yield dg.AssetMaterialization(
            asset_key=DELIVERIES_KEY,
            partition=str(report.delivery.delivery_date),
            metadata={
                "build_id": outcome.build_id or "",
                "fingerprint": report.delivery.fingerprint,
                "gate": dg.MetadataValue.md("\n".join(f"    {line}" for line in report.lines())),
            },
        )


def _materialisations(
    lineage: Lineage, outcome: BuildOutcome, results: dict[str, dict], warehouse: Path
) -> Iterator[dg.MaterializeResult]:
    status_by_key = {
        key: (results.get(uid) or {}).get("status", "")
        for uid, key in lineage.key_by_unique_id.items()
    }
    for spec in lineage.asset_specs:
        metadata: dict[str, dg.RawMetadataValue] = {"build_id": outcome.build_id or ""}
        if spec.key in status_by_key:
            metadata["dbt_status"] = status_by_key[spec.key]
        else:
            metadata["path"] = dg.MetadataValue.path(str(warehouse.parent / REPORTING_NAME))
        yield dg.MaterializeResult(asset_key=spec.key, metadata=metadata)


def make_build_asset(lineage: Lineage) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name=BUILD_ASSET_NAME,
        specs=lineage.asset_specs,
        check_specs=lineage.check_specs,
        description="justice-warehouse build: gate, dbt build, disclosure checks, validation "
        "suites and publish, on a candidate (write-audit-publish)",
    )
    def warehouse_build(context: dg.AssetExecutionContext, config: DeliveryConfig):
        settings = Settings.from_env()
        options = build_options(config, settings)
        outcome = BuildOutcome()
        try:
            pipeline.build(options, outcome)
        except BuildFailed as error:
            # What the build reached, as check results, then the build's own message.
            results = _dbt_results(outcome)
            yield from _dbt_checks(lineage, results, failed_build=True)
            yield from _suite_checks(lineage, outcome.validation)
            raise dg.Failure(
                description=str(error),
                metadata={"build_id": outcome.build_id or "", "exit_code": error.exit_code},
            ) from error
        results = _dbt_results(outcome)
        yield from _deliveries(context, outcome)
        yield from _materialisations(lineage, outcome, results, options.warehouse)
        yield from _dbt_checks(lineage, results)
        yield from _suite_checks(lineage, outcome.validation)

    return warehouse_build
