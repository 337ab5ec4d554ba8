"""Vega-Lite specifications and cell formats for the dashboards (dashboards.py).

A page's chart names a category column, the value columns and optionally a series column;
the rows come from the page's SQL. Suppressed values (``is_<column>_suppressed``) are null
in the reporting tables: a chart draws them as a "[c]" marker at zero, never as a bar or a
point, so a hidden count never reads as 0 or as a gap.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

SUPPRESSED = "[c]"  # the Government Statistical Service's marker for a confidential cell
MISSING = "-"  # no value, and not because of suppression (for example a ratio with no base)
WIDTH = 640


def suppression_flag(column: str) -> str:
    return f"is_{column}_suppressed"


def is_suppressed(row: dict[str, Any], column: str) -> bool:
    return bool(row.get(suppression_flag(column)))


def json_value(value: Any) -> Any:
    """A value as the page's JSON holds it: dates as ISO text, decimals as floats."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def format_cell(value: Any, kind: str | None) -> str:
    """The text of a table cell (suppression is decided by the caller)."""
    if value is None:
        return MISSING
    if kind == "count":
        return f"{int(value):,}"
    if kind == "gbp":
        amount = float(value)
        return f"£{amount:,.0f}" if abs(amount) >= 1000 else f"£{amount:,.2f}"
    if kind == "decimal":
        number = float(value)
        return f"{number:,.0f}" if number.is_integer() else f"{number:,.2f}"
    if kind == "month" and isinstance(value, dt.date):
        return value.strftime("%b %Y")
    if kind == "date" and isinstance(value, dt.date):
        return value.isoformat()
    if kind == "yes_no":
        return "yes" if value else "no"
    return str(value)


def _label(column: str) -> str:
    return column.removesuffix("_gbp").replace("_", " ")


def long_rows(chart: dict[str, Any], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per row and value column: category, series, value, suppressed."""
    records = []
    for row in rows:
        for column in chart["values"]:
            series = row[chart["series"]] if "series" in chart else _label(column)
            records.append(
                {
                    "category": json_value(row[chart["category"]]),
                    "series": str(series),
                    "value": json_value(row[column]),
                    "suppressed": is_suppressed(row, column),
                }
            )
    return records


def _value_format(chart: dict[str, Any]) -> dict[str, str]:
    return {"format": "$,.0f"} if chart.get("format") == "gbp" else {"format": ",.0f"}


def vega_lite(chart: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The Vega-Lite spec of one chart, its data inlined."""
    records = long_rows(chart, rows)
    several = len({record["series"] for record in records}) > 1
    value_axis = {"field": "value", "type": "quantitative", "title": None, **_value_format(chart)}
    if chart["type"] == "line":
        position = {"field": "category", "type": "temporal", "title": None}
        encoding = {"x": position, "y": value_axis}
        marker_position = {"x": position, "y": {"datum": 0}}
        mark: dict[str, Any] = {"type": "line", "point": True}
    else:
        position = {"field": "category", "type": "nominal", "title": None, "sort": None}
        encoding = {"y": position, "x": value_axis}
        if several:
            encoding["yOffset"] = {"field": "series", "sort": None}
        marker_position = {"y": position, "x": {"datum": 0}}
        mark = {"type": "bar"}
    color = {"field": "series", "type": "nominal", "title": None, "sort": None}
    if several:
        encoding["color"] = color
    tooltip = [
        {"field": "category", "title": "", "type": "temporal" if chart["type"] == "line" else None},
        {"field": "series", "title": "series"},
        {"field": "value", "title": "value", **_value_format(chart)},
    ]
    encoding["tooltip"] = [{k: v for k, v in item.items() if v is not None} for item in tooltip]
    marker_encoding = {**marker_position, "text": {"value": SUPPRESSED}}
    if several:
        marker_encoding["color"] = color
    if chart["type"] != "line" and several:
        marker_encoding["yOffset"] = {"field": "series", "sort": None}
    layers: list[dict[str, Any]] = [
        {"transform": [{"filter": "!datum.suppressed"}], "mark": mark, "encoding": encoding}
    ]
    if any(record["suppressed"] for record in records):
        layers.append(
            {
                "transform": [{"filter": "datum.suppressed"}],
                "mark": {"type": "text", "align": "left", "dx": 3, "fontWeight": "bold"},
                "encoding": marker_encoding,
            }
        )
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "width": WIDTH,
        "data": {"values": records},
        "layer": layers,
    }
