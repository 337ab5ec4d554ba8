"""SYNTHETIC programme budget lines and reoffending cost lines.

Budget lines and the England and Wales costs are the register's values as they stand
(check_kind ``copied``); London's cost lines are split so that London's total is the
published figure exactly (check_kind ``calibrated``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from justice_warehouse.synth.draws import OFFENCE_GROUPS, largest_remainder, shares_of
from justice_warehouse.synth.register import register

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
    category_shares = shares_of(list(COST_CATEGORIES.values()))
    figures = register()
    # in billions, so the shares are the same floating-point numbers as 9.3 / 18.1
    ew_total = float(figures["reoffending_cost_england_and_wales"]) / 1e9
    ew_theft = float(figures["reoffending_cost_england_and_wales_theft"]) / 1e9
    ew_violence = float(figures["reoffending_cost_england_and_wales_violence"]) / 1e9
    other_share = (ew_total - ew_theft - ew_violence) / ew_total
    offence_shares = shares_of(OTHER_OFFENCE_WEIGHTS) * other_share
    offence_shares[OFFENCE_GROUPS.index("theft_offences")] = ew_theft / ew_total
    offence_shares[OFFENCE_GROUPS.index("violence_against_the_person")] = ew_violence / ew_total
    cells = np.outer(offence_shares, category_shares) * rng.uniform(0.8, 1.2, (12, 9))
    pounds = largest_remainder(int(figures["reoffending_cost_london"]), cells.ravel())
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
