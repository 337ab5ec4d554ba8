"""The bundled delivery sequence through the whole pipeline: figures as at their
publication date, the current state, and any sequence of builds equal to one full build."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_ROOT, build_with_cli, rows
from test_publish import table_digests

DELIVERIES = PROJECT_ROOT / "seeds" / "deliveries"
PUBLISHED = {"took_up": 241, "declined": 335, "no_contact": 323, "ongoing": 89}


def _link_deliveries(folder: Path, names: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        os.symlink((DELIVERIES / name).resolve(), folder / name, target_is_directory=True)


def _delivery_names() -> list[str]:
    return sorted(p.name for p in DELIVERIES.iterdir() if p.is_dir())


def test_the_published_figures_reconcile_as_at_their_publication_date(deliveries_warehouse):
    with duckdb.connect(str(deliveries_warehouse), read_only=True) as connection:
        statuses = dict(
            rows(
                connection,
                "select status, count(*) from reporting.published_figure_checks group by 1",
            )
        )
        as_published = dict(
            rows(
                connection,
                "select outcome, referrals from reporting.rj_referral_outcomes_as_at "
                "where as_at_date = date '2019-03-31'",
            )
        )
        current = dict(
            rows(connection, "select outcome, referrals from reporting.rj_referral_outcomes")
        )
        latest = dict(
            rows(
                connection,
                "select outcome, referrals from reporting.rj_referral_outcomes_as_at "
                "where as_at_date = (select max(delivery_date) from marts.dim_delivery)",
            )
        )
        period = rows(
            connection, "select as_at_date from intermediate.int_restore__published_period"
        )
    assert "mismatch" not in statuses and statuses["match"] == 16
    assert period == [(date(2019, 3, 31),)]
    assert as_published == PUBLISHED
    assert current == latest
    assert current["ongoing"] < PUBLISHED["ongoing"]
    assert sum(current.values()) > sum(PUBLISHED.values())


def test_history_keeps_every_version_and_the_facts_only_the_current_one(deliveries_warehouse):
    with duckdb.connect(str(deliveries_warehouse), read_only=True) as connection:
        ((versions, referrals, current),) = rows(
            connection,
            "select count(*), count(distinct referral_id), count(*) filter (where is_current) "
            "from marts.fct_rj_referral_history",
        )
        facts = rows(connection, "select count(*) from marts.fct_rj_referrals")[0][0]
        resolved = rows(
            connection,
            "select count(distinct referral_id) from marts.fct_rj_referral_history as h "
            "where valid_from_date = date '2019-03-31' and outcome = 'ongoing' "
            "and not is_current",
        )[0][0]
        corrected = rows(
            connection,
            "select count(*) from marts.fct_probation_appointment_history where not is_current",
        )[0][0]
    assert versions > referrals == current == facts
    assert 0 < resolved <= PUBLISHED["ongoing"]
    assert corrected > 0


# How the deliveries arrive: the sizes of the successive builds' batches (0: the rest).
THREE_BUILDS = "three builds, 4 + 1 + the rest"
SEQUENCES = {
    THREE_BUILDS: [4, 1, 0],
    "two builds, 1 + the rest": [1, 0],
}
# Sequences only the long tier builds (make test-long, which CI runs after make test). make
# test compares the three builds, which it builds anyway for test_an_older_delivery_is_refused:
# its later builds take deliveries in by delta (the engagement counts, the touched people's
# person-months), which a dbt run of its own (test_incremental.py) does not.
LONG_SEQUENCES = {"two builds, 1 + the rest"}
ONE_PER_BUILD = "one delivery per build"


def _batches(names: list[str], sizes: list[int]) -> list[list[str]]:
    batches, start = [], 0
    for size in sizes:
        end = len(names) if size == 0 else start + size
        batches.append(names[start:end])
        start = end
    assert [name for batch in batches for name in batch] == names
    return batches


def _build_in_steps(tmp: Path, batches: list[list[str]]) -> Path:
    """The deliveries arriving over several builds, each incremental from the published
    warehouse but the first."""
    extracts = tmp / "extracts"
    docs_page = tmp / "docs" / "index.html"
    for number, batch in enumerate(batches):
        _link_deliveries(extracts, batch)
        published_page = docs_page.read_bytes() if number else b""
        result = build_with_cli(tmp, "--extracts", str(extracts))
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
        assert number == 0 or "incremental, from the published warehouse" in result.stdout
        if number:
            # The same project and tables: dbt's docs page is published again as it was.
            assert "[5/6] docs site (the published page" in result.stdout
            assert docs_page.read_bytes() == published_page
            # What is downstream of the source tables the deliveries changed ran; not the
            # reference seeds, nor what is built from them alone, nor from the budget and
            # cost lines, which every bundled delivery resends unchanged (build/dbt.py,
            # dbt_build_args): they are as published.
            results = json.loads((tmp / "target" / "run_results.json").read_text())["results"]
            ids = [result["unique_id"].split(".") for result in results]
            ran = {f"{kind}.{name}" for kind, _package, name, *_ in ids}
            assert {"model.fct_rj_referrals", "model.rj_referral_outcomes"} <= ran
            assert not {"model.dim_borough", "model.stg_reference__boroughs"} & ran
            assert not {"model.fct_programme_budget_lines", "model.fct_reoffending_costs"} & ran
            assert "downstream of probation_appointments, rj_referrals," in result.stdout
            assert not any(node.startswith("seed.") for node in ran)
            # The engagement counts took in the touched people only, from the person-months
            # their build replaced, and dropped those (macros/touched_people.sql).
            (counts,) = [
                result["compiled_code"]
                for result in results
                if result["unique_id"].endswith(".int_probation__engagement_counts")
            ]
            assert "fct_probation_person_months__replaced" in counts
            with duckdb.connect(str(tmp / "justice.duckdb"), read_only=True) as connection:
                replaced = (
                    "select count(*) from duckdb_tables() where ends_with(table_name, '__replaced')"
                )
                assert rows(connection, replaced) == [(0,)]
    return tmp / "justice.duckdb"


@pytest.fixture(scope="session")
def built_in_three_steps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first sequence, also the start of the test of an older delivery (on a copy).
    Session-scoped, so that switching the sequence under test never builds it twice."""
    names = _delivery_names()
    return _build_in_steps(
        tmp_path_factory.mktemp("steps"), _batches(names, SEQUENCES[THREE_BUILDS])
    )


