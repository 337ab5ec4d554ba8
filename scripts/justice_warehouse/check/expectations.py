"""An unexpected-rows expectation whose query runs once.

GX 1.24's ``UnexpectedRowsExpectation`` resolves two metrics from the same query: the rows
(``unexpected_rows_query.table``, at most ``MAX_RESULT_RECORDS`` of them) and their count
(``unexpected_rows_query.row_count``, ``select count(*)`` around it). So every check runs its
query twice: at `national` the people-per-cell recount took 4.3 s, twice. This subclass
depends on the rows alone and counts them. Whether the check passes (no row) is exact; a
count that reaches the cap of rows fetched is reported as that many or more.
"""

from __future__ import annotations

from typing import Any, ClassVar

import great_expectations.expectations as gxe
from great_expectations.constants import MAX_RESULT_RECORDS
from great_expectations.core.result_format import ResultFormat
from great_expectations.execution_engine import ExecutionEngine

ROWS_METRIC = "unexpected_rows_query.table"


def counted(rows: list[Any]) -> int | str:
    """The number of unexpected rows, or "N or more" when GX fetched its cap of N."""
    return len(rows) if len(rows) < MAX_RESULT_RECORDS else f"{MAX_RESULT_RECORDS} or more"


class NoUnexpectedRows(gxe.UnexpectedRowsExpectation):
    """No row from ``unexpected_rows_query``: GX's expectation, its query run once."""

    metric_dependencies: ClassVar[tuple[str, ...]] = (ROWS_METRIC,)

    def _validate(
        self,
        metrics: dict,
        runtime_configuration: dict | None = None,
        execution_engine: ExecutionEngine | None = None,
    ) -> dict[str, Any]:
        rows = metrics[ROWS_METRIC]
        success = not rows
        result_format = self._get_result_format(runtime_configuration=runtime_configuration)
        if isinstance(result_format, dict):
            result_format = result_format.get("result_format", ResultFormat.SUMMARY)
        if result_format == ResultFormat.BOOLEAN_ONLY:
            return {"success": success}
        result: dict[str, Any] = {"observed_value": counted(rows)}
        if result_format == ResultFormat.COMPLETE:
            result["details"] = {"unexpected_rows": rows}
        return {"success": success, "result": result}
