"""The published figures the synthetic seeds are built to, read from the register
(``seeds/reference/published_figures.csv``), and the generator's default seed.

Nothing here is random and nothing imports numpy: the command line reads the default seed
from here.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import cache
from pathlib import Path

from justice_warehouse.core import paths
from justice_warehouse.core.settings import Settings

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
