"""Write, audit, publish: build a candidate warehouse, check it, and only then publish it.

Layout beside the published file (default ``warehouse/justice.duckdb``)::

    justice.duckdb        the published warehouse (all schemas)
    reporting.duckdb      only the reporting schema: what BI tools connect to
    manifest.json         which build is published, from what, when
    versions/<id>/        the previous published versions (hard links), newest last
    failed/<id>/          failed candidates, with reason.txt: the newest in full, older
                          ones reduced (retention.py)
    last_run.json         the last build's outcome and reason (runs.py), read by `status`
    .candidates/build/    the build in progress (removed by the next build if killed); one
                          path for every build, so that dbt's partial parsing stays valid
    .build.lock           one build (or rollback) at a time

Who may read each file is in permissions.py; the space a build needs, in space.py.

Publishing is ``os.replace`` of finished files, which is atomic: a reader that opened the
old file keeps reading it, a reader that opens the path afterwards gets the new one, and a
build killed at any moment leaves the published files as they were.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from justice_warehouse import (
    children,
    deliveries,
    docs_site,
    extracts,
    permissions,
    retention,
    runs,
    space,
    validate,
)
from justice_warehouse.docs_site import DocsRun
from justice_warehouse.paths import synthetic_seed_dir
from justice_warehouse.settings import Settings
from justice_warehouse.storage import create_compatible_file
from justice_warehouse.validate import DEFAULT_KEEP_RUNS

DEFAULT_KEEP_VERSIONS = Settings.keep_versions
WAREHOUSE_NAME = "justice.duckdb"
REPORTING_NAME = "reporting.duckdb"
# The layout of the source tables: versions by delivery (deliveries.py). A published
# warehouse of an older layout is rebuilt from its extracts, not extended.
HISTORY_LAYOUT = "versions-by-delivery-1"
DOCS_DIR = "docs"  # dbt's docs site (docs_site.py): docs/index.html
# The candidate's folder under .candidates/: the same for every build (one at a time), since
# dbt re-parses the whole project when the database path in its profile changes.
CANDIDATE_NAME = "build"


class BuildFailed(Exception):
    """A step failed; the published files are untouched. ``exit_code`` is 1 or 2."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class BuildOptions:
    root: Path
    warehouse: Path
    extracts_dir: Path | None = None
    gx_dir: Path | None = None
    max_rejected_share: float = extracts.DEFAULT_MAX_REJECTED_SHARE
    keep_versions: int = DEFAULT_KEEP_VERSIONS
    keep_runs: int = DEFAULT_KEEP_RUNS
    # None: compare the published figures only for the bundled seeds (dbt var
    # published_figures_apply).
    published_figures: bool | None = None
    # Rebuild incremental models from scratch instead of from the published warehouse.
    full_refresh: bool = False
    # Load every delivery of extracts_dir again, in date order, into an empty warehouse
    # (what an older or changed delivery needs); implies full_refresh.
    replay: bool = False
    # The delivery date of a flat extracts folder (default: the build date; for the
    # bundled seeds, the dbt var bundled_delivery_date).
    delivery_date: date | None = None
    settings: Settings = field(default_factory=Settings)

    @property
    def is_bundled_synthetic(self) -> bool:
        """The input is the repository's own synthetic data (seeds/synthetic/, the
        delivery sequence under seeds/, or links to them), which the generator built to
        the figures."""
        if self.extracts_dir is None:
            return True
        seeds = (self.root / "seeds").resolve()
        deliveries = [child for child in self.extracts_dir.iterdir() if child.is_dir()]
        folders = deliveries or [self.extracts_dir]
        return all(folder.resolve().is_relative_to(seeds) for folder in folders)

    @property
    def published_figures_apply(self) -> bool:
        if self.published_figures is None:
            return self.is_bundled_synthetic
        return self.published_figures

    @property
    def rebuilds(self) -> bool:
        return self.full_refresh or self.replay


def new_build_id() -> str:
    now = datetime.now(UTC)
    return f"{now.strftime('%Y%m%dT%H%M%S%fZ')}-{os.getpid()}"


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


def _say(message: str) -> None:
    print(message, flush=True)


def _attached_tables(
    connection: duckdb.DuckDBPyConnection, database: str, schema: str
) -> list[str]:
    """Tables of one schema of an attached database, by name."""
    rows = connection.execute(
        "select table_name from duckdb_tables() "
        "where database_name = ? and schema_name = ? order by 1",
        [database, schema],
    ).fetchall()
    return [table for (table,) in rows]


