"""The expectation suites: one readable definition from which the GX file context is written.

Every published number comes from the ``published_figures`` seed (table
``main.published_figures``), never from literals here, so a corrected figure is changed in
one place. Vocabularies come from the reference seeds. Checks that need an aggregate read a
one-row query asset, so DuckDB does the work and GX only sees one summary row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import great_expectations.expectations as gxe

from justice_warehouse.reference import Figure, Reference

REFERRAL_OUTCOMES = ["took_up", "declined", "no_contact", "ongoing"]
REFERRAL_FIGURE_MEASURES = {
    # check_measure in published_figures -> column of the published-period aggregate
    "rj_referrals": "referrals",
    "rj_took_up": "took_up",
    "rj_declined": "declined",
    "rj_no_contact": "no_contact",
    "rj_ongoing": "ongoing",
    "rj_direct_conferences": "direct_conferences",
}
# Upper bound on the share of supervised people never seen at any appointment. No published
# rate exists (HMIP only says "some offenders never even meet their probation officer");
# above this the data more likely lost attendance records than people.
MAX_NEVER_SEEN_SHARE = 0.15
# Published components of programme budgets that budget lines carry as source_figure_id.
BUDGET_COMPONENT_FIGURES = [
    "pcd26_moj_victims_grant",
    "pcd26_mopac_funding",
    "vru_recurring",
    "vru_one_off",
]


@dataclass
class SuiteSpec:
    """One suite, validated against one query asset (a batch)."""

    name: str
    checkpoint: str
    asset_query: str
    expectations: list[Any] = field(default_factory=list)


def _sum_equals(column: str, figure: Figure) -> gxe.ExpectColumnSumToBeBetween:
    low, high = figure.bounds()
    return gxe.ExpectColumnSumToBeBetween(
        column=column, min_value=low, max_value=high, description=figure.label()
    )


def _no_rows(query: str, description: str) -> gxe.UnexpectedRowsExpectation:
    return gxe.UnexpectedRowsExpectation(unexpected_rows_query=query, description=description)


def referral_suites(reference: Reference) -> list[SuiteSpec]:
    figures = [
        figure
        for figure in reference.figures.values()
        if figure.check_measure in REFERRAL_FIGURE_MEASURES
    ]
    window = next(f for f in figures if f.check_measure == "rj_referrals")
    rows = SuiteSpec(
        name="referrals",
        checkpoint="referrals",
        asset_query="select * from marts.fct_rj_referrals",
        expectations=[
            gxe.ExpectColumnValuesToNotBeNull(column="referral_id"),
            gxe.ExpectColumnValuesToBeUnique(column="referral_id"),
            gxe.ExpectColumnValuesToNotBeNull(column="outcome"),
            gxe.ExpectColumnValuesToBeInSet(column="outcome", value_set=REFERRAL_OUTCOMES),
            gxe.ExpectColumnValuesToBeInSet(column="borough_code", value_set=reference.boroughs),
            _no_rows(
                "select count(*) as referrals_outside_window from {batch} "
                f"where referral_date < date '{window.period_start}' "
                f"or referral_date > date '{window.period_end}' having count(*) > 0",
                f"referral dates inside the programme window {window.period_start}"
                f" to {window.period_end}",
            ),
            _no_rows(
                "select count(*) as referrals_out_of_order from {batch} "
                "where first_contact_date < referral_date "
                "or decision_date < coalesce(first_contact_date, referral_date) "
                "or closure_date < coalesce(decision_date, first_contact_date, referral_date) "
                "having count(*) > 0",
                "dates in order: referral <= first contact <= decision <= closure",
            ),
            _no_rows(
                "select count(*) as referrals, "
                + " + ".join(
                    f"sum(case when outcome = '{o}' then 1 else 0 end)" for o in REFERRAL_OUTCOMES
                )
                + " as outcome_total from {batch} having count(*) != "
                + " + ".join(
                    f"sum(case when outcome = '{o}' then 1 else 0 end)" for o in REFERRAL_OUTCOMES
                ),
                "outcome counts (took_up + declined + no_contact + ongoing) add up to referrals",
            ),
        ],
    )
    aggregate_columns = ",\n".join(
        [f"count(*) as {REFERRAL_FIGURE_MEASURES['rj_referrals']}"]
        + [
            f"sum(case when outcome = '{outcome}' then 1 else 0 end) as {outcome}"
            for outcome in REFERRAL_OUTCOMES
        ]
        + ["sum(case when is_direct_conference then 1 else 0 end) as direct_conferences"]
    )
    published = SuiteSpec(
        name="referrals_published_period",
        checkpoint="referrals",
        asset_query=(
            f"select {aggregate_columns} from marts.fct_rj_referrals "
            f"where referral_date between date '{window.period_start}' "
            f"and date '{window.period_end}'"
        ),
        expectations=[gxe.ExpectTableRowCountToEqual(value=1)]
        + [
            _sum_equals(REFERRAL_FIGURE_MEASURES[figure.check_measure], figure)
            for figure in sorted(figures, key=lambda f: f.figure_id)
        ],
    )
    # The published counts describe the bundled data only (see Reference).
    return [rows, published] if reference.published_figures_apply else [rows]


def budget_suites(reference: Reference) -> list[SuiteSpec]:
    lines = SuiteSpec(
        name="budgets",
        checkpoint="budgets",
        asset_query="select * from marts.fct_programme_budget_lines",
        expectations=[
            gxe.ExpectColumnValuesToBeUnique(column="budget_line_id"),
            gxe.ExpectColumnValuesToNotBeNull(column="amount_gbp"),
            gxe.ExpectColumnMinToBeBetween(
                column="amount_gbp", min_value=0, description="no negative amounts"
            ),
            gxe.ExpectColumnValuesToBeInSet(column="funder_code", value_set=reference.funders),
            gxe.ExpectColumnValuesToBeInSet(
                column="financial_year", value_set=reference.financial_years
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="line_type", value_set=["budget", "spend", "reference"]
            ),
        ],
    )
    # Programme totals, and every published component the budget lines are tagged with.
    totals: list[tuple[str, str, Figure]] = []
    for programme, figure_id in sorted(reference.programme_totals.items()):
        totals.append(
            (
                f"{programme}_total_gbp",
                f"programme_code = '{programme}'",
                reference.figures[figure_id],
            )
        )
    for figure_id in BUDGET_COMPONENT_FIGURES:
        if figure_id in reference.figures:
            totals.append(
                (
                    f"{figure_id}_gbp",
                    f"source_figure_id = '{figure_id}'",
                    reference.figures[figure_id],
                )
            )
    columns = ",\n".join(
        f"sum(case when line_type = 'budget' and {condition} then amount_gbp else 0 end) as {name}"
        for name, condition, _ in totals
    )
    programme_totals = SuiteSpec(
        name="budgets_programme_totals",
        checkpoint="budgets",
        asset_query=f"select {columns} from marts.fct_programme_budget_lines",
        expectations=[gxe.ExpectTableRowCountToEqual(value=1)]
        + [_sum_equals(name, figure) for name, _, figure in totals],
    )
    return [lines, programme_totals]


def reoffending_suites(reference: Reference) -> list[SuiteSpec]:
    lines = SuiteSpec(
        name="reoffending_costs",
        checkpoint="reoffending_costs",
        asset_query="select * from marts.fct_reoffending_costs",
        expectations=[
            gxe.ExpectColumnValuesToBeUnique(column="cost_line_id"),
            gxe.ExpectColumnMinToBeBetween(
                column="cost_gbp", min_value=0, description="no negative costs"
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="cost_category_code", value_set=[*reference.cost_categories, "all"]
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="cost_stage", value_set=[*reference.cost_stages, "all"]
            ),
            gxe.ExpectColumnValuesToBeInSet(column="basis", value_set=["modelled", "published"]),
        ],
    )
    london = reference.figures["reoffending_cost_london"]
    national = reference.figures["reoffending_cost_england_and_wales"]
    totals = SuiteSpec(
        name="reoffending_published_totals",
        checkpoint="reoffending_costs",
        asset_query=(
            "select sum(case when geography = 'london' then cost_gbp else 0 end) as london_gbp, "
            "sum(case when geography = 'england_and_wales' and offence_group_code = 'all' "
            "and offender_age_group = 'all' and index_disposal = 'all' then cost_gbp else 0 end) "
            "as england_and_wales_gbp from marts.fct_reoffending_costs"
        ),
        expectations=[
            gxe.ExpectTableRowCountToEqual(value=1),
            _sum_equals("london_gbp", london),
            _sum_equals("england_and_wales_gbp", national),
        ],
    )
    return [lines, totals]


def probation_suites(reference: Reference) -> list[SuiteSpec]:
    appointments = SuiteSpec(
        name="probation_appointments",
        checkpoint="probation_appointments",
        asset_query="select * from marts.fct_probation_appointments",
        expectations=[
            gxe.ExpectColumnValuesToNotBeNull(column="appointment_id"),
            gxe.ExpectColumnValuesToBeUnique(column="appointment_id"),
            gxe.ExpectColumnValuesToNotBeNull(column="person_pseudo_id"),
            gxe.ExpectColumnValuesToBeInSet(
                column="outcome_code", value_set=reference.outcome_codes
            ),
            _no_rows(
                "select count(*) as appointments_with_inconsistent_flags from {batch} as a "
                "inner join main.appointment_outcome_codes as c on a.outcome_code = c.outcome_code "
                "where a.is_attended != c.is_attended "
                "or a.is_complied_or_acceptable != c.is_complied_or_acceptable "
                "having count(*) > 0",
                "attended and complied flags agree with the outcome code",
            ),
            _no_rows(
                "select count(*) as cells_that_do_not_match_people from ("
                "select appointment_month_date, provider_code, borough_code, "
                "count(distinct person_pseudo_id) as people from {batch} group by 1, 2, 3"
                ") as cells full outer join reporting.probation_engagement_monthly as r "
                "using (appointment_month_date, provider_code, borough_code) "
                "where r.borough_code is null or cells.people is null "
                "or (not r.is_people_supervised_suppressed "
                "and cells.people != r.people_supervised) "
                "having count(*) > 0",
                "people counted in reporting.probation_engagement_monthly exist in the "
                "appointments, cell by cell (suppressed cells excepted)",
            ),
        ],
    )
    never_seen = SuiteSpec(
        name="probation_never_seen",
        checkpoint="probation_appointments",
        asset_query=(
            "select cast(sum(case when attended = 0 then 1 else 0 end) as double) "
            "/ nullif(count(*), 0) as never_seen_share from ("
            "select person_pseudo_id, sum(case when is_attended then 1 else 0 end) as attended "
            "from marts.fct_probation_appointments group by person_pseudo_id) as people"
        ),
        expectations=[
            gxe.ExpectTableRowCountToEqual(value=1),
            gxe.ExpectColumnValuesToNotBeNull(column="never_seen_share"),
            gxe.ExpectColumnMaxToBeBetween(
                column="never_seen_share",
                min_value=0,
                max_value=MAX_NEVER_SEEN_SHARE,
                description=f"share of people never seen is between 0 and {MAX_NEVER_SEEN_SHARE}",
            ),
        ],
    )
    return [appointments, never_seen]


def published_figure_suites(reference: Reference) -> list[SuiteSpec]:
    accepted = ["match"] if reference.published_figures_apply else ["match", "not_applicable"]
    statuses = ["mismatch", "not_computed", *accepted]
    return [
        SuiteSpec(
            name="published_figures",
            checkpoint="published_figures",
            asset_query="select * from reporting.published_figure_checks",
            expectations=[
                gxe.ExpectTableRowCountToEqual(
                    value=len(reference.figures),
                    description="one row per figure in the published_figures seed",
                ),
                gxe.ExpectColumnValuesToBeUnique(column="figure_id"),
                gxe.ExpectColumnValuesToBeInSet(column="status", value_set=statuses),
                _no_rows(
                    "select figure_id, published_value, computed_value, tolerance, status "
                    "from {batch} where check_measure is not null "
                    f"and status not in ({', '.join(repr(s) for s in accepted)})",
                    "every published figure the warehouse can compute is a "
                    + " or ".join(accepted),
                ),
            ],
        )
    ]


def all_suites(reference: Reference) -> list[SuiteSpec]:
    return [
        *referral_suites(reference),
        *budget_suites(reference),
        *reoffending_suites(reference),
        *probation_suites(reference),
        *published_figure_suites(reference),
    ]
