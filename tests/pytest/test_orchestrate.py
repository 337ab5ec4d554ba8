"""The Dagster definitions run the project's own pipeline: in-process runs publish what
``justice-warehouse build`` publishes, a failed check publishes nothing, and the sensor asks
for one run per new delivery folder."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from conftest import PROJECT_ROOT, run_cli
from justice_warehouse.check.guards import SUITE_GUARDS
from justice_warehouse.check.reference import read_reference
from justice_warehouse.check.suites import all_suites
from justice_warehouse.core.paths import deliveries_seed_dir
from justice_warehouse.core.runs import LAST_RUN
from justice_warehouse.core.settings import Settings
from justice_warehouse.orchestrate.definitions import make_definitions
from justice_warehouse.orchestrate.lineage import DASHBOARDS_KEY, DELIVERIES_KEY
from justice_warehouse.orchestrate.sensors import (
    JOB_NAME,
    delivery_requests,
    published_deliveries,
)
from test_publish import digests, project_env, table_digests

FIRST, SECOND = sorted(p.name for p in deliveries_seed_dir(PROJECT_ROOT).iterdir())[:2]


def add_delivery(deliveries: Path, project_root: Path, name: str) -> Path:
    """A bundled delivery copied in (its files, not links: the first is a link)."""
    folder = deliveries / name
    shutil.copytree(deliveries_seed_dir(project_root) / name, folder, symlinks=False)
    return folder


def orchestrator_env(tmp: Path, project_root: Path) -> dict[str, str]:
    env = project_env(project_root, tmp)
    env.update(
        JW_WAREHOUSE=str(tmp / "warehouse" / "justice.duckdb"),
        JW_DELIVERIES_DIR=str(tmp / "deliveries"),
        JW_GX_DIR=str(tmp / "gx"),
    )
    return env


def run_delivery(env: dict[str, str], name: str, **config: object) -> dg.ExecuteInProcessResult:
    with pytest.MonkeyPatch.context() as patch:
        for variable, value in env.items():
            patch.setenv(variable, value)
        definitions = make_definitions(Settings.from_env())
        job = definitions.resolve_job_def(JOB_NAME)
        with dg.instance_for_test() as instance:
            return job.execute_in_process(
                run_config={"ops": {"warehouse_build": {"config": {"delivery": name, **config}}}},
                instance=instance,
                raise_on_error=False,
            )


@pytest.fixture(scope="module")
def dagster_published(
    tmp_path_factory: pytest.TempPathFactory, project_root: Path
) -> Iterator[tuple[Path, dg.ExecuteInProcessResult]]:
    """The first bundled delivery, published by an in-process run of the job."""
    tmp = tmp_path_factory.mktemp("dagster")
    (tmp / "deliveries").mkdir()
    add_delivery(tmp / "deliveries", project_root, FIRST)
    yield tmp, run_delivery(orchestrator_env(tmp, project_root), FIRST)


def test_a_run_publishes_what_the_command_line_publishes(
    dagster_published: tuple[Path, dg.ExecuteInProcessResult], project_root: Path
):
    tmp, result = dagster_published
    assert result.success
    job = result.job_def
    materialised = {event.asset_key for event in result.get_asset_materialization_events()}
    expected = set(job.asset_layer.selected_asset_keys) | {DELIVERIES_KEY}
    assert materialised == expected, expected ^ materialised
    assert DASHBOARDS_KEY in materialised
    checks = result.get_asset_check_evaluations()
    failed = [(c.asset_key, c.check_name) for c in checks if not c.passed]
    assert not failed
    gx = {c.check_name for c in checks if c.check_name.startswith("gx_")}
    assert gx == {
        "gx_referrals",
        "gx_referral_totals",
        "gx_budgets",
        "gx_reoffending_costs",
        "gx_probation_appointments",
        "gx_probation_appointment_totals",
        "gx_probation_never_seen",
        "gx_published_figures",
    }
    assert sum(c.check_name.startswith("gx_") is False for c in checks) > 250  # the dbt tests
    # Every materialisation carries the published build's id.
    build_id = json.loads((tmp / "warehouse" / "manifest.json").read_text())["build_id"]
    ids = {
        event.materialization.metadata["build_id"].value
        for event in result.get_asset_materialization_events()
        if "build_id" in event.materialization.metadata
    }
    assert ids == {build_id}

    # The same delivery folder built by the command line: the same reporting file.
    cli = tmp / "cli"
    env = project_env(project_root, cli)
    args = ["build", "--warehouse", str(cli / "warehouse" / "justice.duckdb")]
    args += ["--extracts", str(tmp / "deliveries"), "--gx-dir", str(cli / "gx")]
    built = run_cli(args, cwd=project_root, env=env)
    assert built.returncode == 0, built.stdout + built.stderr
    reporting = ("reporting",)
    assert table_digests(tmp / "warehouse" / "reporting.duckdb", reporting) == table_digests(
        cli / "warehouse" / "reporting.duckdb", reporting
    )


@contextmanager
def next_delivery(tmp: Path, project_root: Path) -> Iterator[Path]:
    """The second bundled delivery in the orchestrated warehouse's own deliveries folder
    (a build from another folder would start afresh), removed again afterwards unless the
    test publishes it: the module's tests share that warehouse, in file order."""
    folder = add_delivery(tmp / "deliveries", project_root, SECOND)
    try:
        yield folder
    finally:
        if (tmp / "warehouse" / "justice.duckdb").is_file() and not _is_loaded(tmp, SECOND):
            shutil.rmtree(folder)


