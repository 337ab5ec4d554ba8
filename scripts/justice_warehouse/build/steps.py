"""The steps of one build, each on the candidate: load the extracts through the gate,
``dbt build``, the disclosure checks, the validation suites, the docs site.

Each step raises ``BuildFailed`` when the candidate must not be published. The order and the
publish step are in ``pipeline.py``.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from justice_warehouse.build import docs_site
from justice_warehouse.build.dbt import (
    changed_selection,
    combined,
    dbt_artifact,
    dbt_build_args,
    dbt_vars_args,
    drop_unnamed_relations,
    merge_run_results,
    run_dbt,
)
from justice_warehouse.build.docs_site import DocsRun, KeptPage
from justice_warehouse.build.options import BuildOptions, BuildOutcome
from justice_warehouse.check import disclosure, validate
from justice_warehouse.check.report import summary
from justice_warehouse.core.errors import BuildFailed
from justice_warehouse.core.layout import (
    DOCS_DIR,
    HISTORY_LAYOUT,
    WAREHOUSE_DIGEST,
    read_manifest,
)
from justice_warehouse.core.paths import changed_sql_files, synthetic_seed_dir
from justice_warehouse.core.storage import create_compatible_file, damage
from justice_warehouse.gate import deliveries
from justice_warehouse.gate.files import ExtractError, rejection_text
from justice_warehouse.gate.load import ensure_audit_tables
from justice_warehouse.operate.soundness import as_published, published_damage
from justice_warehouse.publish.release import attached_tables


def say(message: str) -> None:
    print(message, flush=True)


def _copy_audit_history(connection: duckdb.DuckDBPyConnection, published: Path) -> None:
    """Carry the audit tables of the published warehouse into the candidate (not from a
    damaged one: a rebuild is the way out of it, and says what it leaves behind)."""
    if not published.is_file():
        return
    if (reason := damage(published)) is not None:
        say(f"      {published} cannot be read whole ({reason}): its audit history is not kept")
        return
    connection.execute(f"attach '{published}' as published (read_only)")
    try:
        for table in attached_tables(connection, "published", "audit"):
            connection.execute(
                f"create or replace table audit.{table} as select * from published.audit.{table}"
            )
    finally:
        connection.execute("detach published")


@dataclass(frozen=True)
class CandidateStart:
    """How a candidate starts. ``incremental``: from a copy of the published warehouse, so
    that incremental models only add what changed. ``changed_after``: then, the last delivery
    the published warehouse held; the row-level data tests read only later rows
    (macros/tests/get_where_subquery.sql)."""

    incremental: bool
    why: str
    changed_after: str | None = None
    # The SQL files changed since the published build (core/paths.py changed_sql_files):
    # what they define and everything downstream is rebuilt and tested whole.
    changed_files: tuple[str, ...] = ()
    # The source tables the new deliveries gave new versions (after the load): an
    # incremental build runs only what is downstream of them.
    changed_tables: tuple[str, ...] = ()


def _check_sound(options: BuildOptions) -> None:
    """Raise when the published warehouse cannot be read whole. The same bytes as its
    build published (the manifest's digest) are sound: that build wrote and checked them.
    Other bytes (a file from before digests, or written outside a build) are read whole."""
    if as_published(options.warehouse, WAREHOUSE_DIGEST):
        return
    directory, names = options.warehouse.parent, (options.warehouse.name,)
    damaged = published_damage(directory, names, trust_digests=False)
    if damaged:
        raise BuildFailed(f"{damaged}; nothing was built from it", 2)
    say(
        f"      {options.warehouse} is not the bytes its build published: every column of it "
        "was read back whole before it was copied"
    )


def _start_candidate(options: BuildOptions, candidate: Path) -> CandidateStart:
    """A copy of the published warehouse, or an empty file (a full build) when there is none
    to start from, the published warehouse was built from another source (its months would
    stay) or by another version of the project whose changes are not all to SQL files of
    models and data tests (its incremental tables may hold rows made by other code:
    everything is rebuilt and tested whole). When they are, the copy is the start, and what
    those files define and everything downstream is rebuilt whole (``dbt_build``)."""
    published = read_manifest(options.warehouse.parent)
    current = options.project_files  # taken now, before dbt reads the files
    changed: list[str] | None = []
    reason = None
    if options.rebuilds:
        reason = "full refresh"
    elif not options.warehouse.is_file():
        reason = "full refresh: nothing published yet"
    elif published.get("source") != options.source_label:
        reason = "full refresh: the published warehouse was built from other extracts"
    elif published.get("history") != HISTORY_LAYOUT:
        reason = "full refresh: the published warehouse holds an older layout"
    elif published.get("project") != options.project:
        changed = changed_sql_files(published.get("project_files"), current)
        if not changed:
            reason = (
                "full refresh: the project's models, macros or tests changed since the "
                "published build, not only in SQL files of models and data tests"
            )
    if reason:
        create_compatible_file(candidate, options.settings.storage_version)
        return CandidateStart(False, reason)
    _check_sound(options)
    shutil.copyfile(options.warehouse, candidate)
    with duckdb.connect(str(candidate), read_only=True) as connection:
        (last,) = connection.execute(
            "select cast(max(delivery_date) as varchar) from landing.deliveries"
        ).fetchall()[0]
    if not changed:
        return CandidateStart(True, "incremental, from the published warehouse", last)
    why = (
        f"incremental, from the published warehouse; {len(changed)} SQL file(s) changed since "
        "the published build: what they define and everything downstream rebuilt and tested "
        "whole"
    )
    return CandidateStart(True, why, last, tuple(changed))


def load(
    options: BuildOptions, candidate: Path, build_id: str, outcome: BuildOutcome
) -> CandidateStart:
    """Check and load the extracts; return how the candidate started."""
    source = options.extracts_dir or synthetic_seed_dir(options.root)
    say(f"[1/6] checking and loading extracts from {source}")
    start = _start_candidate(options, candidate)
    with duckdb.connect(
        str(candidate), config=options.settings.duckdb_config(candidate, keep_order=True)
    ) as connection:
        ensure_audit_tables(connection)  # before the history copy replaces them
        if not start.incremental:
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
                last_delivery=options.last_delivery,
            )
        except ExtractError as error:
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
    outcome.deliveries = reports
    if not reports:
        say("      no new delivery: every delivery in the folder is already loaded")
    for report in reports:
        for line in report.lines():
            say(f"      {line}")
    for kind, count, file, key, detail in anomalies:
        say(
            f"      {count} record(s) {kind} (audit.delivery_anomalies), "
            f"e.g. {file} {key}: {detail}"
        )
    for file, line, column, reason, found in rejected:
        text = rejection_text(reason, found)
        say(f"      rejected {file} line {line}, column {column}: {text}")
    return _after_load(start, reports)


def _after_load(start: CandidateStart, reports: list[deliveries.DeliveryReport]) -> CandidateStart:
    """``start`` with the source tables the deliveries changed; or a full refresh of the
    copy when a delivery replaced the load of its date. The incremental models add the
    deliveries after the newest version they hold, and the replaced delivery is that newest
    one: they would keep the rows built from the versions the gate removed (and the
    reconciliations, which compare them with their history, would not see it). The copy
    still holds every earlier delivery's versions in its source tables, which a flat folder
    does not."""
    replaced = [str(report.delivery.delivery_date) for report in reports if report.replaced]
    if not replaced or not start.incremental:
        changed = {table for report in reports for table, n in report.new_versions.items() if n}
        return dataclasses.replace(start, changed_tables=tuple(sorted(changed)))
    why = (
        f"full refresh: the delivery of {', '.join(replaced)} replaced the earlier load of "
        "that date, on which the incremental tables were built"
    )
    return CandidateStart(False, why, None, start.changed_files)


def dbt_build(
    options: BuildOptions,
    candidate: Path,
    start: CandidateStart,
    marker: str,
    outcome: BuildOutcome,
) -> None:
    """``dbt build``: in a build that adds deliveries after SQL files changed, two runs.
    First what is downstream of the extracts but not of the changed files, incremental, its
    row-level tests on the new deliveries; then what the changed files define and everything
    downstream of it, rebuilt and tested whole (nothing of the first run is downstream of
    it, and it may read what the first run built)."""
    changed = ", ".join(start.changed_tables) or "the extracts"
    tested = (
        f"; what is downstream of {changed}, row-level tests on deliveries after "
        f"{start.changed_after}"
    )
    scope = tested if start.changed_after else ""
    say(f"[2/6] dbt build (seeds, models and data tests; {start.why}{scope})")
    args = dbt_build_args(
        options.published_figures_apply,
        full_refresh=not start.incremental,
        input_is_bundled_synthetic=options.is_bundled_synthetic,
        downstream_of_sources=bool(start.changed_after),
        changed_files=start.changed_files,
        changed_tables=start.changed_tables,
    )
    env = {"JW_CHANGED_AFTER_DATE": start.changed_after or ""}
    result = run_dbt(options.root, args, candidate, options.settings, marker, env)
    run_results = dbt_artifact(options.root, options.settings, "run_results.json")
    outcome.dbt_results = run_results
    if result.success and start.changed_files and start.incremental:
        say(f"      {result.summary}")
        say("      then, rebuilt whole: " + " ".join(changed_selection(start.changed_files)))
        first = json.loads(run_results.read_text())
        args = dbt_build_args(
            options.published_figures_apply,
            full_refresh=True,
            input_is_bundled_synthetic=options.is_bundled_synthetic,
            changed_files=start.changed_files,
            only_changed=True,
        )
        rebuilt = run_dbt(
            options.root, args, candidate, options.settings, marker, {"JW_CHANGED_AFTER_DATE": ""}
        )
        merge_run_results(first, run_results)
        result = combined(result, rebuilt)
    say(f"      {result.summary}")
    if not result.success:
        failures = "\n".join(f"  {failure}" for failure in result.failures) or "  (see dbt.log)"
        raise BuildFailed(f"dbt build failed:\n{failures}")
    if start.changed_files:
        # A changed file may have moved or disabled its model: its old relation is in the
        # copy, and no other build step would see that nothing builds it any more.
        manifest = dbt_artifact(options.root, options.settings, "manifest.json")
        for name in drop_unnamed_relations(candidate, manifest):
            say(f"      dropped {name}: no model, seed or source of the project names it now")


def disclosure_check(options: BuildOptions, candidate: Path) -> None:
    say("[3/6] disclosure checks (small-number suppression, column sensitivity)")
    manifest = dbt_artifact(options.root, options.settings, "manifest.json")
    problems = disclosure.check(candidate, manifest)
    if problems:
        listed = "\n".join(f"  {problem}" for problem in problems)
        raise BuildFailed(f"the reporting tables could disclose people:\n{listed}")


def validation(
    options: BuildOptions,
    candidate: Path,
    start: CandidateStart,
    worker: ProcessPoolExecutor,
    before_audit: Callable[[], None],
    outcome: BuildOutcome,
) -> None:
    """The suites on the candidate; a build that adds deliveries checks the appointments'
    key for the rows they sent (suites.all_suites), as its dbt `unique` test does."""
    say("[4/6] validation suites")
    report = validate.run_validation(
        candidate,
        options.gx_path,
        options.settings,
        keep_runs=options.keep_runs,
        worker=worker,
        before_audit=before_audit,
        # After a change of the project's SQL, every suite reads whole tables.
        changed_after=None if start.changed_files else start.changed_after,
    )
    outcome.validation = report
    say(summary(report))
    if report.exit_code != 0:
        raise BuildFailed("validation failed", report.exit_code)


def start_docs_site(
    options: BuildOptions, candidate: Path, start: CandidateStart, marker: str
) -> DocsRun | KeptPage:
    """dbt's docs page of the candidate; in a build that adds deliveries to a warehouse of
    the same project, the published page (docs_site.keep)."""
    same_project = bool(start.changed_after) and not start.changed_files
    if same_project and (kept := docs_site.keep(options.warehouse.parent / DOCS_DIR)):
        return kept
    vars_args = dbt_vars_args(options.published_figures_apply, options.is_bundled_synthetic)
    return docs_site.start(options.root, candidate, options.settings, marker, vars_args)


def write_docs_site(docs: DocsRun | KeptPage, workdir: Path) -> None:
    how = (
        "the published page: same project, same tables"
        if isinstance(docs, KeptPage)
        else "dbt docs generate --static, run beside the validation"
    )
    say(f"[5/6] docs site ({how})")
    docs.write_page(workdir / DOCS_DIR)
