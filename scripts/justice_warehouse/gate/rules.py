"""The contract's row rules compiled to SQL: one ``Check`` per rule and column.

Each check is a SQL condition that is true when a row breaks the rule, and the reason the
row is rejected for. The rules compare values trimmed (one trim per row, ``trimmed_name``),
skipped for the text columns with nothing to trim (``already_trimmed_columns``). A value that
is exactly one of its column's codes passes that column's value rules at once
(``short_cut_codes``), where the codes themselves allow it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from justice_warehouse.gate.contract.model import VOCABULARY_SEEDS, Column, RowRule, Table
from justice_warehouse.gate.files import SQL_TYPES, Source, quote


def trimmed_name(name: str) -> str:
    """A text column without its surrounding spaces, computed once per row for every rule
    (``_find_rejections``); the rules compare values trimmed, and report them as found."""
    return f"{name}__trimmed"


def is_known_code(name: str) -> str:
    """Whether a value is exactly one of its column's codes (``short_cut_codes``)."""
    return f"{name}__is_known_code"


def _normalised(column: Column) -> str:
    value = trimmed_name(column.name)
    return f"{column.case}({value})" if column.case else value


def _vocabulary_sql(column: Column, seeds_dir: Path) -> str:
    if column.values:
        return ", ".join(quote(value) for value in column.values)
    extra = "".join(f" union all select {quote(v)}" for v in column.extra_values)
    return seed_codes_sql(column.vocabulary or "", seeds_dir) + extra


def seed_codes_sql(vocabulary: str, seeds_dir: Path, where: str = "") -> str:
    """SQL selecting the codes of a reference seed (VOCABULARY_SEEDS), optionally filtered."""
    seed, code = VOCABULARY_SEEDS[vocabulary]
    path = quote(str(seeds_dir / seed))
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


def _typed(name: str, sql_type: str, native: bool = False) -> str:
    return name if native else f"try_cast({trimmed_name(name)} as {sql_type})"


def _text(name: str, native: bool) -> str:
    return f"cast({name} as varchar)" if native else trimmed_name(name)


def _present(name: str, native: bool) -> str:
    return f"{name} is not null" if native else f"nullif({trimmed_name(name)}, '') is not null"


@dataclass(frozen=True)
class Check:
    """One rule on one column: the rows where ``condition`` holds are rejected with the SQL
    text ``reason``, the column's raw text as the found value. Both may use the raw columns
    and ``first_line__<key>`` (the first line holding each key value)."""

    column: str
    condition: str
    reason: str


def first_line_name(name: str) -> str:
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
                quote(f"after the delivery date ({build_date.isoformat()})"),
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
                quote(f"not {_TYPE_HINTS[column.type]}"),
            )
        )
    return checks + _value_checks(column, name, build_date)


def _type_checks(column: Column, present: str, build_date: date, native: bool) -> list[Check]:
    name = column.name
    if column.type == "varchar":
        return [
            Check(
                name,
                f"regexp_matches({name}, {quote(_CONTROL_CHARACTERS)})",
                "'control character in text (only tab, LF and CR are allowed)'",
            )
        ]
    if native:
        return _native_checks(column, build_date)
    target = SQL_TYPES[column.type]
    typed = _typed(name, target)
    exact = quote(_EXACT_TEXT[column.type])
    checks = []
    if column.type == "timestamp":
        offset = f"regexp_matches({trimmed_name(name)}, {quote(_TIME_ZONE_OFFSET)})"
        checks.append(
            Check(
                name,
                f"{present} and {offset}",
                "'time-zone offset: write the time in UTC, without an offset'",
            )
        )
        malformed = f"not {offset} and not regexp_full_match({trimmed_name(name)}, {exact})"
    else:
        malformed = f"not regexp_full_match({trimmed_name(name)}, {exact})"
    checks.append(
        Check(
            name,
            f"{present} and ({typed} is null or {malformed})",
            quote(f"not {_TYPE_HINTS[column.type]}"),
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


def column_checks(
    column: Column,
    seeds_dir: Path,
    build_date: date,
    native: frozenset[str] = frozenset(),
    known_codes: str | None = None,
) -> list[Check]:
    """Every rule of one column (``native``: the columns read in their own type). With
    ``known_codes`` (``short_cut_codes``), a value found exactly as one of those codes
    passes the column's value rules without judging them one by one."""
    name = column.name
    present = _present(name, name in native)

    def select(condition: str, reason: str) -> Check:
        if known_codes:
            condition = f"case when {is_known_code(name)} then false else ({condition}) end"
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
                quote(f"unknown code (not in {vocabulary})"),
            )
        )
    if column.pattern:
        checks.append(
            select(
                f"{present} and not "
                f"regexp_full_match({trimmed_name(name)}, {quote(column.pattern)})",
                quote(f"not written {column.pattern_hint}"),
            )
        )
    if column.key:
        checks.append(
            Check(
                name,
                f"{present} and line_number > {first_line_name(name)}",
                f"'duplicate primary key (first at line ' || {first_line_name(name)} || ')'",
            )
        )
    return checks


def short_cut_codes(
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
            f"or regexp_matches(code, {quote(_CONTROL_CHARACTERS)})"
        ).fetchall()[0][0]
        if unfit == 0:
            short_cuts[column.name] = codes
    return short_cuts


def row_rule_checks(
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
                f"|| coalesce({trimmed_name(when)}, 'empty')",
            )
        )
    return checks


def already_trimmed_columns(
    connection: duckdb.DuckDBPyConnection, source: Source, spec: Table
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
