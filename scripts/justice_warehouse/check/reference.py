"""The reference data the expectation suites are derived from, read from the warehouse.

Kept apart from ``suites`` so that reading it does not import Great Expectations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    # In a build that adds deliveries: per mart (schema.table), the condition selecting the
    # rows those deliveries changed, as the build's dbt run wrote it (audit.changed_rows,
    # macros/changed_rows.sql). Empty otherwise: every suite reads every row.
    changed_rows: dict[str, str] = field(default_factory=dict)


def read_reference(
    connection: duckdb.DuckDBPyConnection, changed_after: str | None = None
) -> Reference:
    """Read the published figures and vocabularies from the seed tables; with
    ``changed_after`` (a build that adds deliveries: the last delivery the published
    warehouse held), the changed-rows conditions the build's dbt run wrote for it."""

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
        changed_rows=read_changed_rows(connection, changed_after) if changed_after else {},
    )


def read_changed_rows(connection: duckdb.DuckDBPyConnection, changed_after: str) -> dict[str, str]:
    """Per mart, the condition on its rows that the deliveries after ``changed_after``
    changed: the rule the build's row-level dbt tests judged (macros/changed_rows.sql),
    written by that dbt run's on-run-end for this ``changed_after``. Empty when the table is
    missing or was written for another delivery: the suites then read whole tables, which
    judges more rows, never fewer."""
    try:
        rows = connection.execute(
            "select relation_name, changed_condition from audit.changed_rows "
            "where changed_after = ?",
            [changed_after],
        ).fetchall()
    except duckdb.CatalogException:
        return {}
    return {str(relation): str(condition) for relation, condition in rows}


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
