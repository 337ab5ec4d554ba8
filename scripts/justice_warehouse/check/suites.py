"""The expectation suites: one readable definition from which the GX file context is written.

No published figure's formula is written here: each is computed once in dbt
(``int_published__figure_measures``, a view, maps it to the model and column that own it).
The ``published_figures`` suite reads that view in the warehouse it validates, so each
figure is evaluated from that file's own models when it is checked, and it checks that
``reporting.published_figure_checks`` (the comparison BI reads) states those values. The
other suites check row-level rules of the marts (keys, vocabularies from the reference
seeds, date order, parts that add up to their whole) and reconcile each layer with the
one it is built from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import great_expectations.expectations as gxe

from justice_warehouse.check.expectations import NoUnexpectedRows
from justice_warehouse.check.reference import Reference

# The register figure whose period starts the programme's referrals (its window is the
# published period; referrals after it arrive in later deliveries).
REFERRAL_WINDOW_FIGURE = "rj_referrals_total"
# Upper bound on the share of supervised people never seen at any appointment. No published
# rate exists (HMIP only says "some offenders never even meet their probation officer");
# above this the data more likely lost attendance records than people.
MAX_NEVER_SEEN_SHARE = 0.15
# How many failing rows (key and value) a failed row-level expectation reports.
FAILING_ROWS_SHOWN = 5


@dataclass
class SuiteSpec:
    """One suite, validated against one query asset (a batch).

    ``row_key`` is the batch's pseudonymous key: a row-level expectation that fails reports
    its failing rows by that key and the failing value only (GX's ``SUMMARY`` format with
    ``unexpected_index_column_names``), never the rows' other columns. Custom-SQL checks
    return counts or published figures, never rows.
    """

    name: str
    checkpoint: str
    asset_query: str
    expectations: list[Any] = field(default_factory=list)
    row_key: str | None = None

    def result_format(self, keyed: bool = False) -> dict[str, Any]:
        """GX's result format for this suite's checkpoint run; ``keyed`` adds the row key
        (a scan per row-level expectation, so it is asked for only after one failed)."""
        result_format: dict[str, Any] = {
            "result_format": "SUMMARY",
            "partial_unexpected_count": FAILING_ROWS_SHOWN,
        }
        if keyed and self.row_key:
            result_format["unexpected_index_column_names"] = [self.row_key]
        return result_format


def _no_rows(query: str, description: str) -> NoUnexpectedRows:
    return NoUnexpectedRows(unexpected_rows_query=query, description=description)


def _unique(column: str, changed_rows: str | None = None) -> NoUnexpectedRows:
    """Each value of the key ``column`` once: one grouped query listing each duplicated key
    and its copies (GX's ExpectColumnValuesToBeUnique asks the same with a window count over
    every row, run twice). ``changed_rows``, a condition on the batch (in a build that adds
    deliveries: the rows they sent), limits the check to the keys of those rows, each
    counted over every row: a duplicate of a changed row is found wherever its other copy
    is, and two old rows cannot share a key the build did not write (the dbt `unique` test
    is limited the same way: macros/tests/get_where_subquery.sql)."""
    scope = ""
    if changed_rows:
        # No alias of {batch}: GX gives a query without a join its own ("AS subselect").
        scope = f" and {column} in (select {column} from {{batch}} where {changed_rows})"
    return _no_rows(
        f"select {column}, count(*) as copies from {{batch}} where {column} is not null{scope} "
        f"group by {column} having count(*) > 1 order by {column}",
        f"{column} is unique: no value in more than one row",
    )


# Per outcome, the referrals in the mart against the current version of each referral in
# the referral history the gate's rows became (int_restore__referral_history, one row per
# version by delivery): a referral lost, duplicated or moved to another outcome on the way
# to the mart shows as a row.
_OUTCOMES_RECONCILE = """
select coalesce(mart.outcome, loaded.outcome) as outcome,
    mart.referrals as mart_referrals, loaded.referrals as history_referrals
from (select outcome, count(*) as referrals from {batch} group by outcome) as mart
full outer join (
    select outcome, count(*) as referrals
    from intermediate.int_restore__referral_history
    where valid_to_date is null
    group by outcome
) as loaded
    on mart.outcome = loaded.outcome
