"""Write, audit, publish: build a candidate warehouse, check it, and only then publish it.

``build`` holds the folder's lock, checks the space it needs, runs the steps of
``steps.py`` on a candidate under ``.candidates/build/`` and publishes it
(``publish/release.py``) only when every step passed. A failed candidate is kept under
``failed/`` within the retention rule; the published files are untouched. The outcome and
each step's seconds go into ``last_run.json`` (``core/runs.py``).
"""

from __future__ import annotations

import shutil
import time
from dataclasses import replace
from pathlib import Path

from justice_warehouse.build import steps
from justice_warehouse.build.options import BuildOptions, BuildOutcome
from justice_warehouse.build.steps import say
from justice_warehouse.check import worker
from justice_warehouse.core import processes, runs
from justice_warehouse.core.errors import BuildFailed
from justice_warehouse.core.layout import (
    CANDIDATE_NAME,
    REPORTING_NAME,
    WAREHOUSE_NAME,
    new_build_id,
)
from justice_warehouse.core.paths import synthetic_seed_dir
from justice_warehouse.core.settings import Settings
from justice_warehouse.operate import permissions, space
from justice_warehouse.operate.housekeeping import (
    disk_report,
    keep_failed,
    kept_text,
    stop_leftovers,
)
from justice_warehouse.publish.lock import build_lock
from justice_warehouse.publish.release import Release, publish


def _require_salt_in_production(settings: Settings) -> None:
    if settings.environment == "production" and not settings.has_pseudonym_salt:
        raise BuildFailed(
            "JW_ENV=production but JW_PSEUDONYM_SALT is not set: refusing to build with the "
            "public development salt (set a secret salt in the environment)",
            2,
        )


def _extracts_size(options: BuildOptions) -> int:
    return space.files_size([options.extracts_dir or synthetic_seed_dir(options.root)])


def _build_space(options: BuildOptions, workdir: Path) -> space.BuildSpace:
    """What this build needs where it writes (space.py), measured before anything is."""
    published = options.warehouse.stat().st_size if options.warehouse.is_file() else 0
    temp_dir = Path(options.settings.temp_directory(workdir / WAREHOUSE_NAME))
    return space.build_space(
        options.warehouse.parent,
        temp_dir,
        published,
        _extracts_size(options),
        options.settings.space_factor,
    )


def apply_modes(options: BuildOptions) -> None:
    settings = options.settings
    permissions.apply(
        options.warehouse,
        options.private_dirs(),
        settings.warehouse_group,
        settings.reader_group,
    )


def _run_steps(
    options: BuildOptions,
    workdir: Path,
    build_id: str,
    seconds: dict[str, float],
    outcome: BuildOutcome,
) -> None:
    """Every step in order; ``seconds`` gets each finished step's wall time."""
    marker = processes.marker_value(options.warehouse.parent, build_id)
    candidate = workdir / WAREHOUSE_NAME
    started = time.perf_counter()

    def done(step: str) -> None:
        nonlocal started
        seconds[step] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()

    # The validation worker imports GX while the extracts load and dbt runs.
    with worker.start_worker(options.gx_path, marker) as validation_worker:
        start = steps.load(options, candidate, build_id, outcome)
        done("load")
        steps.dbt_build(options, candidate, start, marker, outcome)
        done("dbt")
        steps.disclosure_check(options, candidate)
        done("disclosure")
        # The docs site's dbt reads the candidate read-only while the validation does: the
        # validation waits for it before it writes its audit rows into the file.
        docs = steps.start_docs_site(options, candidate, start, marker)
        try:
            steps.validation(options, candidate, start, validation_worker, docs.wait, outcome)
        finally:
            docs.stop()
        done("validation")
    steps.write_docs_site(docs, workdir)
    done("docs")
    say("[6/6] publishing")
    publish(
        Release(
            warehouse=options.warehouse,
            workdir=workdir,
            build_id=build_id,
            source=options.source_label,
            storage_version=options.settings.storage_version,
            reader_group=options.settings.reader_group,
            keep_versions=options.keep_versions,
            project=options.project,
            project_files=options.project_files,
        )
    )
    outcome.published = True
    done("publish")
    say("step seconds: " + ", ".join(f"{step} {value:.2f}" for step, value in seconds.items()))


def build(options: BuildOptions, outcome: BuildOutcome | None = None) -> str:
    """Run the whole pipeline into a candidate and publish it; return the build id.

    ``outcome``, when given, is filled in as the steps run (on failure too).

    Raises ``BuildFailed`` (published files untouched, candidate kept under failed/ within
    the retention rule). Every file is written owner-only (umask 077) and given the
    documented modes at the end, whatever the outcome.
    """
    directory = options.warehouse.parent
    _require_salt_in_production(options.settings)
    permissions.make_warehouse_folder(directory, options.settings.reader_group)
    with permissions.private_umask(), build_lock(directory):
        try:
            return _build_locked(options, outcome or BuildOutcome())
        finally:
            apply_modes(options)
            say(disk_report(directory))


def _build_locked(options: BuildOptions, outcome: BuildOutcome) -> str:
    directory = options.warehouse.parent
    apply_modes(options)  # repairs what a killed build left
    stop_leftovers(directory)
    shutil.rmtree(directory / ".candidates", ignore_errors=True)  # a killed build's leftovers
    build_id = new_build_id()
    outcome.build_id = build_id
    record = runs.started(directory, build_id, options.source_label)
    workdir = directory / ".candidates" / CANDIDATE_NAME
    try:
        found = _build_space(options, workdir)
        needed = sum(need.needed for need in found.needs)
        found.check()
    except space.NotEnoughSpace as error:
        message = f'{error}; nothing written (README, "Operating it")'
        runs.finished(directory, record, 2, message)
        raise BuildFailed(message, 2) from error
    settings = options.settings
    options = replace(
        options,
        settings=replace(
            settings, duckdb_max_temp_size=settings.duckdb_max_temp_size or found.max_temp_size
        ),
    )
    workdir.mkdir(parents=True)
    seconds: dict[str, float] = {}
    keep = options.settings.keep_failed
    try:
        _run_steps(options, workdir, build_id, seconds, outcome)
    except BuildFailed as error:
        out_of_space = space.is_out_of_space(error)
        kept = keep_failed(directory, workdir, build_id, error, needed, out_of_space, keep)
        message = f"{error}\nbuild {build_id} failed; published files unchanged; {kept_text(kept)}"
        # Out of space, the data proved nothing either way: the tool could not run.
        exit_code = 2 if out_of_space else error.exit_code
        runs.finished(directory, record, exit_code, str(error), seconds)
        raise BuildFailed(message, exit_code) from error
    except Exception as error:
        out_of_space = space.is_out_of_space(error)
        kept = keep_failed(directory, workdir, build_id, error, needed, out_of_space, keep)
        runs.finished(directory, record, 2, repr(error), seconds)
        raise BuildFailed(
            f"build {build_id} could not run: {error!r}; published files unchanged; "
            f"{kept_text(kept)}",
            2,
        ) from error
    shutil.rmtree(workdir, ignore_errors=True)
    runs.finished(directory, record, 0, None, seconds)
    say(f"published build {build_id}: {options.warehouse} and {directory / REPORTING_NAME}")
    return build_id
