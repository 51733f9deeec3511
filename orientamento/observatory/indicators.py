"""The three sides per course area, and the gaps between them (read side).

- Interest: each student's latest submitted interests result goes to the one area whose mean
  RIASEC profile (of the reference occupations in it, see ``crosswalk.py``) correlates best
  with the student's six scores: the same correlation the course suggestions rank by.
  ``flask observatory refresh`` places each result once and stores the counts
  (``placements.py``); the pages read them (``stored_interest_points``).
- Seats: the seats of active courses by their area (a course without a seat count adds none).
- Demand: planned hires shared among areas through the crosswalk; rows for a level of
  education are added up only where the file gives no "any level" total for that occupation,
  territory and month.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from orientamento.courses.areas import AREA_LABELS
from orientamento.courses.models import Course, CourseSite, CourseStatus, Place
from orientamento.courses.recommendations import RIASEC_LETTERS
from orientamento.extensions import db
from orientamento.observatory.crosswalk import Crosswalk
from orientamento.observatory.models import EducationAsked, InterestCount, LabourDemand
from orientamento.observatory.periods import Quarter, add_months
from orientamento.observatory.placements import placements

#: Gaps (percentage points) from which an area is named on the pages.
GAP_POINTS = 5.0


@dataclass(frozen=True)
class DemandCell:
    """Planned hires of an occupation group in a month, with the share hard to fill."""

    code: str
    period: date
    hires: float
    hard_hires: float  # hires x share hard to fill, where the share is known
    known_hires: float  # hires whose share hard to fill is known


def demand_cells(start: date | None = None, end: date | None = None,
                 territory: str | None = None) -> list[DemandCell]:
    """Hires per occupation group and month in [start, end), all territories or one."""
    query = select(LabourDemand.occupation_code, LabourDemand.territory, LabourDemand.period,
                   LabourDemand.education, LabourDemand.hires, LabourDemand.hard_to_fill_pct)
    if start is not None:
        query = query.where(LabourDemand.period >= start)
    if end is not None:
        query = query.where(LabourDemand.period < end)
    if territory:
        query = query.where(LabourDemand.territory == territory)
    totals: dict[tuple[str, str, date], list[float]] = {}
    levels: dict[tuple[str, str, date], list[float]] = {}
    for code, place, period, education, count, pct in db.session.execute(query):
        target = totals if education == EducationAsked.ANY else levels
        cell = target.setdefault((code, place, period), [0.0, 0.0, 0.0])
        hires = float(count)
        cell[0] += hires
        if pct is not None:
            cell[1] += hires * pct / 100
            cell[2] += hires
    for key, cell in levels.items():
        totals.setdefault(key, cell)
    merged: dict[tuple[str, date], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for (code, _place, period), sums in totals.items():
        merged_cell = merged[(code, period)]
        for position in range(3):
            merged_cell[position] += sums[position]
    return [DemandCell(code, period, *values) for (code, period), values in merged.items()]


@dataclass
class DemandByArea:
    """Hires by area, with what the crosswalk could not place."""

    hires: dict[str, float] = field(default_factory=dict)
    hard: dict[str, float] = field(default_factory=dict)
    known: dict[str, float] = field(default_factory=dict)
    total: float = 0.0
    unmapped: float = 0.0
    unmapped_codes: set[str] = field(default_factory=set)

    @property
    def coverage(self) -> float | None:
        """Share (0-100) of hires the crosswalk maps to an area."""
        return 100 * (self.total - self.unmapped) / self.total if self.total else None


def demand_by_area(cells: Iterable[DemandCell], crosswalk: Crosswalk) -> DemandByArea:
    """Share the cells' hires among areas."""
    result = DemandByArea()
    weights: dict[str, dict[str, float]] = {}
    for cell in cells:
        result.total += cell.hires
        shares = weights.get(cell.code)
        if shares is None:
            shares = weights[cell.code] = crosswalk.weights(cell.code)
        if not shares:
            result.unmapped += cell.hires
            result.unmapped_codes.add(cell.code)
        for area, weight in shares.items():
            result.hires[area] = result.hires.get(area, 0.0) + cell.hires * weight
            result.hard[area] = result.hard.get(area, 0.0) + cell.hard_hires * weight
            result.known[area] = result.known.get(area, 0.0) + cell.known_hires * weight
    return result


def seats_by_area(municipio: int | None = None) -> dict[str, int]:
    """Seats of active courses per area (in one Milan municipio's sites, if given)."""
    query = (select(Course.area, func.coalesce(func.sum(Course.seats), 0))
             .where(Course.status == CourseStatus.ACTIVE).group_by(Course.area))
    if municipio is not None:
        query = query.where(Course.id.in_(
            select(CourseSite.course_id).join(Place, Place.code == CourseSite.place_code)
            .where(Place.municipio == municipio)))
    return {area: int(seats or 0) for area, seats in db.session.execute(query)}


@dataclass(frozen=True)
class InterestPoint:
    """Students (one, when read live) whose latest interests result points to an area, with
    its quarter and the municipio of their school."""

    area: str
    quarter: Quarter
    municipio: int | None
    count: int = 1


def interest_points(crosswalk: Crosswalk) -> Iterator[InterestPoint]:
    """Every student's latest submitted interests result, placed live (``placements.py``;
    the pages read the counts the refresh stored instead)."""
    for area, quarter, municipio in placements(crosswalk):
        yield InterestPoint(area, quarter, municipio)


def best_area(scores: dict[str, object], crosswalk: Crosswalk) -> str | None:
    """The area whose profile correlates best with a stored interests result; None when it
    is not scored or flat."""
    percents: dict[str, float] = {}
    for letter in RIASEC_LETTERS:
        value = scores.get(letter)
        percent = value.get("percent") if isinstance(value, dict) else None
        if not isinstance(percent, int | float):
            return None
        percents[letter] = float(percent)
    return crosswalk.best_area(percents)


