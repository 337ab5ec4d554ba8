"""Deterministic generator of the synthetic row-level seeds.

Every row written here is SYNTHETIC: made up by this script from a fixed random
seed. The rows are built so that the published figures of check_kind ``calibrated`` in
``seeds/reference/published_figures.csv`` come out exactly (the referral outcome counts,
the direct conferences and London's reoffending total); the figures are read from that
register, never written here. Budget lines and the England and Wales costs are the
register's values as they stand (check_kind ``copied``). Nothing here describes a real
person or case.

All generation is vectorised with numpy; the same seed gives byte-identical CSVs.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from justice_warehouse import paths
from justice_warehouse.settings import Settings

DEFAULT_SEED = 20190331

# The register figures the generator targets: exactly the figures of check_kind
# calibrated (a test holds the two together).
CALIBRATED_FIGURES = (
    "rj_referrals_total",
    "rj_took_up",
    "rj_declined",
    "rj_no_contact",
    "rj_ongoing",
    "rj_direct_meetings",
    "reoffending_cost_london",
)


def _reference_dir() -> Path:
    return paths.project_dir(Settings.from_env().project_dir) / "seeds" / "reference"


@cache
def register() -> dict[str, Decimal]:
    """figure_id -> published value, from the published-figures register."""
    path = _reference_dir() / "published_figures.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["figure_id"]: Decimal(row["published_value"]) for row in csv.DictReader(handle)}


@cache
def referral_outcomes() -> tuple[dict[str, str], ...]:
    """The referral outcome vocabulary (seed referral_outcomes), in display order."""
    path = _reference_dir() / "referral_outcomes.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(sorted(rows, key=lambda row: int(row["display_order"])))


def rj_outcome_counts() -> dict[str, int]:
    """Referrals per outcome: each outcome's published figure (referral_outcomes seed)."""
    counts = {
        row["outcome"]: int(register()[row["published_figure_id"]]) for row in referral_outcomes()
    }
    assert sum(counts.values()) == register()["rj_referrals_total"], "outcomes != referrals"
    return counts


def rj_direct_conferences() -> int:
    return int(register()["rj_direct_meetings"])


# Split of the other 231 take-ups between the two other stages: synthetic, not published.
RJ_INDIRECT_COMMUNICATION = 92
RJ_PROGRAMME_START = np.datetime64("2017-04-01")
RJ_PROGRAMME_END = np.datetime64("2019-01-31")
# The extract is taken as at this date; no event in it is later.
RJ_AS_AT = np.datetime64("2019-03-15")

PROBATION_START = np.datetime64("2016-04-01")
PROBATION_END = np.datetime64("2017-03-31")
PROBATION_PEOPLE = 1200
PROBATION_NEVER_SEEN_SHARE = 0.04


# The 32 boroughs of the Metropolitan Police area (E09000002-E09000033); the City
# of London (E09000001) has its own police force and takes no synthetic cases.
MET_BOROUGHS = [f"E090000{n:02d}" for n in range(2, 34)]
OFFENCE_GROUPS = [
    "violence_against_the_person",
    "sexual_offences",
    "robbery",
    "theft_offences",
    "criminal_damage_and_arson",
    "drug_offences",
    "possession_of_weapons",
    "public_order_offences",
    "miscellaneous_crimes_against_society",
    "fraud_offences",
    "summary_non_motoring",
    "summary_motoring",
]
# Synthetic weights: victims of violence, theft, robbery and criminal damage dominate.
RJ_OFFENCE_WEIGHTS = [30, 6, 14, 22, 10, 1, 2, 5, 1, 5, 3, 1]
REFERRAL_SOURCES = {
    "police": 55,
    "victim_services": 20,
    "self_referral": 8,
    "probation": 7,
    "prison": 4,
    "youth_offending_team": 3,
    "other": 3,
}
COST_CATEGORIES = {
    # category: synthetic share of the London total (modelled, not published)
    "defensive_expenditure": 3.0,
    "insurance_administration": 1.5,
    "property_stolen_or_damaged": 12.0,
    "physical_and_emotional_harm": 38.0,
    "lost_output": 9.0,
    "health_services": 3.5,
    "victim_services": 1.0,
    "police": 14.0,
    "criminal_justice_system": 18.0,
}
# Offence-group shares for the London model: theft and violence follow the England and
# Wales shares (the register's 9.3bn and 4.2bn of 18.1bn); the remainder is spread by
# synthetic weights.
OTHER_OFFENCE_WEIGHTS = [0, 6, 9, 0, 4, 5, 2, 3, 2, 3, 1, 1]
APPOINTMENT_ATTENDED = {"ATTC": 93, "AFTC": 5, "ATSH": 2}
APPOINTMENT_NOT_ATTENDED = {
    "AFTA": 30,
    "UAAB": 15,
    "AAME": 12,
    "AAEM": 8,
    "AACL": 5,
    "AAFC": 5,
    "AARE": 1,
    "AAAA": 4,
    "RSOF": 12,
    "RSSR": 8,
}
FOLLOW_UP_CONTACT_TYPES = {
    "planned_office_visit": 62,
    "planned_telephone_contact": 24,
    "home_visit": 10,
    "restorative_justice_attendance": 4,
}

