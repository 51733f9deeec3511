"""Orientation hours for a school's records (DM 328/2022: 30 hours per class and year).

A class earns an event's length in hours when it took part: a peer visit whose attendance the
provider recorded with at least one pupil present, or a class group registration checked in.
Every pupil on the class roster is credited with the class's events (attendance is recorded
per class, not per pupil), plus the events they attended on their own.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Subquery, select, union_all
from sqlalchemy.orm import selectinload

from orientamento.auth.models import User
from orientamento.classes.models import ClassMembership, SchoolClass
from orientamento.core import clock
from orientamento.core.spreadsheet import STANDARD_CSV, Cell, CsvFlavour, csv_text
from orientamento.events.models import (
    Event,
    EventClass,
    EventStatus,
    Registration,
    RegistrationStatus,
    length_in_hours,
)
from orientamento.extensions import db

#: Orientation hours each class needs in a school year (DM 328/2022).
HOURS_PER_YEAR = 30.0


@dataclass
class Credit:
    """One event counted for a class or a pupil."""

    event: Event
    hours: float
    own: bool = False  # attended individually rather than with the class


def total_hours(credits: list[Credit]) -> float:
    """The hours the events add up to."""
    return round(sum(c.hours for c in credits), 2)


@dataclass
class ClassHours:
    """A class with the events it took part in and each pupil's own extra events."""

    school_class: SchoolClass
    credits: list[Credit] = field(default_factory=list)
    pupils: list[tuple[User, list[Credit]]] = field(default_factory=list)

    @property
    def hours(self) -> float:
        """The class's orientation hours."""
        return total_hours(self.credits)

    def pupil_hours(self, own: list[Credit]) -> float:
        """A pupil's hours: the class's events plus their own."""
        return round(self.hours + sum(c.hours for c in own), 2)


def school_hours(school_id: int, school_year: str | None = None) -> list[ClassHours]:
    """Orientation hours of every class of a school (one school year, or all)."""
    class_query = select(SchoolClass).where(SchoolClass.school_id == school_id).options(
        selectinload(SchoolClass.memberships).selectinload(ClassMembership.student))
    if school_year:
        class_query = class_query.where(SchoolClass.school_year == school_year)
    classes = list(db.session.scalars(class_query.order_by(SchoolClass.school_year.desc(),
                                                           SchoolClass.name)))
    ids = [c.id for c in classes]
    credits = _class_credits(ids, with_provider=True)
    pupil_ids = {m.student_id for c in classes for m in c.memberships}
    own: dict[int, list[Credit]] = defaultdict(list)
    for registration in db.session.scalars(
            select(Registration).where(Registration.user_id.in_(pupil_ids),
                                       Registration.class_id.is_(None),
                                       Registration.status == RegistrationStatus.ATTENDED)
            .options(selectinload(Registration.event).selectinload(Event.provider))):
        own[registration.user_id].append(
            Credit(registration.event, registration.event.hours, own=True))
    result = []
    for school_class in classes:
        entry = ClassHours(school_class, sorted(credits[school_class.id],
                                                key=lambda c: c.event.starts_at))
        members = sorted((m.student for m in school_class.memberships),
                         key=lambda u: u.display_name.casefold())
        entry.pupils = [(pupil, own[pupil.id]) for pupil in members]
        result.append(entry)
    return result


def class_hours(ids: list[int]) -> dict[int, float]:
    """The orientation hours of the classes ``ids``, by class id (``ClassHours.hours``), from
    the events' times alone, without reading the rosters or the events: what the counsellor's
    start page shows for the classes it has read."""
    if not ids:
        return {}
    taken = _taken_part(ids)
    lengths: dict[int, list[float]] = defaultdict(list)
    for class_id, starts_at, ends_at in db.session.execute(
            select(taken.c.class_id, Event.starts_at, Event.ends_at)
            .join(Event, Event.id == taken.c.event_id)):
        lengths[class_id].append(length_in_hours(starts_at, ends_at))
    return {class_id: round(sum(lengths[class_id]), 2) for class_id in ids}


def _taken_part(ids: list[int]) -> Subquery:
    """(class id, event id) of the events the classes took part in: peer visits attended,
    group registrations checked in."""
    return union_all(
        select(EventClass.class_id, EventClass.event_id)
        .where(EventClass.class_id.in_(ids), EventClass.attended > 0,
               EventClass.status == EventStatus.SCHEDULED),
        select(Registration.class_id, Registration.event_id)
        .where(Registration.class_id.in_(ids),
               Registration.status == RegistrationStatus.ATTENDED),
    ).subquery()


def _class_credits(ids: list[int], with_provider: bool = False) -> dict[int, list[Credit]]:
    """The events each class took part in (``_taken_part``), with their providers if asked."""
    taken = _taken_part(ids)
    query = select(taken.c.class_id, Event).join(Event, Event.id == taken.c.event_id)
    if with_provider:
        query = query.options(selectinload(Event.provider))
    credits: dict[int, list[Credit]] = defaultdict(list)
    for class_id, event in db.session.execute(query):
        credits[class_id].append(Credit(event, event.hours))
    return credits


CSV_COLUMNS = ("school_year", "class", "pupil", "date", "event", "kind", "provider", "hours",
               "with_class")


def hours_csv(rows: list[ClassHours], flavour: CsvFlavour = STANDARD_CSV) -> str:
    """One line per pupil and event, for the school's records (spreadsheet-safe cells)."""
    lines: list[list[Cell]] = []
    for entry in rows:
        school_class = entry.school_class
        for pupil, own in entry.pupils:
            for credit in [*entry.credits, *own]:
                event = credit.event
                lines.append([
                    school_class.school_year, school_class.name, pupil.display_name,
                    clock.rome_local(event.starts_at).date().isoformat(), event.title,
                    str(event.kind), event.provider.name if event.provider else "",
                    Decimal(f"{credit.hours:g}"), "no" if credit.own else "yes"])
    return csv_text(CSV_COLUMNS, lines, flavour)
