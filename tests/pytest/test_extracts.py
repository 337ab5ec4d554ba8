"""The extract contract: every bad-input class gives a clear error naming file, line and
column; good variations (BOM, CRLF, Parquet) load; the contract page matches the code."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from extract_faults import (
    BUILD_DATE,
    FAULTS,
    ROW_LEVEL,
    SEEDS,
    data_rows,
    edit_line,
    extract_dir,
    field,
    load,
    referrals,
)
from justice_warehouse.gate.contract.model import Table
from justice_warehouse.gate.contract.render import (
    SOURCE_DOCS,
    render_markdown,
    render_source_docs,
    source_doc_name,
)
from justice_warehouse.gate.contract.tables import TABLES, table
from justice_warehouse.gate.files import SQL_TYPES, ExtractError
from justice_warehouse.gate.load import load_extracts
from justice_warehouse.gate.rules import short_cut_codes
from justice_warehouse.synth.register import rj_outcome_counts

pytestmark = pytest.mark.fast


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_bad_input_names_file_line_and_column(fault: str, tmp_path: Path):
    inject, max_share, message = FAULTS[fault]
    directory = extract_dir(tmp_path)
    inject(directory)
    with pytest.raises(ExtractError) as raised:
        load(directory, max_share)
    assert message in str(raised.value), str(raised.value)


def test_rejected_rows_are_kept_with_reason_and_counts_add_up(tmp_path: Path):
    directory = extract_dir(tmp_path)
    path = directory / "probation_appointments.csv"
    edit_line(path, 101, field(path, 101, "outcome_code"), "ZZZZ")
    edit_line(path, 202, field(path, 202, "appointment_date"), "2016-13-01")
    rows_in_file = data_rows(path)
    connection, reports = load(directory)
    report = next(r for r in reports if r.table == "probation_appointments")
    assert (report.read, report.loaded, report.rejected) == (rows_in_file, rows_in_file - 2, 2)
    assert all(r.read == r.loaded + r.rejected for r in reports)
    rows = connection.execute(
        "select line_number, column_name, reason, found_value, raw_values "
        "from audit.rejected_rows order by line_number"
    ).fetchall()
    assert [(r[0], r[1], r[3]) for r in rows] == [
        (101, "outcome_code", "ZZZZ"),
        (202, "appointment_date", "2016-13-01"),
    ]
    assert "appointments" in rows[0][2] or "unknown code" in rows[0][2]
    assert '"outcome_code":"ZZZZ"' in rows[0][4].replace(" ", "")
    loaded_ids = connection.execute(
        "select count(*) from main.probation_appointments where outcome_code = 'ZZZZ'"
    ).fetchall()
    assert loaded_ids == [(0,)]


def test_more_than_one_percent_rejected_fails(tmp_path: Path):
    directory = extract_dir(tmp_path)
    path = referrals(directory)
    for line in range(2, 14):  # 12 of 988 rows: 1.2%
        edit_line(path, line, field(path, line, "referral_source"), "carrier_pigeon")
    with pytest.raises(ExtractError) as raised:
        load(directory)
    assert "too many rejections: 12 of 988 rows rejected, more than 1.0%" in str(raised.value)


def test_bom_crlf_and_parquet_are_accepted(tmp_path: Path):
    directory = extract_dir(tmp_path)
    path = referrals(directory)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    budget = directory / "programme_budget_lines.csv"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * from read_csv('{budget}', header = true)) "
            f"to '{directory / 'programme_budget_lines.parquet'}' (format parquet)"
        )
    counted = {name: data_rows(directory / f"{name}.csv") for name in ROW_LEVEL}
    budget.unlink()
    connection, reports = load(directory)
    assert {r.table: (r.read, r.loaded) for r in reports} == {
        name: (count, count) for name, count in counted.items()
    }
    outcomes = connection.execute(
        "select outcome, count(*) from main.rj_referrals group by 1 order by 1"
    ).fetchall()
    assert dict(outcomes) == rj_outcome_counts()


def typed_parquet(directory: Path, spec: Table, edits: dict[str, str], line: int = 2) -> None:
    """Rewrite ``spec``'s CSV as Parquet in the contract's own column types, with ``edits``
    (column -> SQL expression over the typed row) applied to the row at ``line``."""
    csv = directory / f"{spec.name}.csv"
    typed = ", ".join(
        f"cast(nullif({c.name}, '') as {SQL_TYPES[c.type]}) as {c.name}" for c in spec.columns
    )
    edited = ", ".join(
        f"case when line = {line} then {edits[c.name]} else {c.name} end as {c.name}"
        if c.name in edits
        else c.name
        for c in spec.columns
    )
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select {edited} from (select row_number() over () + 1 as line, {typed} "
            f"from read_csv('{csv}', header = true, all_varchar = true))) "
            f"to '{directory / (spec.name + '.parquet')}' (format parquet)"
        )
    csv.unlink()


@pytest.mark.fast
def test_typed_parquet_columns_still_break_every_value_rule(tmp_path: Path):
    """Parquet columns of the contract's own type skip the checks of how a value is written
    (they cannot fail), and every rule on the value itself still rejects its row."""
    directory = extract_dir(tmp_path)
    tables = {spec.name: spec for spec in TABLES}
    typed_parquet(
        directory,
        tables["programme_budget_lines"],
        {"amount_gbp": "-amount_gbp", "financial_year": "null"},
    )
    typed_parquet(
        directory,
        tables["probation_appointments"],
        {
            "appointment_date": "date '10000-01-01'",
            "record_updated_at": "cast(null as timestamp)",
        },
    )
    typed_parquet(
        directory,
        tables["rj_referrals"],
        {"decision_date": "cast(referral_date - interval 3 day as date)"},
        line=4,
    )
    connection, reports = load(directory, max_share=1.0)
    rejected = set(
        connection.execute(
            "select source_file, line_number, column_name, reason from audit.rejected_rows"
        ).fetchall()
    )
    decision = {row for row in rejected if row[:3] == ("rj_referrals.parquet", 4, "decision_date")}
    assert decision and all(row[3].startswith("before ") for row in decision)
    assert rejected - decision == {
        ("programme_budget_lines.parquet", 2, "amount_gbp", "negative amount"),
        ("programme_budget_lines.parquet", 2, "financial_year", "missing required value"),
        ("probation_appointments.parquet", 2, "appointment_date", "not a date YYYY-MM-DD"),
        (
            "probation_appointments.parquet",
            2,
            "appointment_date",
            f"after the delivery date ({BUILD_DATE})",
        ),
        ("probation_appointments.parquet", 2, "record_updated_at", "missing required value"),
    }
    assert {r.table: (r.read, r.loaded + r.rejected) for r in reports} == {
        r.table: (r.read, r.read) for r in reports
    }


@pytest.mark.parametrize("time_zone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_a_parquet_utc_instant_is_a_utc_timestamp(tmp_path: Path, time_zone: str):
    """A timestamp column stored as a UTC instant (TIMESTAMP WITH TIME ZONE, as Spark and
    time-zone-aware pandas write it) loads as the same UTC time, whatever the session's time
    zone (the machine's, for DuckDB) when the file is written and when it is read."""
    directory = extract_dir(tmp_path)
    csv = directory / "probation_appointments.csv"
    with duckdb.connect() as connection:
        connection.execute(f"set TimeZone = '{time_zone}'")
        connection.execute(
            f"copy (select * replace (cast(record_updated_at || '+00' as timestamptz) "
            f"as record_updated_at) from read_csv('{csv}', header = true, all_varchar = true)) "
            f"to '{directory / 'probation_appointments.parquet'}' (format parquet)"
        )
        expected = connection.execute(
            f"select appointment_id, cast(record_updated_at as timestamp) "
            f"from read_csv('{csv}', header = true, all_varchar = true) order by 1"
        ).fetchall()
    csv.unlink()
    connection = duckdb.connect()
    connection.execute(f"set TimeZone = '{time_zone}'")
    reports = load_extracts(connection, directory, SEEDS, "test", 0.0, build_date=BUILD_DATE)
    (report,) = [r for r in reports if r.table == "probation_appointments"]
    assert (report.read, report.loaded, report.rejected) == (len(expected), len(expected), 0)
    loaded = connection.execute(
        "select appointment_id, record_updated_at from main.probation_appointments order by 1"
    ).fetchall()
    assert loaded == expected


def test_contract_page_matches_the_code(project_root: Path):
    page = (project_root / "docs" / "extract_contract.md").read_text()
    assert page == render_markdown(), (
        "run: justice-warehouse contract-doc --out docs/extract_contract.md"
    )
    docs = (project_root / SOURCE_DOCS).read_text()
    assert docs == render_source_docs(), (
        f"run: justice-warehouse contract-doc --dbt-docs {SOURCE_DOCS}"
    )


def test_every_source_column_is_the_contracts_own(project_root: Path):
    """Each source's YAML lists exactly the contract's columns (and the gate's delivery_date),
    each described by the contract's own docs block."""
    for path in (project_root / "models" / "staging").glob("*/_*__sources.yml"):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for entry in source["tables"]:
                spec = table(entry["name"])
                columns = {column["name"]: column["description"] for column in entry["columns"]}
                assert list(columns) == [c.name for c in spec.columns] + ["delivery_date"], path
                for column in spec.columns:
                    block = source_doc_name(spec.name, column.name)
                    assert columns[column.name] == "{{ doc('" + block + "') }}", (path, column)
                assert columns["delivery_date"] == "{{ doc('delivery_date') }}"


def test_seed_column_types_match_the_contract(project_root: Path):
    declared = yaml.safe_load((SEEDS / "synthetic" / "_synthetic__seeds.yml").read_text())
    for seed in declared["seeds"]:
        spec = table(seed["name"])
        types = {  # seeds say string (portable to Spark); DuckDB reads it as varchar
            name: kind.replace(" ", "").replace("string", "varchar")
            for name, kind in seed["config"]["column_types"].items()
        }
        assert types == {c.name: c.type for c in spec.columns}, seed["name"]


def test_a_code_not_written_as_its_rules_compare_gets_no_short_cut(tmp_path: Path):
    """A value found exactly as one of its codes passes its column's value rules at once
    (``short_cut_codes``), but only when the codes are written as the rules compare them.
    Here the contact-type seed gains a code in mixed case: the column compares values in
    lower case, so a value written exactly like that code is still an unknown code."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    vocabulary = seeds / "reference" / "contact_types.csv"
    vocabulary.write_text(vocabulary.read_text() + "Home_Visit_X,A code in mixed case\n")
    directory = extract_dir(tmp_path)
    path = directory / "probation_appointments.csv"
    edit_line(path, 5, field(path, 5, "contact_type"), "Home_Visit_X")
    connection = duckdb.connect()
    spec = table("probation_appointments")
    short_cuts = short_cut_codes(connection, spec, seeds)
    assert "contact_type" not in short_cuts
    assert {"provider_code", "borough_code", "outcome_code"} <= set(short_cuts)
    load_extracts(connection, directory, seeds, "test")
    rejected = connection.execute(
        "select line_number, column_name, reason from audit.rejected_rows"
    ).fetchall()
    assert rejected == [(5, "contact_type", "unknown code (not in contact_types)")]