def _copy_audit_history(connection: duckdb.DuckDBPyConnection, published: Path) -> None:
    """Carry the audit tables of the published warehouse into the candidate."""
    if not published.is_file():
        return
    connection.execute(f"attach '{published}' as published (read_only)")
    try:
        for table in _attached_tables(connection, "published", "audit"):
            connection.execute(
                f"create or replace table audit.{table} as select * from published.audit.{table}"
            )
    finally:
        connection.execute("detach published")


def _source_label(options: BuildOptions) -> str:
    return str(options.extracts_dir) if options.extracts_dir else "bundled synthetic seeds"


def _start_candidate(options: BuildOptions, candidate: Path) -> bool:
    """Start from a copy of the published warehouse, so incremental models only add what
    changed; return False (an empty file, a full build) when there is none to start from, or
    the published warehouse was built from another source (its months would stay)."""
    published = read_manifest(options.warehouse.parent)
    if (
        options.rebuilds
        or not options.warehouse.is_file()
        or published.get("source") != _source_label(options)
        or published.get("history") != HISTORY_LAYOUT
    ):
        create_compatible_file(candidate, options.settings.storage_version)
        return False
    shutil.copyfile(options.warehouse, candidate)
    return True


def _load(options: BuildOptions, candidate: Path, build_id: str) -> bool:
    """Check and load the extracts; return whether the candidate is incremental."""
    source = options.extracts_dir or synthetic_seed_dir(options.root)
    _say(f"[1/6] checking and loading extracts from {source}")
    incremental = _start_candidate(options, candidate)
    with duckdb.connect(
        str(candidate), config=options.settings.duckdb_config(candidate, keep_order=True)
    ) as connection:
        extracts.ensure_audit_tables(connection)  # before the history copy replaces them
        if not incremental:
            _copy_audit_history(connection, options.warehouse)
        flat_date = options.delivery_date or (
            deliveries.bundled_delivery_date(options.root) if options.extracts_dir is None else None
        )
        try:
            reports = deliveries.load_deliveries(
                connection,
                source,
                options.root / "seeds",
                build_id,
                build_date=datetime.now(UTC).date(),
                flat_delivery_date=flat_date,
                max_rejected_share=options.max_rejected_share,
            )
        except extracts.ExtractError as error:
            raise BuildFailed(str(error)) from error
        rejected = connection.execute(
            "select source_file, line_number, column_name, reason, found_value "
            "from audit.rejected_rows where build_id = ? order by 1, 2 limit 10",
            [build_id],
        ).fetchall()
        anomalies = connection.execute(
            "select kind, count(*), min(source_file), min(record_key), min(detail) "
            "from audit.delivery_anomalies where build_id = ? group by 1 order by 1",
            [build_id],
        ).fetchall()
        connection.execute("checkpoint")
    if not reports:
        _say("      no new delivery: every delivery in the folder is already loaded")
    for report in reports:
        for line in report.lines():
            _say(f"      {line}")
    for kind, count, file, key, detail in anomalies:
        _say(
            f"      {count} record(s) {kind} (audit.delivery_anomalies), "
            f"e.g. {file} {key}: {detail}"
        )
    for file, line, column, reason, found in rejected:
        text = extracts.rejection_text(reason, found)
        _say(f"      rejected {file} line {line}, column {column}: {text}")
    return incremental


def _dbt_build(options: BuildOptions, candidate: Path, incremental: bool, marker: str) -> None:
    from justice_warehouse.dbt import dbt_build_args, run_dbt

    how = "incremental, from the published warehouse" if incremental else "full refresh"
    _say(f"[2/6] dbt build (seeds, models and data tests; {how})")
    args = dbt_build_args(
        options.published_figures_apply,
        full_refresh=not incremental,
        input_is_bundled_synthetic=options.is_bundled_synthetic,
    )
    result = run_dbt(options.root, args, candidate, options.settings, marker)
    _say(f"      {result.summary}")
    if not result.success:
        failures = "\n".join(f"  {failure}" for failure in result.failures) or "  (see dbt.log)"
        raise BuildFailed(f"dbt build failed:\n{failures}")


def _disclosure_check(options: BuildOptions, candidate: Path) -> None:
    from justice_warehouse import privacy

    _say("[3/6] disclosure checks (small-number suppression, column sensitivity)")
    manifest = options.settings.target_path(options.root) / "manifest.json"
    problems = privacy.check(candidate, manifest)
    if problems:
        listed = "\n".join(f"  {problem}" for problem in problems)
        raise BuildFailed(f"the reporting tables could disclose people:\n{listed}")


