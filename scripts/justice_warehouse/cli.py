"""The one command line for the project's Python tooling: ``justice-warehouse``.

Exit codes: 0 success; 1 the data failed (a bad extract, a dbt model or test, an
expectation); 2 the tool or a check could not run (missing warehouse or table, SQL error,
another build running, not enough disk space, bad set-up). ``status`` has its own codes
(status.py). Heavy libraries (dbt, Great Expectations) are imported
only by the commands that need them.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from justice_warehouse import generate, generate_deliveries, seeds
from justice_warehouse.deliveries import bundled_delivery_date
from justice_warehouse.paths import (
    default_warehouse,
    deliveries_seed_dir,
    project_dir,
    synthetic_seed_dir,
)
from justice_warehouse.settings import Settings


def _warehouse(args: argparse.Namespace, root: Path) -> Path:
    return Path(args.warehouse).resolve() if args.warehouse else default_warehouse(root)


def _cmd_generate_seeds(args: argparse.Namespace) -> int:
    root = project_dir(args.settings.project_dir)
    out = Path(args.out) if args.out else synthetic_seed_dir(root)
    for written in generate.write_seeds(out, seed=args.seed):
        print(f"wrote {written.rows:>7} rows  {written.path}")
    deliveries_dir = out.parent / deliveries_seed_dir(root).name
    for delivery in generate_deliveries.write_deliveries(
        deliveries_dir, out, bundled_delivery_date(root), seed=args.seed
    ):
        rows = ", ".join(f"{name} {count}" for name, count in delivery.rows.items())
        print(f"wrote delivery {delivery.delivery_date}: {rows}")
    print("all rows are SYNTHETIC (generated, not real cases)")
    return 0


def _cmd_generate(args: argparse.Namespace) -> int:
    from justice_warehouse import scale

    out = Path(args.out)
    if args.deliveries > 1:
        from justice_warehouse import scale_deliveries

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


def _cmd_benchmark(args: argparse.Namespace) -> int:
    from justice_warehouse import benchmark, benchmark_report

    root = project_dir(args.settings.project_dir)
    workdir = Path(args.workdir).resolve() if args.workdir else root / "target" / "benchmark"
    docs = Path(args.docs).resolve() if args.docs else root / "docs"
    if args.only_deliveries:
        stored = json.loads((docs / "benchmarks" / f"{args.scale}.json").read_text())
        result = benchmark.rerun_delivery_steps(root, workdir / args.scale, args.scale, stored)
    else:
        result = benchmark.run_benchmark(
            root, workdir / args.scale, args.scale, args.runs, args.settings
        )
    page = benchmark_report.write_report(result, docs)
    for name, value in result["ratios"].items():
        target = result["targets"].get(name)
        verdict = "no target" if target is None else "met" if result["met"][name] else "MISSED"
        print(f"{name}: {value:.3f} (target <= {target}: {verdict})")
    print(f"written: {page}")
    return 0


def _cmd_check_seeds(args: argparse.Namespace) -> int:
    root = project_dir(args.settings.project_dir)
    differences = seeds.compare_with_generator(synthetic_seed_dir(root), seed=args.seed)
    differences += seeds.compare_deliveries_with_generator(
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


def _cmd_build(args: argparse.Namespace) -> int:
    from justice_warehouse import publish

    root = project_dir(args.settings.project_dir)
    options = publish.BuildOptions(
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
        publish.build(options)
    except publish.BuildFailed as error:
        print(f"BUILD FAILED: {error}", file=sys.stderr)
        log_dir = args.settings.log_path(root)
        print(f"dbt log: {log_dir / 'dbt.log'}", file=sys.stderr)
        return error.exit_code
    return 0


def _cmd_rollback(args: argparse.Namespace) -> int:
    from justice_warehouse import publish

    try:
        publish.rollback(
            _warehouse(args, project_dir(args.settings.project_dir)), _with_groups(args)
        )
    except publish.BuildFailed as error:
        print(f"ROLLBACK FAILED: {error}", file=sys.stderr)
        return error.exit_code
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    from justice_warehouse import status

    root = project_dir(args.settings.project_dir)
    result = status.status(_warehouse(args, root), args.max_age_hours)
    if result.exit_code or not args.quiet:
        print("\n".join(result.lines))
    return result.exit_code


def _cmd_validate(args: argparse.Namespace) -> int:
    from justice_warehouse import permissions, validate

    root = project_dir(args.settings.project_dir)
    gx_dir = Path(args.gx_dir).resolve() if args.gx_dir else root / "gx"
    with permissions.private_umask():  # results name failing rows: the warehouse's own modes
        report = validate.run_validation(
            _warehouse(args, root), gx_dir, args.settings, keep_runs=args.keep_runs
        )
    permissions.set_tree(
        gx_dir / "uncommitted", permissions.private_modes(args.settings.warehouse_group)
    )
    print(validate.summary(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_json(), indent=2))
    return report.exit_code


def _cmd_contract_doc(args: argparse.Namespace) -> int:
    from justice_warehouse import contract

    text = contract.render_markdown()
    if args.out:
        Path(args.out).write_text(text)
    else:
        print(text, end="")
    return 0


def _cmd_dashboards(args: argparse.Namespace) -> int:
    from justice_warehouse import dashboards, permissions
    from justice_warehouse.publish import REPORTING_NAME

    root = project_dir(args.settings.project_dir)
    warehouse = _warehouse(args, root)
    site = Path(args.out).resolve() if args.out else warehouse.parent / "dashboards"
    # DashboardError is a RuntimeError: main() prints it and exits 2.
    written = dashboards.build_site(warehouse.parent / REPORTING_NAME, root / "dashboards", site)
    permissions.set_tree(site, permissions.public_modes(args.settings.reader_group))
    for path in written:
        print(f"wrote {path}")
    return 0


def _group_options(command: argparse.ArgumentParser, settings: Settings) -> None:
    command.add_argument(
        "--warehouse-group",
        help="group that may read the row-level files (default JW_WAREHOUSE_GROUP, "
        f"now {settings.warehouse_group or 'unset: owner only'})",
    )
    command.add_argument(
        "--reader-group",
        help="group that may read reporting.duckdb and exports/ (default JW_READER_GROUP, "
        f"now {settings.reader_group or 'unset: everyone'})",
    )


def parser(settings: Settings) -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="justice-warehouse", description="Build, check and publish the justice warehouse."
    )
    commands = main_parser.add_subparsers(dest="command", required=True)
    warehouse_help = "published DuckDB file (default: warehouse/justice.duckdb)"
    keep_runs = settings.validation_keep_runs
    keep_runs_help = f"validation runs kept in gx/uncommitted (default {keep_runs})"

    gen = commands.add_parser("generate-seeds", help="write the synthetic row-level seed CSVs")
    gen.add_argument("--out", help="output folder (default: seeds/synthetic)")
    gen.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    gen.set_defaults(handler=_cmd_generate_seeds)

    scale_names = ["small", "london", "national"]
    scaled = commands.add_parser(
        "generate", help="write a large SYNTHETIC extract set for scale testing"
    )
    scaled.add_argument("--scale", choices=scale_names, default="small")
    scaled.add_argument("--out", required=True, help="output folder")
    scaled.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    scaled.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    scaled.add_argument(
        "--deliveries",
        type=int,
        default=1,
        help="write N monthly deliveries (OUT/YYYY-MM-DD/ each; the first is the scale set, "
        "the later ones with resolved, late and corrected records); default 1: a flat set",
    )
    scaled.set_defaults(handler=_cmd_generate)

    bench = commands.add_parser(
        "benchmark", help="measure dbt, validation and incremental runs against raw DuckDB"
    )
    bench.add_argument("--scale", choices=scale_names, default="small")
    bench.add_argument("--runs", type=int, default=3, help="runs per step (median reported)")
    bench.add_argument("--workdir", help="scratch folder (default: target/benchmark)")
    bench.add_argument("--docs", help="where benchmarks.md is written (default: docs/)")
    bench.add_argument(
        "--only-deliveries",
        action="store_true",
        help="measure only the end-to-end delivery steps, added to the stored result",
    )
    bench.set_defaults(handler=_cmd_benchmark)

    check = commands.add_parser("check-seeds", help="fail if seeds differ from the generator")
    check.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    check.set_defaults(handler=_cmd_check_seeds)

    build = commands.add_parser(
        "build", help="load extracts, dbt build and validate a candidate, then publish it"
    )
    build.add_argument("--warehouse", help=warehouse_help)
    build.add_argument(
        "--extracts",
        help="folder of extracts: one delivery, or one YYYY-MM-DD/ sub-folder per delivery "
        "(default: the bundled synthetic seeds)",
    )
    build.add_argument(
        "--delivery-date",
        help="YYYY-MM-DD: the delivery date of a flat extracts folder (default: the build "
        "date; for the bundled seeds, the dbt var bundled_delivery_date)",
    )
    build.add_argument(
        "--replay",
        action="store_true",
        help="load every delivery of --extracts again, in date order, into an empty "
        "warehouse: needed to add a delivery older than the last one loaded or to change a "
        "delivery already loaded (implies --full-refresh)",
    )
    build.add_argument("--gx-dir", help="GX file context (default: gx/)")
    build.add_argument(
        "--max-rejected-share",
        type=float,
        default=settings.max_rejected_share,
        help="fail when more than this share of a file's rows is rejected "
        f"(default {settings.max_rejected_share})",
    )
    build.add_argument(
        "--keep-versions",
        type=int,
        default=settings.keep_versions,
        help=f"previous published versions kept for rollback (default {settings.keep_versions})",
    )
    build.add_argument("--keep-runs", type=int, default=keep_runs, help=keep_runs_help)
    build.add_argument(
        "--published-figures",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="compare the data with the published figures (default: only for the bundled seeds)",
    )
    build.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild incremental models from scratch instead of from the published warehouse",
    )
    _group_options(build, settings)
    build.set_defaults(handler=_cmd_build)

    back = commands.add_parser("rollback", help="publish the previous version again")
    back.add_argument("--warehouse", help=warehouse_help)
    _group_options(back, settings)
    back.set_defaults(handler=_cmd_rollback)

    state = commands.add_parser(
        "status",
        help="the published build, its age, the last run's outcome, disk use; exit 0 healthy, "
        "1 last run failed, 2 nothing published, 3 published build too old",
    )
    state.add_argument("--warehouse", help=warehouse_help)
    state.add_argument(
        "--max-age-hours",
        type=float,
        default=settings.max_build_age_hours,
        help="exit 3 when the published build is older (default JW_MAX_BUILD_AGE_HOURS, "
        f"now {settings.max_build_age_hours:g})",
    )
    state.add_argument(
        "--quiet", action="store_true", help="print nothing when healthy (for cron's mail)"
    )
    state.set_defaults(handler=_cmd_status)

    check = commands.add_parser(
        "validate", help="run every Great Expectations checkpoint against the warehouse"
    )
    check.add_argument("--warehouse", help=warehouse_help)
    check.add_argument("--gx-dir", help="GX file context (default: gx/)")
    check.add_argument("--json", help="also write the machine-readable result here")
    check.add_argument("--keep-runs", type=int, default=keep_runs, help=keep_runs_help)
    check.set_defaults(handler=_cmd_validate)

    pages = commands.add_parser(
        "dashboards", help="build the static dashboards from reporting.duckdb (read-only)"
    )
    pages.add_argument("--warehouse", help=warehouse_help)
    pages.add_argument("--out", help="site folder (default: dashboards/ beside the warehouse)")
    pages.set_defaults(handler=_cmd_dashboards)

    doc = commands.add_parser("contract-doc", help="print the extract contract as Markdown")
    doc.add_argument("--out", help="write it here instead of printing it")
    doc.set_defaults(handler=_cmd_contract_doc)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()  # the one read of the environment, passed down
    args = parser(settings).parse_args(argv)
    args.settings = settings
    try:
        return int(args.handler(args))
    except (RuntimeError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
