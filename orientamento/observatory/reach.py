"""Orientation reach: schools and classes reached by peer visits and events, and orientation
hours done against those due (DM 328/2022: 30 per class and school year), by the municipio of
the school and the school level.

A class is reached, and earns an event's hours, as in ``events/hours.py``: a peer visit whose
attendance was recorded with at least one pupil present, or a class registration checked in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from orientamento.classes.models import SchoolClass
from orientamento.events.hours import HOURS_PER_YEAR
from orientamento.events.models import (
    Event,
    EventClass,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from orientamento.extensions import db
from orientamento.orgs.models import School


@dataclass(frozen=True)
class ReachRow:
    """Reach in one municipio (None: outside Milan's municipi) and school level."""

    municipio: int | None
    level: str
    schools: int
    schools_reached: int
    classes: int
    classes_reached: int
    hours_done: float

    @property
    def hours_due(self) -> float:
        """Hours the classes need in the school year."""
        return self.classes * HOURS_PER_YEAR

    @property
    def hours_share(self) -> float | None:
        """Hours done as a percentage of those due (each class counted up to its 30)."""
        return 100 * self.hours_done / self.hours_due if self.classes else None


def reach(school_year: str) -> list[ReachRow]:
    """Reach per municipio and school level for a school year, in three queries."""
    classes = db.session.execute(
        select(SchoolClass.id, SchoolClass.school_id, SchoolClass.level, School.municipio)
        .join(School, School.id == SchoolClass.school_id)
        .where(SchoolClass.school_year == school_year)).all()
    in_year = select(SchoolClass.id).where(SchoolClass.school_year == school_year)
    hours: dict[int, float] = defaultdict(float)
    for class_id, event in db.session.execute(
            select(EventClass.class_id, Event).join(Event, Event.id == EventClass.event_id)
            .where(EventClass.class_id.in_(in_year), EventClass.attended > 0,
                   EventClass.status == EventStatus.SCHEDULED)):
        hours[class_id] += event.hours
    for group_id, event in db.session.execute(
            select(Registration.class_id, Event).join(Event, Event.id == Registration.event_id)
            .where(Registration.class_id.in_(in_year),
                   Registration.status == RegistrationStatus.ATTENDED)):
        if group_id is not None:
            hours[group_id] += event.hours
    groups: dict[tuple[int | None, str], list[tuple[int, int]]] = defaultdict(list)
    for class_id, school_id, level, municipio in classes:
        groups[(municipio, level)].append((class_id, school_id))
    rows = []
    for (municipio, level), members in groups.items():
        reached = [(c, s) for c, s in members if hours.get(c, 0) > 0]
        rows.append(ReachRow(
            municipio, level, len({s for _c, s in members}), len({s for _c, s in reached}),
            len(members), len(reached),
            round(sum(min(hours.get(c, 0.0), HOURS_PER_YEAR) for c, _s in members), 2)))
    return sorted(rows, key=lambda r: (r.municipio is None, r.municipio or 0, r.level))
