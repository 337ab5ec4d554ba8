"""The benchmark's delivery series: N monthly deliveries, one ``justice-warehouse build``
each, as a scheduled run takes them, then a ``--replay`` of the same N in one build.

What it shows: the time of each delivery against the number already loaded (drawn as an SVG
chart beside docs/benchmarks.md), whether the last costs more than the second (the target:
at most 1.2 times), and that the warehouse built one delivery at a time equals the replay,
table by table (every source, history, mart and reporting table, compared both ways).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb

from justice_warehouse.bench.deliveries import build_command
from justice_warehouse.bench.harness import Setup, measure, say
from justice_warehouse.bench.steps import build_step_seconds
from justice_warehouse.operate.space import free_bytes, gib
from justice_warehouse.synth import scale_deliveries

SERIES_DELIVERIES = 12
# The schemas whose every table is compared with the replay's: the sources' versions, the
# intermediate tables (the engagement counts, taken in by delta), the marts and reporting.
COMPARED_SCHEMAS = ("main", "intermediate", "marts", "reporting")
# What the rest of a series needs on disk, in published files' sizes, known once the first
# delivery is built: the copy each later build starts from and the versions it keeps for
# rollback (3 by default) in the one-by-one folder, the replay's warehouse and its
# candidate, and the comparison's spill. At `national` the kept versions alone held 15 GiB
# (2026-12-07), and a series that ran out of disk in its comparison lost 50 minutes.
SERIES_SPACE_PER_PUBLISHED = 7


class SeriesSpaceError(RuntimeError):
    """The disk cannot hold the rest of the series."""


def check_series_space(published: Path, workdir: Path) -> None:
    """Raise before the later deliveries are built when the disk of ``workdir`` has less
    room than the rest of the series needs (``SERIES_SPACE_PER_PUBLISHED``)."""
    needed = published.stat().st_size * SERIES_SPACE_PER_PUBLISHED
    free = free_bytes(workdir)
    if free < needed:
        raise SeriesSpaceError(
            f"the rest of the delivery series needs about {gib(needed)} "
            f"({SERIES_SPACE_PER_PUBLISHED} x the published {published.name}), "
            f"{gib(free)} free in {workdir}: free some space or use a --workdir elsewhere"
        )


def _tables(connection: duckdb.DuckDBPyConnection) -> list[str]:
    found = connection.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = "
        f"current_database() and schema_name in {COMPARED_SCHEMAS!r} order by 1, 2"
    ).fetchall()
    return [f"{schema}.{table}" for schema, table in found]


def differing_tables(one: Path, other: Path) -> dict[str, tuple[int, int]]:
    """Tables whose rows differ between two warehouse files: per table, the rows only in the
    first and only in the second (``except all`` both ways); a table one file lacks counts
    as (-1, -1)."""
    with duckdb.connect(str(one), read_only=True) as connection:
        connection.execute(f"attach '{other}' as other_build (read_only)")
        mine = _tables(connection)
        theirs = {
            f"{schema}.{table}"
            for schema, table in connection.execute(
                "select schema_name, table_name from duckdb_tables() where database_name = "
                f"'other_build' and schema_name in {COMPARED_SCHEMAS!r}"
            ).fetchall()
        }
        differences = {name: (-1, -1) for name in sorted(set(mine) ^ theirs)}
        for name in mine:
            if name not in theirs:
                continue
            counts = connection.execute(
                f"select (select count(*) from (select * from {name} except all "
                f"select * from other_build.{name})), (select count(*) from (select * from "
                f"other_build.{name} except all select * from {name}))"
            ).fetchall()[0]
            if tuple(counts) != (0, 0):
                differences[name] = (int(counts[0]), int(counts[1]))
    return differences


def series_chart(seconds: list[float], replay_seconds: float, title: str) -> str:
    """An SVG line chart: one point per delivery (x: deliveries already loaded, y: seconds of
    its build), with the replay of all of them as a dashed line for scale."""
    width, height, left, bottom, top, right = 640, 360, 56, 44, 36, 16
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max([*seconds, replay_seconds]) * 1.1 or 1.0
    step = max(1, len(seconds) - 1)

    def x(index: int) -> float:
        return left + plot_w * index / step

    def y(value: float) -> float:
        return top + plot_h * (1 - value / top_value)

    ticks = [top_value * i / 4 for i in range(5)]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="20" font-size="14">{title}</text>',
    ]
    for tick in ticks:
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            'stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:.0f}</text>'
        )
    for index in range(len(seconds)):
        parts.append(
            f'<text x="{x(index):.1f}" y="{height - bottom + 16}" text-anchor="middle">'
            f"{index}</text>"
        )
    parts += [
        f'<text x="{left + plot_w / 2}" y="{height - 8}" text-anchor="middle">'
        "deliveries already loaded</text>",
        f'<text x="14" y="{top + plot_h / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {top + plot_h / 2})">seconds, end to end</text>',
        f'<line x1="{left}" x2="{width - right}" y1="{y(replay_seconds):.1f}" '
        f'y2="{y(replay_seconds):.1f}" stroke="#999" stroke-dasharray="6 4"/>',
        f'<text x="{width - right}" y="{y(replay_seconds) - 6:.1f}" text-anchor="end" '
        f'fill="#555">--replay of all {len(seconds)}: {replay_seconds:.0f} s</text>',
    ]
    points = " ".join(f"{x(i):.1f},{y(value):.1f}" for i, value in enumerate(seconds))
    parts.append(f'<polyline points="{points}" fill="none" stroke="#1f6feb" stroke-width="2"/>')
    parts += [
        f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="3.5" fill="#1f6feb">'
        f"<title>delivery {i + 1}: {value:.1f} s</title></circle>"
        for i, value in enumerate(seconds)
    ]
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def delivery_series(setup: Setup, count: int = SERIES_DELIVERIES) -> dict[str, Any]:
    """Build ``count`` deliveries one per build, then replay them; the times, each build's
    own step times, the comparison of the two warehouses, and the 12th/2nd ratio."""
    say(f"5. {count} monthly deliveries, one build each, then a --replay of all of them")
    workdir = setup.workdir / "series"
    shutil.rmtree(workdir, ignore_errors=True)
    sequence = workdir / "deliveries"
    folders = [d.folder for d in scale_deliveries.write_deliveries(sequence, setup.scale, count)]
    one_by_one, replayed = workdir / "one_by_one", workdir / "replayed"
    extracts = one_by_one / "extracts"
    extracts.mkdir(parents=True)
    seconds, step_seconds = [], []
    for number, folder in enumerate(folders, start=1):
        (extracts / folder.name).symlink_to(folder.resolve(), target_is_directory=True)
        run = measure(build_command(one_by_one, extracts), setup.env())
        seconds.append(round(run.seconds, 3))
        step_seconds.append(build_step_seconds(one_by_one))
        say(f"   delivery {number} ({folder.name}): {run.seconds:.1f} s")
    replayed.mkdir(parents=True)
    replay = measure([*build_command(replayed, sequence), "--replay"], setup.env())
    say(f"   --replay of all {count}: {replay.seconds:.1f} s")
    # The kept versions and failed candidates are not compared: at `national` they held
    # 15 GiB, and the comparison's spill then ran out of disk (2026-12-07).
    for kept in ("versions", "failed"):
        shutil.rmtree(one_by_one / kept, ignore_errors=True)
    differences = differing_tables(one_by_one / "justice.duckdb", replayed / "justice.duckdb")
    return {
        "deliveries": count,
        "seconds": seconds,
        "step_seconds": step_seconds,
        "replay_seconds": round(replay.seconds, 3),
        "last_to_second": round(seconds[-1] / seconds[1], 3) if count > 1 else None,
        "differing_tables": {name: list(counts) for name, counts in differences.items()},
        "compared_schemas": list(COMPARED_SCHEMAS),
    }