ROW_LEVEL_SEEDS = (
    "rj_referrals",
    "programme_budget_lines",
    "reoffending_costs",
    "probation_appointments",
)


@dataclass(frozen=True)
class GeneratedSeed:
    name: str
    path: Path
    rows: int


def _weights(values: list[float] | np.ndarray) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    return array / array.sum()


def _dates(days: np.ndarray, origin: np.datetime64, mask: np.ndarray | None = None) -> pd.Series:
    """Days since ``origin`` as ISO dates; where ``mask`` is False the date is empty."""
    values = pd.Series((origin + days.astype("timedelta64[D]")).astype("datetime64[D]").astype(str))
    if mask is not None:
        values = values.where(mask, "")
    return values


def _largest_remainder(total: int, shares: np.ndarray) -> np.ndarray:
    """Whole units proportional to ``shares`` that add up to ``total`` exactly."""
    exact = shares / shares.sum() * total
    floors = np.floor(exact).astype(np.int64)
    short = total - int(floors.sum())
    order = np.argsort(-(exact - floors), kind="stable")
    floors[order[:short]] += 1
    return floors


def referrals(rng: np.random.Generator) -> pd.DataFrame:
    """One row per victim referral to Restore:London (synthetic)."""
    outcome_counts = rj_outcome_counts()
    open_outcomes = [row["outcome"] for row in referral_outcomes() if row["is_closed"] != "true"]
    closed_outcomes = [row["outcome"] for row in referral_outcomes() if row["is_closed"] == "true"]
    assert open_outcomes == ["ongoing"], "the generator models one open outcome"
    conferences = rj_direct_conferences()
    n = sum(outcome_counts.values())
    window_days = int((RJ_PROGRAMME_END - RJ_PROGRAMME_START).astype(int)) + 1
    # Referrals grow over the programme's life.
    day_weights = _weights(np.linspace(1.0, 2.0, window_days))
    referral_day = np.sort(rng.choice(window_days, size=n, p=day_weights))

    # Ongoing cases are mostly the late referrals; the rest are assigned at random.
    outcome = np.empty(n, dtype=object)
    late_weights = _weights((np.arange(n) + 1.0) ** 4)
    ongoing = rng.choice(n, size=outcome_counts["ongoing"], replace=False, p=late_weights)
    outcome[ongoing] = "ongoing"
    is_assigned = np.zeros(n, dtype=bool)
    is_assigned[ongoing] = True
    rest = rng.permutation(np.flatnonzero(~is_assigned))
    start = 0
    for name in closed_outcomes:
        outcome[rest[start : start + outcome_counts[name]]] = name
        start += outcome_counts[name]

    took_up = np.flatnonzero(outcome == "took_up")
    stage = np.full(n, "none", dtype=object)
    shuffled = rng.permutation(took_up)
    stage[shuffled] = "restorative_conversation"
    stage[shuffled[:conferences]] = "direct_conference"
    stage[shuffled[conferences : conferences + RJ_INDIRECT_COMMUNICATION]] = (
        "indirect_communication"
    )

    is_took_up = outcome == "took_up"
    is_declined = outcome == "declined"
    is_no_contact = outcome == "no_contact"
    is_ongoing = outcome == "ongoing"
    is_conference = stage == "direct_conference"
    has_indirect = (stage == "indirect_communication") | (is_conference & (rng.random(n) < 0.5))
    is_contacted = is_took_up | is_declined | (is_ongoing & (rng.random(n) < 0.6))
    is_decided = is_took_up | is_declined

    # Offsets in days from the referral, cumulative so that their order always holds.
    contact = rng.integers(1, 29, n)
    decision = contact + rng.integers(0, 22, n)
    conversation = decision + rng.integers(7, 46, n)
    indirect = conversation + np.where(has_indirect, rng.integers(7, 43, n), 0)
    conference = indirect + np.where(is_conference, rng.integers(14, 61, n), 0)
    last_event = np.select(
        [is_took_up, is_declined, is_no_contact],
        [conference, decision, contact + rng.integers(21, 57, n)],
        default=contact,
    )
    closure = last_event + np.where(is_took_up, rng.integers(7, 31, n), rng.integers(0, 15, n))
    # Squeeze each chain into the time left before the extract date, keeping its order.
    room = (RJ_AS_AT - RJ_PROGRAMME_START).astype(int) - referral_day
    scale = np.minimum(1.0, room / np.maximum(closure, 1))
    contact, decision, conversation, indirect, conference, closure = (
        np.floor(offset * scale).astype(np.int64)
        for offset in (contact, decision, conversation, indirect, conference, closure)
    )

    closure_reason = np.select(
        [is_took_up, is_declined, is_no_contact],
        ["intervention_completed", "victim_declined", "unable_to_contact"],
        default="",
    )
    boroughs = rng.choice(MET_BOROUGHS, size=n, p=_weights(rng.gamma(4.0, 1.0, len(MET_BOROUGHS))))
    has_offender_ref = rng.random(n) < 0.9
    base = RJ_PROGRAMME_START
    return pd.DataFrame(
        {
            "referral_id": [f"RJ{i:05d}" for i in range(1, n + 1)],
            "victim_ref": [
                f"VIC-{v:07d}" for v in rng.choice(9_000_000, n, replace=False) + 1_000_000
            ],
            "offender_ref": pd.Series(
                [f"OFR-{v:07d}" for v in rng.choice(9_000_000, n, replace=False) + 1_000_000]
            ).where(has_offender_ref, ""),
            "referral_date": _dates(referral_day, base),
            "borough_code": boroughs,
            "offence_group": rng.choice(OFFENCE_GROUPS, size=n, p=_weights(RJ_OFFENCE_WEIGHTS)),
            "referral_source": rng.choice(
                list(REFERRAL_SOURCES), size=n, p=_weights(list(REFERRAL_SOURCES.values()))
            ),
            "first_contact_date": _dates(referral_day + contact, base, is_contacted),
            "decision_date": _dates(referral_day + decision, base, is_decided),
            "outcome": outcome,
            "conversation_date": _dates(referral_day + conversation, base, is_took_up),
            "indirect_communication_date": _dates(referral_day + indirect, base, has_indirect),
            "conference_date": _dates(referral_day + conference, base, is_conference),
            "closure_date": _dates(referral_day + closure, base, ~is_ongoing),
            "closure_reason": closure_reason,
        }
    )


