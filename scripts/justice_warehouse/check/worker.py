"""The validation worker: a process that imports Great Expectations while the build's
earlier steps run, and dies with the build that started it.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from justice_warehouse.core import processes

if TYPE_CHECKING:
    pass


def _start_worker(log_path: str, parent_pid: int) -> None:
    """Worker initializer: die with the process that started the worker (a killed build
    leaves no worker blocked on its pipe), and send GX's warnings, DuckDB's exit-time noise
    and its progress bars (drawn on stdout, terminal or not, for a query over 2 s: hundreds
    of lines in a build's log at `national`) to a log file."""
    processes.die_with_parent(parent_pid)
    descriptor = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(descriptor, 1)
    os.dup2(descriptor, 2)


@contextmanager
def _marked_environment(marker: str | None) -> Iterator[None]:
    """The worker is spawned with this process's environment: mark it as the build's."""
    if not marker:
        yield
        return
    os.environ.update({processes.MARKER: marker})  # a write, for the spawned worker
    try:
        yield
    finally:
        os.environ.pop(processes.MARKER, None)


def _warm_up() -> None:
    """In the worker: import Great Expectations (seconds of start-up) before it is needed."""
    # Loaded here on purpose: in the worker, after GX's analytics are switched off.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations  # noqa: F401

    from justice_warehouse.check import suites  # noqa: F401


def worker_log_path(gx_dir: Path) -> Path:
    return gx_dir / "uncommitted" / "validation.log"


def start_worker(gx_dir: Path, marker: str | None = None) -> ProcessPoolExecutor:
    """The validation worker: a process of its own that dies with this one, started now and
    importing GX at once, so a build can start it before its slower steps and validate
    without waiting for the import. ``run_validation`` uses it once and shuts it down.

    ``marker`` is the calling build's ``processes.MARKER`` value, given to the worker."""
    log_path = worker_log_path(gx_dir)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with _marked_environment(marker):
        pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(str(log_path), os.getpid()),
        )
        pool.submit(_warm_up)  # spawns the worker now, with the marker in its environment
    return pool
