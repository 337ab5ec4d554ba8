"""Deliveries at the extract gate: dated extract sets loaded in date order into versioned
source tables, with the documented result for a re-load, an out-of-order or changed
delivery, a record missing from a full delivery and a status that goes backwards."""

from __future__ import annotations

import csv
import hashlib
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_ROOT
from justice_warehouse.gate import deliveries
from justice_warehouse.gate.files import ExtractError

pytestmark = pytest.mark.fast

SEEDS = PROJECT_ROOT / "seeds"
BUILD_DATE = date(2026, 12, 1)


def _delivery(root: Path, name: str) -> Path:
    folder = root / name
    shutil.copytree(SEEDS / "synthetic", folder, ignore=shutil.ignore_patterns("*.yml"))
    return folder


def _edit_referrals(folder: Path, edit) -> None:
    path = folder / "rj_referrals.csv"
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    rows = edit(rows)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _load(connection: duckdb.DuckDBPyConnection, folder: Path, build_id: str = "b", **kwargs):
    return deliveries.load_deliveries(connection, folder, SEEDS, build_id, BUILD_DATE, **kwargs)


def _count(connection: duckdb.DuckDBPyConnection, sql: str) -> int:
    return connection.execute(sql).fetchall()[0][0]


@pytest.fixture
def connection() -> duckdb.DuckDBPyConnection:
    with duckdb.connect() as connection:
        yield connection


def test_a_flat_folder_is_one_delivery_of_the_given_date(connection, tmp_path):
    reports = _load(connection, _delivery(tmp_path, "flat"), flat_delivery_date=date(2019, 3, 31))
    assert [r.delivery.delivery_date for r in reports] == [date(2019, 3, 31)]
    assert _count(connection, "select count(*) from main.rj_referrals") == 988
    assert (
        _count(
            connection, "select count(*) from main.rj_referrals where delivery_date = '2019-03-31'"
        )
        == 988
    )
    for report in reports[0].files:
        assert report.read == report.loaded + report.rejected


def test_loading_the_same_deliveries_again_changes_nothing(connection, tmp_path):
    _delivery(tmp_path, "2019-03-31")
    _delivery(tmp_path, "2019-04-30")
    first = _load(connection, tmp_path)
    assert [str(r.delivery.delivery_date) for r in first] == ["2019-03-31", "2019-04-30"]
    # the second delivery repeats every row: nothing is new or changed
    assert all(count == 0 for count in first[1].new_versions.values())
    versions = _count(connection, "select count(*) from main.probation_appointments")
    assert _load(connection, tmp_path, "again") == []
    assert _count(connection, "select count(*) from main.probation_appointments") == versions
    assert _count(connection, "select count(*) from landing.deliveries") == 2


def test_a_changed_row_adds_a_version_and_an_unchanged_one_does_not(connection, tmp_path):
    _delivery(tmp_path, "2019-03-31")
    later = _delivery(tmp_path, "2019-04-30")

    def correct_borough(rows):
        rows[0]["borough_code"] = (
            "E09000002" if rows[0]["borough_code"] != "E09000002" else "E09000003"
        )
        return rows

    _edit_referrals(later, correct_borough)
    reports = _load(connection, tmp_path)
    assert reports[1].new_versions["rj_referrals"] == 1
    assert connection.execute(
        "select delivery_date, borough_code from main.rj_referrals "
        "where referral_id = 'RJ00001' order by 1"
    ).fetchall()[1][0] == date(2019, 4, 30)


