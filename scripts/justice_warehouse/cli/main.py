"""The one command line for the project's Python tooling: ``justice-warehouse``.

Exit codes: 0 success; 1 the data failed (a bad extract, a dbt model or test, an
expectation); 2 the tool or a check could not run (missing warehouse or table, SQL error,
another build running, not enough disk space, bad set-up). ``status`` has its own codes
(operate/status.py). What each command does is in ``commands.py``.
"""

from __future__ import annotations

import argparse
import sys

from justice_warehouse.cli import commands
from justice_warehouse.core.settings import Settings
from justice_warehouse.synth.register import DEFAULT_SEED


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
    subcommands = main_parser.add_subparsers(dest="command", required=True)
    warehouse_help = "published DuckDB file (default: warehouse/justice.duckdb)"
    keep_runs = settings.validation_keep_runs
    keep_runs_help = f"validation runs kept in gx/uncommitted (default {keep_runs})"

    gen = subcommands.add_parser("generate-seeds", help="write the synthetic row-level seed CSVs")
    gen.add_argument("--out", help="output folder (default: seeds/synthetic)")
    gen.add_argument("--seed", type=int, default=DEFAULT_SEED)
    gen.set_defaults(handler=commands.generate_seeds)

    scale_names = ["small", "london", "national"]
    scaled = subcommands.add_parser(
        "generate", help="write a large SYNTHETIC extract set for scale testing"
    )
    scaled.add_argument("--scale", choices=scale_names, default="small")
    scaled.add_argument("--out", required=True, help="output folder")
    scaled.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    scaled.add_argument("--seed", type=int, default=DEFAULT_SEED)
    scaled.add_argument(
        "--deliveries",
        type=int,
        default=1,
        help="write N monthly deliveries (OUT/YYYY-MM-DD/ each; the first is the scale set, "
        "the later ones with resolved, late and corrected records); default 1: a flat set",
    )
    scaled.set_defaults(handler=commands.generate_scaled)

    bench = subcommands.add_parser(
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
    bench.add_argument(
        "--series",
        type=int,
        default=0,
        metavar="N",
        help="measure only a series of N monthly deliveries, one build each, and a --replay "
        "of them (the chart in docs/benchmarks/), added to the stored result",
    )
    bench.set_defaults(handler=commands.benchmark)

    check = subcommands.add_parser("check-seeds", help="fail if seeds differ from the generator")
    check.add_argument("--seed", type=int, default=DEFAULT_SEED)
    check.set_defaults(handler=commands.check_seeds)

    build = subcommands.add_parser(
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
    build.set_defaults(handler=commands.build_command)

    back = subcommands.add_parser("rollback", help="publish the previous version again")
    back.add_argument("--warehouse", help=warehouse_help)
    _group_options(back, settings)
    back.set_defaults(handler=commands.rollback_command)

    state = subcommands.add_parser(
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
    state.set_defaults(handler=commands.status_command)

    check = subcommands.add_parser(
        "validate", help="run every Great Expectations checkpoint against the warehouse"
    )
    check.add_argument("--warehouse", help=warehouse_help)
    check.add_argument("--gx-dir", help="GX file context (default: gx/)")
    check.add_argument("--json", help="also write the machine-readable result here")
    check.add_argument("--keep-runs", type=int, default=keep_runs, help=keep_runs_help)
    check.set_defaults(handler=commands.validate_command)

    pages = subcommands.add_parser(
        "dashboards", help="build the static dashboards from reporting.duckdb (read-only)"
    )
    pages.add_argument("--warehouse", help=warehouse_help)
    pages.add_argument("--out", help="site folder (default: dashboards/ beside the warehouse)")
    pages.set_defaults(handler=commands.dashboards)

    listing = subcommands.add_parser(
        "metrics", help="list the metrics (the semantic layer) with their formulas"
    )
    listing.add_argument("--warehouse", help=warehouse_help)
    listing.add_argument(
        "--write-snapshot",
        action="store_true",
        help="write macros/metrics_snapshot.sql (the metrics for dbt's unit tests) and exit",
    )
    listing.set_defaults(handler=commands.metrics_command)

    query = subcommands.add_parser(
        "mf",
        help="run MetricFlow (mf ARGS...) on the published warehouse, read-only",
    )
    query.add_argument("--warehouse", help=warehouse_help)
    query.add_argument("mf_args", nargs=argparse.REMAINDER, help="mf's own arguments")
    query.set_defaults(handler=commands.mf_command)

    doc = subcommands.add_parser("contract-doc", help="print the extract contract as Markdown")
    doc.add_argument("--out", help="write it here instead of printing it")
    doc.add_argument(
        "--dbt-docs",
        help="also write the contract's column descriptions as dbt docs blocks here "
        "(models/staging/_contract__docs.md, which the sources' YAML cites)",
    )
    doc.set_defaults(handler=commands.contract_doc)
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
