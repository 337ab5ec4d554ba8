"""The extract contract as one Markdown page, ``docs/extract_contract.md``."""

from __future__ import annotations

from justice_warehouse.gate.contract.model import (
    DELIVERY_MODES,
    TYPE_DESCRIPTIONS,
    VOCABULARY_SEEDS,
    Column,
)
from justice_warehouse.gate.contract.tables import TABLES


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
        "<!-- Rendered from scripts/justice_warehouse/gate/contract/tables.py by "
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
        "- Parquet: the same column names; any column type whose text form passes the checks. "
        "A timestamp stored as a UTC instant (`TIMESTAMP WITH TIME ZONE`, as Spark and "
        "time-zone-aware pandas write it) is read as its UTC time, whatever the machine's "
        "time zone.",
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


SOURCE_DOCS = "models/staging/_contract__docs.md"


def source_doc_name(table: str, column: str) -> str:
    """The dbt docs block that describes one contract column, for the sources' YAML."""
    return f"contract__{table}__{column}"


def render_source_docs() -> str:
    """The contract's column descriptions as dbt docs blocks (``SOURCE_DOCS``): the
    sources' YAML cites them, so each extract column is described once, here."""
    lines = [
        "{#- Rendered from scripts/justice_warehouse/gate/contract/tables.py by",
        "    `justice-warehouse contract-doc --dbt-docs " + SOURCE_DOCS + "`; a test fails",
        "    if they differ. The sources' YAML cites each block. -#}",
    ]
    for spec in TABLES:
        for column in spec.columns:
            text = f"{column.description} ({TYPE_DESCRIPTIONS[column.type]}; {_rules(column)})"
            lines += [
                "",
                "{% docs " + source_doc_name(spec.name, column.name) + " %}",
                text.replace("`", ""),
                "{% enddocs %}",
            ]
    return "\n".join(lines) + "\n"
