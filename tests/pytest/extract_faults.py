"""Extract copies to break on purpose, and the catalogue of faults the gate must name: each
fault edits one file of a copy of the bundled extracts, with the rejected share the load
allows and the message that must name the file, line and column."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb

from justice_warehouse.gate.contract.tables import TABLES
from justice_warehouse.gate.files import DEFAULT_MAX_REJECTED_SHARE
from justice_warehouse.gate.load import load_extracts

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
ROW_LEVEL = [spec.name for spec in TABLES]


def extract_dir(tmp: Path) -> Path:
    target = tmp / "extracts"
    shutil.copytree(SEEDS / "synthetic", target, ignore=shutil.ignore_patterns("*.yml"))
    return target


def edit_line(path: Path, line: int, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` once on 1-based ``line`` of ``path``."""
    lines = path.read_text().split("\n")
    assert old in lines[line - 1], (old, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("\n".join(lines))


# The build date every check here is judged on: fixed, so that no result depends on the day
# the tests run (the bundled data end on 2019-03-15 and were published on 2019-03-31).
BUILD_DATE = date(2019, 3, 31)


def data_rows(path: Path) -> int:
    """The data rows of an extract CSV (lines after the header), counted from the file."""
    return len(path.read_text(encoding="utf-8").splitlines()) - 1


def load(directory: Path, max_share: float = DEFAULT_MAX_REJECTED_SHARE):
    connection = duckdb.connect()
    reports = load_extracts(connection, directory, SEEDS, "test", max_share, build_date=BUILD_DATE)
    return connection, reports


def field(path: Path, line: int, column: str) -> str:
    header = path.read_text().split("\n")[0].split(",")
    return path.read_text().split("\n")[line - 1].split(",")[header.index(column)]


def referrals(d: Path) -> Path:
    return d / "rj_referrals.csv"


Fault = Callable[[Path], None]

FAULTS: dict[str, tuple[Fault, float, str]] = {
    "missing_file": (
        lambda d: (d / "probation_appointments.csv").unlink(),
        0.01,
        "probation_appointments.csv: missing file",
    ),
    "missing_column": (
        lambda d: referrals(d).write_text(
            "\n".join(line.rsplit(",", 1)[0] for line in referrals(d).read_text().splitlines())
        ),
        0.01,
        "rj_referrals.csv line 1, column closure_reason: missing column 'closure_reason'",
    ),
    "extra_column": (
        lambda d: referrals(d).write_text(
            "\n".join(
                line + (",notes" if i == 0 else ",x")
                for i, line in enumerate(referrals(d).read_text().splitlines())
            )
        ),
        0.01,
        "rj_referrals.csv line 1, column notes: unexpected extra column 'notes'",
    ),
    "renamed_column": (
        lambda d: edit_line(referrals(d), 1, ",outcome,", ",result,"),
        0.01,
        "rj_referrals.csv line 1, column outcome: renamed column: expected 'outcome', "
        "found 'result' (column 10)",
    ),
    "text_in_number": (
        lambda d: edit_line(d / "reoffending_costs.csv", 3, ",2016,", ",twenty16,"),
        0.0,
        "reoffending_costs.csv line 3, column cost_year: not a whole number, found 'twenty16'",
    ),
    "impossible_date": (
        lambda d: edit_line(referrals(d), 4, field(referrals(d), 4, "referral_date"), "2018-02-30"),
        0.0,
        "rj_referrals.csv line 4, column referral_date: not a date YYYY-MM-DD, found '2018-02-30'",
    ),
    "unknown_borough": (
        lambda d: edit_line(referrals(d), 5, field(referrals(d), 5, "borough_code"), "E09000099"),
        0.0,
        "rj_referrals.csv line 5, column borough_code: unknown code (not in london_boroughs), "
        "found 'E09000099'",
    ),
    "unknown_outcome": (
        lambda d: edit_line(referrals(d), 6, field(referrals(d), 6, "outcome"), "maybe"),
        0.0,
        "rj_referrals.csv line 6, column outcome: unknown code (not in referral_outcomes), "
        "found 'maybe'",
    ),
    "unknown_offence_group": (
        lambda d: edit_line(referrals(d), 7, field(referrals(d), 7, "offence_group"), "burglary"),
        0.0,
        "rj_referrals.csv line 7, column offence_group: unknown code (not in offence_groups), "
        "found 'burglary'",
    ),
    "duplicate_primary_key": (
        lambda d: edit_line(referrals(d), 9, "RJ00008", "RJ00007"),
        0.01,
        "rj_referrals.csv line 9, column referral_id: duplicate primary key (first at line 8), "
        "found 'RJ00007'",
    ),
    "negative_money": (
        lambda d: edit_line(d / "programme_budget_lines.csv", 2, ",275000.00,", ",-275000.00,"),
        0.01,
        "programme_budget_lines.csv line 2, column amount_gbp: negative amount, found '-275000.00'",
    ),
    "missing_required_value": (
        lambda d: edit_line(referrals(d), 3, ",VIC-1388512,", ",,"),
        0.0,
        "rj_referrals.csv line 3, column victim_ref: missing required value, found an empty field",
    ),
    "decision_before_referral": (
        lambda d: edit_line(referrals(d), 4, ",2017-04-30,2017-05-07,", ",2017-04-30,2017-04-01,"),
        0.0,
        "rj_referrals.csv line 4, column decision_date: before referral_date (2017-04-03), "
        "found '2017-04-01'",
    ),
    "closure_before_a_stage": (
        lambda d: edit_line(referrals(d), 5, ",2017-06-09,", ",2017-05-27,"),
        0.0,
        "rj_referrals.csv line 5, column closure_date: before conversation_date (2017-05-28), "
        "found '2017-05-27'",
    ),
    "stage_without_take_up": (
        lambda d: edit_line(referrals(d), 3, ",declined,,", ",declined,2017-04-20,"),
        0.0,
        "rj_referrals.csv line 3, column conversation_date: only allowed when outcome has "
        "is_take_up, found outcome declined, found '2017-04-20'",
    ),
    "date_after_the_build_date": (
        lambda d: edit_line(referrals(d), 8, ",2017-06-18,", ",2099-06-18,"),
        0.0,
        "rj_referrals.csv line 8, column closure_date: after the delivery date (",
    ),
    "date_with_a_time": (
        lambda d: edit_line(referrals(d), 8, ",2017-06-18,", ",2017-06-18 10:00:00,"),
        0.0,
        "rj_referrals.csv line 8, column closure_date: not a date YYYY-MM-DD, "
        "found '2017-06-18 10:00:00'",
    ),
    "whole_number_with_a_fraction": (
        lambda d: edit_line(d / "reoffending_costs.csv", 3, ",2016,", ",2016.7,"),
        0.0,
        "reoffending_costs.csv line 3, column cost_year: not a whole number, found '2016.7'",
    ),
    "money_with_three_decimals": (
        lambda d: edit_line(d / "programme_budget_lines.csv", 2, ",275000.00,", ",275000.005,"),
        0.0,
        "programme_budget_lines.csv line 2, column amount_gbp: more than 2 decimal places "
        "(would be rounded), found '275000.005'",
    ),
    "timestamp_with_an_offset": (
        lambda d: edit_line(
            d / "probation_appointments.csv", 2, "2016-04-01 03:05:14", "2016-04-01 03:05:14+01:00"
        ),
        0.0,
        "probation_appointments.csv line 2, column record_updated_at: time-zone offset: write "
        "the time in UTC, without an offset, found '2016-04-01 03:05:14+01:00'",
    ),
    "timestamp_with_nanoseconds": (
        lambda d: edit_line(
            d / "probation_appointments.csv",
            2,
            "2016-04-01 03:05:14",
            "2016-04-01 03:05:14.1234567",
        ),
        0.0,
        "probation_appointments.csv line 2, column record_updated_at: not a timestamp "
        "YYYY-MM-DD HH:MM:SS, found '2016-04-01 03:05:14.1234567'",
    ),
    "control_character_in_text": (
        lambda d: edit_line(referrals(d), 2, ",unable_to_contact", ",unable_to\x07contact"),
        0.0,
        "rj_referrals.csv line 2, column closure_reason: control character in text (only tab, "
        "LF and CR are allowed), found 'unable_to\\x07contact'",
    ),
    "empty_file": (
        lambda d: (d / "programme_budget_lines.csv").write_text(""),
        0.01,
        "programme_budget_lines.csv: empty file: no header row",
    ),
    "header_only": (
        lambda d: (d / "programme_budget_lines.csv").write_text(
            (d / "programme_budget_lines.csv").read_text().split("\n")[0] + "\n"
        ),
        0.01,
        "programme_budget_lines.csv: empty file: a header but no data rows",
    ),
    "wrong_delimiter": (
        lambda d: referrals(d).write_text(referrals(d).read_text().replace(",", ";")),
        0.01,
        "rj_referrals.csv line 1: wrong delimiter: found semicolon (';'), expected comma (',')",
    ),
    "wrong_encoding": (
        lambda d: referrals(d).write_bytes(
            referrals(d).read_bytes().replace(b"RJ00010,", "RJ00010,\u00e9".encode("latin-1"), 1)
        ),
        0.01,
        "rj_referrals.csv line 11: not UTF-8 encoded; save the extract as UTF-8",
    ),
    "ragged_row": (
        lambda d: edit_line(referrals(d), 12, "RJ00011,", "RJ00011,extra,"),
        0.01,
        "rj_referrals.csv line 12: expected 15 fields, found 16",
    ),
}