def test_a_delivery_is_compared_with_each_records_latest_version(connection, tmp_path):
    """Borough A, then B, then B again, then A again: the third delivery repeats the latest
    version (no new one), the fourth changes it back (a new one), though it equals the first."""
    _delivery(tmp_path, "2019-03-31")
    _load(connection, tmp_path)
    (original,) = connection.execute(
        "select borough_code from main.rj_referrals where referral_id = 'RJ00001'"
    ).fetchall()[0]
    changed = "E09000002" if original != "E09000002" else "E09000003"
    for name, borough in (
        ("2019-04-30", changed),
        ("2019-05-31", changed),
        ("2019-06-30", original),
    ):

        def set_borough(rows, borough=borough):
            rows[0]["borough_code"] = borough
            return rows

        _edit_referrals(_delivery(tmp_path, name), set_borough)
    reports = _load(connection, tmp_path, "later")
    assert [r.new_versions["rj_referrals"] for r in reports] == [1, 0, 1]
    assert connection.execute(
        "select cast(delivery_date as varchar), borough_code from main.rj_referrals "
        "where referral_id = 'RJ00001' order by 1"
    ).fetchall() == [("2019-03-31", original), ("2019-04-30", changed), ("2019-06-30", original)]


def test_a_delivery_older_than_the_last_one_loaded_is_refused(connection, tmp_path):
    _delivery(tmp_path, "2019-04-30")
    _load(connection, tmp_path)
    _delivery(tmp_path, "2019-03-31")
    with pytest.raises(ExtractError) as error:
        _load(connection, tmp_path, "late")
    message = str(error.value)
    assert (
        "2019-03-31/: delivery dated 2019-03-31 is older than the last delivery loaded" in message
    )
    assert "--replay" in message
    assert _count(connection, "select count(*) from landing.deliveries") == 1


def test_a_loaded_delivery_changed_in_place_is_refused(connection, tmp_path):
    folder = _delivery(tmp_path, "2019-03-31")
    _load(connection, tmp_path)
    _edit_referrals(folder, lambda rows: rows[:-1])
    with pytest.raises(ExtractError, match="was loaded before with other content"):
        _load(connection, tmp_path, "changed")


def test_a_flat_folder_rebuilt_the_same_day_replaces_that_days_delivery(connection, tmp_path):
    folder = _delivery(tmp_path, "flat")
    _load(connection, folder)
    _edit_referrals(folder, lambda rows: rows[:-1])
    _load(connection, folder, "fixed")
    assert _count(connection, "select count(*) from main.rj_referrals") == 987
    assert _count(connection, "select count(*) from landing.deliveries") == 1


def test_a_delivery_dated_after_the_build_date_is_refused(connection, tmp_path):
    _delivery(tmp_path, "2027-01-31")
    with pytest.raises(ExtractError, match="delivery dated 2027-01-31, after the build date"):
        _load(connection, tmp_path)


def test_a_referral_missing_from_a_full_delivery_is_recorded_and_kept(connection, tmp_path):
    _delivery(tmp_path, "2019-03-31")
    later = _delivery(tmp_path, "2019-04-30")
    _edit_referrals(later, lambda rows: [r for r in rows if r["referral_id"] != "RJ00010"])
    reports = _load(connection, tmp_path)
    assert reports[1].missing == {
        "rj_referrals": 1,
        "programme_budget_lines": 0,
        "reoffending_costs": 0,
        "probation_appointments": 0,
    }
    assert connection.execute(
        "select delivery_date, source_file, record_key, kind, detail from audit.delivery_anomalies"
    ).fetchall() == [
        (
            date(2019, 4, 30),
            "2019-04-30/rj_referrals.csv",
            "RJ00010",
            "missing",
            "not in this full delivery: kept as last delivered on 2019-03-31",
        )
    ]
    assert (
        _count(connection, "select count(*) from main.rj_referrals where referral_id = 'RJ00010'")
        == 1
    )


def test_an_appointment_not_resent_in_a_changes_delivery_is_not_an_anomaly(connection, tmp_path):
    _delivery(tmp_path, "2019-03-31")
    later = _delivery(tmp_path, "2019-04-30")
    appointments = later / "probation_appointments.csv"
    lines = appointments.read_text().splitlines(keepends=True)
    first = tmp_path / "2019-03-31" / "probation_appointments.csv"
    first_delivery = len(first.read_text().splitlines()) - 1  # its data rows, from the file
    appointments.write_text("".join(lines[:3]))  # header and two records
    _load(connection, tmp_path)
    assert _count(connection, "select count(*) from audit.delivery_anomalies") == 0
    assert (
        _count(connection, "select count(distinct appointment_id) from main.probation_appointments")
        == first_delivery
    )


