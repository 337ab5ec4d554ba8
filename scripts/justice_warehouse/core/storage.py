"""DuckDB files that BI tools bundling an older DuckDB can still open.

DuckDB 2.0 writes storage that DuckDB 1.x cannot read ("version number 999"); Evidence, for
one, ships DuckDB 1.4. A file created through ATTACH ... (STORAGE_VERSION ...) keeps that
storage version for every later writer, so each published file is created this way first.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import duckdb


def create_compatible_file(path: Path, storage_version: str) -> None:
    """Create an empty DuckDB file at ``path`` readable by DuckDB ``storage_version`` (the
    oldest release the published files must open in: Settings.storage_version)."""
    path.unlink(missing_ok=True)
    with duckdb.connect() as connection:
        connection.execute(f"attach '{path}' as new_file (storage_version '{storage_version}')")
        connection.execute("detach new_file")


# DuckDB's words when another process holds the file for writing (the validation's audit
# rows, a build's candidate): the file is in use, which says nothing about its bytes.
_IN_USE = "Could not set lock"


def damage(path: Path, threads: str = "2", memory_limit: str = "3GB") -> str | None:
    """Why the DuckDB file at ``path`` cannot be read whole, in DuckDB's own words (the
    first line), or None when it opens and every column of every table reads back (DuckDB
    checks each block's checksum as it reads it). Overwritten or truncated blocks show here
    rather than as a raw error halfway through a build. A file another process holds for
    writing is not judged (None): it is in use, not damaged."""
    try:
        with duckdb.connect(
            str(path),
            read_only=True,
            config={"threads": threads, "memory_limit": memory_limit},
        ) as connection:
            tables = connection.execute(
                "select schema_name, table_name from duckdb_tables() where not temporary"
            ).fetchall()
            for schema, table in tables:
                # Every column of every row: max() of a hash cannot be answered from
                # statistics, so each block is read (and its checksum checked).
                connection.execute(
                    f'select max(hash(columns(*))) from "{schema}"."{table}"'
                ).fetchall()
    except duckdb.Error as error:
        text = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        return None if _IN_USE in text else text
    return None


def file_digest(path: Path) -> str:
    """The CRC-32 and size of the file's bytes: the same value means the same bytes (as a
    check against damage, not against tampering). 1.5 s for a 4.3 GB file here, against
    about 10 s for ``damage`` to read every column of it."""
    crc = 0
    with path.open("rb") as handle:
        while chunk := handle.read(8 << 20):
            crc = zlib.crc32(chunk, crc)
    return f"crc32:{crc:08x}:{path.stat().st_size}"
