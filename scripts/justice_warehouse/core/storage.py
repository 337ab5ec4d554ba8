"""DuckDB files that BI tools bundling an older DuckDB can still open.

DuckDB 2.0 writes storage that DuckDB 1.x cannot read ("version number 999"); Evidence, for
one, ships DuckDB 1.4. A file created through ATTACH ... (STORAGE_VERSION ...) keeps that
storage version for every later writer, so each published file is created this way first.
"""

from __future__ import annotations

from pathlib import Path

import duckdb


def create_compatible_file(path: Path, storage_version: str) -> None:
    """Create an empty DuckDB file at ``path`` readable by DuckDB ``storage_version`` (the
    oldest release the published files must open in: Settings.storage_version)."""
    path.unlink(missing_ok=True)
    with duckdb.connect() as connection:
        connection.execute(f"attach '{path}' as new_file (storage_version '{storage_version}')")
        connection.execute("detach new_file")