def budget_lines() -> pd.DataFrame:
    """Budget lines: PCD 26 for Restore, the VRU, and derived reference lines.

    The programme totals are published; their split across the two financial years
    is not, so the per-year lines are an even split and labelled ``modelled``.
    """
    figures = register()
    rows = []
    for funder, figure in (
        ("moj_victims_grant", "pcd26_moj_victims_grant"),
        ("mopac", "pcd26_mopac_funding"),
    ):
        total = int(figures[figure])
        for year in ("2017-18", "2018-19"):
            rows.append(
                (
                    "restore_london",
                    funder,
                    year,
                    "budget",
                    "grant",
                    total / 2,
                    "modelled",
                    figure,
                    f"PCD 26 grant from {funder}, "
                    "even split across FY2017-18 and FY2018-19 (split assumed)",
                )
            )
    rows += [
        (
            "restore_london",
            "not_stated",
            "2018-19",
            "reference",
            "unit_cost",
            round(int(figures["restore_cost"]) / int(figures["police_officers_claim"]), 2),
            "derived",
            "police_officer_unit_cost",
            "Reference only, not spend: police-officer unit cost implied by the claim that "
            "GBP 1.3m could have paid for 22 officers (1,300,000 / 22)",
        ),
        (
            "violence_reduction_unit",
            "not_stated",
            "2019-20",
            "budget",
            "recurring",
            int(figures["vru_recurring"]),
            "published",
            "vru_recurring",
            "VRU annual funding as reported elsewhere",
        ),
        (
            "violence_reduction_unit",
            "not_stated",
            "2019-20",
            "budget",
            "one_off",
            int(figures["vru_one_off"]),
            "published",
            "vru_one_off",
            "VRU one-off funding as reported elsewhere",
        ),
        (
            "violence_reduction_unit",
            "not_stated",
            "2019-20",
            "reference",
            "salary",
            int(figures["vru_director_salary"]),
            "published",
            "vru_director_salary",
            "Reference only: VRU director salary a year",
        ),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "programme_code",
            "funder_code",
            "financial_year",
            "line_type",
            "cost_nature",
            "amount_gbp",
            "basis",
            "source_figure_id",
            "description",
        ],
    )
    frame.insert(0, "budget_line_id", [f"BL{i:03d}" for i in range(1, len(frame) + 1)])
    frame["amount_gbp"] = frame["amount_gbp"].map(lambda value: f"{value:.2f}")
    return frame


