"""Interest placements: each student's latest submitted interests result placed once in an
area, and the counts the pages read, recomputed incrementally.

A student's latest result (the latest submitted; on a tie, the higher id) goes to the one
area whose mean RIASEC profile correlates best with the six scores (``crosswalk.py``); a flat
or unscored profile goes nowhere. ``flask observatory refresh`` stores the placement per
student (``observatory_interest_placements``: the result's id and submission time, the area,
the quarter it was submitted in and the crosswalk's fingerprint) and places only the results
that are not placed yet and later than their student's placed one (an anti-join on the
placements' unique ``response_id``, no sort of every result); when the crosswalk changed, it
places everything again. Submitted results never change, so that is everything a result's
placement depends on. The counts by area, quarter and the municipio of the student's school
are then grouped from the stored rows by the database, so a school move counts at once.
Erasing a student deletes their placement with them (CASCADE); the next refresh no longer
counts them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy import (
    ColumnElement,
    Subquery,
    Table,
    and_,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from orientamento.assessments.models import Response, ResponseStatus
from orientamento.auth.models import User
from orientamento.classes.models import ClassMembership, SchoolClass
from orientamento.core import clock
from orientamento.courses.recommendations import RIASEC_LETTERS
from orientamento.extensions import db
from orientamento.observatory.crosswalk import Crosswalk
from orientamento.observatory.models import InterestCount, InterestPlacement
from orientamento.observatory.periods import Quarter
from orientamento.orgs.models import School

INTERESTS = "interests"
#: Results placed with one matrix product (and inserted with one statement).
PLACE_BATCH = 2000
#: Students per DELETE ... IN (...) statement.
_DELETE_BATCH = 500
_TABLE: Table = InterestPlacement.__table__  # type: ignore[assignment]


def school_municipio() -> Any:
    """The municipio of the student's school (own, else a class's), as a scalar correlated
    with ``users``."""
    class_school = (select(func.min(School.municipio))
                    .join(SchoolClass, SchoolClass.school_id == School.id)
                    .join(ClassMembership, ClassMembership.class_id == SchoolClass.id)
                    .where(ClassMembership.student_id == User.id).scalar_subquery())
    own_school = select(School.municipio).where(School.id == User.school_id).scalar_subquery()
    return func.coalesce(own_school, class_school)


def latest_results() -> Subquery:
    """Each student's latest submitted interests result: columns ``id``, ``student_id``."""
    ranked = (select(Response.id, Response.student_id,
                     func.row_number().over(
                         partition_by=Response.student_id,
                         order_by=(Response.submitted_at.desc(), Response.id.desc()))
                     .label("rank"))
              .where(Response.questionnaire_id == INTERESTS,
                     Response.status == ResponseStatus.SUBMITTED).subquery())
    return select(ranked.c.id, ranked.c.student_id).where(ranked.c.rank == 1).subquery()


def percent_columns() -> list[ColumnElement[Any]]:
    """The six RIASEC percents of a result, read by the database's JSON functions (decoding
    every result's whole scores document in Python costs far more)."""
    return [Response.scores[(letter, "percent")].as_float() for letter in RIASEC_LETTERS]


def best_areas(profiles: Sequence[Sequence[float | None]], crosswalk: Crosswalk
               ) -> list[str | None]:
    """Each profile's best-correlated area, with one matrix product; None for a flat or
    incomplete profile."""
    areas, matrix = crosswalk.area_matrix
    if not profiles or not areas:
        return [None] * len(profiles)
    complete = [all(v is not None for v in p) for p in profiles]
    values = np.array([[float(v or 0.0) for v in p] if ok else [0.0] * len(RIASEC_LETTERS)
                       for p, ok in zip(profiles, complete, strict=True)], dtype=np.float64)
    values -= values.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(values, axis=1)
    best = np.argmax(values @ matrix.T, axis=1)
    return [areas[int(i)] if ok and norm > 1e-9 else None
            for ok, norm, i in zip(complete, norms, best, strict=True)]


def quarter_of(submitted_at: datetime) -> Quarter:
    """The Milan quarter a result was submitted in."""
    aware = submitted_at if submitted_at.tzinfo else submitted_at.replace(tzinfo=UTC)
    return _quarter_of_hour(aware.replace(minute=0, second=0, microsecond=0))


@lru_cache(maxsize=1 << 16)
def _quarter_of_hour(hour: datetime) -> Quarter:
    # Milan is a whole number of hours off UTC and changes offset on the hour, so its date
    # (and quarter) is the same for every instant of a UTC hour.
    return Quarter.of(clock.milan_date(hour))


def _unplaced() -> list[tuple[Any, ...]]:
    """Submitted interests results not placed yet and later than their student's placed one
    (an anti-join on the placements' unique ``response_id``, then one index probe each):
    (id, student, submitted_at, six percents). A student may have several: the caller keeps
    the latest."""
    placed = aliased(InterestPlacement)
    newer = exists().where(
        placed.student_id == Response.student_id,
        or_(placed.submitted_at > Response.submitted_at,
            and_(placed.submitted_at == Response.submitted_at,
                 placed.response_id > Response.id)))
    return [tuple(row) for row in db.session.execute(
        select(Response.id, Response.student_id, Response.submitted_at, *percent_columns())
        .outerjoin(InterestPlacement, InterestPlacement.response_id == Response.id)
        .where(Response.questionnaire_id == INTERESTS,
               Response.status == ResponseStatus.SUBMITTED,
               InterestPlacement.response_id.is_(None), ~newer)
        .order_by(Response.id))]


