"""Disclosure control for the public tables that count people (students by area, quarter or
municipio).

What we chose, and why: **cell suppression**, not differential privacy. The published counts
are small (a few hundred students per quarter spread over 26 areas); the noise OpenDP's
mechanisms would need for a useful privacy budget across every table, quarter and refresh
would swamp most cells, and people reading an official table expect totals that add up. So:

1. Primary suppression: a count from 1 to ``THRESHOLD - 1`` is never published. Zeros are
   published: a true zero identifies nobody.
2. Secondary suppression: the table is published with its row and column totals, so a lone
   suppressed cell in a row or column could be recovered by subtraction, and so could cells
   whose values are pinned by a chain of totals. After the primary step we solve, for every
   suppressed cell, the smallest and largest value it can take given everything published
   (a linear programme over the table's additivity: scipy's ``linprog``, run once by
   ``flask observatory refresh``, which stores the published cells: ``published.py``);
   while any cells' ranges are a single value, we suppress the smallest published non-zero
   cell in a row (or column) of each as well, and check again.

The figures of labour demand (survey estimates of planned hires, already published by their
source) and of seats (course capacities) do not count people and are published as they are.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

THRESHOLD = 10


@dataclass(frozen=True)
class SafeTable:
    """A two-way table of counts with its totals; None marks a suppressed cell."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: dict[tuple[str, str], int | None]
    row_totals: dict[str, int | None]
    column_totals: dict[str, int | None]
    total: int | None

    @property
    def suppressed(self) -> int:
        """How many cells (totals included) are not published."""
        values = [*self.cells.values(), *self.row_totals.values(), *self.column_totals.values(),
                  self.total]
        return sum(1 for v in values if v is None)


def _primary(value: int) -> bool:
    return 0 < value < THRESHOLD


def _equations(rows: Sequence[str], columns: Sequence[str]
               ) -> tuple[list[tuple[object, ...]], list[list[tuple[object, ...]]]]:
    """The table's variables (cells and totals) and its additivity equations, each a list of
    variables whose first member equals the sum of the others."""
    keys: list[tuple[object, ...]] = [("c", r, c) for r in rows for c in columns]
    keys += [("r", r) for r in rows] + [("k", c) for c in columns] + [("t",)]
    equations: list[list[tuple[object, ...]]] = [
        [("r", r), *(("c", r, c) for c in columns)] for r in rows]
    equations += [[("k", c), *(("c", r, c) for r in rows)] for c in columns]
    equations.append([("t",), *(("r", r) for r in rows)])
    equations.append([("t",), *(("k", c) for c in columns)])
    return keys, equations


def ranges(values: Mapping[tuple[object, ...], int], hidden: set[tuple[object, ...]],
           equations: Sequence[Sequence[tuple[object, ...]]]
           ) -> dict[tuple[object, ...], tuple[float, float]]:
    """The smallest and largest value of each hidden variable consistent with the published
    ones and the equations (all values at least 0)."""
    import numpy as np
    from scipy.optimize import linprog

    unknown = sorted(hidden, key=repr)
    if not unknown:
        return {}
    index = {key: i for i, key in enumerate(unknown)}
    a_rows, b = [], []
    for head, *parts in equations:
        row = np.zeros(len(unknown))
        constant = 0.0
        for key, sign in ((head, 1.0), *((p, -1.0) for p in parts)):
            if key in index:
                row[index[key]] += sign
            else:
                constant -= sign * values[key]
        if row.any():
            a_rows.append(row)
            b.append(constant)
    result: dict[tuple[object, ...], tuple[float, float]] = {}
    a_eq = np.array(a_rows) if a_rows else None
    b_eq = np.array(b) if b else None
    for key, i in index.items():
        objective = np.zeros(len(unknown))
        objective[i] = 1.0
        bounds = []
        for sense in (1.0, -1.0):
            solved = linprog(sense * objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None),
                             method="highs")
            bounds.append(sense * solved.fun if solved.status == 0 else float("inf"))
        result[key] = (bounds[0], bounds[1])
    return result


