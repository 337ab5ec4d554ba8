"""The extract contract: the four row-level source tables the warehouse accepts.

This module is the single definition. ``docs/extract_contract.md`` is rendered from it
(``justice-warehouse contract-doc``) and a test fails when the page and the code differ;
another test checks that the bundled synthetic seeds declare the same column types.
"""

from __future__ import annotations

from dataclasses import dataclass

# Reference seeds that hold the vocabularies: name -> (seed file, code column).
VOCABULARY_SEEDS = {
    "london_boroughs": ("reference/london_boroughs.csv", "borough_code"),
    "offence_groups": ("reference/offence_groups.csv", "offence_group_code"),
    "referral_sources": ("reference/referral_sources.csv", "referral_source_code"),
    "appointment_outcome_codes": ("reference/appointment_outcome_codes.csv", "outcome_code"),
    "contact_types": ("reference/contact_types.csv", "contact_type_code"),
    "probation_providers": ("reference/probation_providers.csv", "provider_code"),
    "programmes": ("reference/programmes.csv", "programme_code"),
    "funders": ("reference/funders.csv", "funder_code"),
    "reoffending_cost_categories": (
        "reference/reoffending_cost_categories.csv",
        "cost_category_code",
    ),
    "published_figures": ("reference/published_figures.csv", "figure_id"),
}

TYPE_DESCRIPTIONS = {
    "varchar": "text",
    "date": "date, ISO 8601 YYYY-MM-DD",
    "integer": "whole number",
    "decimal(18,2)": "decimal number, pounds with at most 2 decimal places",
    "timestamp": "timestamp, ISO 8601 YYYY-MM-DD HH:MM:SS, UTC",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "varchar"
    required: bool = False
    key: bool = False  # the primary key: required and unique
    values: tuple[str, ...] = ()  # a fixed vocabulary
    vocabulary: str | None = None  # or a reference seed from VOCABULARY_SEEDS
    extra_values: tuple[str, ...] = ()  # accepted beside the reference vocabulary
    case: str | None = None  # 'upper' or 'lower': codes are compared after trim and this
    non_negative: bool = False
    pattern: str | None = None  # a regular expression the whole value must match
    pattern_hint: str = ""
    description: str = ""

    @property
    def is_required(self) -> bool:
        return self.required or self.key


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]

    @property
    def key(self) -> Column:
        return next(column for column in self.columns if column.key)

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


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
                values=("took_up", "declined", "no_contact", "ongoing"),
                case="lower",
                description="Victim's decision on the offer.",
            ),
            _date("conversation_date", description="First restorative conversation."),
            _date("indirect_communication_date", description="First indirect communication."),
            _date("conference_date", description="Direct face-to-face conference."),
            _date("closure_date", description="Case closure."),
            Column("closure_reason", description="Why the case closed."),
        ),
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
    ),
)


def table(name: str) -> Table:
    return next(t for t in TABLES if t.name == name)


def _rules(column: Column) -> str:
    rules = []
    if column.key:
        rules.append("primary key: required, unique")
    elif column.required:
        rules.append("required")
    if column.values:
        rules.append("one of " + ", ".join(f"`{v}`" for v in column.values))
    if column.vocabulary:
        seed, code = VOCABULARY_SEEDS[column.vocabulary]
        extra = "".join(f" or `{v}`" for v in column.extra_values)
        rules.append(f"a `{code}` of `seeds/{seed}`{extra}")
    if column.case:
        rules.append(f"compared trimmed, {column.case} case")
    if column.non_negative:
        rules.append("not negative")
    if column.pattern:
        rules.append(f"written {column.pattern_hint}")
    return "; ".join(rules) or "optional"


def render_markdown() -> str:
    """The extract contract as one Markdown page (docs/extract_contract.md)."""
    lines = [
        "# Extract contract",
        "",
        "<!-- Rendered from scripts/justice_warehouse/contract.py by "
        "`justice-warehouse contract-doc`; a test fails if they differ. -->",
        "",
        "`justice-warehouse build --extracts DIR` (or `make build EXTRACTS=DIR`) builds the "
        "warehouse from a folder holding these four tables, one file per table, named "
        "`<table>.csv` or `<table>.parquet`. Without `--extracts` the bundled synthetic seeds "
        "in `seeds/synthetic/` are used, through the same checks.",
        "",
        "## Files",
        "",
        "- CSV: UTF-8 (a UTF-8 byte-order mark is accepted), comma-delimited, a header row with "
        "exactly the column names below in this order, double quotes around values that hold "
        "commas, LF or CRLF line endings. An empty field is a missing value.",
        "- Parquet: the same column names; any column type whose text form passes the checks.",
        "- Every file must hold at least one data row.",
        "",
        "## What happens to bad input",
        "",
        "- Whole-file problems stop the build before dbt runs, naming the file (and the line "
        "where there is one): missing file, missing, extra or renamed column, wrong delimiter, "
        "wrong field count, not UTF-8, empty file.",
        "- Row problems (wrong type, impossible date, unknown code, negative money, missing "
        "required value, duplicate primary key) reject the row: it goes to "
        "`audit.rejected_rows` with file, line, column, reason and raw values, and the build "
        "reports `read = loaded + rejected` for every file.",
        "- The build fails instead when any rejection is in a primary-key column, or when more "
        "than 1% of a file's rows are rejected (`--max-rejected-share`). Line numbers count "
        "the header as line 1; for Parquet they are row numbers plus one.",
        "",
    ]
    for spec in TABLES:
        lines += [
            f"## `{spec.name}`",
            "",
            spec.description,
            "",
            "| column | type | rules | meaning |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| `{c.name}` | {TYPE_DESCRIPTIONS[c.type]} | {_rules(c)} | {c.description} |"
            for c in spec.columns
        ]
        lines.append("")
    return "\n".join(lines)
