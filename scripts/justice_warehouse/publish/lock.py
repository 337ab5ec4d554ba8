"""One build (or rollback) at a time in a warehouse folder: ``.build.lock``."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from justice_warehouse.core.errors import BuildFailed


@contextmanager
def build_lock(directory: Path) -> Iterator[None]:
    """Hold the directory's build lock; the kernel releases it if the process dies."""
    directory.mkdir(parents=True, exist_ok=True)  # a build makes it first, with its mode
    with (directory / ".build.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise BuildFailed(f"another build or rollback is running in {directory}", 2) from error
        yield


@contextmanager
def try_build_lock(directory: Path) -> Iterator[bool]:
    """Hold the directory's build lock if it is free: yields whether it is held (False while
    a build or rollback runs; nothing waits)."""
    try:
        handle = (directory / ".build.lock").open("w")
    except OSError:  # a folder this user may not write: nor may it write the warehouse
        yield False
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