where mart.referrals is distinct from loaded.referrals
order by 1
"""


# Per outcome, the reporting table BI reads against the mart it is built from (suppressed
# cells excepted): a count changed in reporting.rj_referral_outcomes shows as a row.
_OUTCOMES_REPORTED = """
select coalesce(reported.outcome, mart.outcome) as outcome,
    reported.referrals as reported_referrals, mart.referrals as mart_referrals
from reporting.rj_referral_outcomes as reported
full outer join (select outcome, count(*) as referrals from {batch} group by outcome) as mart
    on reported.outcome = mart.outcome
where reported.outcome is null
    or (not reported.is_referrals_suppressed
        and reported.referrals != coalesce(mart.referrals, 0))
order by 1
"""


def _batch(table: str, changed: str | None) -> str:
    """The query asset of a row-by-row suite: the changed rows, or every row."""
    return f"select * from {table}" + (f" where {changed}" if changed else "")


def _changed_rows(reference: Reference, table: str) -> str | None:
    """In a build that adds deliveries to a published warehouse, the condition selecting
    the rows of ``table`` those deliveries changed, as the build's row-level dbt tests read
    them (macros/changed_rows.sql; Reference.changed_rows); None otherwise."""
    return reference.changed_rows.get(table)


def referral_suites(reference: Reference) -> list[SuiteSpec]:
    """The referrals' batch as for ``probation_suites``."""
    window = reference.figures[REFERRAL_WINDOW_FIGURE]
    changed = _changed_rows(reference, "marts.fct_rj_referrals")
    rows = SuiteSpec(
        name="referrals",
        checkpoint="referrals",
        asset_query=_batch("marts.fct_rj_referrals", changed),
        row_key="referral_id",
        expectations=[
            gxe.ExpectColumnValuesToNotBeNull(column="referral_id"),
            gxe.ExpectColumnValuesToNotBeNull(column="outcome"),
            gxe.ExpectColumnValuesToBeInSet(
                column="outcome", value_set=reference.referral_outcomes
            ),
            gxe.ExpectColumnValuesToBeInSet(column="borough_code", value_set=reference.boroughs),
            _no_rows(
                "select count(*) as referrals_outside_window from {batch} "
                f"where referral_date < date '{window.period_start}' "
                "or referral_date > (select max(delivery_date) from marts.dim_delivery) "
                "having count(*) > 0",
                f"referral dates from the programme's start ({window.period_start}, the "
                "published window's first day) to the latest delivery",
            ),
            _no_rows(
                "select count(*) as referrals_out_of_order from {batch} "
                "where first_contact_date < referral_date "
                "or decision_date < coalesce(first_contact_date, referral_date) "
                "or closure_date < coalesce(decision_date, first_contact_date, referral_date) "
                "having count(*) > 0",
                "dates in order: referral <= first contact <= decision <= closure",
            ),
        ],
    )
    totals = SuiteSpec(
        name="referral_totals",
        checkpoint="referrals",
        asset_query="select * from marts.fct_rj_referrals",
        row_key="referral_id",
        expectations=[
            _unique("referral_id", changed),
            _no_rows(
                _OUTCOMES_RECONCILE,
                f"per outcome ({', '.join(reference.referral_outcomes)}), the mart's referrals "
                "equal the current versions in the referral history",
            ),
            _no_rows(
                _OUTCOMES_REPORTED,
                "per outcome, reporting.rj_referral_outcomes states the mart's referrals "
                "(suppressed cells excepted)",
            ),
        ],
    )
    return [rows, totals]


