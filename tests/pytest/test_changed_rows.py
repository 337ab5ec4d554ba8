"""A build that adds deliveries to a published warehouse runs the row-level data tests on
the rows its deliveries changed (macros/tests/get_where_subquery.sql), the tests across rows
and the reconciliation of the fact on everything, and a changed project rebuilds and tests
everything whole (its fingerprint)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_ROOT, copy_project, dbt_in, rows
from justice_warehouse.core.paths import changed_sql_files, project_files, project_fingerprint

FACT = "marts.fct_probation_appointments"


def _failures(
    root: Path, warehouse: Path, tmp: Path, changed_after: str | None, model: str = FACT
) -> dict[str, int]:
    """``dbt test`` of one model's tests: failing rows by test name."""
    target = tmp / f"target-{model}-{changed_after}"
    dbt_in(
        tmp,
        root,
        ["test", "--select", model.split(".")[-1]],
        warehouse,
        target=target,
        extra_env={"JW_CHANGED_AFTER_DATE": changed_after or ""},
    )
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {
        result["unique_id"].split(".")[2]: result["failures"]
        for result in results
        if result["failures"]
    }


def test_row_level_tests_read_the_new_rows_and_the_rest_read_everything(
    deliveries_warehouse: Path, tmp_path: Path
):
    warehouse = tmp_path / "justice.duckdb"
    shutil.copyfile(deliveries_warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as connection:
        last, previous = [
            day
            for (day,) in rows(
                connection,
                "select distinct delivery_date from landing.deliveries order by 1 desc limit 2",
            )
        ]
        # A row of the last delivery and an older one lose their borough; an older row is
        # duplicated as it is (two old rows sharing a key, which no build can write), and
        # another under the last delivery's date (a new version written beside the old).
        new_id = rows(
            connection,
            f"select min(appointment_id) from {FACT} where valid_from_date = '{last}'",
        )[0][0]
        old_id = rows(
            connection,
            f"select min(appointment_id) from {FACT} where valid_from_date < '{previous}'",
        )[0][0]
        connection.execute(
            f"update {FACT} set borough_code = null where appointment_id in (?, ?)",
            [new_id, old_id],
        )
        old_ids = rows(
            connection,
            f"select appointment_id from {FACT} where valid_from_date < '{previous}' "
            "order by appointment_id desc limit 2",
        )
        connection.execute(
            f"insert into {FACT} select * from {FACT} where appointment_id = ?", [old_ids[0][0]]
        )
        connection.execute(
            f"insert into {FACT} select * replace (cast('{last}' as date) as valid_from_date) "
            f"from {FACT} where appointment_id = ?",
            [old_ids[1][0]],
        )
        # An old closed version leaves the history table: the fact and the current versions
        # still agree, so only the comparison of the history's versions with the source's
        # rows can see it.
        deleted = connection.execute(
            "delete from marts.fct_probation_appointment_history where not is_current and "
            "appointment_id = (select min(appointment_id) from "
            "marts.fct_probation_appointment_history where not is_current "
            f"and valid_to_date < '{previous}') returning appointment_id"
        ).fetchall()
        assert len(deleted) == 1
    whole = _failures(PROJECT_ROOT, warehouse, tmp_path, None)
    changed = _failures(PROJECT_ROOT, warehouse, tmp_path, previous.isoformat())
    not_null = "not_null_fct_probation_appointments_borough_code"
    unique = "unique_fct_probation_appointments_appointment_id"
    reconciliation = "assert_appointments_fact_matches_source"
    # Whole: both boroughs, both duplicates, and the reconciliation's three records (the
    # copy under the last delivery's date differs from the history's current version).
    assert (whole[not_null], whole[unique], whole[reconciliation]) == (2, 2, 3)
    # Changed rows only: the new row's borough; the duplicate written under the last
    # delivery's date (unique counts every row whose key a changed row has), not the two
    # old rows sharing a key; the reconciliation still reads whole and names them all: the
    # four altered or copied records against the history table (their months' fingerprints
    # differ), the rows dated after `previous` against staging, and the history's versions
    # against the source's rows (the deleted version). The whole run above compares the
    # fact with the source's versions afresh and does not read the history table.
    assert (changed[not_null], changed[unique], changed[reconciliation]) == (1, 1, 6)
    assert set(changed) == set(whole)


def test_person_month_tests_read_the_touched_peoples_rows(
    deliveries_warehouse: Path, tmp_path: Path
):
    """fct_probation_person_months has no delivery columns: its rows a build changed are
    those of the people its deliveries touched (macros/touched_people.sql)."""
    warehouse = tmp_path / "justice.duckdb"
    shutil.copyfile(deliveries_warehouse, warehouse)
    months = "marts.fct_probation_person_months"
    with duckdb.connect(str(warehouse)) as connection:
        previous = rows(
            connection,
            "select cast(max(delivery_date) as varchar) from landing.deliveries "
            "where delivery_date < (select max(delivery_date) from landing.deliveries)",
        )[0][0]
        touched = (
            "select person_pseudo_id from marts.fct_probation_appointment_history "
            f"where valid_from_date > '{previous}' or valid_to_date > '{previous}'"
        )
        # A month of a touched person and one of a person untouched are each written twice,
        # and each loses one appointment from its parts.
        for condition in ("in", "not in"):
            connection.execute(
                f"insert into {months} select * from {months} where person_pseudo_id = "
                f"(select min(person_pseudo_id) from {months} where person_pseudo_id "
                f"{condition} ({touched})) order by appointment_month_date limit 1"
            )
            connection.execute(
                f"update {months} set appointments = appointments + 1 where person_pseudo_id = "
                f"(select max(person_pseudo_id) from {months} where person_pseudo_id "
                f"{condition} ({touched}))"
            )
        (months_of_max_touched, months_of_max_untouched) = [
            rows(
                connection,
                f"select count(*) from {months} where person_pseudo_id = (select "
                f"max(person_pseudo_id) from {months} where person_pseudo_id {condition} "
                f"({touched}))",
            )[0][0]
            for condition in ("in", "not in")
        ]
    whole = _failures(PROJECT_ROOT, warehouse, tmp_path, None, months)
    changed = _failures(PROJECT_ROOT, warehouse, tmp_path, previous, months)
    unique = next(name for name in whole if name.startswith("unique_combination_of_columns"))
    parts = "fct_probation_person_months_parts_add_up_to_appointments"
    assert (whole[unique], whole[parts]) == (2, months_of_max_touched + months_of_max_untouched)
    assert (changed[unique], changed[parts]) == (1, months_of_max_touched)


@pytest.mark.fast
def test_the_fingerprint_follows_the_models_tests_and_reference_seeds(tmp_path: Path):
    project = copy_project(tmp_path / "project")
    before = project_fingerprint(project)
    assert before == project_fingerprint(PROJECT_ROOT)
    (project / "seeds" / "synthetic" / "another_extract.csv").write_text("a\n1\n")  # data
    assert project_fingerprint(project) == before
    for path in ("models/marts/core/dim_date.sql", "tests/dbt/new.sql", "seeds/reference/new.csv"):
        changed = copy_project(tmp_path / path.replace("/", "_"))
        with (changed / path).open("a") as file:
            file.write("\n")
        assert project_fingerprint(changed) != before, path


@pytest.mark.fast
def test_only_changed_sql_of_models_and_data_tests_scopes_a_rebuild(tmp_path: Path):
    """A build rebuilds only what changed files define (and what is downstream) when every
    change since the published build is to a model's or a data test's SQL; any other change
    (YAML, a macro, dbt_project.yml, a reference seed, a removed file) or a manifest that did
    not record the files rebuilds everything (core/paths.py)."""
    published = project_files(PROJECT_ROOT)
    assert published == project_files(copy_project(tmp_path / "same"))
    assert changed_sql_files(published, published) == []
    assert changed_sql_files(None, published) is None
    sql = ("models/marts/core/dim_date.sql", "tests/dbt/assert_new.sql")
    scoped = copy_project(tmp_path / "scoped")
    for path in sql:
        with (scoped / path).open("a") as file:
            file.write("\n-- changed\n")
    assert changed_sql_files(published, project_files(scoped)) == sorted(sql)
    others = (
        "models/marts/core/_core__models.yml",
        "macros/spill_cap.sql",
        "dbt_project.yml",
        "seeds/reference/london_boroughs.csv",
    )
    for path in others:
        changed = copy_project(tmp_path / path.replace("/", "_"))
        with (changed / path).open("a") as file:
            file.write("\n")
        with (changed / sql[0]).open("a") as file:
            file.write("\n-- changed\n")
        assert changed_sql_files(published, project_files(changed)) is None, path
    removed = copy_project(tmp_path / "removed")
    (removed / "models/marts/core/dim_date.sql").unlink()
    assert changed_sql_files(published, project_files(removed)) is None
