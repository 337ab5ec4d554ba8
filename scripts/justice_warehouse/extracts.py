"""Check extracts against the contract and load them into a candidate warehouse.

Whole-file problems (missing file, wrong columns, delimiter, encoding, field count, empty
file) raise ``ExtractError``. Row problems reject the row: every rejection is written to
``audit.rejected_rows`` with file, line, column, reason and the raw values, every file
reports ``read = loaded + rejected``, and the build fails when a rejection is in a key
column or more than ``max_rejected_share`` of a file's rows are rejected.

All checks are SQL run by DuckDB, so they scale with the file: every rule of a file is
judged in one scan of its rows (``_find_rejections``), after one scan that finds the text
columns with nothing to trim and a hash aggregate that finds repeated keys. Values are
checked as text, except Parquet columns already of the contract's type, whose values are
checked as they are (``NATIVE_PARQUET_TYPES``). A Parquet file is scanned where it lies; a
CSV file is copied once into a temp table numbered by line. A value that is exactly one of
its column's codes passes that column's value rules at once (``_short_cut_codes``).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from justice_warehouse.contract import TABLES, VOCABULARY_SEEDS, Column, RowRule, Table
from justice_warehouse.settings import Settings

DEFAULT_MAX_REJECTED_SHARE = Settings.max_rejected_share
_DELIMITERS = {";": "semicolon", "\t": "tab", "|": "pipe"}
SQL_TYPES = {
    "varchar": "varchar",
    "date": "date",
    "integer": "integer",
    "decimal(18,2)": "decimal(18, 2)",
    "timestamp": "timestamp",
}


@dataclass(frozen=True)
class Problem:
    file: str
    message: str
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f" line {self.line}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class ExtractError(Exception):
    """The extracts break the contract; ``problems`` says where and how."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(f"  {problem}" for problem in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"the extracts break the contract:\n{shown}{more}")


@dataclass(frozen=True)
class FileReport:
    table: str
    file: str
    read: int
    loaded: int
    rejected: int
    key_rejections: int

    def line(self) -> str:
        return f"{self.file}: read {self.read} = loaded {self.loaded} + rejected {self.rejected}"


def rejection_text(reason: str, found: str | None) -> str:
    """How a rejection reads: the reason, then the value as found (or that it was empty)."""
    return f"{reason}, found {found!r}" if found is not None else f"{reason}, found an empty field"


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def find_file(source_dir: Path, spec: Table) -> Path:
    candidates = [source_dir / f"{spec.name}.{ext}" for ext in ("csv", "parquet")]
    present = [path for path in candidates if path.is_file()]
    if not present:
        raise ExtractError(
            [
                Problem(
                    f"{spec.name}.csv",
                    f"missing file: expected "
                    f"{spec.name}.csv or {spec.name}.parquet in {source_dir}",
                )
            ]
        )
    if len(present) > 1:
        raise ExtractError([Problem(spec.name, "both a .csv and a .parquet file; keep one")])
    return present[0]


def _check_header(path: Path, spec: Table) -> None:
    if path.stat().st_size == 0:
        raise ExtractError([Problem(path.name, "empty file: no header row")])
    with path.open("rb") as handle:
        first = handle.readline()
    try:
        header_text = first.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError as error:
        raise ExtractError(
            [
                Problem(
                    path.name,
                    f"not UTF-8 ({error.reason} at byte {error.start}); save the extract as UTF-8",
                    line=1,
                )
            ]
        ) from error
    found = next(csv.reader([header_text]))
    _compare_columns(path.name, [name.strip() for name in found], spec, header_text)