@pytest.fixture(
    scope="module",
    params=[
        *(
            pytest.param(name, marks=pytest.mark.long) if name in LONG_SEQUENCES else name
            for name in SEQUENCES
        ),
        pytest.param(ONE_PER_BUILD, marks=pytest.mark.long),
    ],
)
def built_in_steps(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    if request.param == THREE_BUILDS:
        return request.getfixturevalue("built_in_three_steps")
    names = _delivery_names()
    sizes = [1] * len(names) if request.param == ONE_PER_BUILD else SEQUENCES[request.param]
    return _build_in_steps(tmp_path_factory.mktemp("steps"), _batches(names, sizes))


def _differences(built: Path, full_build: Path) -> tuple[list[tuple], dict[str, tuple]]:
    """Every table of the compared schemas in ``built``, and those whose rows differ from
    ``full_build``'s: rows only in one and only in the other (``except all`` both ways)."""
    with duckdb.connect(str(built), read_only=True) as connection:
        connection.execute(f"attach '{full_build}' as full_build (read_only)")
        tables = rows(
            connection,
            "select schema_name, table_name from duckdb_tables() where database_name = "
            "current_database() and schema_name in ('main', 'intermediate', 'marts', 'reporting') "
            "order by 1, 2",
        )
        differences = {}
        for schema, table in tables:
            relation = f"{schema}.{table}"
            counts = rows(
                connection,
                f"select (select count(*) from (select * from {relation} except all "
                f"select * from full_build.{relation})), (select count(*) from (select * from "
                f"full_build.{relation} except all select * from {relation}))",
            )[0]
            if counts != (0, 0):
                differences[relation] = counts
    return tables, differences


def test_any_sequence_of_deliveries_equals_one_full_build(built_in_steps, deliveries_warehouse):
    tables, differences = _differences(built_in_steps, deliveries_warehouse)
    assert len(tables) > 20
    assert ("marts", "fct_rj_referral_history") in tables
    assert differences == {}


def _published_copy(warehouse: Path, tmp_path: Path) -> Path:
    """A copy of a built warehouse folder, so that the session's fixture stays as built, with
    every bundled delivery linked into the copy's own extracts folder and the manifest naming
    that folder, as if the copy had been built from it."""
    tmp = tmp_path / "warehouse"
    shutil.copytree(warehouse.parent, tmp, symlinks=True)
    extracts = tmp / "extracts"
    if not extracts.exists():
        _link_deliveries(extracts, _delivery_names())
    manifest = json.loads((tmp / "manifest.json").read_text())
    (tmp / "manifest.json").write_text(json.dumps({**manifest, "source": str(extracts)}))
    return tmp


def _add_older_delivery(tmp: Path) -> Path:
    extracts = tmp / "extracts"
    os.symlink((PROJECT_ROOT / "seeds" / "synthetic").resolve(), extracts / "2019-03-15")
    return extracts


def test_an_older_delivery_is_refused(deliveries_warehouse, tmp_path):
    tmp = _published_copy(deliveries_warehouse, tmp_path)
    published = (tmp / "reporting.duckdb").read_bytes()
    refused = build_with_cli(tmp, "--extracts", str(_add_older_delivery(tmp)))
    assert refused.returncode == 1
    assert (
        "2019-03-15/: delivery dated 2019-03-15 is older than the last delivery" in refused.stderr
    )
    assert "--replay" in refused.stderr
    assert (tmp / "reporting.duckdb").read_bytes() == published


@pytest.mark.long  # a whole replay; CI runs the long tier after make test
def test_an_older_delivery_is_taken_by_a_replay(deliveries_warehouse, tmp_path):
    tmp = _published_copy(deliveries_warehouse, tmp_path)
    replayed = build_with_cli(tmp, "--extracts", str(_add_older_delivery(tmp)), "--replay")
    assert replayed.returncode == 0, replayed.stdout[-4000:] + replayed.stderr[-4000:]
    assert "delivery 2019-03-15:" in replayed.stdout
    with duckdb.connect(str(tmp / "justice.duckdb"), read_only=True) as connection:
        first = rows(connection, "select min(delivery_date) from landing.deliveries")[0][0]
        statuses = rows(
            connection,
            "select count(*) from reporting.published_figure_checks where status = 'mismatch'",
        )[0][0]
    assert first == date(2019, 3, 15)
    assert statuses == 0


@pytest.mark.long  # two more builds; CI runs the long tier after make test
def test_a_delivery_that_changes_a_record_without_a_new_update_time_reaches_the_fact(
    built_in_three_steps, tmp_path
):
    """The incremental fact takes the records a delivery sent, not only those with a later
    record_updated_at: an appointment re-sent with another outcome and its old update time
    (a source that changed a row without saying when) is the fact's current row. The same
    delivery moves the only appointment of one person to another person: the incremental
    person-months drop the first person, and every mart equals a full refresh."""
    tmp = _published_copy(built_in_three_steps, tmp_path)
    extracts = tmp / "extracts"
    with duckdb.connect(str(tmp / "justice.duckdb"), read_only=True) as connection:
        columns = [
            name
            for (name,) in rows(
                connection,
                "select column_name from information_schema.columns where table_schema = "
                "'main' and table_name = 'probation_appointments' and column_name != "
                "'delivery_date' order by ordinal_position",
            )
        ]
        last = rows(connection, "select max(delivery_date) from landing.deliveries")[0][0]
        current = (
            f"select {', '.join(columns)} from main.probation_appointments qualify "
            "row_number() over (partition by appointment_id order by delivery_date desc) = 1"
        )
        (old,) = rows(
            connection,
            f"select * from ({current}) where outcome_code = 'ATTC' "
            "order by appointment_id limit 1",
        )
        (lonely,) = rows(
            connection,
            f"select * from ({current}) qualify count(*) over (partition by case_reference) = 1 "
            f"and appointment_id != '{old[0]}' order by appointment_id limit 1",
        )
    changed = dict(zip(columns, old, strict=True))
    changed["outcome_code"] = "AFTA"
    moved = dict(zip(columns, lonely, strict=True))
    moved["case_reference"] = changed["case_reference"]
    following = date(last.year + last.month // 12, last.month % 12 + 1, 28) + timedelta(days=4)
    delivery = extracts / (following - timedelta(days=following.day)).isoformat()
    delivery.mkdir()
    for name in ("rj_referrals", "programme_budget_lines", "reoffending_costs"):
        source = next(p for p in (extracts / last.isoformat()).iterdir() if p.stem == name)
        shutil.copy(source, delivery / source.name)
    lines = [",".join(columns)] + [
        ",".join("" if record[c] is None else str(record[c]) for c in columns)
        for record in (changed, moved)
    ]
    (delivery / "probation_appointments.csv").write_text("\n".join(lines) + "\n")
    # One budget line's free text changed: a new version, so what is built from the budget
    # lines runs too (its rows are the same: the text stays in staging).
    budget = delivery / "programme_budget_lines.csv"
    budget.write_text(budget.read_text().replace("(split assumed)", "(split assumed here)", 1))
    built = build_with_cli(tmp, "--extracts", str(extracts))
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-4000:]
    assert "incremental, from the published warehouse" in built.stdout
    assert "programme_budget_lines.csv: read 8 = loaded 8 + rejected 0; 1 new" in built.stdout
    # The referrals were resent unchanged: what is built from them alone stays as published.
    assert "rj_referrals.csv: read 1618 = loaded 1618 + rejected 0; 0 new" in built.stdout
    assert "downstream of probation_appointments, programme_budget_lines, row-level" in (
        built.stdout
    )
    results = json.loads((tmp / "target" / "run_results.json").read_text())["results"]
    ran = {result["unique_id"].split(".")[2] for result in results}
    assert "fct_programme_budget_lines" in ran
    assert not {"fct_reoffending_costs", "fct_rj_referral_history"} & ran
    with duckdb.connect(str(tmp / "justice.duckdb"), read_only=True) as connection:
        (fact,) = connection.execute(
            "select outcome_code, is_attended, record_updated_at, valid_from_date "
            "from marts.fct_probation_appointments where appointment_id = ?",
            [changed["appointment_id"]],
        ).fetchall()
        people = rows(
            connection,
            "select count(distinct person_pseudo_id) from marts.fct_probation_person_months "
            "where person_pseudo_id in (select person_pseudo_id from "
            "marts.fct_probation_appointment_history where appointment_id = "
            f"'{moved['appointment_id']}')",
        )[0][0]
    assert fact[:3] == ("AFTA", False, changed["record_updated_at"])
    assert fact[3].isoformat() == delivery.name
    assert people == 1  # the person it moved to; the one it left has no month any more
    incremental = table_digests(tmp / "justice.duckdb")
    refreshed = build_with_cli(tmp, "--extracts", str(extracts), "--full-refresh")
    assert refreshed.returncode == 0, refreshed.stdout[-4000:] + refreshed.stderr[-4000:]
    assert table_digests(tmp / "justice.duckdb") == incremental


@pytest.mark.long  # three builds; CI runs the long tier after make test
def test_a_flat_folder_rebuilt_the_same_day_reaches_every_table(tmp_path):
    """A flat folder built again on the same delivery date with one appointment changed
    replaces that day's versions in the source tables (gate/deliveries.py ``plan``). The
    incremental tables were built on the replaced versions, so the build refreshes them
    whole: the fact holds the new outcome, and every table equals one build of the changed
    folder."""
    extracts = tmp_path / "extracts"
    shutil.copytree(DELIVERIES / _delivery_names()[0], extracts)
    flat = ("--extracts", str(extracts), "--delivery-date", _delivery_names()[0])
    first = build_with_cli(tmp_path / "rebuilt", *flat)
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-4000:]
    appointments = extracts / "probation_appointments.csv"
    lines = appointments.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if ",ATTC," in line)
    appointment_id = lines[index].split(",")[0]
    lines[index] = lines[index].replace(",ATTC,", ",AFTA,")
    appointments.write_text("\n".join(lines) + "\n")

    again = build_with_cli(tmp_path / "rebuilt", *flat)
    assert again.returncode == 0, again.stdout[-4000:] + again.stderr[-4000:]
    with duckdb.connect(str(tmp_path / "rebuilt" / "justice.duckdb"), read_only=True) as connection:
        outcome = rows(
            connection,
            "select outcome_code from marts.fct_probation_appointments "
            f"where appointment_id = '{appointment_id}'",
        )
    assert outcome == [("AFTA",)]
    assert "(replaces the earlier load of that date)" in again.stdout
    assert "full refresh: the delivery of " in again.stdout
    once = build_with_cli(tmp_path / "once", *flat)
    assert once.returncode == 0, once.stdout[-4000:] + once.stderr[-4000:]
    tables, differences = _differences(
        tmp_path / "rebuilt" / "justice.duckdb", tmp_path / "once" / "justice.duckdb"
    )
    assert ("marts", "fct_probation_appointments") in tables
    assert differences == {}
