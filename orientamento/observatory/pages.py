"""What the Observatory's pages and downloads show, assembled from the indicators, with
disclosure control applied to every count of people that leaves for the public."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import exists, func, select

from orientamento.core import clock
from orientamento.courses.areas import AREA_LABELS
from orientamento.extensions import db
from orientamento.observatory import indicators
from orientamento.observatory.crosswalk import Crosswalk, load_crosswalk
from orientamento.observatory.disclosure import SafeTable, protect, protect_column
from orientamento.observatory.indicators import GAP_POINTS, AreaRow, Mismatch
from orientamento.observatory.models import DemandProjection, LabourDemand
from orientamento.observatory.periods import Quarter

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
    """An area's row as published: interest count suppressed (None) when it could identify
    someone, and with it the interest share and gap."""

    row: AreaRow
    interest: int | None

    def __getattr__(self, name: str) -> Any:
        """Everything else (label, seats, demand, their shares and gaps) is the row's."""
        return getattr(self.row, name)

    @property
    def interest_share(self) -> float | None:
        """The row's share of interest, unless suppressed."""
        return None if self.interest is None else self.row.interest_share

    @property
    def interest_gap(self) -> float | None:
        """The row's interest gap, unless suppressed."""
        return None if self.interest is None else self.row.interest_gap


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
    stored them: what every page and download reads."""
    return indicators.stored_interest_points()


def overview(crosswalk: Crosswalk, quarter: Quarter | None,
             points: list[indicators.InterestPoint] | None = None) -> Overview:
    """Mismatch per area for the public: interest counts protected."""
    found = indicators.mismatch(crosswalk, quarter,
                                points=interest_points() if points is None else points)
    areas = [r.area for r in found.rows]
    published, total = protect_column({r.area: r.interest for r in found.rows}, areas)
    rows = [PublicAreaRow(r, published[r.area]) for r in found.rows]
    return Overview(found, rows, total, found.hard_few_seats(),
                    [p for p in rows if (p.interest_gap or 0) >= GAP_POINTS], quarter)


def interest_by_quarter(crosswalk: Crosswalk, quarters: list[Quarter],
                        points: list[indicators.InterestPoint] | None = None) -> SafeTable:
    """Students by area and quarter of their latest result, protected."""
    counts = indicators.interest_table(crosswalk, "quarter", quarters,
                                       interest_points() if points is None else points)
    return protect(counts, list(AREA_LABELS), [str(q) for q in quarters])


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
    for cell in indicators.demand_cells():
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