def _require_salt_in_production(settings: Settings) -> None:
    if settings.environment == "production" and not settings.has_pseudonym_salt:
        raise BuildFailed(
            "JW_ENV=production but JW_PSEUDONYM_SALT is not set: refusing to build with the "
            "public development salt (set a secret salt in the environment)",
            2,
        )


def _gx_dir(options: BuildOptions) -> Path:
    return options.gx_dir or options.root / "gx"


def _validate(
    options: BuildOptions,
    candidate: Path,
    worker: ProcessPoolExecutor,
    before_audit: Callable[[], None],
) -> None:

    _say("[4/6] validation suites")
    report = validate.run_validation(
        candidate,
        _gx_dir(options),
        options.settings,
        keep_runs=options.keep_runs,
        worker=worker,
        before_audit=before_audit,
    )
    _say(validate.summary(report))
    if report.exit_code != 0:
        raise BuildFailed("validation failed", report.exit_code)


def _start_docs_site(options: BuildOptions, candidate: Path, marker: str) -> DocsRun:
    from justice_warehouse.dbt import dbt_vars_args

    vars_args = dbt_vars_args(options.published_figures_apply, options.is_bundled_synthetic)
    return docs_site.start(options.root, candidate, options.settings, marker, vars_args)


def _docs_site(docs: DocsRun, workdir: Path) -> None:
    _say("[5/6] docs site (dbt docs generate --static, run beside the validation)")
    docs.write_page(workdir / DOCS_DIR)


def export_reporting(candidate: Path, target: Path, exports: Path, storage_version: str) -> None:
    """A separate file holding only the reporting tables, for BI tools.

    The tables sit in the file's default schema: opened as ``reporting.duckdb`` its catalog
    is ``reporting``, so ``reporting.<table>`` (and the bare table name) resolve. A schema
    named ``reporting`` inside it would make ``reporting.<table>`` ambiguous in DuckDB.
    Every table is also written as ``exports/<table>.parquet`` for tools that read files.
    """
    exports.mkdir(parents=True, exist_ok=True)
    create_compatible_file(target, storage_version)
    with duckdb.connect(str(target)) as connection:
        connection.execute(f"attach '{candidate}' as candidate (read_only)")
        for table in _attached_tables(connection, "candidate", "reporting"):
            connection.execute(
                f"create table main.{table} as select * from candidate.reporting.{table}"
            )
            connection.execute(
                f"copy main.{table} to '{exports / (table + '.parquet')}' (format parquet)"
            )
        connection.execute("detach candidate")
        connection.execute("checkpoint")


def _archive_published(directory: Path, keep: int) -> None:
    """Hard-link the published pair into versions/<build id>/ and keep the newest ``keep``."""
    published = directory / WAREHOUSE_NAME
    if not published.is_file():
        return
    manifest = read_manifest(directory)
    version = directory / "versions" / (manifest.get("build_id") or new_build_id())
    version.mkdir(parents=True, exist_ok=True)
    for name in (WAREHOUSE_NAME, REPORTING_NAME, "manifest.json"):
        source, link = directory / name, version / name
        if source.is_file() and not link.exists():
            os.link(source, link)
    versions = sorted(p for p in (directory / "versions").iterdir() if p.is_dir())
    for stale in versions[: max(len(versions) - keep, 0)]:
        shutil.rmtree(stale)


def read_manifest(directory: Path) -> dict[str, str]:
    path = directory / "manifest.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _write_manifest(directory: Path, manifest: dict[str, str], readers: permissions.Modes) -> None:
    temporary = directory / ".manifest.json.tmp"
    temporary.write_text(json.dumps(manifest, indent=2))
    permissions.set_tree(temporary, readers)
    os.replace(temporary, directory / "manifest.json")


def _replace_files(new: Path, published: Path, pattern: str, readers: permissions.Modes) -> None:
    """Publish each ``pattern`` file of ``new`` into ``published`` by atomic rename (made
    readable first), then drop the published ones no build writes any more."""
    published.mkdir(parents=True, exist_ok=True)
    permissions.set_tree(new, readers)
    permissions.set_tree(published, readers)
    names = {path.name for path in new.glob(pattern)}
    for name in sorted(names):
        os.replace(new / name, published / name)
    for stale in published.glob(pattern):
        if stale.name not in names:
            stale.unlink()