def _compare_columns(file: str, found: list[str], spec: Table, header_text: str = "") -> None:
    expected = [column.name for column in spec.columns]
    if found == expected:
        return
    if len(found) == 1:
        for delimiter, name in _DELIMITERS.items():
            if delimiter in header_text:
                raise ExtractError(
                    [
                        Problem(
                            file,
                            f"wrong delimiter: found {name} ({delimiter!r}), expected comma (',')",
                            line=1,
                        )
                    ]
                )
    problems = []
    missing = [name for name in expected if name not in found]
    extra = [name for name in found if name not in expected]
    renamed_to: set[str] = set()
    for name in missing:
        position = expected.index(name)
        renamed = found[position] if position < len(found) and found[position] in extra else None
        if renamed:
            renamed_to.add(renamed)
            problems.append(
                Problem(
                    file,
                    f"renamed column: expected {name!r}, found {renamed!r} (column {position + 1})",
                    line=1,
                    column=name,
                )
            )
        else:
            problems.append(Problem(file, f"missing column {name!r}", line=1, column=name))
    for name in extra:
        if name not in renamed_to:
            problems.append(Problem(file, f"unexpected extra column {name!r}", line=1, column=name))
    if not problems:
        problems.append(
            Problem(file, f"columns out of order: expected {expected}, found {found}", line=1)
        )
    raise ExtractError(problems)


@dataclass(frozen=True)
class _Source:
    """A file's rows as the checks read them: ``rows`` is a relation with ``line_number``
    and every contract column, as text but the ``native`` ones; ``temp_table`` is the table
    to drop afterwards, if one was made."""

    rows: str
    native: frozenset[str]
    temp_table: str | None = None


def _open_source(connection: duckdb.DuckDBPyConnection, path: Path, spec: Table) -> _Source:
    """The rows of one extract, every value as text but the Parquet columns of the
    contract's own type (NATIVE_PARQUET_TYPES).

    A CSV file is copied once into a temp table numbered by line. A Parquet file is read
    where it lies, numbered by DuckDB's ``file_row_number``: each later step is a parallel
    scan of the file, with no copy of its rows in memory."""
    names = [column.name for column in spec.columns]
    if path.suffix == ".csv":
        _check_header(path, spec)
        raw = f"raw_{spec.name}"
        columns = "{" + ", ".join(f"{_quote(name)}: 'VARCHAR'" for name in names) + "}"
        source = (
            f"read_csv({_quote(str(path))}, header = true, auto_detect = false, delim = ',', "
            f"quote = '\"', escape = '\"', columns = {columns})"
        )
        try:
            connection.execute(
                f"create or replace temp table {raw} as "
                f"select cast(row_number() over () + 1 as bigint) as line_number, "
                f"{', '.join(names)} from {source}"
            )
        except duckdb.Error as error:
            raise ExtractError([_reader_problem(path.name, str(error))]) from error
        return _Source(raw, frozenset(), raw)
    try:
        found = {
            row[0]: row[1]
            for row in connection.execute(
                f"describe select * from read_parquet({_quote(str(path))})"
            ).fetchall()
        }
    except duckdb.Error as error:
        raise ExtractError([_reader_problem(path.name, str(error))]) from error
    _compare_columns(path.name, list(found), spec)
    native = frozenset(
        column.name
        for column in spec.columns
        if found[column.name] == NATIVE_PARQUET_TYPES.get(column.type)
    )
    selected = ", ".join(
        name if name in native else f"cast({name} as varchar) as {name}" for name in names
    )
    rows = (
        f"(select cast(file_row_number + 2 as bigint) as line_number, {selected} "
        f"from read_parquet({_quote(str(path))}, file_row_number = true))"
    )
    return _Source(rows, native)


def _reader_problem(file: str, message: str) -> Problem:
    line_match = re.search(r"CSV Error on Line: (\d+)", message)
    line = int(line_match.group(1)) if line_match else None
    if "Invalid unicode" in message or "utf-8" in message.lower():
        text = "not UTF-8 encoded; save the extract as UTF-8"
    elif columns := re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", message):
        text = (
            f"expected {columns.group(1)} fields, found {columns.group(2)} "
            "(an unquoted comma, or a different delimiter?)"
        )
    else:
        text = "could not be read: " + message.splitlines()[0]
    return Problem(file, text, line=line)


def _trimmed(name: str) -> str:
    """A text column without its surrounding spaces, computed once per row for every rule
    (``_find_rejections``); the rules compare values trimmed, and report them as found."""
    return f"{name}__trimmed"


def _is_known_code(name: str) -> str:
    """Whether a value is exactly one of its column's codes (``_short_cut_codes``)."""
    return f"{name}__is_known_code"


def _normalised(column: Column) -> str:
    value = _trimmed(column.name)
    return f"{column.case}({value})" if column.case else value


