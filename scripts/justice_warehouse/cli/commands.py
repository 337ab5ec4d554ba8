"""What each ``justice-warehouse`` command does: one handler per command, given the parsed
arguments; each returns the command's exit code.

The synthetic-data generators (``synth``) and the benchmark (``bench``) load numpy and
pandas, so only the commands that use them import them, inside their handlers: ``build``
and ``status`` start without either.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from justice_warehouse.build.options import BuildOptions
from justice_warehouse.build.pipeline import build
from justice_warehouse.build.published import validate_published, write_dashboards
from justice_warehouse.check.report import summary
from justice_warehouse.core.errors import BuildFailed
from justice_warehouse.core.paths import (
    default_warehouse,
    deliveries_seed_dir,
    project_dir,
    synthetic_seed_dir,
)
from justice_warehouse.core.settings import Settings
from justice_warehouse.gate.contract.render import render_markdown, render_source_docs
from justice_warehouse.gate.deliveries import bundled_delivery_date
from justice_warehouse.operate.status import status
from justice_warehouse.present import metrics
from justice_warehouse.publish.rollback import rollback


def _warehouse(args: argparse.Namespace, root: Path) -> Path:
    return Path(args.warehouse).resolve() if args.warehouse else default_warehouse(root)


def generate_seeds(args: argparse.Namespace) -> int:
    # numpy and pandas, for this command only (module docstring).
    from justice_warehouse.synth import generate, sequence

    root = project_dir(args.settings.project_dir)
    out = Path(args.out) if args.out else synthetic_seed_dir(root)
    for written in generate.write_seeds(out, seed=args.seed):
        print(f"wrote {written.rows:>7} rows  {written.path}")
    deliveries_dir = out.parent / deliveries_seed_dir(root).name
    for delivery in sequence.write_deliveries(
        deliveries_dir, out, bundled_delivery_date(root), seed=args.seed
    ):
        rows = ", ".join(f"{name} {count}" for name, count in delivery.rows.items())
        print(f"wrote delivery {delivery.delivery_date}: {rows}")
    print("all rows are SYNTHETIC (generated, not real cases)")
    return 0


def generate_scaled(args: argparse.Namespace) -> int:
    # numpy and pandas, for this command only (module docstring).
    from justice_warehouse.synth import scale, scale_deliveries

    out = Path(args.out)
    if args.deliveries > 1:
        for delivery in scale_deliveries.write_deliveries(
            out, args.scale, args.deliveries, args.format, seed=args.seed
        ):
            rows = ", ".join(f"{name} {count:,}" for name, count in delivery.rows.items())
            print(f"wrote delivery {delivery.delivery_date}: {rows}")
        print(f"all rows are SYNTHETIC; build them with: justice-warehouse build --extracts {out}")
        return 0
    for written in scale.write_extracts(out, args.scale, args.format, seed=args.seed):
        print(f"wrote {written.rows:>10,} rows  {written.path}")
    print(f"all rows are SYNTHETIC; build them with: justice-warehouse build --extracts {out}")
    return 0


def benchmark(args: argparse.Namespace) -> int:
    # numpy and pandas (through the scale generator), for this command only.
    from justice_warehouse.bench import run
    from justice_warehouse.bench.report import write_report

    root = project_dir(args.settings.project_dir)
    workdir = Path(args.workdir).resolve() if args.workdir else root / "target" / "benchmark"
    docs = Path(args.docs).resolve() if args.docs else root / "docs"
    if args.series:
        stored = json.loads((docs / "benchmarks" / f"{args.scale}.json").read_text())
        result = run.add_series(root, workdir / args.scale, args.scale, stored, args.series)
    elif args.only_deliveries:
        stored = json.loads((docs / "benchmarks" / f"{args.scale}.json").read_text())
        result = run.rerun_delivery_steps(root, workdir / args.scale, args.scale, stored)
    else:
        result = run.run_benchmark(root, workdir / args.scale, args.scale, args.runs, args.settings)
    page = write_report(result, docs)
    for name, value in result["ratios"].items():
        target = result["targets"].get(name)
        verdict = "no target" if target is None else "met" if result["met"][name] else "MISSED"
        print(f"{name}: {value:.3f} (target <= {target}: {verdict})")
    print(f"written: {page}")
    return 0


def check_seeds(args: argparse.Namespace) -> int:
    # numpy and pandas, for this command only (module docstring).
    from justice_warehouse.synth import seeds_check

    root = project_dir(args.settings.project_dir)
    differences = seeds_check.compare_with_generator(synthetic_seed_dir(root), seed=args.seed)
    differences += seeds_check.compare_deliveries_with_generator(
        root, deliveries_seed_dir(root), seed=args.seed
    )
    if differences:
        for difference in differences:
            print(f"seed out of date: {difference}", file=sys.stderr)
        print("run `justice-warehouse generate-seeds` and commit the result", file=sys.stderr)
        return 1
    print("committed seeds match the generator")
    return 0


def _with_groups(args: argparse.Namespace) -> Settings:
    """The settings, with the groups given on the command line in place of the environment's."""
    settings: Settings = args.settings
    return replace(
        settings,
        warehouse_group=args.warehouse_group or settings.warehouse_group,
        reader_group=args.reader_group or settings.reader_group,
    )