def _is_loaded(tmp: Path, name: str) -> bool:
    return name in [str(d) for d in published_deliveries(tmp / "warehouse" / "justice.duckdb")]


def _appointments(folder: Path) -> tuple[list[str], list[list[str]]]:
    lines = (folder / "probation_appointments.csv").read_text().splitlines()
    return lines[0].split(","), [line.split(",") for line in lines[1:] if line]


def resend_appointments(first: Path, folder: Path, share: float, updated_at: str | None) -> None:
    """Append to ``folder``'s appointments the first delivery's appointments of ``share`` of
    its people, each now a failure to attend (AFTA), updated at ``updated_at`` (None: the
    time the first delivery gave, as if the source changed a row without saying when)."""
    header, rows = _appointments(first)
    _, already = _appointments(folder)
    person, outcome, updated = (
        header.index(c) for c in ("case_reference", "outcome_code", "record_updated_at")
    )
    people = sorted({row[person] for row in rows})
    chosen = set(people[: max(1, int(len(people) * share))])
    sent = {row[0] for row in already}
    changed = []
    for row in rows:
        if row[person] in chosen and row[0] not in sent and row[outcome] != "AFTA":
            row = list(row)
            row[outcome] = "AFTA"
            row[updated] = updated_at or row[updated]
            changed.append(",".join(row))
    with (folder / "probation_appointments.csv").open("a") as handle:
        handle.write("\n".join(changed) + "\n")


@contextmanager
def drifted_fact_row(warehouse: Path) -> Iterator[None]:
    """One row of the published appointments fact no longer matches its source (edited
    after publication): an incremental build leaves it, and the fact's reconciliation with
    its source fails. The row is put back afterwards, for the module's later tests."""
    database = str(warehouse / "justice.duckdb")
    with duckdb.connect(database) as connection:
        key, officer = connection.execute(
            "select appointment_id, officer_id from marts.fct_probation_appointments "
            "order by appointment_id limit 1"
        ).fetchall()[0]
        connection.execute(
            "update marts.fct_probation_appointments set officer_id = 'DRIFTED' "
            "where appointment_id = ?",
            [key],
        )
    try:
        yield
    finally:
        with duckdb.connect(database) as connection:
            connection.execute(
                "update marts.fct_probation_appointments set officer_id = ? "
                "where appointment_id = ?",
                [officer, key],
            )


@pytest.mark.parametrize(
    ("share", "updated_at", "drift", "failing_check", "message"),
    [
        # a published fact row drifted from its source: the reconciliation fails
        (0.0, None, True, "assert_appointments_fact_matches_source", "dbt build failed"),
        # a fifth of the people never attend: above the suite's never-seen bound
        (0.2, "2019-04-29 12:00:00", False, "gx_probation_never_seen", "validation failed"),
    ],
    ids=["dbt_test", "expectation"],
)
def test_a_failing_check_publishes_nothing(
    dagster_published: tuple[Path, dg.ExecuteInProcessResult],
    project_root: Path,
    tmp_path: Path,
    share: float,
    updated_at: str | None,
    drift: bool,
    failing_check: str,
    message: str,
):
    tmp, _ = dagster_published
    warehouse = tmp / "warehouse"
    with (
        drifted_fact_row(warehouse) if drift else nullcontext(),
        next_delivery(tmp, project_root) as folder,
    ):
        before = digests(warehouse)
        if share:
            resend_appointments(tmp / "deliveries" / FIRST, folder, share, updated_at)
        result = run_delivery(orchestrator_env(tmp, project_root), SECOND)
        after = digests(warehouse)
    assert not result.success
    failed = {c.check_name for c in result.get_asset_check_evaluations() if not c.passed}
    assert failed == {failing_check}
    assert not result.get_asset_materialization_events()  # the publish assets did not run
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert message in failure.step_failure_data.user_failure_data.description
    assert after == before