def _vocabulary_sql(column: Column, seeds_dir: Path) -> str:
    if column.values:
        return ", ".join(_quote(value) for value in column.values)
    extra = "".join(f" union all select {_quote(v)}" for v in column.extra_values)
    return seed_codes_sql(column.vocabulary or "", seeds_dir) + extra


def seed_codes_sql(vocabulary: str, seeds_dir: Path, where: str = "") -> str:
    """SQL selecting the codes of a reference seed (VOCABULARY_SEEDS), optionally filtered."""
    seed, code = VOCABULARY_SEEDS[vocabulary]
    path = _quote(str(seeds_dir / seed))
    condition = f" where {where}" if where else ""
    return f"select {code} from read_csv({path}, header = true, all_varchar = true){condition}"


# The text a typed value must be written as, so that the cast keeps it exactly (DuckDB
# would otherwise round '2016.7' to 2017, drop the time of '2019-01-01 10:00' or the
# offset of '... 10:00:00+01:00', and cut nanoseconds).
_EXACT_TEXT = {
    "date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
    "integer": r"[+-]?[0-9]+",
    "decimal(18,2)": r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?",
    "timestamp": r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?",
}
_TYPE_HINTS = {
    "date": "a date YYYY-MM-DD",
    "integer": "a whole number",
    "decimal(18,2)": "a number",
    "timestamp": "a timestamp YYYY-MM-DD HH:MM:SS",
}
# C0 control characters and DEL, except tab, line feed and carriage return.
_CONTROL_CHARACTERS = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_TIME_ZONE_OFFSET = r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)$"


# A Parquet column of the contract's own type is read as it is: it can hold only values of
# that type, so the checks of how a value is written (exact text, offset) cannot fail there
# and are not run; every other rule is. Other Parquet types, and CSV, are checked as text.
NATIVE_PARQUET_TYPES = {
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "integer": "INTEGER",
    "decimal(18,2)": "DECIMAL(18,2)",
}


def _typed(name: str, sql_type: str, native: bool = False) -> str:
    return name if native else f"try_cast({_trimmed(name)} as {sql_type})"


def _text(name: str, native: bool) -> str:
    return f"cast({name} as varchar)" if native else _trimmed(name)


def _present(name: str, native: bool) -> str:
    return f"{name} is not null" if native else f"nullif({_trimmed(name)}, '') is not null"


@dataclass(frozen=True)
class Check:
    """One rule on one column: the rows where ``condition`` holds are rejected with the SQL
    text ``reason``, the column's raw text as the found value. Both may use the raw columns
    and ``first_line__<key>`` (the first line holding each key value)."""

    column: str
    condition: str
    reason: str


def _first_line(name: str) -> str:
    return f"first_line__{name}"


def _value_checks(column: Column, typed: str, build_date: date) -> list[Check]:
    """The rules on a value once typed (``typed``: the column's typed SQL expression)."""
    checks = []
    if column.non_negative:
        checks.append(Check(column.name, f"{typed} < 0", "'negative amount'"))
    if column.type in ("date", "timestamp"):
        checks.append(
            Check(
                column.name,
                f"cast({typed} as date) > date '{build_date.isoformat()}'",
                _quote(f"after the delivery date ({build_date.isoformat()})"),
            )
        )
    return checks


def _native_checks(column: Column, build_date: date) -> list[Check]:
    """The rules a value read in the contract's own type can still break."""
    name = column.name
    checks = []
    if column.type in ("date", "timestamp"):
        # What the text form's four-digit year admits.
        checks.append(
            Check(
                name,
                f"not (year({name}) between 1 and 9999)",
                _quote(f"not {_TYPE_HINTS[column.type]}"),
            )
        )
    return checks + _value_checks(column, name, build_date)