def protect(counts: Mapping[tuple[str, str], int], rows: Sequence[str],
            columns: Sequence[str], hide_total: bool = False,
            hide_cells: Collection[tuple[str, str]] = ()) -> SafeTable:
    """The table of ``counts`` (missing cells are 0) with primary and secondary suppression;
    ``hide_total`` suppresses the grand total as well (when another published table with
    the same total suppressed it, so the two cannot be combined), ``hide_cells`` the given
    (row, column) cells (for the same reason)."""
    keys, equations = _equations(rows, columns)
    values: dict[tuple[object, ...], int] = {("c", r, c): int(counts.get((r, c), 0))
                                             for r in rows for c in columns}
    for r in rows:
        values[("r", r)] = sum(values[("c", r, c)] for c in columns)
    for c in columns:
        values[("k", c)] = sum(values[("c", r, c)] for r in rows)
    values[("t",)] = sum(values[("r", r)] for r in rows)
    hidden = {key for key in keys if _primary(values[key])}
    hidden |= {("c", r, c) for r, c in hide_cells if r in rows and c in columns}
    if hide_total:
        hidden.add(("t",))
        # A lone column's (or row's) total is the grand total under another name.
        hidden |= {("k", c) for c in columns if len(columns) == 1}
        hidden |= {("r", r) for r in rows if len(rows) == 1}
    while True:
        _pair_up(values, hidden, equations)
        exposed = _exposed(values, hidden, equations)
        if not exposed:
            break
        # Protect every exposed cell of this pass before solving again: one pass of linear
        # programmes per round of partners, not one per partner.
        for key in exposed:
            hidden.add(_partner(key, values, hidden, equations))
    return SafeTable(
        tuple(rows), tuple(columns),
        {(r, c): None if ("c", r, c) in hidden else values[("c", r, c)]
         for r in rows for c in columns},
        {r: None if ("r", r) in hidden else values[("r", r)] for r in rows},
        {c: None if ("k", c) in hidden else values[("k", c)] for c in columns},
        None if ("t",) in hidden else values[("t",)])


def _pair_up(values: Mapping[tuple[object, ...], int], hidden: set[tuple[object, ...]],
             equations: Sequence[Sequence[tuple[object, ...]]]) -> None:
    """The cheap first step: hide a partner in every equation with a single hidden member
    (subtraction would give it away), until none is left."""
    changed = True
    while changed:
        changed = False
        for equation in equations:
            alone = [key for key in equation if key in hidden]
            if len(alone) == 1:
                hidden.add(_partner(alone[0], values, hidden, [equation]))
                changed = True


def _exposed(values: Mapping[tuple[object, ...], int], hidden: set[tuple[object, ...]],
             equations: Sequence[Sequence[tuple[object, ...]]]) -> list[tuple[object, ...]]:
    """The hidden variables whose values the published ones pin down."""
    return [key for key, (low, high) in ranges(values, hidden, equations).items()
            if high - low < 0.5]


def _partner(key: tuple[object, ...], values: Mapping[tuple[object, ...], int],
             hidden: set[tuple[object, ...]], equations: Sequence[Sequence[tuple[object, ...]]]
             ) -> tuple[object, ...]:
    """The next cell to hide for an exposed one: the smallest published non-zero member of
    an equation it is in (a zero hidden beside it would protect nothing), else any."""
    candidates = [other for equation in equations if key in equation for other in equation
                  if other not in hidden and other != key]
    nonzero = [c for c in candidates if values[c] > 0]
    pool = nonzero or candidates or [k for k in values if k not in hidden]
    return min(pool, key=lambda k: (values[k], repr(k)))


def protect_column(counts: Mapping[str, int], rows: Sequence[str]) -> tuple[
        dict[str, int | None], int | None]:
    """A one-way table (a column with its total), protected the same way."""
    table = protect({(r, "n"): counts.get(r, 0) for r in rows}, rows, ("n",))
    return {r: table.cells[(r, "n")] for r in rows}, table.total
