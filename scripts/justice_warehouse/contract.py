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
    "referral_outcomes": ("reference/referral_outcomes.csv", "outcome"),
    "programmes": ("reference/programmes.csv", "programme_code"),
    "funders": ("reference/funders.csv", "funder_code"),
    "reoffending_cost_categories": (
        "reference/reoffending_cost_categories.csv",
        "cost_category_code",
    ),
    "published_figures": ("reference/published_figures.csv", "figure_id"),
}

TYPE_DESCRIPTIONS = {
    "varchar": "text, no control characters (tab, LF and CR allowed)",
    "date": "date, ISO 8601 YYYY-MM-DD",
    "integer": "whole number, digits only",
    "decimal(18,2)": "decimal number, pounds with at most 2 decimal places",
    "timestamp": "timestamp, ISO 8601 YYYY-MM-DD HH:MM:SS[.ffffff], UTC, no offset",
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
class RowRule:
    """A rule across the columns of one row. A row that breaks it is rejected on ``column``,
    like a single-column rule, with the other value in the reason.

    ``not_before``: ``column`` (a date) may not precede any of these date columns, where
    both are present. ``only_when``: ``column`` may hold a value only when the code in the
    column ``only_when[0]`` has the flag ``only_when[1]`` true in that column's vocabulary
    seed (for example the outcome's ``is_take_up`` in ``referral_outcomes``).
    """

    column: str
    not_before: tuple[str, ...] = ()
    only_when: tuple[str, str] | None = None

    def describe(self) -> str:
        if self.not_before:
            return f"`{self.column}` is not before " + ", ".join(
                f"`{other}`" for other in self.not_before
            )
        assert self.only_when is not None
        when, flag = self.only_when
        return f"`{self.column}` is empty unless `{when}` has `{flag}` true in its vocabulary"


# How a delivery sends a table: every record each time, or only new and corrected ones.
DELIVERY_MODES = {
    "full": "every delivery holds every record; a record missing from a delivery is "
    "recorded in `audit.delivery_anomalies` and keeps its last delivered version",
    "changes": "a delivery holds the new and corrected records; a record not re-sent "
    "keeps its last delivered version",
}


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    row_rules: tuple[RowRule, ...] = ()
    delivery: str = "full"  # a key of DELIVERY_MODES
    # (column, flag): once a record's code in ``column`` has ``flag`` true in its vocabulary
    # seed, a later delivery may not send a code with the flag false (a closed referral is
    # never reopened). Such a row is rejected and the record keeps its last version.
    no_reopening: tuple[str, str] | None = None

    @property
    def key(self) -> Column:
        return next(column for column in self.columns if column.key)

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


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
    if column.type in ("date", "timestamp"):
        rules.append("not after the delivery date")
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
        "## Deliveries",
        "",
        "A delivery is one dated extract set. `--extracts DIR` is either one delivery (the "
        "files themselves, dated by `--delivery-date`, by default the build date; the bundled "
        "seeds are dated by the dbt var `bundled_delivery_date`) or a folder of deliveries, "
        "one sub-folder per delivery named by its date, `YYYY-MM-DD/`, each a complete "
        "extract set. A build loads the deliveries not yet loaded, oldest first; every "
        "source table keeps each version of each record, stamped with the delivery that "
        "sent it, so the warehouse can report as at any delivery.",
        "",
        "- A delivery already loaded with the same files is skipped: loading it again "
        "changes nothing. Loaded with other files, or dated before the last delivery "
        "loaded, it is refused, naming the folder, unless the build is run with `--replay` "
        "(every delivery of DIR loaded again, in date order, into an empty warehouse). A "
        "flat folder rebuilt on the same day with other files replaces that day's delivery.",
        "- A delivery dated after the build date is refused; no date in it may be after its "
        "delivery date.",
        "- A delivered row equal to the record's last version adds nothing; a new or changed "
        "row adds a version.",
        *(f"- `{mode}` tables: {meaning}." for mode, meaning in DELIVERY_MODES.items()),
        "- A row that reopens a closed record (see each table's rules) is rejected with the "
        "reason, recorded in `audit.delivery_anomalies`, and the record keeps its last "
        "version: a status never goes backwards silently.",
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
        "required value, duplicate primary key, a date after the delivery date, a row rule "
        "across columns such as dates out of order) reject the row: it goes to "
        "`audit.rejected_rows` with file, line, column, reason and raw values, and the build "
        "reports `read = loaded + rejected` for every file.",
        "- Nothing is changed on the way in. A value the column's type cannot hold exactly is "
        "rejected, not rounded or cut: a whole number with a fraction, a date with a time, "
        "money with more than 2 decimal places, a timestamp with a time-zone offset or more "
        "than 6 fractional digits, text with a control character. The only normalisations "
        "are exact and listed here: spaces around a typed value are dropped, an empty field "
        "is a missing value, and codes are compared trimmed in the case the rules say "
        "(staging then stores them so).",
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
            f"Delivered as `{spec.delivery}`: {DELIVERY_MODES[spec.delivery]}.",
            "",
            "| column | type | rules | meaning |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| `{c.name}` | {TYPE_DESCRIPTIONS[c.type]} | {_rules(c)} | {c.description} |"
            for c in spec.columns
        ]
        lines.append("")
        if spec.row_rules:
            lines += ["Rules across the columns of a row (a row that breaks one is rejected):", ""]
            lines += [f"- {rule.describe()}" for rule in spec.row_rules]
            lines.append("")
        if spec.no_reopening:
            column, flag = spec.no_reopening
            lines += [
                f"Across deliveries: once `{column}` has `{flag}` true in its vocabulary, a "
                f"later delivery may not send a `{column}` with `{flag}` false (the row is "
                "rejected and the record keeps its last version).",
                "",
            ]
    return "\n".join(lines)