@dataclass(frozen=True)
class AreaRow:
    """One area's three sides, their shares (0-100) and the gaps in points."""

    area: str
    interest: int
    seats: int
    demand: float
    hard_to_fill: float | None
    interest_share: float | None
    seats_share: float | None
    demand_share: float | None

    @property
    def label(self) -> str:
        """The area's translated name."""
        return str(AREA_LABELS.get(self.area, self.area))

    @property
    def seats_gap(self) -> float | None:
        """Share of seats minus share of demand (negative: fewer seats than demand)."""
        return _gap(self.seats_share, self.demand_share)

    @property
    def interest_gap(self) -> float | None:
        """Share of interest minus share of demand (positive: liked more than asked)."""
        return _gap(self.interest_share, self.demand_share)


def _gap(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def _share(value: float, total: float) -> float | None:
    return 100 * value / total if total else None


@dataclass
class Mismatch:
    """Every area's row, the totals and the demand's coverage, for a period."""

    rows: list[AreaRow]
    interest_total: int
    seats_total: int
    demand: DemandByArea
    demand_start: date | None
    demand_end: date | None

    @property
    def demand_last(self) -> date | None:
        """The last month the demand side covers."""
        return add_months(self.demand_end, -1) if self.demand_end else None

    @property
    def hard_to_fill_average(self) -> float | None:
        """Hires-weighted share hard to fill over all mapped areas."""
        known = sum(self.demand.known.values())
        return 100 * sum(self.demand.hard.values()) / known if known else None

    def hard_few_seats(self) -> list[AreaRow]:
        """Areas with demand harder to fill than average and a seat share under the demand's."""
        average = self.hard_to_fill_average
        return [r for r in self.rows if average is not None and r.hard_to_fill is not None
                and r.hard_to_fill > average and (r.seats_gap or 0) <= -GAP_POINTS]

    def liked_thin_demand(self) -> list[AreaRow]:
        """Areas whose share of interest exceeds their share of demand by GAP_POINTS."""
        return [r for r in self.rows if (r.interest_gap or 0) >= GAP_POINTS]


def demand_window(quarter: Quarter | None) -> tuple[date, date] | None:
    """The months the demand side covers: the quarter, else the last 12 stored months."""
    if quarter is not None:
        return quarter.first_month, quarter.end
    last = db.session.scalar(select(func.max(LabourDemand.period)))
    return (add_months(last, -11), add_months(last, 1)) if last else None


def mismatch(crosswalk: Crosswalk, quarter: Quarter | None = None,
             municipio: int | None = None, territory: str | None = None,
             points: Iterable[InterestPoint] | None = None) -> Mismatch:
    """The three sides per area for a quarter (interest submitted in it, demand of its
    months) or for everything (demand: the last 12 months), in one municipio if given."""
    window = demand_window(quarter)
    cells = demand_cells(*window, territory=territory) if window else []
    demand = demand_by_area(cells, crosswalk)
    seats = seats_by_area(municipio)
    interest: dict[str, int] = defaultdict(int)
    for point in interest_points(crosswalk) if points is None else points:
        if (quarter is None or point.quarter == quarter) and (
                municipio is None or point.municipio == municipio):
            interest[point.area] += point.count
    interest_total, seats_total = sum(interest.values()), sum(seats.values())
    mapped = demand.total - demand.unmapped
    rows = [AreaRow(area, interest.get(area, 0), seats.get(area, 0), demand.hires.get(area, 0.0),
                    (100 * demand.hard[area] / demand.known[area]
                     if demand.known.get(area) else None),
                    _share(interest.get(area, 0), interest_total),
                    _share(seats.get(area, 0), seats_total),
                    _share(demand.hires.get(area, 0.0), mapped))
            for area in AREA_LABELS]
    return Mismatch(rows, interest_total, seats_total, demand,
                    window[0] if window else None, window[1] if window else None)


def interest_table(crosswalk: Crosswalk, by: str, quarters: list[Quarter] | None = None,
                   points: Iterable[InterestPoint] | None = None) -> dict[tuple[str, str], int]:
    """Students per (area, quarter) or (area, municipio) — ``by`` is "quarter" or
    "municipio"; municipio "" when unknown."""
    table: dict[tuple[str, str], int] = defaultdict(int)
    for point in interest_points(crosswalk) if points is None else points:
        if by == "quarter":
            if quarters is None or point.quarter in quarters:
                table[(point.area, str(point.quarter))] += point.count
        else:
            table[(point.area, str(point.municipio or ""))] += point.count
    return dict(table)


def demand_by_area_quarter(crosswalk: Crosswalk, quarters: list[Quarter],
                           territory: str | None = None) -> dict[tuple[str, str], float]:
    """Hires per (area, quarter) over the given quarters."""
    table: dict[tuple[str, str], float] = defaultdict(float)
    if not quarters:
        return {}
    cells = demand_cells(min(quarters).first_month, max(quarters).end, territory)
    weights: dict[str, dict[str, float]] = {}
    for cell in cells:
        shares = weights.setdefault(cell.code, crosswalk.weights(cell.code))
        quarter = str(Quarter.of(cell.period))
        for area, weight in shares.items():
            table[(area, quarter)] += cell.hires * weight
    return dict(table)


def stored_interest_points() -> list[InterestPoint]:
    """The counts the last refresh stored, as points carrying their counts."""
    points = []
    for row in db.session.scalars(select(InterestCount)):
        quarter = Quarter.parse(row.quarter)
        if quarter is not None:
            points.append(InterestPoint(row.area, quarter, row.municipio or None, row.students))
    return points
