"""DuckDB files that BI tools bundling an older DuckDB can still open.

DuckDB 2.0 writes storage that DuckDB 1.x cannot read ("version number 999"); Evidence, for
one, ships DuckDB 1.4. A file created through ATTACH ... (STORAGE_VERSION ...) keeps that
storage version for every later writer, so each published file is created this way first.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

# The oldest DuckDB release the published files must open in (JW_STORAGE_VERSION overrides).
STORAGE_VERSION = os.environ.get("JW_STORAGE_VERSION", "v1.4.0")


def create_compatible_file(path: Path) -> None:
    """Create an empty DuckDB file at ``path`` readable by DuckDB ``STORAGE_VERSION``."""
    path.unlink(missing_ok=True)
    with duckdb.connect() as connection:
        connection.execute(f"attach '{path}' as new_file (storage_version '{STORAGE_VERSION}')")
        connection.execute("detach new_file")
