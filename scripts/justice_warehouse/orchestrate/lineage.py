"""The warehouse's assets and checks as Dagster sees them, read from dbt's manifest.

dbt's lineage is Dagster's: every seed and model the build runs is an asset (its spec made
by ``dagster-dbt``'s translator, as ``@dbt_assets`` makes them), every source an external
asset fed by the deliveries, every dbt data test an asset check on the model it guards (a
singular test that reads several models names it in ``meta.dagster.ref``), and every
validation suite an asset check on the model its batch reads (``check/guards.py``). The
published files come last: ``reporting.duckdb``, the exports and the docs site.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator

from justice_warehouse.build.dbt import dbt_vars_args, finish_dbt, start_dbt
from justice_warehouse.check.guards import SUITE_GUARDS
from justice_warehouse.core.settings import Settings

# The row-level seeds are the bundled extracts: the gate loads them, dbt never does.
EXTRACT_SEEDS = "seeds/synthetic/"
DELIVERIES_KEY = dg.AssetKey("deliveries")
DELIVERIES = dg.DynamicPartitionsDefinition(name="deliveries")
REPORTING_FILE_KEY = dg.AssetKey(["published", "reporting_duckdb"])
EXPORTS_KEY = dg.AssetKey(["published", "exports"])
DOCS_SITE_KEY = dg.AssetKey(["published", "docs_site"])
DASHBOARDS_KEY = dg.AssetKey(["published", "dashboards"])
PUBLISHED_GROUP = "published"


class Translator(DagsterDbtTranslator):
    """dagster-dbt's default keys; groups by layer (the folder under models/)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        if dbt_resource_props["resource_type"] == "source":
            return "sources"
        parts = Path(dbt_resource_props["original_file_path"]).parts
        return parts[1] if len(parts) > 2 and parts[0] == "models" else "default"


@dataclass(frozen=True)
class Lineage:
    """The specs of the build's one multi-asset and the keys needed to report its results."""

    manifest: dict[str, Any]
    asset_specs: list[dg.AssetSpec]  # seeds and models, then the published files
    source_specs: list[dg.AssetSpec]  # external: fed by the deliveries
    check_specs: list[dg.AssetCheckSpec]
    key_by_unique_id: dict[str, dg.AssetKey]
    check_by_test_id: dict[str, dg.AssetCheckKey]
    check_by_suite: dict[str, dg.AssetCheckKey]

    @property
    def model_keys(self) -> list[dg.AssetKey]:
        return list(self.key_by_unique_id.values())


def parse_manifest(root: Path, settings: Settings) -> dict[str, Any]:
    """``dbt parse`` into a target folder of the orchestrator's own (the build's is rewritten
    by every build), with the builds' vars; the manifest it writes."""
    target = settings.target_path(root) / "orchestrate"
    vars_args = dbt_vars_args(published_figures_apply=True, input_is_bundled_synthetic=False)
    warehouse = settings.warehouse_path(root)
    completed = finish_dbt(
        start_dbt(root, ["parse", *vars_args], warehouse, settings, target_path=target)
    )
    manifest = target / "manifest.json"
    if completed.returncode != 0 or not manifest.is_file():
        output = (completed.stdout + completed.stderr)[-3000:]
        raise RuntimeError(f"dbt parse failed (exit {completed.returncode}):\n{output}")
    return json.loads(manifest.read_text())


def _runs_in_build(node: Mapping[str, Any]) -> bool:
    return node["resource_type"] in {"model", "seed"} and not node["original_file_path"].startswith(
        EXTRACT_SEEDS
    )


def _suite_checks(key_by_name: dict[str, dg.AssetKey]) -> dict[str, dg.AssetCheckSpec]:
    return {
        suite: dg.AssetCheckSpec(
            name=f"gx_{suite}",
            asset=key_by_name[model],
            description=f"Great Expectations suite `{suite}` on the build's candidate "
            "(check/suites.py); the publish step runs only when it passed",
            blocking=True,
        )
        for suite, model in SUITE_GUARDS.items()
    }


def _published_specs(reporting_keys: list[dg.AssetKey]) -> list[dg.AssetSpec]:
    return [
        dg.AssetSpec(
            REPORTING_FILE_KEY,
            deps=reporting_keys,
            group_name=PUBLISHED_GROUP,
            description="warehouse/reporting.duckdb: the suppressed reporting tables BI tools "
            "read, published by atomic rename after every check passed",
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            EXPORTS_KEY,
            deps=[REPORTING_FILE_KEY],
            group_name=PUBLISHED_GROUP,
            description="warehouse/exports/: each reporting table as Parquet",
            kinds={"parquet"},
        ),
        dg.AssetSpec(
            DOCS_SITE_KEY,
            deps=reporting_keys,
            group_name=PUBLISHED_GROUP,
            description="warehouse/docs/: dbt's docs site of the published build",
            kinds={"html"},
        ),
    ]


def lineage(manifest: dict[str, Any]) -> Lineage:
    translator = Translator()
    nodes = manifest["nodes"]
    # Topological order: Dagster takes a multi-asset's results in that order.
    order = TopologicalSorter({uid: manifest["parent_map"].get(uid, []) for uid in nodes})
    built = [uid for uid in order.static_order() if uid in nodes and _runs_in_build(nodes[uid])]
    specs = {uid: translator.get_asset_spec(manifest, uid, None) for uid in built}
    key_by_unique_id = {uid: spec.key for uid, spec in specs.items()}
    key_by_name = {nodes[uid]["name"]: key for uid, key in key_by_unique_id.items()}
    sources = [
        translator.get_asset_spec(manifest, uid, None).replace_attributes(deps=[DELIVERIES_KEY])
        for uid in manifest["sources"]
    ]
    check_specs: dict[str, dg.AssetCheckSpec] = {}
    for uid, node in nodes.items():
        if node["resource_type"] != "test":
            continue
        attached = node.get("attached_node") or _ref_of(node, nodes) or _only_parent(node)
        if attached not in specs:
            continue
        spec = translator.get_asset_check_spec(specs[attached], manifest, uid, None)
        if spec is not None:
            check_specs[uid] = spec
    suite_checks = _suite_checks(key_by_name)
    reporting = [key_by_unique_id[uid] for uid in built if nodes[uid]["schema"] == "reporting"]
    return Lineage(
        manifest=manifest,
        asset_specs=[*specs.values(), *_published_specs(reporting)],
        source_specs=sources,
        check_specs=[*check_specs.values(), *suite_checks.values()],
        key_by_unique_id=key_by_unique_id,
        check_by_test_id={uid: spec.key for uid, spec in check_specs.items()},
        check_by_suite={suite: spec.key for suite, spec in suite_checks.items()},
    )


def _ref_of(node: Mapping[str, Any], nodes: Mapping[str, Any]) -> str | None:
    ref = ((node.get("config") or {}).get("meta") or {}).get("dagster", {}).get("ref")
    if not ref:
        return None
    return next((uid for uid, other in nodes.items() if other["name"] == ref["name"]), None)


def _only_parent(node: Mapping[str, Any]) -> str | None:
    parents = node["depends_on"]["nodes"]
    return parents[0] if len(parents) == 1 else None
