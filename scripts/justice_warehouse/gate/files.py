"""Whole-file checks of one extract: find it, read its header, open its rows.

Whole-file problems (missing file, wrong columns, delimiter, encoding, field count, empty
file) raise ``ExtractError``, naming the file and, where there is one, the line. A Parquet
file is scanned where it lies, numbered by ``file_row_number``; a CSV file is copied once
into a temp table numbered by line. Values are read as text, except Parquet columns already
of the contract's type (``NATIVE_PARQUET_TYPES``). The row rules are in ``rules.py``; the
rejection and load of rows in ``load.py``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from justice_warehouse.core.settings import Settings
from justice_warehouse.gate.contract.model import Table

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


def quote(value: str) -> str:
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
class Source:
    """A file's rows as the checks read them: ``rows`` is a relation with ``line_number``
    and every contract column, as text but the ``native`` ones; ``temp_table`` is the table
    to drop afterwards, if one was made."""

    rows: str
    native: frozenset[str]
    temp_table: str | None = None


def open_source(connection: duckdb.DuckDBPyConnection, path: Path, spec: Table) -> Source:
    """The rows of one extract, every value as text but the Parquet columns of the
    contract's own type (NATIVE_PARQUET_TYPES).

    A CSV file is copied once into a temp table numbered by line. A Parquet file is read
    where it lies, numbered by DuckDB's ``file_row_number``: each later step is a parallel
    scan of the file, with no copy of its rows in memory."""
    names = [column.name for column in spec.columns]
    if path.suffix == ".csv":
        _check_header(path, spec)
        raw = f"raw_{spec.name}"
        columns = "{" + ", ".join(f"{quote(name)}: 'VARCHAR'" for name in names) + "}"
        source = (
            f"read_csv({quote(str(path))}, header = true, auto_detect = false, delim = ',', "
            f"quote = '\"', escape = '\"', columns = {columns})"
        )
        try:
            connection.execute(
                f"create or replace temp table {raw} as "
                f"select cast(row_number() over () + 1 as bigint) as line_number, "
                f"{', '.join(names)} from {source}"
            )
        except duckdb.Error as error:
            raise ExtractError([reader_problem(path.name, str(error))]) from error
        return Source(raw, frozenset(), raw)
    try:
        found = {
            row[0]: row[1]
            for row in connection.execute(
                f"describe select * from read_parquet({quote(str(path))})"
            ).fetchall()
        }
    except duckdb.Error as error:
        raise ExtractError([reader_problem(path.name, str(error))]) from error
    _compare_columns(path.name, list(found), spec)
    instants = frozenset(
        column.name
        for column in spec.columns
        if column.type == "timestamp" and found[column.name] == UTC_INSTANT_PARQUET_TYPE
    )
    native = instants | frozenset(
        column.name
        for column in spec.columns
        if found[column.name] == NATIVE_PARQUET_TYPES.get(column.type)
    )
    selected = ", ".join(
        f"timezone('UTC', {name}) as {name}"
        if name in instants
        else name
        if name in native
        else f"cast({name} as varchar) as {name}"
        for name in names
    )
    rows = (
        f"(select cast(file_row_number + 2 as bigint) as line_number, {selected} "
        f"from read_parquet({quote(str(path))}, file_row_number = true))"
    )
    return Source(rows, native)


def reader_problem(file: str, message: str) -> Problem:
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


# A Parquet column of the contract's own type is read as it is: it can hold only values of
# that type, so the checks of how a value is written (exact text, offset) cannot fail there
# and are not run; every other rule is. Other Parquet types, and CSV, are checked as text.
# A UTC instant (Parquet's timestamp adjusted to UTC, as Spark and time-zone-aware pandas
# write it) is the contract's timestamp in UTC: read as its UTC wall time, whatever the
# session's (the machine's) time zone, never as text with an offset.
UTC_INSTANT_PARQUET_TYPE = "TIMESTAMP WITH TIME ZONE"
NATIVE_PARQUET_TYPES = {
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "integer": "INTEGER",
    "decimal(18,2)": "DECIMAL(18,2)",
}
