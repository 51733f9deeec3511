"""The public tables that count people, protected once by ``flask observatory refresh`` and
stored cell by cell (``observatory_published_cells``): pages, downloads and the report read
the stored cells and never run the suppression per request.

Tables published with the same grand total (the NEET tables: every flag of the quarters
shown) suppress it together: if one table had to hide it, the other hides it too, so the
two cannot be combined to undo a suppression.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from orientamento.core import clock
from orientamento.courses.areas import AREA_LABELS
from orientamento.extensions import db
from orientamento.observatory import campaign, neet
from orientamento.observatory.crosswalk import Crosswalk
from orientamento.observatory.disclosure import SafeTable, protect
from orientamento.observatory.indicators import interest_table, stored_interest_points
from orientamento.observatory.models import PublishedCell
from orientamento.observatory.periods import Quarter
from orientamento.observatory.placements import refresh_interest_counts

TOTAL = "TOTAL"
INTEREST_BY_QUARTER = "interest_by_area_quarter"
NEET_BY_TRIGGER = "neet_flags_by_trigger_quarter"
NEET_BY_MUNICIPIO = "neet_path_by_municipio"
CALL_CAMPAIGN = "call_campaign_by_municipio"
#: Every stored table, in the order the refresh publishes them.
NAMES = (INTEREST_BY_QUARTER, NEET_BY_TRIGGER, NEET_BY_MUNICIPIO, CALL_CAMPAIGN)
#: Tables of columns that do not add up across a row: stored with column totals only.
COLUMN_TOTALS_ONLY = (CALL_CAMPAIGN,)


def _neet_tables(quarters: list[Quarter]) -> dict[str, SafeTable]:
    shown = [str(q) for q in quarters]
    by_trigger: dict[tuple[str, str], int] = defaultdict(int)
    by_municipio: dict[tuple[str, str], int] = defaultdict(int)
    for row in neet.stored_counts(shown):
        by_trigger[(row.trigger, row.quarter)] += row.flags
        by_municipio[(str(row.municipio), row.stage)] += row.flags

    def both(hide_total: bool) -> dict[str, SafeTable]:
        return {NEET_BY_TRIGGER: protect(by_trigger, neet.TRIGGERS, shown, hide_total),
                NEET_BY_MUNICIPIO: protect(by_municipio, neet.MUNICIPI, neet.STAGES,
                                           hide_total)}

    tables = both(False)
    if any(t.total is None for t in tables.values()) and any(
            t.total is not None for t in tables.values()):
        tables = both(True)
    return tables


def protected_tables(crosswalk: Crosswalk, quarters: list[Quarter]) -> dict[str, SafeTable]:
    """Every public table that counts people, with primary and secondary suppression."""
    counts = interest_table(crosswalk, "quarter", quarters, stored_interest_points())
    tables = {INTEREST_BY_QUARTER: protect(counts, list(AREA_LABELS),
                                           [str(q) for q in quarters]),
              **_neet_tables(quarters)}
    tables[CALL_CAMPAIGN] = campaign.protected(clock.today(), tables[NEET_BY_MUNICIPIO])
    return tables


def publish(crosswalk: Crosswalk, quarters: list[Quarter]) -> int:
    """Protect and store every public table (replacing the last refresh's); flushes. Returns
    the number of suppressed cells."""
    rows = []
    suppressed = 0
    for name, table in protected_tables(crosswalk, quarters).items():
        cells = _cells(table, with_row_totals=name not in COLUMN_TOTALS_ONLY)
        suppressed += sum(1 for value in cells.values() if value is None)
        for (r, c), value in cells.items():
            rows.append({"table": name, "row": r, "column": c, "value": value,
                         "row_order": _order(table.rows, r),
                         "column_order": _order(table.columns, c)})
    db.session.execute(delete(PublishedCell))
    db.session.execute(insert(PublishedCell), rows)
    db.session.flush()
    return suppressed


@dataclass(frozen=True)
class Refreshed:
    """What a refresh of the aggregates counted."""

    students: int
    flags: int
    suppressed: int
    #: Interests results placed by this refresh (the others' placements were stored).
    placed: int = 0


def refresh_aggregates(crosswalk: Crosswalk, quarters: list[Quarter], full: bool = False
                       ) -> Refreshed:
    """Recompute the stored counts (interest: only the results new since the last refresh,
    every one when ``full``; NEET path) and publish the public tables from them; flushes."""
    interest = refresh_interest_counts(crosswalk, full)
    flags = neet.refresh_neet_counts()
    return Refreshed(interest.students, flags, publish(crosswalk, quarters), interest.placed)


def _order(keys: tuple[str, ...], key: str) -> int:
    return len(keys) if key == TOTAL else keys.index(key)


def _cells(table: SafeTable, with_row_totals: bool = True
           ) -> dict[tuple[str, str], int | None]:
    cells = dict(table.cells)
    cells |= {(TOTAL, c): v for c, v in table.column_totals.items()}
    if with_row_totals:
        cells |= {(r, TOTAL): v for r, v in table.row_totals.items()}
        cells[(TOTAL, TOTAL)] = table.total
    return cells


def stored(name: str) -> SafeTable | None:
    """A table as the last refresh published it (one query); None before any refresh."""
    found = list(db.session.execute(
        select(PublishedCell.row, PublishedCell.column, PublishedCell.row_order,
               PublishedCell.column_order, PublishedCell.value)
        .where(PublishedCell.table == name)))
    if not found:
        return None
    row_order = {r: o for r, _c, o, _co, _v in found if r != TOTAL}
    column_order = {c: o for _r, c, _o, o, _v in found if c != TOTAL}
    rows = tuple(sorted(row_order, key=row_order.__getitem__))
    columns = tuple(sorted(column_order, key=column_order.__getitem__))
    values = {(r, c): v for r, c, _o, _co, v in found}
    return SafeTable(rows, columns, {(r, c): values.get((r, c)) for r in rows for c in columns},
                     {r: values.get((r, TOTAL)) for r in rows},
                     {c: values.get((TOTAL, c)) for c in columns}, values.get((TOTAL, TOTAL)))


def stored_or_empty(name: str, rows: list[str], columns: list[str]) -> SafeTable:
    """The stored table, or an empty one (every cell suppressed) before the first refresh."""
    found = stored(name)
    if found is not None:
        return found
    return SafeTable(tuple(rows), tuple(columns), dict.fromkeys(
        ((r, c) for r in rows for c in columns), None), dict.fromkeys(rows, None),
        dict.fromkeys(columns, None), None)


#: How each stored table names its rows for people reading it.
ROW_LABELS: dict[str, Callable[[str], str]] = {
    INTEREST_BY_QUARTER: lambda key: str(AREA_LABELS.get(key, key)),
    NEET_BY_TRIGGER: lambda key: str(neet.TRIGGER_LABELS.get(key, key)),
    NEET_BY_MUNICIPIO: lambda key: key,
    CALL_CAMPAIGN: lambda key: key,
}
