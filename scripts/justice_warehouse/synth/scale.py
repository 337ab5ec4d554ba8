"""Large SYNTHETIC extract sets for scale testing: ``justice-warehouse generate --scale``.

Every row is made up. The sets follow the extract contract (docs/extract_contract.md): the
same vocabularies, date order, keys and reconciliation properties as the bundled seeds
(outcomes add up to referrals, stages only after a take-up, attendance agrees with the
outcome code), but not the published referral counts, which describe the bundled data only.
Budget lines and reoffending costs are small published tables and are the bundled ones.

All rows are computed by DuckDB SQL from ``hash(row, seed, stream)``, so generation is
vectorised, parallel and deterministic for a given seed and DuckDB version.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np

from justice_warehouse.synth.appointments import (
    APPOINTMENT_ATTENDED,
    APPOINTMENT_NOT_ATTENDED,
    FOLLOW_UP_CONTACT_TYPES,
    PROBATION_NEVER_SEEN_SHARE,
)
from justice_warehouse.synth.draws import MET_BOROUGHS, OFFENCE_GROUPS, largest_remainder
from justice_warehouse.synth.generate import build_all
from justice_warehouse.synth.referrals import (
    REFERRAL_SOURCES,
    RJ_AS_AT,
    RJ_INDIRECT_COMMUNICATION,
    RJ_OFFENCE_WEIGHTS,
    RJ_PROGRAMME_END,
    RJ_PROGRAMME_START,
)
from justice_warehouse.synth.register import (
    DEFAULT_SEED,
    referral_outcomes,
    rj_direct_conferences,
    rj_outcome_counts,
)

FORMATS = ("parquet", "csv")
BUCKETS = 1000  # resolution of weighted choices


@dataclass(frozen=True)
class Scale:
    name: str
    referrals: int
    appointments: int


SCALES = {
    scale.name: scale
    for scale in (
        Scale("small", 5_000, 50_000),
        Scale("london", 1_000_000, 10_000_000),
        Scale("national", 5_000_000, 50_000_000),
    )
}

# Appointments run over the whole calendar dimension (vars calendar_*_date).
APPOINTMENTS_START = "2015-04-01"
APPOINTMENTS_DAYS = 2192  # 2015-04-01 to 2021-03-31
# Expected appointments per person in that window, measured on the generator
# (orders of 120-720 days, every 7, 14 or 21 days, some before the window).
APPOINTMENTS_PER_PERSON = 34.2
CASELOAD_PER_OFFICER = 40


def _u(row: str, seed: int, stream: int) -> str:
    """SQL for a uniform number in [0, 1) drawn from the row, the seed and a stream."""
    return f"(hash({row}, {seed}, {stream}) % 1000000) / 1000000.0"


def _int(row: str, seed: int, stream: int, low: int, high: int) -> str:
    """SQL for a whole number in [low, high]."""
    return f"({low} + cast(hash({row}, {seed}, {stream}) % {high - low + 1} as integer))"


def _buckets(codes: list[str], weights: list[float]) -> list[str]:
    counts = largest_remainder(BUCKETS, np.asarray(weights, dtype=float))
    return [code for code, count in zip(codes, counts, strict=True) for _ in range(int(count))]


def _choice(codes: list[str], weights: list[float], row: str, seed: int, stream: int) -> str:
    """SQL choosing one of ``codes`` with the given weights."""
    listed = ", ".join(f"'{code}'" for code in _buckets(codes, weights))
    return f"([{listed}])[1 + cast(hash({row}, {seed}, {stream}) % {BUCKETS} as integer)]"


def _weighted(weights: dict[str, int], row: str, seed: int, stream: int) -> str:
    """SQL choosing one key of ``weights`` with its weight."""
    return _choice(list(weights), list(weights.values()), row, seed, stream)


def _borough_weights(seed: int) -> list[float]:
    return list(np.random.default_rng(seed).gamma(4.0, 1.0, len(MET_BOROUGHS)))


def referrals_sql(rows: int, seed: int) -> str:
    """One row per synthetic referral in the programme window, as at the extract date."""
    start = str(RJ_PROGRAMME_START)
    window = int((RJ_PROGRAMME_END - RJ_PROGRAMME_START).astype(int)) + 1
    room = int((RJ_AS_AT - RJ_PROGRAMME_START).astype(int))
    width = max(5, len(str(rows)))
    boroughs = _choice(MET_BOROUGHS, _borough_weights(seed), "i", seed, 3)
    offences = _choice(OFFENCE_GROUPS, RJ_OFFENCE_WEIGHTS, "i", seed, 4)
    sources = _weighted(REFERRAL_SOURCES, "i", seed, 5)
    # Shares of the settled (closed) outcomes follow the bundled (published) counts.
    counts = rj_outcome_counts()
    closed = [row["outcome"] for row in referral_outcomes() if row["is_closed"] == "true"]
    settled = _choice(closed, [counts[outcome] for outcome in closed], "i", seed, 7)
    took_up = counts["took_up"]
    conference_share = rj_direct_conferences() / took_up
    indirect_share = (rj_direct_conferences() + RJ_INDIRECT_COMMUNICATION) / took_up

    def offset_date(offset: str, condition: str) -> str:
        return (
            f"case when {condition} then cast(date '{start}' + cast(referral_day + "
            f"floor({offset} * squeeze) as integer) as date) end"
        )

    return f"""
