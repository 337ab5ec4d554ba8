"""Nothing a build starts outlives it.

Every process a build starts (dbt, the validation worker, anything they start) asks Linux to
kill it when its parent dies (``PR_SET_PDEATHSIG``), and checks after asking that its parent
is still the build (the build may have died in between). Each also carries the environment
variable ``JUSTICE_WAREHOUSE_BUILD=<warehouse folder>|<build id>``, by which the next build
(and ``status``) finds any process of an earlier build that is still alive, reports it and,
for a build, stops it.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

MARKER = "JUSTICE_WAREHOUSE_BUILD"
_PR_SET_PDEATHSIG = 1


def marker_value(warehouse_dir: Path, build_id: str) -> str:
    return f"{warehouse_dir.resolve()}|{build_id}"


def die_with_parent(parent_pid: int | None = None) -> None:
    """In a child: be killed (SIGKILL) when the parent dies; exit now if it already has."""
    if sys.platform != "linux":
        return
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)


@dataclass(frozen=True)
class Leftover:
    pid: int
    build_id: str
    command: str

    def text(self) -> str:
        return f"process {self.pid} of build {self.build_id}: {self.command[:120]}"


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:  # gone, or not ours to read
        return b""


def _parent_pid(entry: Path) -> int | None:
    stat = _read(entry / "stat").decode(errors="replace")
    fields = stat.rpartition(")")[2].split()
    return int(fields[1]) if len(fields) > 1 else None


def leftovers(warehouse_dir: Path, current_build: str | None = None) -> list[Leftover]:
    """Live processes started by a build of ``warehouse_dir`` other than ``current_build``,
    leaving out this process and its own children (a build run in-process by a longer-lived
    program keeps multiprocessing's resource tracker as its child)."""
    prefix = f"{MARKER}={warehouse_dir.resolve()}|".encode()
    own = {os.getpid(), os.getppid()}
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in own:
            continue
        if _parent_pid(entry) == os.getpid():
            continue
        for variable in _read(entry / "environ").split(b"\0"):
            if variable.startswith(prefix):
                build_id = variable[len(prefix) :].decode(errors="replace")
                if build_id != current_build:
                    command = _read(entry / "cmdline").replace(b"\0", b" ").decode(errors="replace")
                    found.append(Leftover(int(entry.name), build_id, command.strip()))
                break
    return sorted(found, key=lambda leftover: leftover.pid)


def stop(found: list[Leftover]) -> None:
    for leftover in found:
        try:
            os.kill(leftover.pid, signal.SIGKILL)
        except ProcessLookupError:
            continue