def _type_checks(column: Column, present: str, build_date: date, native: bool) -> list[Check]:
    name = column.name
    if column.type == "varchar":
        return [
            Check(
                name,
                f"regexp_matches({name}, {_quote(_CONTROL_CHARACTERS)})",
                "'control character in text (only tab, LF and CR are allowed)'",
            )
        ]
    if native:
        return _native_checks(column, build_date)
    target = SQL_TYPES[column.type]
    typed = _typed(name, target)
    exact = _quote(_EXACT_TEXT[column.type])
    checks = []
    if column.type == "timestamp":
        offset = f"regexp_matches({_trimmed(name)}, {_quote(_TIME_ZONE_OFFSET)})"
        checks.append(
            Check(
                name,
                f"{present} and {offset}",
                "'time-zone offset: write the time in UTC, without an offset'",
            )
        )
        malformed = f"not {offset} and not regexp_full_match({_trimmed(name)}, {exact})"
    else:
        malformed = f"not regexp_full_match({_trimmed(name)}, {exact})"
    checks.append(
        Check(
            name,
            f"{present} and ({typed} is null or {malformed})",
            _quote(f"not {_TYPE_HINTS[column.type]}"),
        )
    )
    if column.type == "decimal(18,2)":
        checks.append(
            Check(
                name,
                f"{typed} is not null and {_typed(name, 'decimal(38, 20)')} != {typed}",
                "'more than 2 decimal places (would be rounded)'",
            )
        )
    return checks + _value_checks(column, typed, build_date)


def _checks(
    column: Column,
    seeds_dir: Path,
    build_date: date,
    native: frozenset[str] = frozenset(),
    known_codes: str | None = None,
) -> list[Check]:
    """Every rule of one column (``native``: the columns read in their own type). With
    ``known_codes`` (``_short_cut_codes``), a value found exactly as one of those codes
    passes the column's value rules without judging them one by one."""
    name = column.name
    present = _present(name, name in native)

    def select(condition: str, reason: str) -> Check:
        if known_codes:
            condition = f"case when {_is_known_code(name)} then false else ({condition}) end"
        return Check(name, condition, reason)

    checks = []
    if column.is_required:
        checks.append(select(f"not ({present})", "'missing required value'"))
    checks += [
        select(check.condition, check.reason)
        for check in _type_checks(column, present, build_date, name in native)
    ]
    if column.values or column.vocabulary:
        vocabulary = column.vocabulary or "the contract's list"
        codes = _vocabulary_sql(column, seeds_dir)
        checks.append(
            select(
                f"{present} and {_normalised(column)} not in ({codes})",
                _quote(f"unknown code (not in {vocabulary})"),
            )
        )
    if column.pattern:
        checks.append(
            select(
                f"{present} and not regexp_full_match({_trimmed(name)}, {_quote(column.pattern)})",
                _quote(f"not written {column.pattern_hint}"),
            )
        )
    if column.key:
        checks.append(
            Check(
                name,
                f"{present} and line_number > {_first_line(name)}",
                f"'duplicate primary key (first at line ' || {_first_line(name)} || ')'",
            )
        )
    return checks


def _short_cut_codes(
    connection: duckdb.DuckDBPyConnection, spec: Table, seeds_dir: Path
) -> dict[str, str]:
    """The text columns whose codes let the checks take a short cut, each with its codes'
    SQL. A value found exactly as one of the codes passes every value rule of its column
    (present, no control character, a known code once trimmed and cased), so only the
    other values are judged rule by rule. That holds only if every code is non-empty,
    trimmed, in the column's case and free of control characters, which is checked here
    on the codes themselves; a column with a pattern keeps every rule."""
    short_cuts = {}
    for column in spec.columns:
        if column.type != "varchar" or column.pattern or not (column.values or column.vocabulary):
            continue
        codes = _vocabulary_sql(column, seeds_dir)
        rows = f"select unnest([{codes}])" if column.values else codes
        cased = f"{column.case}(trim(code))" if column.case else "trim(code)"
        unfit = connection.execute(
            f"select count(*) from ({rows}) as vocabulary(code) where code is null "
            f"or code = '' or code != {cased} "
            f"or regexp_matches(code, {_quote(_CONTROL_CHARACTERS)})"
        ).fetchall()[0][0]
        if unfit == 0:
            short_cuts[column.name] = codes
    return short_cuts