with
drawn as (
    select
        i,
        -- referrals grow over the programme: density rising linearly from 1 to 2
        cast(floor({window} * (sqrt(1 + 3 * {_u("i", seed, 1)}) - 1)) as integer) as referral_day,
        {_u("i", seed, 2)} as u_outcome,
        {_u("i", seed, 8)} as u_stage,
        {_u("i", seed, 9)} as u_extra
    from range(1, {rows} + 1) as t(i)
),
outcomes as (
    select
        *,
        case
            when u_outcome < 0.02 + case when referral_day > {window - 90} then 0.6 else 0 end
                then 'ongoing'
            else {settled}
        end as outcome
    from drawn
),
staged as (
    select
        *,
        outcome = 'took_up' and u_stage < {conference_share} as is_conference,
        outcome = 'took_up' and (
            (u_stage >= {conference_share} and u_stage < {indirect_share})
            or (u_stage < {conference_share} and u_extra < 0.5)
        ) as has_indirect,
        outcome in ('took_up', 'declined') or (outcome = 'ongoing' and u_extra < 0.6)
            as is_contacted
    from outcomes
),
offsets as (
    select
        *,
        {_int("i", seed, 10, 1, 28)} as contact,
        {_int("i", seed, 10, 1, 28)} + {_int("i", seed, 11, 0, 21)} as decision
    from staged
),
chained as (
    select
        *,
        decision + {_int("i", seed, 12, 7, 45)} as conversation
    from offsets
),
chained2 as (
    select
        *,
        conversation + case when has_indirect then {_int("i", seed, 13, 7, 42)} else 0 end
            as indirect
    from chained
),
chained3 as (
    select
        *,
        indirect + case when is_conference then {_int("i", seed, 14, 14, 60)} else 0 end
            as conference
    from chained2
),
closed as (
    select
        *,
        case outcome
            when 'took_up' then conference + {_int("i", seed, 15, 7, 30)}
            when 'declined' then decision + {_int("i", seed, 15, 0, 14)}
            when 'no_contact' then contact + {_int("i", seed, 16, 21, 56)}
            else contact
        end as closure
    from chained3
),
squeezed as (
    select
        *,
        least(1.0, ({room} - referral_day) / greatest(closure, 1)) as squeeze
    from closed
)
select
    'RJ' || lpad(cast(i as varchar), {width}, '0') as referral_id,
    'VIC-' || lpad(cast(hash(i, {seed}, 20) % 1000000000 as varchar), 9, '0') as victim_ref,
    case when {_u("i", seed, 21)} < 0.9
        then 'OFR-' || lpad(cast(hash(i, {seed}, 22) % 1000000000 as varchar), 9, '0')
    end as offender_ref,
    cast(date '{start}' + referral_day as date) as referral_date,
    {boroughs} as borough_code,
    {offences} as offence_group,
    {sources} as referral_source,
    {offset_date("contact", "is_contacted")} as first_contact_date,
    {offset_date("decision", "outcome in ('took_up', 'declined')")} as decision_date,
    outcome,
    {offset_date("conversation", "outcome = 'took_up'")} as conversation_date,
    {offset_date("indirect", "has_indirect")} as indirect_communication_date,
    {offset_date("conference", "is_conference")} as conference_date,
    {offset_date("closure", "outcome != 'ongoing'")} as closure_date,
    case outcome
        when 'took_up' then 'intervention_completed'
        when 'declined' then 'victim_declined'
        when 'no_contact' then 'unable_to_contact'
    end as closure_reason
