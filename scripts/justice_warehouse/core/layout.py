"""The files of a warehouse folder (default ``warehouse/``), by name, and its manifest.

Layout beside the published file (default ``warehouse/justice.duckdb``)::

    justice.duckdb        the published warehouse (all schemas)
    reporting.duckdb      only the reporting schema: what BI tools connect to
    manifest.json         which build is published, from what, when, by which project
                          files (their digests: build/steps.py)
    versions/<id>/        the previous published versions (hard links), newest last
    failed/<id>/          failed candidates, with reason.txt: the newest in full, older
                          ones reduced (operate/retention.py)
    last_run.json         the last build's outcome, reason and step times (core/runs.py),
                          read by `status` and the benchmark
    .candidates/build/    the build in progress (removed by the next build if killed); one
                          path for every build, so that dbt's partial parsing stays valid
    .build.lock           one build (or rollback) at a time (publish/lock.py)

Who may read each file is in operate/permissions.py; the space a build needs, in
operate/space.py.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

WAREHOUSE_NAME = "justice.duckdb"
REPORTING_NAME = "reporting.duckdb"
MANIFEST_NAME = "manifest.json"
# The layout of the source tables: versions by delivery (gate/deliveries.py). A published
# warehouse of an older layout is rebuilt from its extracts, not extended.
# 2: fct_probation_appointments carries the delivery of each appointment's version.
HISTORY_LAYOUT = "versions-by-delivery-2"
# The manifest's keys for the published files' digests (core/storage.file_digest): a build,
# `status` and `rollback` that find the same bytes need not read the file whole
# (operate/soundness.py).
WAREHOUSE_DIGEST = "warehouse_digest"
REPORTING_DIGEST = "reporting_digest"
FILE_DIGESTS = {WAREHOUSE_NAME: WAREHOUSE_DIGEST, REPORTING_NAME: REPORTING_DIGEST}
DOCS_DIR = "docs"  # dbt's docs site (build/docs_site.py): docs/index.html
# The candidate's folder under .candidates/: the same for every build (one at a time), since
# dbt re-parses the whole project when the database path in its profile changes.
CANDIDATE_NAME = "build"


def new_build_id() -> str:
    now = datetime.now(UTC)
    return f"{now.strftime('%Y%m%dT%H%M%S%fZ')}-{os.getpid()}"


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST_NAME
    return json.loads(path.read_text()) if path.is_file() else {}
