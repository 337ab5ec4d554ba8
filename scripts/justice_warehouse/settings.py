"""DuckDB settings shared by dbt (profiles.yml) and the project's own connections.

The same environment variables drive both, so a machine's limits are set once:
JW_DUCKDB_THREADS, JW_DUCKDB_MEMORY_LIMIT, JW_DUCKDB_TEMP_DIR (where DuckDB spills past the
memory limit; default ``<database>.tmp``) and JW_DUCKDB_PRESERVE_INSERTION_ORDER.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_THREADS = "2"
DEFAULT_MEMORY_LIMIT = "4GB"


def duckdb_config(database: Path, keep_order: bool = False) -> dict[str, str]:
    """``duckdb.connect(config=...)`` settings for a connection to ``database``.

    ``keep_order`` forces insertion order to be kept (the extract loader numbers lines by it).
    """
    return {
        "threads": os.environ.get("JW_DUCKDB_THREADS", DEFAULT_THREADS),
        "memory_limit": os.environ.get("JW_DUCKDB_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT),
        "temp_directory": os.environ.get("JW_DUCKDB_TEMP_DIR", f"{database}.tmp"),
        "preserve_insertion_order": "true"
        if keep_order
        else os.environ.get("JW_DUCKDB_PRESERVE_INSERTION_ORDER", "false"),
    }