def budget_suites(reference: Reference) -> list[SuiteSpec]:
    lines = SuiteSpec(
        name="budgets",
        checkpoint="budgets",
        asset_query="select * from marts.fct_programme_budget_lines",
        row_key="budget_line_id",
        expectations=[
            _unique("budget_line_id"),
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
    return [lines]


def reoffending_suites(reference: Reference) -> list[SuiteSpec]:
    lines = SuiteSpec(
        name="reoffending_costs",
        checkpoint="reoffending_costs",
        asset_query="select * from marts.fct_reoffending_costs",
        row_key="cost_line_id",
        expectations=[
            _unique("cost_line_id"),
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
    return [lines]


def probation_suites(reference: Reference) -> list[SuiteSpec]:
    """In a build that adds deliveries (``reference.changed_rows``), the row-level rules
    judge the batch of rows those deliveries sent (the gate refuses a delivery older than the
    last one loaded, so every earlier row was judged when it was published and is as it
    was); the key is checked for those rows' keys, each counted over every row; the rest
    read the whole table. Otherwise (a full build, `justice-warehouse validate`) every
    suite reads every row."""
    changed = _changed_rows(reference, "marts.fct_probation_appointments")
    rows = SuiteSpec(
        name="probation_appointments",
        checkpoint="probation_appointments",
        asset_query=_batch("marts.fct_probation_appointments", changed),
        row_key="appointment_id",
        expectations=[
            gxe.ExpectColumnValuesToNotBeNull(column="appointment_id"),
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
        ],
    )
    whole = SuiteSpec(
        name="probation_appointment_totals",
        checkpoint="probation_appointments",
        asset_query="select * from marts.fct_probation_appointments",
        row_key="appointment_id",
        expectations=[
            _unique("appointment_id", changed),
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
            "select cast(sum(case when attended_appointments = 0 then 1 else 0 end) as double) "
            "/ nullif(count(*), 0) as never_seen_share from ("
            "select person_pseudo_id, "
            "sum(case when is_attended then 1 else 0 end) as attended_appointments "
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
    return [rows, whole, never_seen]


# Each figure as the warehouse being validated computes it now: the live view
# int_published__figure_measures beside the register (marts.dim_published_figure).
_FIGURES_NOW = (
    "select figures.figure_id, figures.published_value, figures.tolerance, "
    "figures.check_kind, measures.computed_value, measures.measure_model, "
    "measures.measure_column "
    "from marts.dim_published_figure as figures "
    "left join intermediate.int_published__figure_measures as measures "
    "on figures.figure_id = measures.figure_id"
)


def published_figure_suites(reference: Reference) -> list[SuiteSpec]:
    """Evaluates every computable figure in the warehouse being validated and checks that
    the comparison BI reads, reporting.published_figure_checks, states the same values."""
    accepted = ["match"] if reference.published_figures_apply else ["match", "not_applicable"]
    evaluated = []
    if reference.published_figures_apply:
        evaluated.append(
            _no_rows(
                f"select * from ({_FIGURES_NOW}) as now "
                "where check_kind in ('row_level', 'derived', 'calibrated') "
                "and (computed_value is null "
                "or abs(published_value - computed_value) > tolerance)",
                "every figure checked against row-level data or arithmetic, computed now "
                "from the validated warehouse's own models "
                "(intermediate.int_published__figure_measures), equals its published value "
                "within its tolerance",
            )
        )
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
                _unique("figure_id"),
                gxe.ExpectColumnValuesToBeInSet(
                    column="check_kind", value_set=reference.check_kinds
                ),
                _no_rows(
                    "select figure_id, check_kind, published_value, computed_value, status "
                    "from {batch} where check_kind in ('row_level', 'derived', 'calibrated') "
                    f"and status not in ({', '.join(repr(s) for s in accepted)})",
                    "every figure checked against row-level data or arithmetic is a "
                    + " or ".join(accepted),
                ),
                _no_rows(
                    "select figure_id, check_kind, published_value, computed_value, status "
                    "from {batch} where check_kind = 'copied' and status != 'no_evidence'",
                    "every figure copied from its own source reads no_evidence, never match",
                ),
                _no_rows(
                    "select checks.figure_id, checks.computed_value as stated_value, "
                    "now.computed_value as computed_now "
                    f"from {{batch}} as checks left join ({_FIGURES_NOW}) as now "
                    "on checks.figure_id = now.figure_id "
                    "where checks.computed_value is distinct from now.computed_value",
                    "the comparison table states each figure's value as the validated "
                    "warehouse computes it now",
                ),
                *evaluated,
            ],
        )
    ]


def all_suites(reference: Reference) -> list[SuiteSpec]:
    """Every suite, on the batches ``reference.changed_rows`` names (none: whole tables, as
    `justice-warehouse validate` checks a published warehouse)."""
    return [
        *referral_suites(reference),
        *budget_suites(reference),
        *reoffending_suites(reference),
        *probation_suites(reference),
        *published_figure_suites(reference),
    ]