def test_the_sensor_asks_once_for_each_new_delivery(
    dagster_published: tuple[Path, dg.ExecuteInProcessResult], project_root: Path, tmp_path: Path
):
    tmp, _ = dagster_published
    warehouse = tmp / "warehouse"
    deliveries = tmp / "deliveries"
    # The published delivery is not asked for again.
    assert delivery_requests(deliveries, warehouse / "justice.duckdb") == []
    add_delivery(deliveries, project_root, SECOND)
    (deliveries / "2019-06-30.partial").mkdir()  # being copied in: not a delivery yet
    env = orchestrator_env(tmp, project_root)
    with pytest.MonkeyPatch.context() as patch:
        for variable, value in env.items():
            patch.setenv(variable, value)
        definitions = make_definitions(Settings.from_env())
        sensor = definitions.resolve_sensor_def("new_deliveries")
        with dg.instance_for_test() as instance:
            context = dg.build_sensor_context(instance=instance)
            first = sensor.evaluate_tick(context)
            assert [r.tags["justice_warehouse/delivery"] for r in first.run_requests] == [SECOND]
            (request,) = first.run_requests
            # The same folder again: the same run key, which Dagster never runs twice.
            again = sensor.evaluate_tick(context)
            assert [r.run_key for r in again.run_requests] == [request.run_key]
            job = definitions.resolve_job_def(JOB_NAME)
            result = job.execute_in_process(
                run_config=request.run_config, instance=instance, tags=request.tags
            )
            assert result.success
    # The delivery's build ran the dbt tests downstream of the extracts; each of the others
    # (on the reference seeds and what is built from them alone) is reported as unchanged.
    statuses = {
        c.check_name: c.metadata["dbt_status"].value
        for c in result.get_asset_check_evaluations()
        if "dbt_status" in c.metadata
    }
    unchanged = {name for name, status in statuses.items() if status == "unchanged"}
    assert "assert_referral_stage_ranks_follow_the_funnel_order" in unchanged
    assert not any("fct_rj_referrals" in name for name in unchanged)
    assert set(statuses.values()) == {"pass", "unchanged"}
    assert delivery_requests(deliveries, warehouse / "justice.duckdb") == []
    with duckdb.connect(str(warehouse / "reporting.duckdb"), read_only=True) as connection:
        (latest,) = connection.execute(
            "select cast(max(as_at_date) as varchar) from reporting.rj_referral_outcomes_as_at"
        ).fetchone()
    assert latest == SECOND

    # The delivery's files changed after it was loaded: a run, which the gate refuses.
    changed = deliveries / SECOND / "rj_referrals.csv"
    changed.write_text(changed.read_text().replace(",declined,", ",took_up,", 1))
    (request,) = delivery_requests(deliveries, warehouse / "justice.duckdb")
    before = digests(warehouse)
    result = run_delivery(env, SECOND)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.step_failure_data.user_failure_data.description
    assert "loaded before with other content" in message and "--replay" in message
    assert digests(warehouse) == before


def test_each_suite_is_a_check_on_the_model_its_batch_reads(built_warehouse: Path):
    with duckdb.connect(str(built_warehouse), read_only=True) as connection:
        reference = read_reference(connection)
    suites = all_suites(reference)
    assert sorted(suite.name for suite in suites) == sorted(SUITE_GUARDS)
    for suite in suites:
        assert re.search(rf"\.{SUITE_GUARDS[suite.name]}\b", suite.asset_query), suite.name


def test_the_morning_validation_and_the_freshness_check(
    dagster_published: tuple[Path, dg.ExecuteInProcessResult],
    project_root: Path,
    tmp_path: Path,
):
    """On a copy of the published warehouse, so other tests' runs cannot change its last run.

    A failed last run must not hide a stale build (status's exit code shows the lower one)."""
    tmp, _ = dagster_published
    shutil.copytree(tmp / "warehouse", tmp_path / "warehouse")
    env = orchestrator_env(tmp_path, project_root)
    last_run = tmp_path / "warehouse" / LAST_RUN
    record = json.loads(last_run.read_text())
    cases = [  # 0.0001 h is 0.36 s: the copy is already older than that
        ("published", "26", True),
        ("published", "0.0001", False),
        ("failed", "26", True),
        ("failed", "0.0001", False),
    ]
    for outcome, max_age, fresh in cases:
        last_run.write_text(json.dumps({**record, "outcome": outcome}))
        with pytest.MonkeyPatch.context() as patch:
            for variable, value in {**env, "JW_MAX_BUILD_AGE_HOURS": max_age}.items():
                patch.setenv(variable, value)
            definitions = make_definitions(Settings.from_env())
            with dg.instance_for_test() as instance:
                checked = definitions.resolve_job_def("freshness_check").execute_in_process(
                    instance=instance
                )
                (evaluation,) = checked.get_asset_check_evaluations()
                assert evaluation.passed is fresh, (outcome, max_age, evaluation.metadata)
                if outcome == "published" and fresh:
                    validated = definitions.resolve_job_def(
                        "validate_published_job"
                    ).execute_in_process(instance=instance)
                    assert validated.success
