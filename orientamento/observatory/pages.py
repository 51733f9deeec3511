"""What the Observatory's pages and downloads show, assembled from the indicators, with
every count of people that leaves for the public read from the tables ``flask observatory
refresh`` protected and stored (``published.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import exists, func, select

from orientamento.core import clock
from orientamento.courses.areas import AREA_LABELS
from orientamento.extensions import db
from orientamento.observatory import campaign, indicators, neet, published
from orientamento.observatory.crosswalk import Crosswalk, load_crosswalk
from orientamento.observatory.disclosure import SafeTable
from orientamento.observatory.indicators import GAP_POINTS, AreaRow, Mismatch
from orientamento.observatory.models import DemandProjection, LabourDemand
from orientamento.observatory.periods import Quarter, add_months

#: Quarters the filters offer and the over-time tables cover.
QUARTERS_SHOWN = 8


def has_synthetic_demand() -> bool:
    """Whether any stored demand row is synthetic (the pages then say so)."""
    return bool(db.session.scalar(select(exists().where(LabourDemand.synthetic.is_(True)))))


def demand_sources() -> list[str]:
    """The distinct sources of the stored demand figures."""
    return list(db.session.scalars(select(LabourDemand.source).distinct()
                                   .order_by(LabourDemand.source)))


def recent_quarters() -> list[Quarter]:
    """The last QUARTERS_SHOWN quarters up to the later of today and the last demand month,
    oldest first."""
    last = db.session.scalar(select(func.max(LabourDemand.period)))
    newest = Quarter.of(max(d for d in (last, clock.today()) if d is not None))
    return [newest.previous(n) for n in range(QUARTERS_SHOWN - 1, -1, -1)]


@dataclass(frozen=True)
class PublicAreaRow:
    """An area's row as published: the interest count as the last refresh published it
    (None when suppressed), and the interest share and gap computed from published counts
    only."""

    row: AreaRow
    interest: int | None
    interest_total: int | None = None

    def __getattr__(self, name: str) -> Any:
        """Everything else (label, seats, demand, their shares and gaps) is the row's."""
        return getattr(self.row, name)

    @property
    def interest_share(self) -> float | None:
        """The row's share of the published interest, unless either count is suppressed."""
        if self.interest is None or not self.interest_total:
            return None
        return 100 * self.interest / self.interest_total

    @property
    def interest_gap(self) -> float | None:
        """The row's interest gap, unless suppressed."""
        share, demand = self.interest_share, self.row.demand_share
        return None if share is None or demand is None else share - demand


@dataclass
class Overview:
    """The public overview page."""

    mismatch: Mismatch
    rows: list[PublicAreaRow]
    interest_total: int | None
    hard_few_seats: list[AreaRow]
    liked_thin_demand: list[PublicAreaRow]
    quarter: Quarter | None


def interest_points() -> list[indicators.InterestPoint]:
    """Students per area, quarter and municipio as the last ``flask observatory refresh``
    stored them: what the staff pages read."""
    return indicators.stored_interest_points()


def overview(crosswalk: Crosswalk, quarter: Quarter | None,
             by_quarter: SafeTable | None = None) -> Overview:
    """Mismatch per area for the public: interest counts as published by the last refresh
    (a quarter's column of the table by area and quarter; without a quarter, its row totals
    over the quarters shown), so every count is protected with the rest of that table."""
    found = indicators.mismatch(crosswalk, quarter, points=[])
    table = interest_by_quarter() if by_quarter is None else by_quarter
    column = str(quarter) if quarter is not None else None
    if column is not None and column in table.columns:
        published = {r: table.cells.get((r, column)) for r in table.rows}
        total = table.column_totals.get(column)
    elif column is None:
        published, total = dict(table.row_totals), table.total
    else:
        published, total = {}, None
    rows = [PublicAreaRow(r, published.get(r.area), total) for r in found.rows]
    return Overview(found, rows, total, found.hard_few_seats(),
                    [p for p in rows if (p.interest_gap or 0) >= GAP_POINTS], quarter)


def interest_by_quarter() -> SafeTable:
    """Students by area and quarter of their latest result, as the last refresh published
    it (suppressed cells None)."""
    return published.stored_or_empty(published.INTEREST_BY_QUARTER, list(AREA_LABELS),
                                     [str(q) for q in recent_quarters()])


def neet_by_trigger() -> SafeTable:
    """Flags by trigger and quarter raised, as published."""
    return published.stored_or_empty(published.NEET_BY_TRIGGER, list(neet.TRIGGERS),
                                     [str(q) for q in recent_quarters()])


def neet_by_municipio() -> SafeTable:
    """Flags by municipio and the furthest stage of the path, as published."""
    return published.stored_or_empty(published.NEET_BY_MUNICIPIO, list(neet.MUNICIPI),
                                     list(neet.STAGES))


def call_campaign() -> list[campaign.PublishedRow]:
    """The call campaign's measures by municipio, then Milan, from the published counts."""
    return campaign.published_rows(published.stored_or_empty(
        published.CALL_CAMPAIGN, list(campaign.MUNICIPI), list(campaign.COLUMNS)))


def interest_by_municipio(crosswalk: Crosswalk,
                          points: list[indicators.InterestPoint] | None = None
                          ) -> dict[tuple[str, str], int]:
    """Students by area and school municipio, unprotected: for staff only."""
    return indicators.interest_table(crosswalk, "municipio", points=points)


def demand_by_quarter(crosswalk: Crosswalk, quarters: list[Quarter]
                      ) -> dict[tuple[str, str], float]:
    """Hires by area and quarter."""
    return indicators.demand_by_area_quarter(crosswalk, quarters)


def monthly_totals(months: int = 36) -> list[tuple[date, int]]:
    """Total planned hires per month, the last ``months`` stored months."""
    totals: dict[date, float] = {}
    last = db.session.scalar(select(func.max(LabourDemand.period)))
    if last is None:
        return []
    # Only the months shown: reading every stored month was most of the overview's queries.
    for cell in indicators.demand_cells(add_months(last, 1 - months)):
        totals[cell.period] = totals.get(cell.period, 0.0) + cell.hires
    return [(period, round(value)) for period, value in sorted(totals.items())][-months:]


def history_by_code(months: int = 24) -> dict[str, list[tuple[str, int]]]:
    """The last ``months`` months of planned hires per occupation group, for the charts."""
    series: dict[str, dict[date, float]] = {}
    for cell in indicators.demand_cells():
        by_month = series.setdefault(cell.code, {})
        by_month[cell.period] = by_month.get(cell.period, 0.0) + cell.hires
    return {code: [(f"{period:%Y-%m}", round(value)) for period, value in
                   sorted(by_month.items())[-months:]] for code, by_month in series.items()}


def projections(published_only: bool = True) -> list[DemandProjection]:
    """Stored projections (published ones only, unless asked), by occupation code."""
    query = select(DemandProjection).order_by(DemandProjection.occupation_code)
    if published_only:
        query = query.where(DemandProjection.published.is_(True))
    return list(db.session.scalars(query))


def crosswalk() -> Crosswalk:
    """The crosswalk for this request."""
    return load_crosswalk()
