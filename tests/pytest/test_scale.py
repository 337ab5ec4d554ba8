"""The scale generator, builds from generated extracts, and the benchmark (smoke, small)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_ROOT, cli_env, run_cli
from justice_warehouse.bench import series
from justice_warehouse.bench.series import differing_tables, series_chart
from justice_warehouse.gate.load import load_extracts
from justice_warehouse.synth import scale
from justice_warehouse.synth.register import rj_outcome_counts


@pytest.fixture(scope="module")
def small_extracts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("small") / "extracts"
    scale.write_extracts(out, "small")
    return out


def test_generated_set_passes_the_extract_contract(small_extracts: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "loaded.duckdb")) as connection:
        reports = load_extracts(
            connection, small_extracts, PROJECT_ROOT / "seeds", "test", max_rejected_share=0
        )
        problems = connection.execute(
            """
            select
                (select count(*) from main.rj_referrals where first_contact_date < referral_date
                    or decision_date < first_contact_date or conversation_date < decision_date
                    or indirect_communication_date < conversation_date
                    or conference_date < coalesce(indirect_communication_date, conversation_date)
                    or closure_date < coalesce(conference_date, decision_date, first_contact_date,
                        referral_date)
                    or closure_date > date '2019-03-15'),
                (select count(*) from main.rj_referrals where outcome != 'took_up'
                    and coalesce(conversation_date, indirect_communication_date,
                        conference_date) is not null),
                (select count(*) from main.rj_referrals where (outcome = 'ongoing')
                    != (closure_date is null)),
                (select count(*) from main.probation_appointments
                    where appointment_date not between date '2015-04-01' and date '2021-03-31'
                    or record_updated_at < appointment_date)
            """
        ).fetchall()[0]
        outcomes = dict(
            connection.execute(
                "select outcome, count(*) from main.rj_referrals group by 1"
            ).fetchall()
        )
    assert {report.table: report.rejected for report in reports} == {
        "rj_referrals": 0,
        "programme_budget_lines": 0,
        "reoffending_costs": 0,
        "probation_appointments": 0,
    }
    reads = {report.table: report.read for report in reports}
    assert reads["rj_referrals"] == scale.SCALES["small"].referrals
    assert 0.8 < reads["probation_appointments"] / scale.SCALES["small"].appointments < 1.2
    assert problems == (0, 0, 0, 0)
    assert set(outcomes) == set(rj_outcome_counts())


def test_generator_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    first = scale.write_extracts(tmp_path / "a", "small", "csv", seed=7)
    again = scale.write_extracts(tmp_path / "b", "small", "csv", seed=7)
    other = scale.write_extracts(tmp_path / "c", "small", "csv", seed=8)
    for one, two, three in zip(first, again, other, strict=True):
        assert one.path.read_bytes() == two.path.read_bytes(), one.table
        if one.table in {"rj_referrals", "probation_appointments"}:
            assert one.path.read_bytes() != three.path.read_bytes(), one.table


def test_generate_command_refuses_an_unknown_scale(tmp_path: Path) -> None:
    result = run_cli(
        ["generate", "--scale", "planet", "--out", str(tmp_path)], PROJECT_ROOT, cli_env(tmp_path)
    )
    assert result.returncode == 2
    assert "invalid choice: 'planet'" in result.stderr


def _build(tmp: Path, extracts_dir: Path, *extra: str) -> tuple[int, str, Path]:
    warehouse = tmp / "warehouse" / "justice.duckdb"
    result = run_cli(
        [
            "build",
            "--warehouse",
            str(warehouse),
            "--gx-dir",
            str(tmp / "gx"),
            "--extracts",
            str(extracts_dir),
            *extra,
        ],
        PROJECT_ROOT,
        cli_env(tmp),
    )
    return result.returncode, result.stdout + result.stderr, warehouse


# Whole builds of a generated set at small scale (over two minutes of the machine): in the
# long tier (make test-long, run by CI), so that make test stays within its 15 minutes.
@pytest.mark.long
def test_generated_set_builds_without_the_published_figures(
    small_extracts: Path, tmp_path: Path
) -> None:
    code, output, warehouse = _build(tmp_path, small_extracts)
    assert code == 0, output[-4000:]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        statuses = dict(
            connection.execute(
                "select status, count(*) from reporting.published_figure_checks group by 1"
            ).fetchall()
        )
        kinds = dict(
            connection.execute(
                "select figure_id, check_kind from reporting.published_figure_checks"
            ).fetchall()
        )
    assert statuses.get("not_applicable", 0) > 0
    assert "mismatch" not in statuses
    # the generator of this set does not target the published counts: no longer calibrated
    assert kinds["rj_took_up"] == "row_level"
    assert "calibrated" not in kinds.values()


@pytest.mark.long
def test_published_figures_still_fail_a_generated_set_when_asked(
    small_extracts: Path, tmp_path: Path
) -> None:
    code, output, warehouse = _build(tmp_path, small_extracts, "--published-figures")
    assert code == 1, output[-4000:]
    assert "published_figure_checks_no_mismatch" in output
    assert not warehouse.exists()


# Minutes of builds at small scale: in the long tier (make test-long, run by CI).
@pytest.mark.long
def test_benchmark_smoke_at_small_scale(tmp_path: Path) -> None:
    result = run_cli(
        [
            "benchmark",
            "--scale",
            "small",
            "--runs",
            "1",
            "--workdir",
            str(tmp_path / "work"),
            "--docs",
            str(tmp_path / "docs"),
        ],
        PROJECT_ROOT,
        cli_env(tmp_path),
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    stored = json.loads((tmp_path / "docs" / "benchmarks" / "small.json").read_text())
    assert set(stored["steps"]) == {
        "extract_load",
        "dbt_build",
        "raw_build",
        "dbt_startup",
        "validate",
        "raw_validate",
        "incremental_build",
        "full_build",
        "one_delivery",
        "raw_load",
        "end_to_end_build",
        "bundled_build",
    }
    assert all(step["median_seconds"] > 0 for step in stored["steps"].values())
    assert stored["ratios"]["delivery_ratio"] > 0
    # A ratio is reported for every step; how large it is is the benchmark's business, not a
    # test's (timings at small scale vary with the machine's load).
    assert all(value > 0 for value in stored["ratios"].values())
    assert set(stored["end_to_end_step_seconds"]) == {
        "load",
        "dbt",
        "disclosure",
        "validation",
        "docs",
        "publish",
    }
    assert stored["compiled_statements"] > 200
    assert stored["validation_checks"] >= 30
    page = (tmp_path / "docs" / "benchmarks.md").read_text()
    assert "## `small` scale" in page
    assert "| dbt build / raw SQL |" in page
    assert "| one new delivery / full build, end to end |" in page
    assert "| extract check and load / raw load |" in page
    assert "The end-to-end build's own steps: load " in page


@pytest.mark.fast
def test_the_series_comparison_finds_every_differing_table(tmp_path: Path) -> None:
    """The delivery series' check that one build per delivery equals the replay: a row
    changed, a row missing and a table missing on one side are each reported."""
    one, other = tmp_path / "one.duckdb", tmp_path / "other.duckdb"
    for path in (one, other):
        with duckdb.connect(str(path)) as connection:
            connection.execute("create schema marts")
            connection.execute("create table marts.same as select range as id from range(5)")
            connection.execute("create table marts.changed as select range as id from range(5)")
    with duckdb.connect(str(other)) as connection:
        connection.execute("update marts.changed set id = 9 where id = 4")
        connection.execute("create table marts.only_there as select 1 as id")
    assert differing_tables(one, other) == {"marts.changed": (1, 1), "marts.only_there": (-1, -1)}
    assert differing_tables(one, one) == {}


@pytest.mark.fast
def test_the_series_chart_draws_every_delivery() -> None:
    chart = series_chart([40.0, 30.5, 31.0], 90.0, "three deliveries")
    assert chart.startswith("<svg") and chart.rstrip().endswith("</svg>")
    assert chart.count("<circle") == 3
    assert "delivery 2: 30.5 s" in chart and "--replay of all 3: 90 s" in chart


def test_the_series_stops_early_when_the_disk_cannot_hold_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After its first delivery, the series checks the room the rest needs (7 x the published
    file) before spending half an hour on builds."""
    published = tmp_path / "justice.duckdb"
    published.write_bytes(b"x" * 1000)
    monkeypatch.setattr(series, "free_bytes", lambda directory: 7000)
    series.check_series_space(published, tmp_path)
    monkeypatch.setattr(series, "free_bytes", lambda directory: 6999)
    with pytest.raises(series.SeriesSpaceError, match=r"needs about .* free in"):
        series.check_series_space(published, tmp_path)
