"""The record of the last build, ``last_run.json`` beside the published warehouse.

Written when a build starts (``outcome: running``) and again when it ends (``published`` or
``failed``, with the exit code, the reason and each finished step's seconds), by atomic
rename. A record still ``running`` whose process is gone is a build that was killed.
``status`` reads it; so does the benchmark, for the build's own step times.
"""

from __future__ import annotations

import contextlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

LAST_RUN = "last_run.json"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write(directory: Path, record: dict[str, Any]) -> None:
    temporary = directory / f".{LAST_RUN}.tmp"
    temporary.write_text(json.dumps(record, indent=2) + "\n")
    os.replace(temporary, directory / LAST_RUN)


def started(directory: Path, build_id: str, source: str) -> dict[str, Any]:
    record = {
        "build_id": build_id,
        "pid": os.getpid(),
        "source": source,
        "started_at": _now(),
        "outcome": "running",
    }
    _write(directory, record)
    return record


def finished(
    directory: Path,
    record: dict[str, Any],
    exit_code: int,
    reason: str | None = None,
    step_seconds: dict[str, float] | None = None,
) -> None:
    """Record the end of the run, with the seconds of each step that finished (the
    benchmark reads them here); a full disk must not hide the build's own error."""
    record = {
        **record,
        "finished_at": _now(),
        "outcome": "published" if exit_code == 0 else "failed",
        "exit_code": exit_code,
        "reason": reason,
        "step_seconds": step_seconds or {},
    }
    with contextlib.suppress(OSError):
        _write(directory, record)


def read(directory: Path) -> dict[str, Any] | None:
    path = directory / LAST_RUN
    return json.loads(path.read_text()) if path.is_file() else None
