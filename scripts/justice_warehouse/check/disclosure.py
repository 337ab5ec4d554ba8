"""Disclosure checks on the BI-facing reporting tables of a built warehouse.

Run by every build before publishing, and by the tests:

* no count from 1 to the suppression threshold is shown anywhere in ``reporting`` (every
  integer column counts, unless the model classifies it as a dimension), except cells the
  ``suppression_allow_list`` seed exempts and that equal their published figure;
* in every suppressed table, no column group or additive row group holds exactly one
  suppressed cell, which could be solved from the totals published alongside it;
* the exact audit (``linked.py``): no hidden cell of any suppressing model, across the grains
  it suppresses together, is determined by the sums published beside it;
* every reporting column is classified (``meta.sensitivity``) and none is identifying.

What each model suppresses, and the threshold, are read from the dbt manifest of the
build (``config.meta.disclosure``, set once in each model beside its
``suppress_small_counts`` call); column classifications from the same manifest. Nothing
here restates them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from justice_warehouse.check import linked

ALLOWED_SENSITIVITY = {"dimension", "aggregate", "public"}
IDENTIFYING_SENSITIVITY = {"direct_identifier", "pseudonymous", "free_text"}
_INTEGER_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
}


@dataclass(frozen=True)
class LinkedGroup:
    """Rows of one table that add up: within each ``partition``, the rows meeting
    ``members`` (SQL), of which the one meeting ``total`` is the sum of the others, in the
    count ``columns`` (every count column when empty)."""

    partition: tuple[str, ...]
    members: str
    total: str
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class SuppressedTable:
    """How a model suppresses: its ``disclosure`` config, as dbt recorded it. A reporting
    table split from a model that suppressed several grains together names it in
    ``suppressed_in``; its groups are checked there."""

    threshold: int
    counts: tuple[str, ...]
    group_by: tuple[str, ...] = ()
    additive: tuple[tuple[str, tuple[str, ...]], ...] = ()
    schema: str = "reporting"
    linked: tuple[LinkedGroup, ...] = ()
    suppressed_in: str | None = None


@dataclass(frozen=True)
class ReportingModels:
    """The reporting models of one build, from its manifest."""

    columns: dict[str, dict[str, dict]]  # model -> column -> meta
    suppressed: dict[str, SuppressedTable]

    @property
    def threshold(self) -> int:
        thresholds = {spec.threshold for spec in self.suppressed.values()}
        if len(thresholds) != 1:
            raise ValueError(f"reporting models disagree on the threshold: {thresholds}")
        return thresholds.pop()


def read_manifest(manifest: Path) -> ReportingModels:
    """The reporting models' column meta, and the disclosure configs of every model that
    suppresses (the reporting models, and a model that suppresses the grains a reporting
    table is split from), from ``manifest.json``."""
    nodes = json.loads(manifest.read_text())["nodes"].values()
    columns: dict[str, dict[str, dict]] = {}
    suppressed: dict[str, SuppressedTable] = {}
    for node in nodes:
        if node["resource_type"] != "model":
            continue
        if node["path"].startswith("reporting/"):
            columns[node["name"]] = {
                name: column.get("meta") or {} for name, column in node["columns"].items()
            }
        disclosure = (node["config"].get("meta") or {}).get("disclosure")
        if disclosure:
            suppressed[node["name"]] = SuppressedTable(
                threshold=int(disclosure["threshold"]),
                counts=tuple(disclosure["count_columns"]),
                group_by=tuple(disclosure.get("group_by") or ()),
                additive=tuple(
                    (group["total"], tuple(group["parts"]))
                    for group in disclosure.get("additive_groups") or ()
                ),
                schema=node["schema"],
                linked=tuple(
                    LinkedGroup(
                        tuple(group["partition"]),
                        group["members"],
                        group["total"],
                        tuple(group.get("columns") or ()),
                    )
                    for group in disclosure.get("linked_groups") or ()
                ),
                suppressed_in=disclosure.get("suppressed_in"),
            )
    return ReportingModels(columns, suppressed)


def classification_problems(models: ReportingModels) -> list[str]:
    problems = []
    for model, columns in models.columns.items():
        for column, meta in columns.items():
            sensitivity = meta.get("sensitivity")
            if sensitivity is None:
                problems.append(f"reporting.{model}.{column}: no meta.sensitivity")
            elif sensitivity in IDENTIFYING_SENSITIVITY or sensitivity not in ALLOWED_SENSITIVITY:
                problems.append(
                    f"reporting.{model}.{column}: sensitivity {sensitivity!r} "
                    "may not reach a reporting model"
                )
    return problems


def small_count_problems(
    connection: duckdb.DuckDBPyConnection, models: ReportingModels, schema: str = "reporting"
) -> list[str]:
    """Shown counts from 1 to the threshold, by table and column."""
    limit = models.threshold
    declared = models.columns
    allowed = _allowed_values(connection)
    problems = []
    columns = connection.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = ? order by table_name, ordinal_position",
        [schema],
    ).fetchall()
    for table, column, data_type in columns:
        meta = declared.get(table, {}).get(column, {})
        if data_type not in _INTEGER_TYPES or (
            meta.get("sensitivity") == "dimension" and "count_of" not in meta
        ):
            continue
        exempt = sorted(allowed.get((table, column), set()))
        exempt_sql = f" and {column} not in ({', '.join(map(str, exempt))})" if exempt else ""
        shown = connection.execute(
            f'select count(*) from "{schema}"."{table}" '
            f"where {column} between 1 and {limit}{exempt_sql}"
        ).fetchall()[0][0]
        if shown:
            problems.append(
                f"{schema}.{table}.{column}: {shown} unsuppressed count(s) between 1 and {limit}"
            )
    return problems


def _allowed_values(connection: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], set[int]]:
    rows = connection.execute(
        "select a.model_name, a.column_name, cast(f.published_value as bigint) "
        "from main.suppression_allow_list as a "
        "inner join main.published_figures as f on a.figure_id = f.figure_id"
    ).fetchall()
    allowed: dict[tuple[str, str], set[int]] = {}
    for model, column, value in rows:
        allowed.setdefault((model, column), set()).add(value)
    return allowed


def lone_suppression_problems(
    connection: duckdb.DuckDBPyConnection, models: ReportingModels
) -> list[str]:
    """Groups with exactly one suppressed cell, which totals could give away (each table
    where it was suppressed: a split table's groups are in the model it names)."""
    problems = []
    for table, spec in models.suppressed.items():
        if spec.suppressed_in:
            continue
        schema = spec.schema
        groups = [
            (group.partition, group.members, group.columns or spec.counts) for group in spec.linked
        ] or [(spec.group_by, "true", spec.counts)]
        for column in spec.counts:
            for partition, members, columns in groups:
                if column not in columns:
                    continue
                group = ", ".join(partition)
                select_group = f"{group}, " if group else ""
                group_clause = f"group by {group}" if group else ""
                lone = connection.execute(
                    f"select count(*) from (select {select_group}"
                    f"sum(case when is_{column}_suppressed then 1 else 0 end) as n "
                    f'from "{schema}"."{table}" where {members} {group_clause}) as groups '
                    "where n = 1"
                ).fetchall()[0][0]
                if lone:
                    problems.append(
                        f"{schema}.{table}.{column}: {lone} column group(s) with one "
                        "suppressed cell"
                    )
        for total, parts in spec.additive:
            cells = " + ".join(
                f"case when is_{cell}_suppressed then 1 else 0 end" for cell in (total, *parts)
            )
            lone = connection.execute(
                f'select count(*) from "{schema}"."{table}" where {cells} = 1'
            ).fetchall()[0][0]
            if lone:
                problems.append(
                    f"{schema}.{table}: {lone} row(s) where one of {total} = "
                    f"{' + '.join(parts)} is the only suppressed cell"
                )
    return problems


def check(warehouse: Path, manifest: Path) -> list[str]:
    """Every disclosure problem of a built warehouse (empty when it may be published);
    ``manifest`` is the dbt manifest of the build that wrote it."""
    models = read_manifest(manifest)
    problems = classification_problems(models)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        problems += small_count_problems(connection, models)
        problems += lone_suppression_problems(connection, models)
        problems += linked.recoverable_cell_problems(connection, models)
    return problems