def _publish(options: BuildOptions, workdir: Path, build_id: str) -> None:
    _say("[6/6] publishing")
    directory = options.warehouse.parent
    candidate, reporting = workdir / WAREHOUSE_NAME, workdir / REPORTING_NAME
    export_reporting(candidate, reporting, workdir / "exports", options.settings.storage_version)
    # Readable by BI readers before they appear under the published names.
    readers = permissions.public_modes(options.settings.reader_group)
    permissions.set_tree(reporting, readers)
    _archive_published(directory, options.keep_versions)
    _replace_files(workdir / "exports", directory / "exports", "*.parquet", readers)
    _replace_files(workdir / DOCS_DIR, directory / DOCS_DIR, "*.html", readers)
    os.replace(reporting, directory / REPORTING_NAME)
    os.replace(candidate, options.warehouse)
    _write_manifest(
        directory,
        {
            "build_id": build_id,
            "published_at": datetime.now(UTC).isoformat(),
            "source": _source_label(options),
            "history": HISTORY_LAYOUT,
        },
        readers,
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


def private_dirs(options: BuildOptions) -> list[Path]:
    """Row-level folders outside the warehouse folder: dbt's target and logs, the validation
    results and Data Docs. (A configured DuckDB temp directory holds only files DuckDB
    creates under the build's umask.)"""
    settings = options.settings
    folders = [
        settings.target_path(options.root),
        settings.log_path(options.root),
        _gx_dir(options) / "uncommitted",
    ]
    return folders


def apply_modes(options: BuildOptions) -> None:
    settings = options.settings
    permissions.apply(
        options.warehouse,
        private_dirs(options),
        settings.warehouse_group,
        settings.reader_group,
    )


def disk_report(directory: Path) -> str:
    """What versions/ and failed/ occupy beyond the published files, and the free space."""
    published = [directory / WAREHOUSE_NAME, directory / REPORTING_NAME]
    versions_dir = directory / "versions"
    versions = len([p for p in versions_dir.glob("*") if p.is_dir()])
    full, reduced = retention.counts(directory / "failed")
    return (
        f"disk: versions/ {space.mib(space.disk_used(versions_dir, published))} "
        f"({versions} kept), failed/ {space.mib(space.disk_used(directory / 'failed'))} "
        f"({full} in full, {reduced} reduced); "
        f"{space.gib(space.free_bytes(directory))} free in {directory}"
    )


def _stop_leftovers(directory: Path) -> None:
    found = children.leftovers(directory)
    for leftover in found:
        _say(f"stopping a leftover {leftover.text()}")
    children.stop(found)


def _keep_failed(
    options: BuildOptions,
    workdir: Path,
    build_id: str,
    error: BaseException,
    needed: int,
    out_of_space: bool,
) -> Path:
    directory = options.warehouse.parent
    reduce_now = None
    if out_of_space:
        reduce_now = "the build ran out of disk space"
    elif space.free_bytes(directory) < needed:
        reduce_now = f"keeping it would leave less than the {space.gib(needed)} a build needs"
    return retention.keep_failed(
        directory, workdir, build_id, str(error), reduce_now, options.settings.keep_failed
    )


STEP_SECONDS = "step seconds:"  # the line a build ends with (the benchmark reads it)


def _run_steps(options: BuildOptions, workdir: Path, build_id: str) -> None:
    marker = children.marker_value(options.warehouse.parent, build_id)
    candidate = workdir / WAREHOUSE_NAME
    seconds: dict[str, float] = {}
    started = time.perf_counter()

    def done(step: str) -> None:
        nonlocal started
        seconds[step] = time.perf_counter() - started
        started = time.perf_counter()

    # The validation worker imports GX while the extracts load and dbt runs.
    with validate.start_worker(_gx_dir(options), marker) as worker:
        incremental = _load(options, candidate, build_id)
        done("load")
        _dbt_build(options, candidate, incremental, marker)
        done("dbt")
        _disclosure_check(options, candidate)
        done("disclosure")
        # The docs site's dbt reads the candidate read-only while the validation does: the
        # validation waits for it before it writes its audit rows into the file.
        docs = _start_docs_site(options, candidate, marker)
        try:
            _validate(options, candidate, worker, docs.wait)
        finally:
            docs.stop()
        done("validation")
    _docs_site(docs, workdir)
    done("docs")
    _publish(options, workdir, build_id)
    done("publish")
    _say(STEP_SECONDS + " " + ", ".join(f"{step} {value:.2f}" for step, value in seconds.items()))


def build(options: BuildOptions) -> str:
    """Run the whole pipeline into a candidate and publish it; return the build id.

    Raises ``BuildFailed`` (published files untouched, candidate kept under failed/ within
    the retention rule). Every file is written owner-only (umask 077) and given the
    documented modes at the end, whatever the outcome.
    """
    directory = options.warehouse.parent
    _require_salt_in_production(options.settings)
    permissions.make_warehouse_folder(directory, options.settings.reader_group)
    with permissions.private_umask(), build_lock(directory):
        try:
            return _build_locked(options)
        finally:
            apply_modes(options)
            _say(disk_report(directory))


def _build_locked(options: BuildOptions) -> str:
    directory = options.warehouse.parent
    apply_modes(options)  # repairs what a killed build left
    _stop_leftovers(directory)
    shutil.rmtree(directory / ".candidates", ignore_errors=True)  # a killed build's leftovers
    build_id = new_build_id()
    record = runs.started(directory, build_id, _source_label(options))
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
    try:
        _run_steps(options, workdir, build_id)
    except BuildFailed as error:
        out_of_space = space.is_out_of_space(error)
        kept = _keep_failed(options, workdir, build_id, error, needed, out_of_space)
        message = f"{error}\nbuild {build_id} failed; published files unchanged; {_kept(kept)}"
        # Out of space, the data proved nothing either way: the tool could not run.
        exit_code = 2 if out_of_space else error.exit_code
        runs.finished(directory, record, exit_code, str(error))
        raise BuildFailed(message, exit_code) from error
    except Exception as error:
        kept = _keep_failed(options, workdir, build_id, error, needed, space.is_out_of_space(error))
        runs.finished(directory, record, 2, repr(error))
        raise BuildFailed(
            f"build {build_id} could not run: {error!r}; published files unchanged; {_kept(kept)}",
            2,
        ) from error
    shutil.rmtree(workdir, ignore_errors=True)
    runs.finished(directory, record, 0)
    _say(f"published build {build_id}: {options.warehouse} and {directory / REPORTING_NAME}")
    return build_id


def _kept(folder: Path) -> str:
    if retention.is_reduced(folder):
        note = (folder / retention.REDUCED).read_text().strip()
        return f"candidate reduced to its reason in {folder} ({note})"
    return f"candidate kept in {folder}"


def rollback(warehouse: Path, settings: Settings | None = None) -> str:
    """Publish the previous version again; the current one moves to failed/rolled-back-<id>."""
    settings = settings or Settings()
    directory = warehouse.parent
    readers = permissions.public_modes(settings.reader_group)
    with permissions.private_umask(), build_lock(directory):
        versions_dir = directory / "versions"
        versions = (
            sorted(p for p in versions_dir.iterdir() if p.is_dir()) if versions_dir.is_dir() else []
        )
        if not versions:
            raise BuildFailed(f"no previous version in {versions_dir} to roll back to", 2)
        previous = versions[-1]
        current = read_manifest(directory).get("build_id", "unknown")
        aside = directory / "failed" / f"rolled-back-{current}"
        aside.mkdir(parents=True, exist_ok=True)
        staging = directory / ".candidates" / f"rollback-{previous.name}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for name in (WAREHOUSE_NAME, REPORTING_NAME, "manifest.json"):
            if (directory / name).is_file() and not (aside / name).exists():
                os.link(directory / name, aside / name)
            if (previous / name).is_file():
                os.link(previous / name, staging / name)
        (aside / retention.REASON).write_text(
            f"rolled back at {datetime.now(UTC).isoformat(timespec='seconds')}; "
            f"build {previous.name} published again\n"
        )
        for name in (REPORTING_NAME, "manifest.json"):  # readable before they are published
            permissions.set_tree(staging / name, readers)
        for name, target in (
            (REPORTING_NAME, directory / REPORTING_NAME),
            (WAREHOUSE_NAME, warehouse),
            ("manifest.json", directory / "manifest.json"),
        ):
            if (staging / name).is_file():
                os.replace(staging / name, target)
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(previous)
        retention.enforce(directory / "failed", settings.keep_failed)
        permissions.apply(warehouse, [], settings.warehouse_group, settings.reader_group)
    print(f"rolled back to build {previous.name}; build {current} kept in {aside}", file=sys.stdout)
    return previous.name
