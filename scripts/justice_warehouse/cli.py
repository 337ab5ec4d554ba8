"""The one command line for the project's Python tooling: ``justice-warehouse``.

Exit codes: 0 success; 1 the data failed (a dbt model or test, or an expectation);
2 the tool or a check could not run (missing warehouse or table, SQL error, bad set-up).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from justice_warehouse import generate, seeds
from justice_warehouse.paths import default_warehouse, project_dir, synthetic_seed_dir


def _cmd_generate_seeds(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else synthetic_seed_dir(project_dir())
    for written in generate.write_seeds(out, seed=args.seed):
        print(f"wrote {written.rows:>7} rows  {written.path}")
    print("all rows are SYNTHETIC (generated, not real cases)")
    return 0


def _cmd_check_seeds(args: argparse.Namespace) -> int:
    differences = seeds.compare_with_generator(synthetic_seed_dir(project_dir()), seed=args.seed)
    if differences:
        for difference in differences:
            print(f"seed out of date: {difference}", file=sys.stderr)
        print("run `justice-warehouse generate-seeds` and commit the result", file=sys.stderr)
        return 1
    print("committed seeds match the generator")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from justice_warehouse.dbt import run_dbt

    root = project_dir()
    warehouse = Path(args.warehouse).resolve() if args.warehouse else default_warehouse(root)
    dbt_args = ["build"]
    if args.select:
        dbt_args += ["--select", args.select]
    result = run_dbt(root, dbt_args, warehouse=warehouse)
    if not result.success:
        for failure in result.failures:
            print(f"FAILED {failure}", file=sys.stderr)
        log_dir = Path(os.environ.get("DBT_LOG_PATH", root / "logs"))
        print(f"build failed; see {log_dir / 'dbt.log'}", file=sys.stderr)
        return 1
    print(f"build succeeded: {warehouse}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from justice_warehouse import validate

    root = project_dir()
    warehouse = Path(args.warehouse).resolve() if args.warehouse else default_warehouse(root)
    gx_dir = Path(args.gx_dir).resolve() if args.gx_dir else root / "gx"
    report = validate.run_validation(warehouse, gx_dir, keep_runs=args.keep_runs)
    print(validate.summary(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_json(), indent=2))
    return report.exit_code


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="justice-warehouse", description="Build and check the justice warehouse."
    )
    commands = main_parser.add_subparsers(dest="command", required=True)

    gen = commands.add_parser("generate-seeds", help="write the synthetic row-level seed CSVs")
    gen.add_argument("--out", help="output folder (default: seeds/synthetic)")
    gen.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    gen.set_defaults(handler=_cmd_generate_seeds)

    check = commands.add_parser(
        "check-seeds", help="fail if committed seeds differ from the generator"
    )
    check.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    check.set_defaults(handler=_cmd_check_seeds)

    build = commands.add_parser(
        "build", help="run dbt build (seeds, models, tests) into the warehouse"
    )
    build.add_argument(
        "--warehouse", help="DuckDB file to build (default: warehouse/justice.duckdb)"
    )
    build.add_argument("--select", help="dbt selection, e.g. 'marts reporting'")
    build.set_defaults(handler=_cmd_build)

    check = commands.add_parser(
        "validate", help="run every Great Expectations checkpoint against the warehouse"
    )
    check.add_argument("--warehouse", help="DuckDB file (default: warehouse/justice.duckdb)")
    check.add_argument("--gx-dir", help="GX file context (default: gx/)")
    check.add_argument("--json", help="also write the machine-readable result here")
    check.add_argument(
        "--keep-runs",
        type=int,
        default=int(os.environ.get("JW_VALIDATION_KEEP_RUNS", "20")),
        help="results of this many newest runs are kept in gx/uncommitted (default 20)",
    )
    check.set_defaults(handler=_cmd_validate)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except (RuntimeError, OSError) as error:  # DbtError is a RuntimeError
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