from squeezed
"""


def appointments_sql(rows: int, seed: int) -> str:
    """Appointments of a synthetic caseload sized to give about ``rows`` appointments."""
    people = max(1, round(rows / APPOINTMENTS_PER_PERSON))
    officers = max(1, people // CASELOAD_PER_OFFICER)
    days = APPOINTMENTS_DAYS
    boroughs = _choice(MET_BOROUGHS, _borough_weights(seed + 1), "p", seed, 33)
    attended = _weighted(APPOINTMENT_ATTENDED, "p, seq", seed, 40)
    absent = _weighted(APPOINTMENT_NOT_ATTENDED, "p, seq", seed, 41)
    follow_up = _weighted(FOLLOW_UP_CONTACT_TYPES, "p, seq", seed, 42)
    interval = _choice(["7", "14", "21"], [35, 50, 15], "p", seed, 34)
    return f"""
with
people as (
    select
        p,
        -- a fifth were already under supervision when the window opened
        {_int("p", seed, 30, -360, days - 8)} as start_day,
        {_int("p", seed, 31, 120, 720)} as order_days,
        cast({interval} as integer) as interval_days,
        case when {_u("p", seed, 32)} < 0.8 then 'london_crc' else 'nps_london' end
            as provider_code,
        {boroughs} as borough_code,
        {_u("p", seed, 35)} < {PROBATION_NEVER_SEEN_SHARE} as is_never_seen,
        0.55 + 0.45 * {_u("p", seed, 36)} as attend_propensity
    from range(1, {people} + 1) as t(p)
),
appointments as (
    select
        *,
        unnest(range(cast(order_days / interval_days as integer) + 1)) as seq
    from people
),
dated as (
    select
        *,
        cast(start_day + seq * interval_days + {_int("p, seq", seed, 37, 0, 2)} as integer) as day
    from appointments
)
select
    'APT' || lpad(cast(p as varchar), 8, '0') || '-' || lpad(cast(seq as varchar), 3, '0')
        as appointment_id,
    'X' || lpad(cast(p as varchar), 8, '0') as case_reference,
    provider_code,
    case when provider_code = 'london_crc' then 'CRC' else 'NPS' end
        || '-OM' || lpad(cast(1 + p % {officers} as varchar), 5, '0') as officer_id,
    borough_code,
    case when seq = 0 then 'initial_appointment' else {follow_up} end as contact_type,
    cast(date '{APPOINTMENTS_START}' + day as date) as appointment_date,
    case
        when not is_never_seen and {_u("p, seq", seed, 38)} < attend_propensity then {attended}
        else {absent}
    end as outcome_code,
    -- recorded within two days; one in a hundred corrected up to eight weeks later
    cast(date '{APPOINTMENTS_START}' + day as timestamp)
        + to_seconds({_int("p, seq", seed, 39, 3600, 172799)})
        + case when {_u("p, seq", seed, 43)} < 0.01
            then to_days({_int("p, seq", seed, 44, 3, 56)}) else interval 0 day end
        as record_updated_at
from dated
where day between 0 and {days - 1}
"""


@dataclass(frozen=True)
class WrittenExtract:
    table: str
    path: Path
    rows: int


def write_extracts(
    out_dir: Path, scale: str, file_format: str = "parquet", seed: int = DEFAULT_SEED
) -> list[WrittenExtract]:
    """Write the four contract tables for ``scale`` into ``out_dir``."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: one of {', '.join(SCALES)}")
    if file_format not in FORMATS:
        raise ValueError(f"unknown format {file_format!r}: one of {', '.join(FORMATS)}")
    size = SCALES[scale]
    out_dir.mkdir(parents=True, exist_ok=True)
    bundled = build_all(seed)
    options = "format parquet, compression zstd" if file_format == "parquet" else "header true"
    written = []
    with duckdb.connect() as connection:
        connection.execute("set preserve_insertion_order = true")
        connection.execute("set enable_progress_bar = false")
        connection.register("budget_lines", bundled["programme_budget_lines"])
        connection.register("reoffending_costs", bundled["reoffending_costs"])
        queries = {
            "rj_referrals": referrals_sql(size.referrals, seed),
            "programme_budget_lines": "select * from budget_lines",
            "reoffending_costs": "select * from reoffending_costs",
            "probation_appointments": appointments_sql(size.appointments, seed),
        }
        for other in FORMATS:
            for table in queries:
                (out_dir / f"{table}.{other}").unlink(missing_ok=True)
        for table, query in queries.items():
            path = out_dir / f"{table}.{file_format}"
            connection.execute(f"copy ({query}) to '{path}' ({options})")
            rows = connection.execute(
                f"select count(*) from read_{file_format}('{path}')"
            ).fetchall()[0][0]
            written.append(WrittenExtract(table, path, rows))
    return written
