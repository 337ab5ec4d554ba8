"""Monthly delivery sequences at scale (SYNTHETIC): ``justice-warehouse generate --deliveries N``.

The first delivery is a scale extract set (``scale.write_extracts``). Each later one is
written by DuckDB SQL from the one before, as a provider would send it:

- ``rj_referrals`` in full: a share of the ongoing referrals declined during the month,
  late referrals received in the last quarter of the calendar first sent now, a few
  records corrected (the borough keyed wrongly);
- ``probation_appointments`` as changes: appointments recorded late (dated in the last
  year of the calendar) and corrected outcomes, each with a ``record_updated_at`` in the
  delivery's month;
- ``programme_budget_lines`` and ``reoffending_costs`` unchanged.

Deterministic for a seed: every choice is ``hash(key, seed, stream)``.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

from justice_warehouse.synth import scale
from justice_warehouse.synth.appointments import APPOINTMENT_ATTENDED, APPOINTMENT_NOT_ATTENDED
from justice_warehouse.synth.draws import MET_BOROUGHS
from justice_warehouse.synth.register import DEFAULT_SEED
from justice_warehouse.synth.sequence import month_end

RESOLVED_SHARE = 0.3  # of the ongoing referrals, declined each month
LATE_REFERRAL_SHARE = 0.002  # of the referrals, first sent in each later delivery
CORRECTED_REFERRAL_SHARE = 0.0005
LATE_APPOINTMENT_SHARE = 0.004  # of the appointments, recorded late in each delivery
CORRECTED_APPOINTMENT_SHARE = 0.001
LAST_CALENDAR_DATE = date(2021, 3, 31)  # dbt vars calendar_end_date


@dataclass(frozen=True)
class WrittenDelivery:
    delivery_date: date
    folder: Path
    rows: dict[str, int]


def _read(folder: Path, table: str, file_format: str) -> str:
    return f"read_{file_format}('{folder / f'{table}.{file_format}'}')"


def first_delivery_date(folder: Path, file_format: str) -> date:
    """The month end on or after every date in the extract set: the earliest date the set
    can be delivered (no date of a delivery may be after it)."""
    with duckdb.connect() as connection:
        latest = connection.execute(
            "select greatest("
            f"(select max(greatest(referral_date, coalesce(closure_date, referral_date))) "
            f"from {_read(folder, 'rj_referrals', file_format)}), "
            f"(select max(cast(record_updated_at as date)) "
            f"from {_read(folder, 'probation_appointments', file_format)}))"
        ).fetchall()[0][0]
    return month_end(latest)


def _u(key: str, seed: int, stream: int) -> str:
    return f"((hash({key}, {seed}, {stream}) % 1000000) / 1000000.0)"


def _day_in(start: date, end: date, key: str, seed: int, stream: int) -> str:
    days = (end - start).days + 1
    return f"(date '{start}' + cast(hash({key}, {seed}, {stream}) % {days} as integer))"


def _referrals_sql(previous: str, delivered: date, seed: int, step: int) -> str:
    month_start = delivered.replace(day=1)
    quarter_start = LAST_CALENDAR_DATE.replace(day=1) - timedelta(days=60)
    resolved = f"outcome = 'ongoing' and {_u('referral_id', seed, 100 + step)} < {RESOLVED_SHARE}"
    corrected = f"{_u('referral_id', seed, 200 + step)} < {CORRECTED_REFERRAL_SHARE}"
    boroughs = ", ".join(f"'{code}'" for code in MET_BOROUGHS)
    first_contact = f"coalesce(first_contact_date, date '{month_start}')"
    return f"""
        select
            referral_id, victim_ref, offender_ref, referral_date,
            case when {corrected}
                then list_extract([{boroughs}],
                    1 + cast(hash(referral_id, {seed}, {300 + step}) % 32 as integer))
                else borough_code end as borough_code,
            offence_group, referral_source,
            case when {resolved} then {first_contact} else first_contact_date end
                as first_contact_date,
            case when {resolved} then {_day_in(month_start, delivered, "referral_id", seed, 400)}
                else decision_date end as decision_date,
            case when {resolved} then 'declined' else outcome end as outcome,
            conversation_date, indirect_communication_date, conference_date,
            case when {resolved} then date '{delivered}' else closure_date end as closure_date,
            case when {resolved} then 'victim_declined' else closure_reason end as closure_reason
        from {previous}
        union all
        select
            'RJ-L{step:02d}-' || cast(row_number() over (order by referral_id) as varchar),
            'VIC-L{step:02d}-' || cast(row_number() over (order by referral_id) as varchar),
            null,
            {_day_in(quarter_start, LAST_CALENDAR_DATE, "referral_id", seed, 500 + step)},
            borough_code, offence_group, referral_source,
            null, null, 'ongoing', null, null, null, null, null
        from {previous}
        where {_u("referral_id", seed, 600 + step)} < {LATE_REFERRAL_SHARE}
    """


def _appointments_sql(
    first: str, delivered: date, seed: int, step: int, codes: list[str], first_year: date
) -> str:
    stamp = (
        f"(cast({_day_in(delivered.replace(day=1), delivered, 'appointment_id', seed, 700)} "
        f"as timestamp) + to_seconds(28800 + hash(appointment_id, {seed}, 701) % 36000))"
    )
    code_list = ", ".join(f"'{code}'" for code in codes)
    return f"""
        select
            appointment_id, case_reference, provider_code, officer_id, borough_code,
            contact_type, appointment_date,
            list_extract([{code_list}],
                1 + cast(hash(appointment_id, {seed}, {800 + step}) % {len(codes)} as integer))
                as outcome_code,
            {stamp} as record_updated_at
        from {first}
        where {_u("appointment_id", seed, 900 + step)} < {CORRECTED_APPOINTMENT_SHARE}
        union all
        select
            'APT-L{step:02d}-' || cast(row_number() over (order by appointment_id) as varchar),
            case_reference, provider_code, officer_id, borough_code, 'planned_office_visit',
            {_day_in(first_year, LAST_CALENDAR_DATE, "appointment_id", seed, 1000 + step)},
            outcome_code,
            {stamp} as record_updated_at
        from {first}
        where {_u("appointment_id", seed, 1100 + step)} < {LATE_APPOINTMENT_SHARE}
    """


def write_deliveries(
    out_dir: Path,
    scale_name: str,
    deliveries: int,
    file_format: str = "parquet",
    seed: int = DEFAULT_SEED,
) -> list[WrittenDelivery]:
    """Write ``deliveries`` monthly deliveries into ``out_dir/YYYY-MM-DD/``."""
    staging = out_dir / "first"
    written_first = scale.write_extracts(staging, scale_name, file_format, seed)
    delivered = first_delivery_date(staging, file_format)
    first = out_dir / delivered.isoformat()
    if first.exists():
        shutil.rmtree(first)
    staging.rename(first)
    written = [WrittenDelivery(delivered, first, {w.table: w.rows for w in written_first})]
    codes = list(APPOINTMENT_ATTENDED) + list(APPOINTMENT_NOT_ATTENDED)
    options = "format parquet, compression zstd" if file_format == "parquet" else "header true"
    first_year = LAST_CALENDAR_DATE - timedelta(days=364)
    with duckdb.connect() as connection:
        connection.execute("set preserve_insertion_order = true")
        connection.execute("set enable_progress_bar = false")
        previous = first
        for step in range(1, deliveries):
            delivered = month_end(delivered + timedelta(days=1))
            folder = out_dir / delivered.isoformat()
            folder.mkdir(parents=True, exist_ok=True)
            queries = {
                "rj_referrals": _referrals_sql(
                    _read(previous, "rj_referrals", file_format), delivered, seed, step
                ),
                "programme_budget_lines": f"select * from "
                f"{_read(first, 'programme_budget_lines', file_format)}",
                "reoffending_costs": f"select * from "
                f"{_read(first, 'reoffending_costs', file_format)}",
                "probation_appointments": _appointments_sql(
                    _read(first, "probation_appointments", file_format),
                    delivered,
                    seed,
                    step,
                    codes,
                    first_year,
                ),
            }
            rows = {}
            for table, query in queries.items():
                path = folder / f"{table}.{file_format}"
                connection.execute(f"copy ({query}) to '{path}' ({options})")
                rows[table] = connection.execute(
                    f"select count(*) from read_{file_format}('{path}')"
                ).fetchall()[0][0]
            written.append(WrittenDelivery(delivered, folder, rows))
            previous = folder
    return written
