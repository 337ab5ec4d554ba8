"""A narrow, version-guarded fix that lets Great Expectations 1.24 validate DuckDB.

Upstream problem: GX's ``SqlAlchemyExecutionEngine.execute_query`` returns a cursor result
after the ``with engine.connect()`` block has closed the connection. With the
duckdb-engine dialect (and DuckDB 2.0) the rows are gone by the time GX fetches them, so
every metric fails: ``IndexError: list index out of range`` in ``resolve_metric_bundle``, or
``'NoneType' object is not subscriptable`` for custom-SQL metrics. See
great_expectations issues #10738 and #11579; a native DuckDB engine (PR #12084) is not
released.

The fix: GX already keeps one persistent connection for dialects that need it (SQLite,
SQL Server, BigQuery, Databricks) in ``get_connection``. We do the same for ``duckdb`` and
nothing else, so results are fetched before the connection is released, and the engine's
``close()`` still closes the connection. A statement that fails is rolled back so that one
broken check (a missing table) does not abort every later one. It is applied only to the
GX versions it was checked against; any other version raises, so an upgrade forces a
re-check (remove the fix once GX handles DuckDB itself).
"""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager
from typing import Any

import great_expectations
from great_expectations.execution_engine import sqlalchemy_execution_engine as gx_sql

CHECKED_GX_VERSIONS = frozenset({"1.24.1"})
_DIALECT = "duckdb"
_original_get_connection = gx_sql.SqlAlchemyExecutionEngine.get_connection


class UnsupportedGreatExpectationsVersion(RuntimeError):
    """The installed GX version was not checked with this fix."""


@contextmanager
def _get_connection_keeping_duckdb_open(self: Any) -> Generator[Any, None, None]:
    if self.dialect_name != _DIALECT:
        with _original_get_connection(self) as connection:
            yield connection
        return
    if self._connection is None or self._connection.closed:
        self._connection = self.engine.connect()
    try:
        yield self._connection
    except Exception:
        # A failed statement aborts DuckDB's open transaction; roll it back so the one
        # persistent connection can run the next metric (GX only recovers from
        # SQLAlchemy's PendingRollbackError, which duckdb-engine does not raise).
        self._connection.rollback()
        raise


def apply() -> None:
    """Install the fix (idempotent); refuse on a GX version it was not checked against."""
    version = great_expectations.__version__
    if version not in CHECKED_GX_VERSIONS:
        raise UnsupportedGreatExpectationsVersion(
            f"great_expectations {version} is not one of {sorted(CHECKED_GX_VERSIONS)}; "
            "re-check issues #10738/#11579 and scripts/justice_warehouse/check/gx_duckdb.py"
        )
    gx_sql.SqlAlchemyExecutionEngine.get_connection = _get_connection_keeping_duckdb_open


def remove() -> None:
    """Restore GX's own behaviour (used by the test that shows the upstream bug)."""
    gx_sql.SqlAlchemyExecutionEngine.get_connection = _original_get_connection
