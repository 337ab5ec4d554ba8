"""Reject the rows that break a rule and load the others: every input row accounted for.

Every rule of a file is judged in one scan of its rows (``_find_rejections``), after a hash
aggregate that finds repeated keys. Every rejection is written to ``audit.rejected_rows``
with file, line, column, reason and the raw values; every file reports
``read = loaded + rejected``; the build fails when a rejection is in a key column or more
than ``max_rejected_share`` of a file's rows are rejected.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from justice_warehouse.gate.contract.model import Table
from justice_warehouse.gate.contract.tables import TABLES
from justice_warehouse.gate.files import (
    DEFAULT_MAX_REJECTED_SHARE,
    SQL_TYPES,
    ExtractError,
    FileReport,
    Problem,
    Source,
    find_file,
    open_source,
    quote,
    reader_problem,
    rejection_text,
)
from justice_warehouse.gate.rules import (
    Check,
    already_trimmed_columns,
    column_checks,
    first_line_name,
    is_known_code,
    row_rule_checks,
    short_cut_codes,
    trimmed_name,
)


def _find_rejections(
    connection: duckdb.DuckDBPyConnection,
    source: Source,
    spec: Table,
    checks: list[Check],
    short_cuts: dict[str, str],
) -> None:
    """Every rule of a file in one scan of its rows: each rule's verdict is computed per row
    and only the rows breaking at least one are kept (the temp table ``flagged``, few, with
    their raw values); the temp table ``rejections`` (line_number, column_name, reason,
    found_value) is unfolded from them.

    A repeated key is found by a hash aggregate (the repeated values and their first line,
    few rows) joined back, not by a window over every row, which would sort them."""
    keys = [column.name for column in spec.columns if column.key]
    trimmed_already = already_trimmed_columns(connection, source, spec)

    def trim(name: str) -> str:
        return name if name in trimmed_already else f"trim({name})"

    for key in keys:
        connection.execute(
            f"create or replace temp table repeated__{key} as "
            f"select {trim(key)} as key_value, min(line_number) as {first_line_name(key)} "
            f"from {source.rows} as r group by 1 "
            "having count(*) > 1 and nullif(key_value, '') is not null"
        )
    # Each step's values are computed once per row, in its own projection: whether a value
    # is one of its column's codes, then each text value trimmed (a known code is already),
    # then the first line of a repeated key, then every rule's verdict.
    known = "".join(
        f", r.{name} in ({codes}) as {is_known_code(name)}" for name, codes in short_cuts.items()
    )
    trimmed = "".join(
        f", case when {is_known_code(c.name)} then {c.name} else {trim(c.name)} end "
        f"as {trimmed_name(c.name)}"
        if c.name in short_cuts
        else f", {trim(c.name)} as {trimmed_name(c.name)}"
        for c in spec.columns
        if c.name not in source.native
    )
    joins = "".join(
        f" left join repeated__{key} on t.{trimmed_name(key)} = repeated__{key}.key_value"
        for key in keys
    )
    first_lines = "".join(f", {first_line_name(key)}" for key in keys)
    verdicts = ", ".join(
        f"coalesce({check.condition}, false) as broken_{number}"
        for number, check in enumerate(checks)
    )
    broken_any = " or ".join(f"broken_{number}" for number in range(len(checks)))
    connection.execute(
        "create or replace temp table flagged as select * from ("
        f"select *, {verdicts} from ("
        f"select t.*{first_lines} from ("
        f"select *{trimmed} from (select r.*{known} from {source.rows} as r) as known"
        f") as t{joins}"
        ") as numbered"
        f") as judged where {broken_any}"
    )
    unfolded = " union all ".join(
        f"select line_number, {quote(check.column)} as column_name, {check.reason} as reason, "
        f"cast({check.column} as varchar) as found_value from flagged where broken_{number}"
        for number, check in enumerate(checks)
    )
    connection.execute(f"create or replace temp table rejections as {unfolded}")
    for key in keys:
        connection.execute(f"drop table repeated__{key}")


def ensure_audit_tables(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute("create schema if not exists audit")
    connection.execute(
        "create table if not exists audit.rejected_rows ("
        "build_id varchar, rejected_at timestamp, source_file varchar, line_number bigint, "
        "column_name varchar, reason varchar, found_value varchar, raw_values varchar)"
    )


def load_table(
    connection: duckdb.DuckDBPyConnection,
    path: Path,
    spec: Table,
    seeds_dir: Path,
    build_id: str,
    build_date: date,
    target: str | None = None,
    label: str | None = None,
) -> FileReport:
    """Check one extract and load its valid rows into ``target`` (default ``main.<table>``).

    A ``target`` other than the default is a temporary table that also keeps each row's
    ``line_number``, for the delivery rules that compare it with earlier deliveries.
    ``label`` names the file in rejections and reports (default its name).
    """
    label = label or path.name
    source = open_source(connection, path, spec)
    try:
        return _check_and_load(
            connection, source, spec, seeds_dir, build_id, build_date, target, label
        )
    except (duckdb.IOException, duckdb.InvalidInputException) as error:
        raise ExtractError([reader_problem(label, str(error))]) from error
    finally:
        for table in ("flagged", "rejections", source.temp_table):
            if table:
                connection.execute(f"drop table if exists {table}")


def _check_and_load(
    connection: duckdb.DuckDBPyConnection,
    source: Source,
    spec: Table,
    seeds_dir: Path,
    build_id: str,
    build_date: date,
    target: str | None,
    label: str,
) -> FileReport:
    native = source.native
    read = connection.execute(f"select count(*) from {source.rows} as r").fetchall()[0][0]
    if read == 0:
        raise ExtractError([Problem(label, "empty file: a header but no data rows")])
    short_cuts = short_cut_codes(connection, spec, seeds_dir)
    checks = [
        check
        for column in spec.columns
        for check in column_checks(
            column, seeds_dir, build_date, native, short_cuts.get(column.name)
        )
    ]
    checks += [
        check for rule in spec.row_rules for check in row_rule_checks(spec, rule, seeds_dir, native)
    ]
    _find_rejections(connection, source, spec, checks, short_cuts)
    row_json = (
        "to_json(struct_pack(" + ", ".join(f"{c.name} := r.{c.name}" for c in spec.columns) + "))"
    )
    connection.execute(
        "insert into audit.rejected_rows select ?, current_timestamp, ?, x.line_number, "
        f"x.column_name, x.reason, x.found_value, {row_json} from rejections as x "
        "inner join flagged as r on x.line_number = r.line_number "
        "order by x.line_number, x.column_name",
        [build_id, label],
    )
    rejected, key_rejections = connection.execute(
        "select count(distinct line_number), "
        f"count(*) filter (where column_name = {quote(spec.key.name)}) from rejections"
    ).fetchall()[0]
    casts = ", ".join(
        c.name
        if c.name in native
        else f"cast(trim({c.name}) as {SQL_TYPES[c.type]}) as {c.name}"
        if c.type != "varchar"
        else f"nullif({c.name}, '') as {c.name}"
        for c in spec.columns
    )
    kind, relation, numbered = (
        ("table", f"main.{spec.name}", "")
        if target is None
        else ("temp table", target, ", line_number")
    )
    connection.execute(
        # In line order without a sort: the loader's connection keeps insertion order.
        f"create or replace {kind} {relation} as select {casts}{numbered} "
        f"from {source.rows} as r "
        "where line_number not in (select line_number from rejections)"
    )
    loaded = connection.execute(f"select count(*) from {relation}").fetchall()[0][0]
    return FileReport(spec.name, label, read, loaded, rejected, key_rejections)


def load_extracts(
    connection: duckdb.DuckDBPyConnection,
    source_dir: Path,
    seeds_dir: Path,
    build_id: str,
    max_rejected_share: float = DEFAULT_MAX_REJECTED_SHARE,
    build_date: date | None = None,
    targets: dict[str, str] | None = None,
    file_prefix: str = "",
) -> list[FileReport]:
    """Check and load every contract table from ``source_dir``; raise on a contract breach.

    Each table goes to ``main.<table>``, or to the temporary table ``targets[table]``.
    ``file_prefix`` (a delivery's folder, ``2019-04-30/``) goes before every file name.
    Rejected rows are written to ``audit.rejected_rows`` before anything is raised, so a
    failed candidate keeps them for inspection.
    """
    ensure_audit_tables(connection)
    checked_on = build_date or datetime.now(UTC).date()
    problems: list[Problem] = []
    reports = []
    for spec in TABLES:
        try:
            path = find_file(source_dir, spec)
            reports.append(
                load_table(
                    connection,
                    path,
                    spec,
                    seeds_dir,
                    build_id,
                    checked_on,
                    (targets or {}).get(spec.name),
                    file_prefix + path.name,
                )
            )
        except ExtractError as error:
            problems += [replace(p, file=file_prefix + p.file) for p in error.problems]
    problems += rejection_problems(connection, reports, build_id, max_rejected_share)
    if problems:
        raise ExtractError(problems)
    return reports


def rejection_problems(
    connection: duckdb.DuckDBPyConnection,
    reports: list[FileReport],
    build_id: str,
    max_rejected_share: float,
) -> list[Problem]:
    """The files whose rejections fail the build (any in a key, or too large a share)."""
    problems = []
    for report in reports:
        if report.key_rejections or report.rejected > max_rejected_share * report.read:
            why = (
                f"{report.key_rejections} rejection(s) in the key column"
                if report.key_rejections
                else f"{report.rejected} of {report.read} rows rejected, more than "
                f"{max_rejected_share:.1%}"
            )
            problems.append(Problem(report.file, f"too many rejections: {why}"))
            problems += [
                Problem(report.file, rejection_text(reason, found), line=line, column=column)
                for line, column, reason, found in connection.execute(
                    "select line_number, column_name, reason, found_value "
                    "from audit.rejected_rows where build_id = ? and source_file = ? "
                    "order by line_number, column_name limit 20",
                    [build_id, report.file],
                ).fetchall()
            ]
    return problems
