"""The benchmark's raw anchors: the same work as the pipeline, as plain DuckDB SQL.

``compiled_plan`` turns the SQL dbt compiled (from its artifacts) into plain statements, in
dbt's order; ``validation_plan`` turns every expectation of the GX suites into one plain-SQL
count. Used only by the benchmark (``benchmark.py``), never by a build.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

from justice_warehouse.check.reference import read_reference
from justice_warehouse.check.suites import all_suites


def _seed_sql(node: dict[str, Any], root: Path, types: dict[str, str]) -> str:
    columns = ", ".join(f"'{name}': '{kind}'" for name, kind in types.items())
    path = root / node["original_file_path"]
    return (
        f"create or replace table {node['relation_name']} as select * from read_csv("
        f"'{path}', header = true, auto_detect = false, columns = {{{columns}}})"
    )


def compiled_plan(root: Path, target: Path, built: Path) -> list[str]:
    """dbt's compiled SQL (from run_results.json), in the order dbt ran it, as plain statements.

    Models become ``create or replace view|table ... as <compiled select>``; seeds are read
    with the column types dbt gave them; data and unit tests become ``select count(*)`` over
    their compiled query, as dbt runs them.
    """
    manifest = json.loads((target / "manifest.json").read_text())
    results = json.loads((target / "run_results.json").read_text())["results"]
    with duckdb.connect(str(built), read_only=True) as connection:
        seed_types: dict[tuple[str, str], dict[str, str]] = {}
        for schema, table, column, kind in connection.execute(
            "select schema_name, table_name, column_name, data_type from duckdb_columns() "
            "order by schema_name, table_name, column_index"
        ).fetchall():
            seed_types.setdefault((schema, table), {})[column] = kind
    nodes = {**manifest["nodes"], **manifest.get("unit_tests", {})}
    schemas = sorted({node["schema"] for node in manifest["nodes"].values() if "schema" in node})
    statements = [f"create schema if not exists {schema}" for schema in schemas]
    for result in results:
        node = nodes.get(result["unique_id"])
        if node is None:  # exposures: nothing to run
            continue
        kind = node["resource_type"]
        code = result.get("compiled_code") or node.get("compiled_code")
        if kind == "seed":
            types = seed_types[(node["schema"], node["alias"])]
            statements.append(_seed_sql(node, root, types))
        elif kind == "model":
            materialized = "view" if node["config"]["materialized"] == "view" else "table"
            statements.append(f"create or replace {materialized} {node['relation_name']} as {code}")
        elif kind in {"test", "unit_test"} and code:
            statements.append(f"select count(*) from ({code}) as dbt_test")
    return statements


def _check_sql(asset: str, expectation: Any) -> str:
    """One Great Expectations expectation as plain SQL over the asset query."""
    name = type(expectation).__name__
    source = f"({asset}) as batch"
    column = getattr(expectation, "column", None)
    if name == "ExpectColumnValuesToNotBeNull":
        return f"select count(*) from {source} where {column} is null"
    if name == "ExpectColumnValuesToBeNull":
        return f"select count(*) from {source} where {column} is not null"
    if name == "ExpectColumnValuesToBeUnique":
        return (
            f"select count(*) from (select {column} from {source} where {column} is not null "
            f"group by {column} having count(*) > 1)"
        )
    if name == "ExpectColumnValuesToBeInSet":
        values = ", ".join(
            "'" + str(value).replace("'", "''") + "'" for value in expectation.value_set
        )
        return f"select count(*) from {source} where {column} not in ({values})"
    if name == "ExpectTableRowCountToEqual":
        return f"select count(*) = {expectation.value} from {source}"
    aggregate = {
        "ExpectColumnSumToBeBetween": "sum",
        "ExpectColumnMinToBeBetween": "min",
        "ExpectColumnMaxToBeBetween": "max",
    }.get(name)
    if aggregate:
        low = "true" if expectation.min_value is None else f"value >= {expectation.min_value}"
        high = "true" if expectation.max_value is None else f"value <= {expectation.max_value}"
        return f"select {low} and {high} from (select {aggregate}({column}) as value from {source})"
    if name in {"UnexpectedRowsExpectation", "NoUnexpectedRows"}:
        query = expectation.unexpected_rows_query.replace("{batch}", f"({asset})")
        return f"select count(*) from ({query})"
    raise ValueError(f"no plain-SQL form for {name}")


def validation_plan(warehouse: Path) -> list[str]:
    """Every expectation the validate command runs, as plain SQL.

    A suite's asset that is a whole table is read in place; any other asset (an aggregate
    query) is computed once into a temporary table, as GX computes it once per batch.
    """

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        specs = all_suites(read_reference(connection))
    statements = []
    for number, spec in enumerate(specs):
        asset = spec.asset_query
        if not asset.startswith("select * from "):
            statements.append(f"create temp table batch_{number} as {asset}")
            asset = f"select * from batch_{number}"
        statements += [_check_sql(asset, expectation) for expectation in spec.expectations]
    return statements
