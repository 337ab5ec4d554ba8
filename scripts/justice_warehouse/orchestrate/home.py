"""The Dagster instance's settings, written by ``make orchestrate`` before ``dagster dev``:
``python -m justice_warehouse.orchestrate.home <DAGSTER_HOME>``.

Telemetry off (nothing leaves the machine), and runs queued one at a time: the in-process
executor keeps a run's build lock from the gate to publish, and the queue keeps a second
delivery's run from starting before the first has published (they queue in the order the
sensor asked for them, oldest delivery first).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

INSTANCE = {
    "telemetry": {"enabled": False},
    "run_coordinator": {
        "module": "dagster._core.run_coordinator",
        "class": "QueuedRunCoordinator",
    },
    "concurrency": {"runs": {"max_concurrent_runs": 1}},
}


def write_instance(home: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "dagster.yaml"
    path.write_text(
        "# Written by make orchestrate (justice_warehouse/orchestrate/home.py).\n"
        + yaml.safe_dump(INSTANCE, sort_keys=False)
    )
    return path


if __name__ == "__main__":
    print(f"wrote {write_instance(Path(sys.argv[1]))}")