def reoffending_costs(rng: np.random.Generator) -> pd.DataFrame:
    """London modelled split totalling 2.3bn, plus the published England and Wales figures."""
    category_shares = _weights(list(COST_CATEGORIES.values()))
    figures = register()
    # in billions, so the shares are the same floating-point numbers as 9.3 / 18.1
    ew_total = float(figures["reoffending_cost_england_and_wales"]) / 1e9
    ew_theft = float(figures["reoffending_cost_england_and_wales_theft"]) / 1e9
    ew_violence = float(figures["reoffending_cost_england_and_wales_violence"]) / 1e9
    other_share = (ew_total - ew_theft - ew_violence) / ew_total
    offence_shares = _weights(OTHER_OFFENCE_WEIGHTS) * other_share
    offence_shares[OFFENCE_GROUPS.index("theft_offences")] = ew_theft / ew_total
    offence_shares[OFFENCE_GROUPS.index("violence_against_the_person")] = ew_violence / ew_total
    cells = np.outer(offence_shares, category_shares) * rng.uniform(0.8, 1.2, (12, 9))
    pounds = _largest_remainder(int(figures["reoffending_cost_london"]), cells.ravel())
    london = pd.DataFrame(
        {
            "geography": "london",
            "cost_year": 2016,
            "basis": "modelled",
            "offence_group": np.repeat(OFFENCE_GROUPS, len(COST_CATEGORIES)),
            "cost_category": np.tile(list(COST_CATEGORIES), len(OFFENCE_GROUPS)),
            "offender_age_group": "all",
            "index_disposal": "all",
            "cost_gbp": pounds.astype(float),
            "source_figure_id": "reoffending_cost_london",
        }
    )
    published = pd.DataFrame(
        [
            (offence_group, age_group, disposal, float(figures[figure_id]), figure_id)
            for offence_group, age_group, disposal, figure_id in (
                ("all", "all", "all", "reoffending_cost_england_and_wales"),
                ("all", "adults", "all", "reoffending_cost_england_and_wales_adults"),
                ("theft_offences", "all", "all", "reoffending_cost_england_and_wales_theft"),
                (
                    "violence_against_the_person",
                    "all",
                    "all",
                    "reoffending_cost_england_and_wales_violence",
                ),
                ("all", "all", "court_orders", "reoffending_cost_england_and_wales_court_orders"),
                ("all", "all", "custody", "reoffending_cost_england_and_wales_custody"),
            )
        ],
        columns=[
            "offence_group",
            "offender_age_group",
            "index_disposal",
            "cost_gbp",
            "source_figure_id",
        ],
    )
    published = published.assign(
        geography="england_and_wales", cost_year=2016, basis="published", cost_category="all"
    )[london.columns]
    frame = pd.concat([london, published], ignore_index=True)
    frame.insert(0, "cost_line_id", [f"RC{i:04d}" for i in range(1, len(frame) + 1)])
    frame["cost_gbp"] = frame["cost_gbp"].map(lambda value: f"{value:.2f}")
    return frame