def _row_rule_checks(
    spec: Table, rule: RowRule, seeds_dir: Path, native: frozenset[str] = frozenset()
) -> list[Check]:
    """Checks of one rule across columns, blamed on ``rule.column``."""
    column = spec.column(rule.column)
    typed = _typed(column.name, SQL_TYPES[column.type], column.name in native)
    checks = []
    for other in rule.not_before:
        other_typed = _typed(other, SQL_TYPES[spec.column(other).type], other in native)
        checks.append(
            Check(
                column.name,
                f"{typed} < {other_typed}",
                f"'before {other} (' || {_text(other, other in native)} || ')'",
            )
        )
    if rule.only_when:
        when, flag = rule.only_when
        when_column = spec.column(when)
        allowed = seed_codes_sql(
            when_column.vocabulary or "", seeds_dir, where=f"lower({flag}) = 'true'"
        )
        checks.append(
            Check(
                column.name,
                f"{_present(column.name, column.name in native)} "
                f"and coalesce({_normalised(when_column)}, '') not in ({allowed})",
                f"'only allowed when {when} has {flag}, found {when} ' "
                f"|| coalesce({_trimmed(when)}, 'empty')",
            )
        )
    return checks


def _trimmed_already(
    connection: duckdb.DuckDBPyConnection, source: _Source, spec: Table
) -> frozenset[str]:
    """The text columns none of whose values has surrounding spaces, found in one scan.
    Their values are their own trimmed form, so the checks use them as they are: a trimmed
    copy of every value would cost more than this scan."""
    text = [c.name for c in spec.columns if c.name not in source.native]
    if not text:
        return frozenset()
    verdicts = connection.execute(
        "select "
        + ", ".join(f"coalesce(bool_and(trim({name}) = {name}), true)" for name in text)
        + f" from {source.rows} as r"
    ).fetchall()[0]
    return frozenset(name for name, is_trimmed in zip(text, verdicts, strict=True) if is_trimmed)


def _find_rejections(
    connection: duckdb.DuckDBPyConnection,
    source: _Source,
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
    trimmed_already = _trimmed_already(connection, source, spec)

    def trim(name: str) -> str:
        return name if name in trimmed_already else f"trim({name})"

    for key in keys:
        connection.execute(
            f"create or replace temp table repeated__{key} as "
            f"select {trim(key)} as key_value, min(line_number) as {_first_line(key)} "
            f"from {source.rows} as r group by 1 "
            "having count(*) > 1 and nullif(key_value, '') is not null"
        )
    # Each step's values are computed once per row, in its own projection: whether a value
    # is one of its column's codes, then each text value trimmed (a known code is already),
    # then the first line of a repeated key, then every rule's verdict.
    known = "".join(
        f", r.{name} in ({codes}) as {_is_known_code(name)}" for name, codes in short_cuts.items()
    )
    trimmed = "".join(
        f", case when {_is_known_code(c.name)} then {c.name} else {trim(c.name)} end "
        f"as {_trimmed(c.name)}"
        if c.name in short_cuts
        else f", {trim(c.name)} as {_trimmed(c.name)}"
        for c in spec.columns
        if c.name not in source.native
    )
    joins = "".join(
        f" left join repeated__{key} on t.{_trimmed(key)} = repeated__{key}.key_value"
        for key in keys
    )
    first_lines = "".join(f", {_first_line(key)}" for key in keys)
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
        f"select line_number, {_quote(check.column)} as column_name, {check.reason} as reason, "
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
    source = _open_source(connection, path, spec)
    try:
        return _check_and_load(
            connection, source, spec, seeds_dir, build_id, build_date, target, label
        )
    except (duckdb.IOException, duckdb.InvalidInputException) as error:
        raise ExtractError([_reader_problem(label, str(error))]) from error
    finally:
        for table in ("flagged", "rejections", source.temp_table):
            if table:
                connection.execute(f"drop table if exists {table}")


def _check_and_load(
    connection: duckdb.DuckDBPyConnection,
    source: _Source,
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
    short_cuts = _short_cut_codes(connection, spec, seeds_dir)
    checks = [
        check
        for column in spec.columns
        for check in _checks(column, seeds_dir, build_date, native, short_cuts.get(column.name))
    ]
    checks += [
        check
        for rule in spec.row_rules
        for check in _row_rule_checks(spec, rule, seeds_dir, native)
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
        f"count(*) filter (where column_name = {_quote(spec.key.name)}) from rejections"
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
