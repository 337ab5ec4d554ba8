"""SYNTHETIC probation appointments: a year of supervision of a synthetic caseload,
with some people never seen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from justice_warehouse.synth.draws import MET_BOROUGHS, iso_dates, shares_of

PROBATION_START = np.datetime64("2016-04-01")


PROBATION_END = np.datetime64("2017-03-31")


PROBATION_PEOPLE = 1200


PROBATION_NEVER_SEEN_SHARE = 0.04


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
        MET_BOROUGHS, size=people, p=shares_of(rng.gamma(4.0, 1.0, len(MET_BOROUGHS)))
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
        p=shares_of(list(APPOINTMENT_ATTENDED.values())),
    )
    absent_codes = rng.choice(
        list(APPOINTMENT_NOT_ATTENDED),
        size=len(person),
        p=shares_of(list(APPOINTMENT_NOT_ATTENDED.values())),
    )
    contact_type = np.where(
        sequence == 0,
        "initial_appointment",
        rng.choice(
            list(FOLLOW_UP_CONTACT_TYPES),
            size=len(person),
            p=shares_of(list(FOLLOW_UP_CONTACT_TYPES.values())),
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
            "appointment_date": iso_dates(day, PROBATION_START),
            "outcome_code": np.where(attended, attended_codes, absent_codes),
            "record_updated_at": pd.Series(updated_at.astype(str)).str.replace("T", " "),
        }
    ).sort_values(["appointment_date", "case_reference"], kind="stable", ignore_index=True)
    frame.insert(0, "appointment_id", [f"APT{i:07d}" for i in range(1, len(frame) + 1)])
    return frame
