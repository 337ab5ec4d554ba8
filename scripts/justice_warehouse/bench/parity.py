"""Compare the reporting models built by two engines (DuckDB and Spark), row by row.

Spark's tables are read straight from their Parquet files in the Spark warehouse folder, so
no Spark session is needed to compare. Types are normalised first (DuckDB sums integers to
HUGEINT where Spark uses BIGINT; both are whole numbers), then every row must match.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

# Listed, explained exceptions: (table, column) -> why it may differ. None so far.
EXCEPTIONS: dict[tuple[str, str], str] = {}


def spark_table_path(spark_warehouse: Path, schema: str, table: str) -> Path:
    return spark_warehouse / f"{schema}.db" / table


def _normalise(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, float):
        return round(value, 9)
    return value


def _rows(connection: duckdb.DuckDBPyConnection, relation: str, columns: list[str]) -> list:
    selected = ", ".join(f'"{c}"' for c in columns)
    rows = connection.execute(f"select {selected} from {relation}").fetchall()
    return sorted((tuple(_normalise(v) for v in row) for row in rows), key=repr)


def compare_table(
    duckdb_file: Path, spark_warehouse: Path, table: str, schema: str = "reporting"
) -> list[str]:
    """Differences between DuckDB's and Spark's copy of one table (empty when identical)."""
    parquet = spark_table_path(spark_warehouse, schema, table)
    if not parquet.is_dir():
        return [f"{schema}.{table}: not built by Spark ({parquet} missing)"]
    with duckdb.connect(str(duckdb_file), read_only=True) as connection:
        # partitioned tables (the incremental facts) keep the partition column in folder names
        spark_relation = f"read_parquet('{parquet}/**/*.parquet', hive_partitioning = true)"
        duck_columns = [
            row[0]
            for row in connection.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
        ]
        spark_columns = [
            row[0]
            for row in connection.execute(f"describe select * from {spark_relation}").fetchall()
        ]
        if sorted(duck_columns) != sorted(spark_columns):
            return [
                f"{schema}.{table}: columns differ: duckdb {duck_columns}, spark {spark_columns}"
            ]
        compared = [c for c in duck_columns if (table, c) not in EXCEPTIONS]
        duck_rows = _rows(connection, f'"{schema}"."{table}"', compared)
        spark_rows = _rows(connection, spark_relation, compared)
    if duck_rows == spark_rows:
        return []
    only_duck = [row for row in duck_rows if row not in spark_rows][:3]
    only_spark = [row for row in spark_rows if row not in duck_rows][:3]
    return [
        f"{schema}.{table}: {len(duck_rows)} duckdb rows vs {len(spark_rows)} spark rows; "
        f"only in duckdb e.g. {only_duck}; only in spark e.g. {only_spark}"
    ]
