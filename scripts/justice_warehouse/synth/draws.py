"""Shared helpers of the generators: the boroughs and offence groups drawn from, weights,
ISO dates, and whole numbers that add up to a total exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

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


def shares_of(values: list[float] | np.ndarray) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    return array / array.sum()


def iso_dates(days: np.ndarray, origin: np.datetime64, mask: np.ndarray | None = None) -> pd.Series:
    """Days since ``origin`` as ISO dates; where ``mask`` is False the date is empty."""
    values = pd.Series((origin + days.astype("timedelta64[D]")).astype("datetime64[D]").astype(str))
    if mask is not None:
        values = values.where(mask, "")
    return values


def largest_remainder(total: int, shares: np.ndarray) -> np.ndarray:
    """Whole units proportional to ``shares`` that add up to ``total`` exactly."""
    exact = shares / shares.sum() * total
    floors = np.floor(exact).astype(np.int64)
    short = total - int(floors.sum())
    order = np.argsort(-(exact - floors), kind="stable")
    floors[order[:short]] += 1
    return floors
