"""The benchmark's end-to-end steps: one new monthly delivery against a full build.

Both run ``justice-warehouse build`` as an operator would (extract checks, dbt, validation,
publish) on a two-delivery sequence of the scale (``scale_deliveries``):

- ``full_build``: both deliveries into an empty warehouse directory;
- ``one_delivery``: the second delivery into a warehouse that already published the first
  (set up untimed before each run), which is what a monthly or nightly run costs.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from justice_warehouse.synth import scale_deliveries


def build_command(warehouse_dir: Path, extracts: Path | None) -> list[str]:
    """``justice-warehouse build`` into ``warehouse_dir`` (``extracts`` None: the bundled
    seeds)."""
    return [
        sys.executable,
        "-m",
        "justice_warehouse.cli",
        "build",
        "--warehouse",
        str(warehouse_dir / "justice.duckdb"),
        *(["--extracts", str(extracts)] if extracts is not None else []),
        "--gx-dir",
        str(warehouse_dir / "gx"),
    ]


def _link(extracts: Path, folder: Path) -> None:
    extracts.mkdir(parents=True, exist_ok=True)
    (extracts / folder.name).symlink_to(folder.resolve(), target_is_directory=True)


def prepare(
    workdir: Path, scale_name: str, run_untimed: Callable[[list[str]], object]
) -> dict[str, tuple[Callable[[], None], list[str]]]:
    """Write the sequence; return, per step, (prepare one run, the timed command)."""
    sequence = workdir / "deliveries"
    shutil.rmtree(sequence, ignore_errors=True)
    first, second = (
        delivery.folder for delivery in scale_deliveries.write_deliveries(sequence, scale_name, 2)
    )
    full_dir = workdir / "full_build"
    steps_dir = workdir / "one_delivery"
    extracts = steps_dir / "extracts"

    def prepare_full() -> None:
        shutil.rmtree(full_dir, ignore_errors=True)
        full_dir.mkdir(parents=True)

    def prepare_one() -> None:
        shutil.rmtree(steps_dir, ignore_errors=True)
        _link(extracts, first)
        run_untimed(build_command(steps_dir, extracts))  # the month before, published
        _link(extracts, second)

    return {
        "full_build": (prepare_full, build_command(full_dir, sequence)),
        "one_delivery": (prepare_one, build_command(steps_dir, extracts)),
    }
