"""The benchmark's report: docs/benchmarks/<scale>.json and the table in docs/benchmarks.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from justice_warehouse.bench.series import series_chart
from justice_warehouse.synth import scale

STEP_LABELS = {
    "extract_load": "extract check and load (build step 1)",
    "raw_load": "raw DuckDB load of the same files (`create table as select * from read_...`)",
    "dbt_build": "`dbt build --full-refresh`",
    "raw_build": "the same compiled SQL, one DuckDB connection",
    "dbt_startup": "`dbt build` selecting nothing (start-up)",
    "validate": "`justice-warehouse validate`",
    "raw_validate": "the same checks as plain SQL",
    "incremental_build": "incremental `dbt build`, one new month",
    "full_build": "`justice-warehouse build` of two deliveries, end to end",
    "one_delivery": "`justice-warehouse build` of one new delivery, end to end",
    "end_to_end_build": "`justice-warehouse build` of the extract set, end to end",
    "bundled_build": "`justice-warehouse build` of the bundled seeds (`make build` after set-up)",
}
RATIO_LABELS = {
    "load_ratio": "extract check and load / raw load",
    "build_ratio": "dbt build / raw SQL",
    "validation_ratio": "validate / plain SQL",
    "incremental_ratio": "incremental `dbt build` of a month held back / full dbt build",
    "delivery_dbt_ratio": "dbt step of one new delivery's build / of the full build's",
    "delivery_ratio": "one new delivery / full build, end to end",
    "end_to_end_ratio": "whole build end to end / the three raw anchors (load, SQL, checks)",
    "bundled_build_seconds": "bundled build end to end (s)",
    "peak_memory_gib": "peak memory of any step (GiB)",
    "series_last_to_second": "delivery series: last delivery's build / the second's",
}


def series_chart_name(scale_name: str) -> str:
    return f"{scale_name}_series.svg"


def _series_lines(result: dict[str, Any]) -> list[str]:
    series = result.get("series")
    if not series:
        return []
    count = series["deliveries"]
    times = ", ".join(f"{seconds:.1f}" for seconds in series["seconds"])
    differing = series["differing_tables"]
    # A series measured before the comparison named its schemas compared these three.
    schemas = series.get("compared_schemas", ["main", "marts", "reporting"])
    named = ", ".join(f"`{schema}`" for schema in schemas[:-1]) + f" and `{schemas[-1]}`"
    equal = (
        f"every table of {named} equals the replay's, row for row"
        if not differing
        else "tables that differ from the replay (rows only one-by-one, only replay): "
        + ", ".join(f"`{name}` {counts}" for name, counts in differing.items())
    )
    return [
        f"### {count} monthly deliveries, one build each (measured {result['series_measured_at']})",
        "",
        f"![Seconds per delivery against deliveries already loaded, `{result['scale']}`]"
        f"(benchmarks/{series_chart_name(result['scale'])})",
        "",
        f"Seconds, end to end, delivery by delivery: {times}. A `--replay` of all {count} in "
        f"one build: {series['replay_seconds']:.1f} s. After the {count} builds, {equal}.",
        "",
    ]


def render_markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "# Benchmarks",
        "",
        "<!-- Written by `justice-warehouse benchmark` (make bench); JSON beside it in "
        "docs/benchmarks/. -->",
        "",
        "Each step runs in its own process on the same machine in one benchmark run; times "
        "are the median of the runs, memory is the largest peak resident set of any run. The "
        "data are SYNTHETIC extract sets from `justice-warehouse generate --scale`.",
        "",
    ]
    for result in results:
        machine = result["machine"]
        packages = ", ".join(f"{name} {version}" for name, version in machine["packages"].items())
        lines += [
            f"## `{result['scale']}` scale",
            "",
            f"- Measured {result['measured_at']}, {result['runs']} runs per step"
            + (
                f"; the two end-to-end delivery steps (one run each) on "
                f"{result['deliveries_measured_at']}."
                if result.get("deliveries_measured_at")
                else "; the two end-to-end delivery steps once each."
                if "one_delivery" in result["steps"]
                else "."
            ),
            f"- Machine: {machine['cpu']}, {machine['cores']} cores, "
            f"{machine['memory_gib']} GiB RAM; {machine['os']}; Python {machine['python']}.",
            f"- Versions: {packages}. DuckDB settings: {machine['duckdb_settings']}.",
            f"- Data: {result['rows']['rj_referrals']:,} referrals, "
            f"{result['rows']['probation_appointments']:,} appointments; incremental month "
            f"{result['new_month']}. {result['compiled_statements']} compiled statements, "
            f"{result['validation_checks']} validation checks.",
            "",
            "| step | median s | peak MiB | runs (s) |",
            "|---|---:|---:|---|",
        ]
        for name, step in result["steps"].items():
            runs = ", ".join(f"{seconds:.2f}" for seconds in step["runs_seconds"])
            lines.append(
                f"| {STEP_LABELS.get(name, name)} | {step['median_seconds']:.2f} | "
                f"{step['peak_mib']:.0f} | {runs} |"
            )
        lines += [
            "",
            f"dbt build less its start-up: {result['dbt_build_without_startup_seconds']:.2f} s. "
            "The incremental model alone (`fct_probation_appointments`, dbt's node timing), "
            f"one new month against a full refresh: {result['fact_model_incremental_ratio']:.3f}.",
            "",
        ]
        if result.get("end_to_end_step_seconds"):
            parts = ", ".join(
                f"{step} {seconds:.2f} s"
                for step, seconds in result["end_to_end_step_seconds"].items()
            )
            lines += [
                f"The end-to-end build's own steps: {parts}; the three raw anchors sum to "
                f"{result['raw_anchors_seconds']:.2f} s.",
                "",
            ]
        for name, parts in (result.get("delivery_step_seconds") or {}).items():
            shown = ", ".join(f"{step} {seconds:.2f} s" for step, seconds in parts.items())
            lines += [f"{STEP_LABELS[name]}, the build's own steps: {shown}.", ""]
        lines += _series_lines(result)
        lines += ["| measure | value | target | met |", "|---|---:|---:|---|"]
        for name, value in result["ratios"].items():
            target = result["targets"].get(name)
            met = {True: "yes", False: "**no**", None: "no target"}[result["met"].get(name)]
            shown = f"<= {target}" if target is not None else "none"
            lines.append(f"| {RATIO_LABELS[name]} | {value:.3f} | {shown} | {met} |")
        lines.append("")
    return "\n".join(lines)


def write_report(result: dict[str, Any], docs: Path) -> Path:
    """Store this scale's JSON and rewrite the Markdown page from every stored scale."""
    json_dir = docs / "benchmarks"
    json_dir.mkdir(parents=True, exist_ok=True)
    (json_dir / f"{result['scale']}.json").write_text(json.dumps(result, indent=2) + "\n")
    if result.get("series"):
        series = result["series"]
        chart = series_chart(
            series["seconds"],
            series["replay_seconds"],
            f"{series['deliveries']} monthly deliveries at {result['scale']} scale, one build each",
        )
        (json_dir / series_chart_name(result["scale"])).write_text(chart)
    order = list(scale.SCALES)
    stored = sorted(
        (json.loads(path.read_text()) for path in json_dir.glob("*.json")),
        key=lambda item: order.index(item["scale"]) if item["scale"] in order else len(order),
    )
    page = docs / "benchmarks.md"
    page.write_text(render_markdown(stored))
    return page
