"""The extract contract: the four row-level source tables the warehouse accepts.

This module is the single definition. ``docs/extract_contract.md`` is rendered from it
(``justice-warehouse contract-doc``) and a test fails when the page and the code differ;
another test checks that the bundled synthetic seeds declare the same column types.
"""

from __future__ import annotations

from justice_warehouse.gate.contract.model import Column, RowRule, Table

# The intervention stages of a referral: dated only after a take-up.
STAGE_DATES = ("conversation_date", "indirect_communication_date", "conference_date")


def _date(name: str, required: bool = False, description: str = "") -> Column:
    return Column(name, "date", required=required, description=description)


TABLES: tuple[Table, ...] = (
    Table(
        "rj_referrals",
        "One row per victim referral to the restorative-justice service.",
        (
            Column("referral_id", key=True, description="Referral key."),
            Column(
                "victim_ref",
                required=True,
                description="Victim reference (pseudonymised in staging).",
            ),
            Column("offender_ref", description="Offender reference, empty when unknown."),
            _date("referral_date", required=True, description="Date the referral was received."),
            Column(
                "borough_code",
                required=True,
                vocabulary="london_boroughs",
                case="upper",
                description="ONS borough code.",
            ),
            Column(
                "offence_group",
                required=True,
                vocabulary="offence_groups",
                case="lower",
                description="Offence group code.",
            ),
            Column(
                "referral_source",
                required=True,
                vocabulary="referral_sources",
                case="lower",
                description="Who referred the victim.",
            ),
            _date("first_contact_date", description="First contact with the victim."),
            _date("decision_date", description="Victim's decision."),
            Column(
                "outcome",
                required=True,
                vocabulary="referral_outcomes",
                case="lower",
                description="Victim's decision on the offer.",
            ),
            _date("conversation_date", description="First restorative conversation."),
            _date("indirect_communication_date", description="First indirect communication."),
            _date("conference_date", description="Direct face-to-face conference."),
            _date("closure_date", description="Case closure."),
            Column("closure_reason", description="Why the case closed."),
        ),
        (
            RowRule("first_contact_date", not_before=("referral_date",)),
            RowRule("decision_date", not_before=("referral_date", "first_contact_date")),
            RowRule("decision_date", only_when=("outcome", "is_decided")),
            *(
                rule
                for stage in STAGE_DATES
                for rule in (
                    RowRule(stage, not_before=("decision_date",)),
                    RowRule(stage, only_when=("outcome", "is_take_up")),
                )
            ),
            RowRule(
                "closure_date",
                not_before=("referral_date", "first_contact_date", "decision_date", *STAGE_DATES),
            ),
            RowRule("closure_date", only_when=("outcome", "is_closed")),
        ),
        no_reopening=("outcome", "is_closed"),
    ),
    Table(
        "programme_budget_lines",
        "Budget and reference lines by programme, funder and financial year.",
        (
            Column("budget_line_id", key=True, description="Budget line key."),
            Column(
                "programme_code",
                required=True,
                vocabulary="programmes",
                case="lower",
                description="Programme.",
            ),
            Column(
                "funder_code",
                required=True,
                vocabulary="funders",
                case="lower",
                description="Funder.",
            ),
            Column(
                "financial_year",
                required=True,
                pattern=r"[0-9]{4}-[0-9]{2}",
                pattern_hint="YYYY-YY",
                description="Financial year, YYYY-YY.",
            ),
            Column(
                "line_type",
                required=True,
                values=("budget", "spend", "reference"),
                case="lower",
                description="budget, spend or reference.",
            ),
            Column(
                "cost_nature",
                required=True,
                values=("grant", "recurring", "one_off", "unit_cost", "salary"),
                case="lower",
                description="Nature of the cost.",
            ),
            Column(
                "amount_gbp",
                "decimal(18,2)",
                required=True,
                non_negative=True,
                description="Amount in pounds.",
            ),
            Column(
                "basis",
                required=True,
                values=("published", "derived", "modelled"),
                case="lower",
                description="Where the amount comes from.",
            ),
            Column(
                "source_figure_id",
                vocabulary="published_figures",
                description="Published figure of origin.",
            ),
            Column("description", description="What the line is."),
        ),
    ),
    Table(
        "reoffending_costs",
        "Annual cost of reoffending by geography, cost category and offence group.",
        (
            Column("cost_line_id", key=True, description="Cost line key."),
            Column(
                "geography",
                required=True,
                values=("london", "england_and_wales"),
                case="lower",
                description="Area.",
            ),
            Column("cost_year", "integer", required=True, description="Year of the estimate."),
            Column(
                "basis",
                required=True,
                values=("modelled", "published"),
                case="lower",
                description="modelled or published.",
            ),
            Column(
                "offence_group",
                required=True,
                vocabulary="offence_groups",
                extra_values=("all",),
                case="lower",
                description="Offence group, or all.",
            ),
            Column(
                "cost_category",
                required=True,
                vocabulary="reoffending_cost_categories",
                extra_values=("all",),
                case="lower",
                description="Cost category, or all.",
            ),
            Column(
                "offender_age_group",
                required=True,
                values=("all", "adults"),
                case="lower",
                description="all or adults.",
            ),
            Column(
                "index_disposal",
                required=True,
                values=("all", "court_orders", "custody"),
                case="lower",
                description="all, court_orders or custody.",
            ),
            Column(
                "cost_gbp",
                "decimal(18,2)",
                required=True,
                non_negative=True,
                description="Annual cost in pounds.",
            ),
            Column(
                "source_figure_id",
                vocabulary="published_figures",
                description="Published figure of origin or calibration.",
            ),
        ),
    ),
    Table(
        "probation_appointments",
        "One row per probation appointment.",
        (
            Column("appointment_id", key=True, description="Appointment key."),
            Column(
                "case_reference",
                required=True,
                description="Case reference number (pseudonymised in staging).",
            ),
            Column(
                "provider_code",
                required=True,
                vocabulary="probation_providers",
                case="lower",
                description="Provider.",
            ),
            Column("officer_id", required=True, description="Responsible officer."),
            Column(
                "borough_code",
                required=True,
                vocabulary="london_boroughs",
                case="upper",
                description="ONS borough code.",
            ),
            Column(
                "contact_type",
                required=True,
                vocabulary="contact_types",
                case="lower",
                description="Kind of contact.",
            ),
            _date("appointment_date", required=True, description="Date of the appointment."),
            Column(
                "outcome_code",
                required=True,
                vocabulary="appointment_outcome_codes",
                case="upper",
                description="Appointment outcome code.",
            ),
            Column(
                "record_updated_at",
                "timestamp",
                required=True,
                description="When the source system last changed the record (UTC); a "
                "correction re-sends the appointment with a later time.",
            ),
        ),
        delivery="changes",
    ),
)


def table(name: str) -> Table:
    return next(t for t in TABLES if t.name == name)