def refresh_placements(crosswalk: Crosswalk, full: bool = False) -> int:
    """Place the results that are new since the last refresh (every result when ``full`` or
    when the crosswalk changed); flushes. Returns how many results were placed now.

    A result deleted (with its student, or alone) takes its placement with it (ON DELETE
    CASCADE); the student's older result, if any, is then unplaced and the next refresh
    places it."""
    placed = InterestPlacement
    fingerprint = crosswalk.fingerprint
    if full or db.session.scalar(select(exists().where(placed.crosswalk != fingerprint))):
        db.session.execute(delete(placed))
    latest: dict[int, tuple[Any, ...]] = {}
    for row in _unplaced():
        kept = latest.get(row[1])
        if kept is None or (row[2], row[0]) > (kept[2], kept[0]):
            latest[row[1]] = row
    rows = sorted(latest.values(), key=lambda row: row[0])
    students = [row[1] for row in rows]
    for start in range(0, len(students), _DELETE_BATCH):
        db.session.execute(delete(placed).where(
            placed.student_id.in_(students[start:start + _DELETE_BATCH])))
    for start in range(0, len(rows), PLACE_BATCH):
        batch = rows[start:start + PLACE_BATCH]
        areas = best_areas([row[3:] for row in batch], crosswalk)
        # Core insert into the table: the ORM's bulk path costs more than the placing.
        db.session.execute(insert(_TABLE), [
            {"student_id": student, "response_id": response, "submitted_at": submitted_at,
             "area": area, "quarter": str(quarter_of(submitted_at)), "crosswalk": fingerprint}
            for (response, student, submitted_at, *_rest), area in zip(batch, areas,
                                                                       strict=True)])
    db.session.flush()
    return len(rows)


def _class_municipio() -> Subquery:
    """The municipio of a class's school per student (the lowest, if several)."""
    return (select(ClassMembership.student_id.label("student_id"),
                   func.min(School.municipio).label("municipio"))
            .join(SchoolClass, SchoolClass.id == ClassMembership.class_id)
            .join(School, School.id == SchoolClass.school_id)
            .group_by(ClassMembership.student_id).subquery())


def placement_counts() -> dict[tuple[str, str, int], int]:
    """Students per (area, quarter, municipio of the school, own else a class's; 0 unknown)
    from the stored placements, grouped by the database (joins, not a subquery per row)."""
    placed = InterestPlacement
    by_class = _class_municipio()
    municipio = func.coalesce(School.municipio, by_class.c.municipio, 0)
    query = (select(placed.area, placed.quarter, municipio, func.count())
             .join(User, User.id == placed.student_id)
             .outerjoin(School, School.id == User.school_id)
             .outerjoin(by_class, by_class.c.student_id == placed.student_id)
             .where(placed.area.is_not(None))
             .group_by(placed.area, placed.quarter, municipio))
    return {(str(a), str(q), int(m)): int(n) for a, q, m, n in db.session.execute(query)}


@dataclass(frozen=True)
class InterestRefresh:
    """What a refresh of the interest counts did."""

    students: int  # students counted in an area
    placed: int  # results placed by this refresh (the rest were stored already)


def refresh_interest_counts(crosswalk: Crosswalk, full: bool = False) -> InterestRefresh:
    """Place what changed, then store students per (area, quarter, municipio) for the pages;
    flushes."""
    placed = refresh_placements(crosswalk, full)
    counts = placement_counts()
    db.session.execute(delete(InterestCount))
    if counts:
        db.session.execute(insert(InterestCount), [
            {"area": a, "quarter": q, "municipio": m, "students": n}
            for (a, q, m), n in sorted(counts.items())])
    db.session.flush()
    return InterestRefresh(sum(counts.values()), placed)


def placements(crosswalk: Crosswalk) -> Iterator[tuple[str, Quarter, int | None]]:
    """Every latest result placed live, without storing anything: (area, quarter,
    municipio). For checks and for callers without a refresh (streamed, in batches)."""
    latest = latest_results()
    query = (select(Response.submitted_at, school_municipio(), *percent_columns())
             .join(latest, latest.c.id == Response.id)
             .join(User, User.id == Response.student_id)
             .execution_options(yield_per=PLACE_BATCH))
    batch: list[tuple[Any, ...]] = []

    def flush() -> Iterator[tuple[str, Quarter, int | None]]:
        for (at, municipio, *_p), area in zip(
                batch, best_areas([row[2:] for row in batch], crosswalk), strict=True):
            if area is not None:
                yield area, quarter_of(at), municipio
        batch.clear()

    for row in db.session.execute(query):
        batch.append(tuple(row))
        if len(batch) >= PLACE_BATCH:
            yield from flush()
    yield from flush()
