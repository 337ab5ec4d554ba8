"""The extract contract's vocabulary of types: a column, a rule across a row's columns, a table.

The tables themselves are in tables.py; their Markdown page is rendered by render.py.
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