def appointments(rng: np.random.Generator) -> pd.DataFrame:
    """Appointment-level records for a synthetic London probation caseload."""
    people = PROBATION_PEOPLE
    year_days = int((PROBATION_END - PROBATION_START).astype(int)) + 1
    already_on = rng.random(people) < 0.4
    start = np.where(
        already_on, rng.integers(0, 14, people), rng.integers(0, year_days - 7, people)
    )
    end = np.minimum(start + rng.integers(120, 721, people), year_days - 1)
    interval = rng.choice([7, 14, 21], size=people, p=[0.35, 0.5, 0.15])
    counts = (end - start) // interval + 1

    provider = np.where(rng.random(people) < 0.8, "london_crc", "nps_london")
    officer_number = np.where(
        provider == "london_crc", rng.integers(1, 61, people), rng.integers(1, 21, people)
    )
    officer = [
        f"{'CRC' if p == 'london_crc' else 'NPS'}-OM{o:03d}"
        for p, o in zip(provider, officer_number, strict=True)
    ]
    borough = rng.choice(
        MET_BOROUGHS, size=people, p=_weights(rng.gamma(4.0, 1.0, len(MET_BOROUGHS)))
    )
    never_seen = rng.random(people) < PROBATION_NEVER_SEEN_SHARE
    attend_propensity = rng.beta(8.0, 2.0, people)
    case_reference = np.array(
        [f"X{v:06d}" for v in rng.choice(900_000, people, replace=False) + 100_000]
    )

    person = np.repeat(np.arange(people), counts)
    first_row = np.repeat(np.cumsum(counts) - counts, counts)
    sequence = np.arange(len(person)) - first_row
    day = start[person] + sequence * interval[person] + rng.integers(0, 3, len(person))
    day = np.minimum(day, year_days - 1)

    attended = (rng.random(len(person)) < attend_propensity[person]) & ~never_seen[person]
    attended_codes = rng.choice(
        list(APPOINTMENT_ATTENDED),
        size=len(person),
        p=_weights(list(APPOINTMENT_ATTENDED.values())),
    )
    absent_codes = rng.choice(
        list(APPOINTMENT_NOT_ATTENDED),
        size=len(person),
        p=_weights(list(APPOINTMENT_NOT_ATTENDED.values())),
    )
    contact_type = np.where(
        sequence == 0,
        "initial_appointment",
        rng.choice(
            list(FOLLOW_UP_CONTACT_TYPES),
            size=len(person),
            p=_weights(list(FOLLOW_UP_CONTACT_TYPES.values())),
        ),
    )
    # Recorded within two days of the appointment; one in a hundred corrected up to eight
    # weeks later (drawn last, so the columns above do not depend on it).
    recorded_seconds = rng.integers(3600, 172_800, len(person))
    corrected_days = np.where(rng.random(len(person)) < 0.01, rng.integers(3, 57, len(person)), 0)
    updated_at = (
        (PROBATION_START + day.astype("timedelta64[D]")).astype("datetime64[s]")
        + recorded_seconds.astype("timedelta64[s]")
        + (corrected_days * 86_400).astype("timedelta64[s]")
    )
    frame = pd.DataFrame(
        {
            "case_reference": case_reference[person],
            "provider_code": provider[person],
            "officer_id": np.asarray(officer)[person],
            "borough_code": borough[person],
            "contact_type": contact_type,
            "appointment_date": _dates(day, PROBATION_START),
            "outcome_code": np.where(attended, attended_codes, absent_codes),
            "record_updated_at": pd.Series(updated_at.astype(str)).str.replace("T", " "),
        }
    ).sort_values(["appointment_date", "case_reference"], kind="stable", ignore_index=True)
    frame.insert(0, "appointment_id", [f"APT{i:07d}" for i in range(1, len(frame) + 1)])
    return frame


def build_all(seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """All row-level seeds as data frames, each from its own stream of the one seed."""
    streams = np.random.SeedSequence(seed).spawn(3)
    return {
        "rj_referrals": referrals(np.random.default_rng(streams[0])),
        "programme_budget_lines": budget_lines(),
        "reoffending_costs": reoffending_costs(np.random.default_rng(streams[1])),
        "probation_appointments": appointments(np.random.default_rng(streams[2])),
    }


def write_seeds(out_dir: Path, seed: int = DEFAULT_SEED) -> list[GeneratedSeed]:
    """Write every row-level seed CSV (UTF-8, LF, header) into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in build_all(seed).items():
        path = out_dir / f"{name}.csv"
        frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        written.append(GeneratedSeed(name=name, path=path, rows=len(frame)))
    return written
