"""The reference data the expectation suites are derived from, read from the warehouse.

Kept apart from ``suites`` so that reading it does not import Great Expectations.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import duckdb


@dataclass(frozen=True)
class Figure:
    figure_id: str
    value: Decimal
    tolerance: Decimal
    period_start: str | None
    period_end: str | None
    wording: str
    check_kind: str


@dataclass(frozen=True)
class Reference:
    """What the suites are derived from, read from the warehouse before validation."""

    figures: dict[str, Figure]
    boroughs: list[str]
    funders: list[str]
    financial_years: list[str]
    cost_categories: list[str]
    cost_stages: list[str]
    outcome_codes: list[str]
    referral_outcomes: list[str]  # in display order
    check_kinds: list[str]
    # False when the build's data is not the data the figures describe (dbt var
    # published_figures_apply): published_figure_checks then holds not_applicable rows.
    published_figures_apply: bool = True


def read_reference(connection: duckdb.DuckDBPyConnection) -> Reference:
    """Read the published figures and vocabularies from the seed tables."""

    def column(sql: str) -> list[str]:
        return [str(value) for (value,) in connection.execute(sql).fetchall()]

    figures = {
        row[0]: Figure(
            figure_id=row[0],
            value=Decimal(row[1]),
            tolerance=Decimal(row[2]),
            period_start=str(row[3]) if row[3] else None,
            period_end=str(row[4]) if row[4] else None,
            wording=str(row[5]),
            check_kind=str(row[6]),
        )
        for row in connection.execute(
            "select figure_id, published_value, tolerance, period_start, period_end, "
            "coalesce(exact_wording, 'summary: ' || source_summary), check_kind "
            "from main.published_figures order by figure_id"
        ).fetchall()
    }
    return Reference(
        figures=figures,
        boroughs=column("select borough_code from main.london_boroughs order by 1"),
        funders=column("select funder_code from main.funders order by 1"),
        financial_years=column("select distinct financial_year from marts.dim_date order by 1"),
        cost_categories=column(
            "select cost_category_code from main.reoffending_cost_categories order by 1"
        ),
        cost_stages=column(
            "select distinct cost_stage from main.reoffending_cost_categories order by 1"
        ),
        outcome_codes=column("select outcome_code from main.appointment_outcome_codes order by 1"),
        referral_outcomes=column(
            "select outcome from main.referral_outcomes order by display_order"
        ),
        check_kinds=column("select check_kind from main.check_kinds order by 1"),
        published_figures_apply=_published_figures_apply(connection),
    )


def _published_figures_apply(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether the build compared its data with the published figures (no not_applicable
    row). Without the table, True: the published_figures suite then reports it missing."""
    try:
        rows = connection.execute(
            "select count(*) from reporting.published_figure_checks where status = 'not_applicable'"
        ).fetchall()
    except duckdb.CatalogException:
        return True
    return rows[0][0] == 0