def test_a_status_going_backwards_is_rejected_and_recorded(connection, tmp_path):
    _delivery(tmp_path, "2019-03-31")
    later = _delivery(tmp_path, "2019-04-30")
    reopened: list[str] = []

    def reopen_first_take_up(rows):
        row = next(r for r in rows if r["outcome"] == "took_up")
        reopened.append(row["referral_id"])
        row.update(
            outcome="ongoing",
            decision_date="",
            conversation_date="",
            indirect_communication_date="",
            conference_date="",
            closure_date="",
            closure_reason="",
        )
        return rows

    _edit_referrals(later, reopen_first_take_up)
    reports = _load(connection, tmp_path)
    assert reports[1].reopened["rj_referrals"] == 1
    assert reports[1].new_versions["rj_referrals"] == 0
    rejected = connection.execute(
        "select source_file, column_name, reason, found_value from audit.rejected_rows"
    ).fetchall()
    assert rejected == [
        (
            "2019-04-30/rj_referrals.csv",
            "outcome",
            "reopens a closed record: outcome was 'took_up' in the delivery of 2019-03-31",
            "ongoing",
        )
    ]
    kinds = connection.execute("select kind, record_key from audit.delivery_anomalies").fetchall()
    assert kinds == [("reopened", reopened[0])]
    # the record keeps its last version
    assert connection.execute(
        "select outcome from main.rj_referrals where referral_id = ?", reopened
    ).fetchall() == [("took_up",)]
    line = next(x for x in reports[1].lines() if "rj_referrals.csv" in x)
    assert "read 988 = loaded 987 + rejected 1" in line


def _digests(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by relative path, with the SHA-256 of its bytes."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_the_bundled_delivery_folder_links_to_the_bundled_seeds(project_root: Path):
    bundled = deliveries.bundled_delivery_date(project_root)
    first = project_root / "seeds" / "deliveries" / bundled.isoformat()
    assert first.is_symlink()
    assert first.resolve() == (project_root / "seeds" / "synthetic").resolve()


def test_the_committed_deliveries_match_the_generator(project_root: Path):
    from justice_warehouse.synth import seeds_check

    deliveries_dir = project_root / "seeds" / "deliveries"
    assert seeds_check.compare_deliveries_with_generator(project_root, deliveries_dir) == []


def test_a_scale_delivery_sequence_passes_the_gate_with_new_late_and_corrected_rows(
    connection, tmp_path
):
    from justice_warehouse.synth import scale_deliveries

    written = scale_deliveries.write_deliveries(tmp_path / "seq", "small", 3)
    dates = [w.delivery_date for w in written]
    assert dates == sorted(dates) and len(set(dates)) == 3
    reports = _load(connection, tmp_path / "seq")
    assert [r.delivery.delivery_date for r in reports] == dates
    for report in reports:
        assert all(file.rejected == 0 for file in report.files)
    later = reports[1:]
    # late referrals arrive, ongoing ones resolve, appointments are corrected or late
    assert all(r.new_versions["rj_referrals"] > 0 for r in later)
    assert all(r.new_versions["probation_appointments"] > 0 for r in later)
    assert all(r.new_versions["programme_budget_lines"] == 0 for r in later)
    resolved = _count(
        connection,
        "select count(distinct referral_id) from main.rj_referrals "
        f"where delivery_date > date '{dates[0]}' and outcome = 'declined' "
        "and referral_id in (select referral_id from main.rj_referrals "
        f"where delivery_date = date '{dates[0]}' and outcome = 'ongoing')",
    )
    assert resolved > 0
    # The same seed writes the same files, byte for byte (Parquet included).
    scale_deliveries.write_deliveries(tmp_path / "again", "small", 3)
    assert _digests(tmp_path / "again") == _digests(tmp_path / "seq")
