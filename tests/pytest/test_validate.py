"""The validation run: passes on the built warehouse, fails the right expectation on a
corrupted one (exit 1), and reports a check that cannot run as an error (exit 2)."""

from __future__ import annotations

import json
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_ROOT, cli_env, copy_with, dbt_in, run_cli
from justice_warehouse.check.reference import read_changed_rows
from justice_warehouse.check.validate import run_validation
from justice_warehouse.core.settings import Settings


def validate(project_root: Path, warehouse: Path, tmp: Path, *extra: str):
    env = cli_env(tmp)
    env["JW_PROJECT_DIR"] = str(project_root)
    return run_cli(
        ["validate", "--warehouse", str(warehouse), "--gx-dir", str(tmp / "gx"), *extra],
        cwd=project_root,
        env=env,
    )


@pytest.fixture(scope="module")
def good_run(built_warehouse: Path, project_root: Path, tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("validate_good")
    copy = tmp / "good.duckdb"
    shutil.copy2(built_warehouse, copy)
    with duckdb.connect(str(copy), read_only=True) as connection:
        runs_before = connection.execute(
            "select count(distinct run_id) from audit.validation_runs"
        ).fetchall()[0][0]
    result = validate(project_root, copy, tmp, "--json", str(tmp / "result.json"))
    return tmp, copy, result, runs_before


def test_good_warehouse_passes_every_suite(good_run):
    tmp, _, result, _ = good_run
    assert result.returncode == 0, result.stdout + result.stderr
    assert "result: PASS; exit code 0" in result.stdout
    data = json.loads((tmp / "result.json").read_text())
    assert data["exit_code"] == 0
    assert data["failed"] == 0 and data["errored"] == 0
    suites = {outcome["suite"] for outcome in data["outcomes"]}
    assert suites == {
        "referrals",
        "referral_totals",
        "budgets",
        "reoffending_costs",
        "probation_appointments",
        "probation_appointment_totals",
        "probation_never_seen",
        "published_figures",
    }


def test_good_run_writes_data_docs_audit_and_run_record(good_run):
    tmp, warehouse, _, runs_before = good_run
    index = tmp / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    assert index.is_file()
    html = index.read_text()
    assert "published_figures" in html
    # a static site: every local link of the index resolves to a file
    links = set(re.findall(r'href="([^"#?]+)"', html))
    local = [link for link in links if not link.startswith(("http", "//", "mailto"))]
    assert local and all((index.parent / link).is_file() for link in local)
    # Results name failing rows: stored with the warehouse's own (owner-only) modes.
    uncommitted = tmp / "gx" / "uncommitted"
    assert {stat.S_IMODE(p.stat().st_mode) for p in uncommitted.rglob("*") if p.is_file()} == {
        0o600
    }
    assert stat.S_IMODE(uncommitted.stat().st_mode) == 0o700
    assert len(list((tmp / "gx" / "uncommitted" / "runs").glob("*.json"))) == 1
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        runs = connection.execute(
            "select count(distinct run_id) from audit.validation_runs"
        ).fetchall()[0][0]
        latest = connection.execute(
            "select count(*), count(*) filter (where success) from audit.validation_runs "
            "where run_at = (select max(run_at) from audit.validation_runs)"
        ).fetchall()
    assert runs == runs_before + 1  # the build's own validation run is there too
    assert latest[0][0] == latest[0][1] > 30


CORRUPTIONS = {
    # Still four known outcomes adding up to 988: only the reconciliation with the extract
    # sees that one referral moved from declined to took_up.
    "a_referral_moved_between_outcomes_breaks_the_reconciliation": (
        [
            "update marts.fct_rj_referrals set outcome = 'took_up' where referral_id = "
            "(select min(referral_id) from marts.fct_rj_referrals where outcome = 'declined')"
        ],
        "referral_totals",
        "the mart's referrals equal the current versions in the referral history",
        '"mart_referrals": 334',
    ),
    "duplicated_referral_id": (
        ["insert into marts.fct_rj_referrals select * from marts.fct_rj_referrals limit 1"],
        "referral_totals",
        "referral_id is unique: no value in more than one row",
        '1 unexpected row(s): [{"referral_id": "RJ',
    ),
    "unknown_outcome_code": (
        [
            "update marts.fct_probation_appointments set outcome_code = 'ZZZZ' "
            "where appointment_id = "
            "(select min(appointment_id) from marts.fct_probation_appointments)"
        ],
        "probation_appointments",
        "expect_column_values_to_be_in_set(outcome_code)",
        '[{"appointment_id": "APT0000001", "outcome_code": "ZZZZ"}]',
    ),
    "duplicated_appointment_id": (
        [
            "insert into marts.fct_probation_appointments "
            "select * from marts.fct_probation_appointments limit 1"
        ],
        "probation_appointment_totals",
        "appointment_id is unique: no value in more than one row",
        '1 unexpected row(s): [{"appointment_id": "APT',
    ),
    "attendance_flag_contradicts_code": (
        [
            "update marts.fct_probation_appointments set is_attended = not is_attended "
            "where appointment_id = "
            "(select min(appointment_id) from marts.fct_probation_appointments)"
        ],
        "probation_appointments",
        "attended and complied flags agree with the outcome code",
        '"appointments_with_inconsistent_flags": 1',
    ),
    "negative_amount": (
        [
            "update marts.fct_programme_budget_lines set amount_gbp = -amount_gbp "
            "where budget_line_id = 'BL001'"
        ],
        "budgets",
        "no negative amounts",
        "observed: -275000",
    ),
    "copied_figure_reads_match": (
        [
            "update reporting.published_figure_checks set status = 'match' "
            "where figure_id = 'reoffending_cost_england_and_wales'"
        ],
        "published_figures",
        "every figure copied from its own source reads no_evidence, never match",
        "reoffending_cost_england_and_wales",
    ),
    # The reporting table BI reads changed after the build; the mart did not.
    "reported_outcomes_differ_from_the_mart": (
        [
            "update reporting.rj_referral_outcomes set referrals = referrals - 1 "
            "where outcome = 'took_up'",
            "update reporting.rj_referral_outcomes set referrals = referrals + 1 "
            "where outcome = 'declined'",
        ],
        "referral_totals",
        "reporting.rj_referral_outcomes states the mart's referrals",
        '"reported_referrals": 240',
    ),
    # A loaded referral changed after the build: the figure is evaluated again from the
    # warehouse's own models (the comparison table the build wrote still says 241).
    "a_loaded_referral_no_longer_took_up": (
        [
            "update main.rj_referrals set outcome = 'declined' where referral_id = "
            "(select min(referral_id) from main.rj_referrals where outcome = 'took_up' "
            "and referral_date between date '2017-04-01' and date '2019-01-31')"
        ],
        "published_figures",
        "computed now from the validated warehouse's own models",
        '"figure_id": "rj_took_up", "published_value": "241.0000"',
    ),
    "comparison_table_states_another_value": (
        [
            "update reporting.published_figure_checks set computed_value = 240 "
            "where figure_id = 'rj_took_up'"
        ],
        "published_figures",
        "the comparison table states each figure's value as the validated warehouse",
        '"stated_value": "240.0000", "computed_now": "241.0000"',
    ),
    "published_figure_mismatch": (
        [
            "update reporting.published_figure_checks set status = 'mismatch', "
            "computed_value = 240 where figure_id = 'rj_took_up'"
        ],
        "published_figures",
        "every figure checked against row-level data or arithmetic is a match",
        "rj_took_up",
    ),
}


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_corrupted_warehouse_fails_the_right_expectation(
    corruption: str, built_warehouse: Path, project_root: Path, tmp_path: Path
):
    statements, suite, expectation, observed = CORRUPTIONS[corruption]
    warehouse = copy_with(built_warehouse, tmp_path, *statements)
    result = validate(project_root, warehouse, tmp_path, "--json", str(tmp_path / "r.json"))
    assert result.returncode == 1, result.stdout + result.stderr
    failures = [
        o for o in json.loads((tmp_path / "r.json").read_text())["outcomes"] if not o["success"]
    ]
    assert not any(o["is_error"] for o in failures)
    matching = [o for o in failures if o["suite"] == suite and expectation in o["expectation"]]
    assert matching, f"{expectation!r} did not fail; failures: {failures}"
    block = result.stdout.split(f"FAILED {suite}: {matching[0]['expectation']}")[1]
    assert observed in block.split("FAILED")[0]


def test_failing_rows_are_shown_by_key_and_value_only(
    built_warehouse: Path, project_root: Path, tmp_path: Path
):
    """The validation results and Data Docs name a failing row by its key and show the failing
    value, never the row's other columns (here, the person and officer of the appointment)."""
    statements = CORRUPTIONS["unknown_outcome_code"][0]
    warehouse = copy_with(built_warehouse, tmp_path, *statements)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        ((person, officer),) = connection.execute(
            "select person_pseudo_id, officer_id from marts.fct_probation_appointments "
            "where outcome_code = 'ZZZZ'"
        ).fetchall()
    result = validate(project_root, warehouse, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    stored = "".join(
        path.read_text(errors="replace")
        for path in (tmp_path / "gx" / "uncommitted").rglob("*")
        if path.is_file() and path.suffix in (".json", ".html")
    )
    assert '"appointment_id": "APT0000001"' in stored
    assert person not in stored and officer not in stored
    assert person not in result.stdout


def test_missing_table_is_an_error_not_a_failure(
    built_warehouse: Path, project_root: Path, tmp_path: Path
):
    warehouse = copy_with(built_warehouse, tmp_path, "drop table reporting.published_figure_checks")
    result = validate(project_root, warehouse, tmp_path, "--json", str(tmp_path / "r.json"))
    assert result.returncode == 2, result.stdout + result.stderr
    data = json.loads((tmp_path / "r.json").read_text())
    errors = [o for o in data["outcomes"] if o["is_error"]]
    assert errors and {o["suite"] for o in errors} == {"published_figures"}
    assert "published_figure_checks" in result.stdout
    # the other suites still ran and passed
    assert all(o["success"] for o in data["outcomes"] if o["suite"] != "published_figures")


def test_missing_warehouse_is_exit_2(project_root: Path, tmp_path: Path):
    result = validate(project_root, tmp_path / "absent.duckdb", tmp_path)
    assert result.returncode == 2
    assert "warehouse not found" in result.stdout


def test_old_runs_are_pruned(good_run, project_root: Path, tmp_path: Path):
    _, warehouse, _, _ = good_run
    gx_dir = tmp_path / "gx"
    shutil.copytree(good_run[0] / "gx", gx_dir)
    for _ in range(2):
        result = validate(project_root, warehouse, tmp_path, "--keep-runs", "2")
        assert result.returncode == 0, result.stdout + result.stderr
    runs = sorted(p.stem for p in (gx_dir / "uncommitted" / "runs").glob("*.json"))
    assert len(runs) == 2
    kept = {p.name for p in (gx_dir / "uncommitted" / "validations" / "referrals").iterdir()}
    assert kept == set(runs)


UPSTREAM_BUG_SCRIPT = """
import sys, duckdb, great_expectations as gx, great_expectations.expectations as gxe
from justice_warehouse.check import gx_duckdb
path = sys.argv[1]
duckdb.connect(path).execute("create table t as select range as x from range(5)").fetchall()
if sys.argv[2] == "fixed":
    gx_duckdb.apply()
context = gx.get_context(mode="ephemeral")
asset = context.data_sources.add_sql(name="d", connection_string=f"duckdb:///{path}")\\
    .add_query_asset(name="t", query="select * from t")
suite = gx.ExpectationSuite(name="s", expectations=[gxe.ExpectTableRowCountToEqual(value=5)])
result = gx.ValidationDefinition(
    name="v", data=asset.add_batch_definition_whole_table("b"), suite=context.suites.add(suite)
).run()
print("RESULT", result.success, bool(result.results[0].exception_info.get("raised_exception")
      or any(isinstance(v, dict) and v.get("raised_exception")
             for v in result.results[0].exception_info.values())))
"""


@pytest.mark.parametrize(
    ("mode", "expected"), [("plain", "RESULT False True"), ("fixed", "RESULT True False")]
)
def test_upstream_duckdb_bug_and_our_fix(tmp_path: Path, mode: str, expected: str):
    result = subprocess.run(
        [sys.executable, "-c", UPSTREAM_BUG_SCRIPT, str(tmp_path / f"{mode}.duckdb"), mode],
        capture_output=True,
        text=True,
        check=False,
        env={**cli_env(tmp_path), "GX_ANALYTICS_ENABLED": "False"},
    )
    assert expected in result.stdout, result.stdout[-2000:] + result.stderr[-2000:]


@pytest.mark.parametrize(
    ("fact", "key", "suite", "column", "unknown"),
    [
        (
            "fct_probation_appointments",
            "appointment_id",
            "probation_appointments",
            "outcome_code",
            "ZZZZ",
        ),
        ("fct_rj_referrals", "referral_id", "referrals", "borough_code", "E99999999"),
    ],
)
def test_a_build_that_adds_deliveries_judges_the_rows_they_sent(
    fact: str,
    key: str,
    suite: str,
    column: str,
    unknown: str,
    deliveries_warehouse: Path,
    tmp_path: Path,
):
    """In a build that adds deliveries, a fact's row-by-row suite reads the batch of rows
    those deliveries sent; `validate` (whole tables) reads every row. An unknown code on a
    row of the last delivery is seen by both; on an older row (which no build writes: it was
    judged when it was published) only by the whole check."""
    warehouse = copy_with(
        deliveries_warehouse,
        tmp_path,
        f"update marts.{fact} set {column} = '{unknown}' where {key} in (select min({key}) "
        f"from marts.{fact} group by valid_from_date = "
        "(select max(delivery_date) from landing.deliveries))",
    )
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        (previous,) = connection.execute(
            "select cast(max(delivery_date) as varchar) from landing.deliveries "
            "where delivery_date < (select max(delivery_date) from landing.deliveries)"
        ).fetchall()[0]
        new, old = connection.execute(
            f"select {key} from marts.{fact} where {column} = '{unknown}' "
            f"order by valid_from_date > date '{previous}' desc"
        ).fetchall()

    def dbt_run(changed_after: str) -> dict[str, str]:
        """A dbt run on the copy; the changed-rows conditions it leaves for ``previous``."""
        dbt_in(
            tmp_path,
            PROJECT_ROOT,
            ["seed", "--select", "check_kinds"],
            warehouse,
            extra_env={"JW_CHANGED_AFTER_DATE": changed_after},
        )
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            return read_changed_rows(connection, previous)

    # The build's dbt run records which rows the deliveries after `previous` changed
    # (macros/changed_rows.sql, on-run-end); the suites read that, as the dbt tests do.
    assert dbt_run(previous)[f"marts.{fact}"] == f"valid_from_date > cast('{previous}' as date)"

    def unknown_codes(changed_after: str | None) -> str:
        gx_dir = tmp_path / f"gx-{changed_after}"
        report = run_validation(warehouse, gx_dir, Settings.from_env(), changed_after=changed_after)
        (outcome,) = [
            o
            for o in report.outcomes
            if o.suite == suite and o.column == column and "in_set" in o.expectation_type
        ]
        assert not outcome.success
        return outcome.observed

    in_batch = unknown_codes(previous)
    assert new[0] in in_batch and old[0] not in in_batch
    whole = unknown_codes(None)
    assert new[0] in whole and old[0] in whole
    # Any other dbt run drops the conditions, so a later build never reads stale ones.
    assert dbt_run("") == {}


@pytest.mark.fast
def test_the_key_check_of_a_build_counts_the_changed_keys_over_every_row():
    """In a build that adds deliveries, the appointments' key is checked for the keys of
    the rows sent after the last delivery held, each counted over every row: a new copy of
    an old key fails it; two old rows sharing a key (which the build did not write) do not,
    and the whole-table check (`validate` on a published warehouse) sees both."""
    from justice_warehouse.check.suites import _unique

    with duckdb.connect() as connection:
        connection.execute(
            "create table t as select * from (values ('A', date '2021-01-31'), "
            "('A', date '2021-02-28'), ('B', date '2021-01-31'), ('B', date '2021-01-31'), "
            "('C', date '2021-02-28')) as v(k, valid_from_date)"
        )

        def duplicated(changed_rows: str | None) -> list[tuple[str, int]]:
            query = _unique("k", changed_rows).unexpected_rows_query
            # {batch} as GX substitutes it in a query without a join, and as the row details
            # (validate._add_row_details) do.
            with_alias, plain = (
                connection.execute(query.replace("{batch}", batch)).fetchall()
                for batch in ("(select * from t) AS subselect", "(select * from t)")
            )
            assert with_alias == plain
            return with_alias

        assert duplicated("valid_from_date > date '2021-01-31'") == [("A", 2)]
        assert duplicated(None) == [("A", 2), ("B", 2)]


QUERIED_ONCE_SCRIPT = """
import sys, duckdb, great_expectations as gx, great_expectations.expectations as gxe
from sqlalchemy import event
from sqlalchemy.engine import Engine
from justice_warehouse.check import gx_duckdb
gx_duckdb.apply()
from justice_warehouse.check.expectations import NoUnexpectedRows
path = sys.argv[1]
duckdb.connect(path).execute("create table t as select range as x from range(250)").fetchall()
statements = []
event.listen(Engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
context = gx.get_context(mode="ephemeral")
asset = context.data_sources.add_sql(name="d", connection_string=f"duckdb:///{path}")\\
    .add_query_asset(name="t", query="select * from t")
batch = asset.add_batch_definition_whole_table("b")
for kind in (gxe.UnexpectedRowsExpectation, NoUnexpectedRows):
    for limit in (3, 250, 0):
        statements.clear()
        query = f"select x as marked from {{batch}} order by x limit {limit}"
        suite = gx.ExpectationSuite(name=f"{kind.__name__}{limit}",
                                    expectations=[kind(unexpected_rows_query=query)])
        result = gx.ValidationDefinition(
            name=f"{kind.__name__}{limit}", data=batch, suite=context.suites.add(suite)).run()
        runs = sum("marked" in statement for statement in statements)
        outcome = result.results[0]
        print(kind.__name__, limit, runs, outcome.success,
              repr(outcome.result.get("observed_value")))
"""


def test_an_unexpected_rows_check_runs_its_query_once(tmp_path: Path):
    """GX's own expectation runs the query twice (its rows, then their count); ours once,
    counting the rows it fetched: exact below GX's cap of 200 rows, "200 or more" at it."""
    result = subprocess.run(
        [sys.executable, "-c", QUERIED_ONCE_SCRIPT, str(tmp_path / "once.duckdb")],
        capture_output=True,
        text=True,
        check=False,
        env={**cli_env(tmp_path), "GX_ANALYTICS_ENABLED": "False"},
    )
    lines = [line for line in result.stdout.splitlines() if "UnexpectedRows" in line]
    assert lines == [
        "UnexpectedRowsExpectation 3 2 False 3",
        "UnexpectedRowsExpectation 250 2 False 250",
        "UnexpectedRowsExpectation 0 2 True 0",
        "NoUnexpectedRows 3 1 False 3",
        "NoUnexpectedRows 250 1 False '200 or more'",
        "NoUnexpectedRows 0 1 True 0",
    ], result.stdout[-2000:] + result.stderr[-3000:]


@pytest.mark.fast
def test_the_validation_worker_writes_nothing_to_the_builds_output(tmp_path: Path, capfd):
    """What the worker prints (DuckDB's progress bars are drawn on stdout, terminal or not)
    goes to its log, not into the build's output."""
    from justice_warehouse.check.worker import start_worker, worker_log_path

    with start_worker(tmp_path) as pool:
        pool.submit(print, "drawn by the worker", flush=True).result()
    assert "drawn by the worker" not in capfd.readouterr().out
    assert "drawn by the worker" in worker_log_path(tmp_path).read_text()
