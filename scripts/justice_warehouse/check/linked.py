"""The exact audit of suppressed tables: can any hidden cell be recovered from what is shown?

Statistical offices test linked tables this way (Statistics Norway's GaussSuppression,
sdcTable): write every published total as a sum of inner cells; a hidden cell is recoverable
exactly when its indicator vector lies in the span of those sums' rows restricted to the
hidden cells. Here each suppressing model's disclosure config (dbt's manifest) gives its sums:

* a linked group (``linked_groups``): within each partition, the total row equals the sum of
  the other member rows, every one of them in the table, in the group's columns (a
  borough's year adds up its months' appointments, not its distinct people);
* a column group (``group_by``, the whole table when empty): the column adds up to a total
  published elsewhere (a London figure), so the sum of its cells is known;
* an additive row group: in every row, ``total = sum(parts)``.

With the shown cells moved to the known side, each sum is a row over the hidden cells. The
hidden cells a null-space basis of those rows leaves at zero are determined by them. Each
connected set of hidden cells (linked by a shared sum) is solved on its own, so the work
grows with the hidden cells of one block, not of the table. The sums are equalities: bounds
(a count is never negative; funnel stages never grow) are not used, as the offices' exact
test does not use them.

Distinct-people counts at a coarser grain can be below the sum of their parts (a person in
two boroughs in a month counts once London-wide); the audit takes them as sums, which is
what a reader would do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    from justice_warehouse.check.disclosure import ReportingModels, SuppressedTable

_TOLERANCE = 1e-9

Cell = tuple[int, str]  # (row number, count column)


def _sums(
    connection: duckdb.DuckDBPyConnection, table: str, spec: SuppressedTable
) -> tuple[list[dict[str, object]], list[dict[Cell, float]]]:
    """The table's rows (suppression flags and group keys) and its sums, each as
    {cell: coefficient} over every cell it adds (hidden or shown)."""
    flags = [f"is_{column}_suppressed" for column in spec.counts]
    groups = [
        (
            group.partition,
            f"case when {group.members} then 1 else 0 end",
            f"case when {group.total} then 1 else 0 end",
            group.columns or spec.counts,
        )
        for group in spec.linked
    ] or [(spec.group_by, "1", "0", spec.counts)]
    keys = sorted({column for partition, _, _, _ in groups for column in partition})
    selected = [*flags, *keys]
    for index, (_, member, total, _) in enumerate(groups):
        selected += [f"{member} as member_{index}", f"{total} as total_{index}"]
    cursor = connection.execute(f'select {", ".join(selected)} from "{spec.schema}"."{table}"')
    names = [description[0] for description in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    sums: list[dict[Cell, float]] = []
    for index, (partition, _, _, columns) in enumerate(groups):
        members: dict[tuple, list[int]] = {}
        for number, row in enumerate(rows):
            if row[f"member_{index}"]:
                members.setdefault(tuple(row[key] for key in partition), []).append(number)
        for numbers in members.values():
            totals = [number for number in numbers if rows[number][f"total_{index}"]]
            for column in columns:
                # total - sum(parts) = 0; with no total row here, sum(parts) is published.
                sums.append(
                    {(number, column): (1.0 if number in totals else -1.0) for number in numbers}
                )
    for total, parts in spec.additive:
        for number in range(len(rows)):
            sum_row = {(number, part): -1.0 for part in parts}
            sum_row[(number, total)] = 1.0
            sums.append(sum_row)
    return rows, sums


def _blocks(hidden_sums: list[list[Cell]]) -> list[list[Cell]]:
    """The hidden cells in connected blocks: two cells are linked by a sum holding both."""
    parent: dict[Cell, Cell] = {}

    def root(cell: Cell) -> Cell:
        while parent.setdefault(cell, cell) != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    for cells in hidden_sums:
        for cell in cells[1:]:
            parent[root(cell)] = root(cells[0])
    blocks: dict[Cell, list[Cell]] = {}
    for cells in hidden_sums:
        for cell in cells:
            blocks.setdefault(root(cell), [])
    for cell in {cell for cells in hidden_sums for cell in cells}:
        blocks[root(cell)].append(cell)
    return list(blocks.values())


def recoverable_cells(
    connection: duckdb.DuckDBPyConnection, table: str, spec: SuppressedTable
) -> list[str]:
    """The hidden cells of ``table`` that its published sums determine exactly, each named
    by its group keys and column."""
    # numpy here, not at the top: `build` and `status` start without numpy or pandas
    # (cli/commands.py; tests/pytest/test_cli.py), and only this step of a build needs it.
    import numpy as np

    rows, sums = _sums(connection, table, spec)
    hidden = {
        (number, column)
        for number, row in enumerate(rows)
        for column in spec.counts
        if row[f"is_{column}_suppressed"]
    }
    restricted = [
        {cell: weight for cell, weight in sum_row.items() if cell in hidden} for sum_row in sums
    ]
    restricted = [sum_row for sum_row in restricted if sum_row]
    recoverable = []
    for block in _blocks([sorted(sum_row) for sum_row in restricted]):
        index = {cell: position for position, cell in enumerate(sorted(block))}
        block_sums = [sum_row for sum_row in restricted if next(iter(sum_row)) in index]
        matrix = np.zeros((len(block_sums), len(index)))
        for row_number, sum_row in enumerate(block_sums):
            for cell, weight in sum_row.items():
                matrix[row_number, index[cell]] = weight
        _, singular, right = np.linalg.svd(matrix)
        rank = int((singular > _TOLERANCE).sum())
        null_space = right[rank:]
        for cell, position in index.items():
            if not null_space.size or np.all(np.abs(null_space[:, position]) < _TOLERANCE):
                recoverable.append(cell)
    return [_name(rows[number], column) for number, column in sorted(recoverable)]


def _name(row: dict[str, object], column: str) -> str:
    keys = ", ".join(
        f"{key} {value}"
        for key, value in row.items()
        if not key.startswith(("is_", "member_", "total_"))
    )
    return f"{column} ({keys})" if keys else column


def recoverable_cell_problems(
    connection: duckdb.DuckDBPyConnection, models: ReportingModels
) -> list[str]:
    """One line per suppressing model with hidden cells its published sums give away."""
    problems = []
    for table, spec in models.suppressed.items():
        if spec.suppressed_in:
            continue
        cells = recoverable_cells(connection, table, spec)
        if cells:
            shown = "; ".join(cells[:3])
            problems.append(
                f"{spec.schema}.{table}: {len(cells)} hidden cell(s) can be recovered exactly "
                f"from the totals published beside them (e.g. {shown})"
            )
    return problems