def build_command(args: argparse.Namespace) -> int:
    root = project_dir(args.settings.project_dir)
    options = BuildOptions(
        root=root,
        warehouse=_warehouse(args, root),
        extracts_dir=Path(args.extracts).resolve() if args.extracts else None,
        gx_dir=Path(args.gx_dir).resolve() if args.gx_dir else None,
        max_rejected_share=args.max_rejected_share,
        keep_versions=args.keep_versions,
        keep_runs=args.keep_runs,
        published_figures=args.published_figures,
        full_refresh=args.full_refresh,
        replay=args.replay,
        delivery_date=date.fromisoformat(args.delivery_date) if args.delivery_date else None,
        settings=_with_groups(args),
    )
    try:
        build(options)
    except BuildFailed as error:
        print(f"BUILD FAILED: {error}", file=sys.stderr)
        log_dir = args.settings.log_path(root)
        print(f"dbt log: {log_dir / 'dbt.log'}", file=sys.stderr)
        return error.exit_code
    return 0


def rollback_command(args: argparse.Namespace) -> int:
    try:
        rollback(_warehouse(args, project_dir(args.settings.project_dir)), _with_groups(args))
    except BuildFailed as error:
        print(f"ROLLBACK FAILED: {error}", file=sys.stderr)
        return error.exit_code
    return 0


def status_command(args: argparse.Namespace) -> int:
    root = project_dir(args.settings.project_dir)
    result = status(_warehouse(args, root), args.max_age_hours)
    if result.exit_code or not args.quiet:
        print("\n".join(result.lines))
    return result.exit_code


def validate_command(args: argparse.Namespace) -> int:
    root = project_dir(args.settings.project_dir)
    gx_dir = Path(args.gx_dir).resolve() if args.gx_dir else root / "gx"
    report = validate_published(_warehouse(args, root), gx_dir, args.settings, args.keep_runs)
    print(summary(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_json(), indent=2))
    return report.exit_code


def contract_doc(args: argparse.Namespace) -> int:
    if args.dbt_docs:
        Path(args.dbt_docs).write_text(render_source_docs())
    text = render_markdown()
    if args.out:
        Path(args.out).write_text(text)
    else:
        print(text, end="")
    return 0


def dashboards(args: argparse.Namespace) -> int:
    root = project_dir(args.settings.project_dir)
    warehouse = _warehouse(args, root)
    site = Path(args.out).resolve() if args.out else warehouse.parent / "dashboards"
    # DashboardError is a RuntimeError: main() prints it and exits 2.
    for path in write_dashboards(warehouse, root, site, args.settings):
        print(f"wrote {path}")
    return 0


def metrics_command(args: argparse.Namespace) -> int:
    root = project_dir(args.settings.project_dir)
    if args.write_snapshot:
        target = args.settings.target_path(root) / "metrics_snapshot"
        manifest = metrics.parse_project(root, args.settings, target)
        (root / metrics.SNAPSHOT_MACRO).write_text(metrics.snapshot_text(manifest))
        print(f"wrote {root / metrics.SNAPSHOT_MACRO}")
        return 0
    try:
        folder = metrics.prepare(root, _warehouse(args, root), args.settings)
    except metrics.MetricsUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(metrics.metrics_text(metrics.read_metrics(folder)))
    return 0


def mf_command(args: argparse.Namespace) -> int:
    root = project_dir(args.settings.project_dir)
    warehouse = _warehouse(args, root)
    try:
        folder = metrics.prepare(root, warehouse, args.settings)
    except metrics.MetricsUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return metrics.run_mf(folder, warehouse, args.settings, list(args.mf_args))
