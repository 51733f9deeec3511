"""Demo events: visit availability, open days, webinars, workshops and one past peer visit.

Everything is labelled as demo data; seeding twice adds nothing. Seed the school calendar
first: visit windows and the past visit avoid school holidays (open days and webinars may
fall in them, as they do in real life, but not on weekends or public holidays).
"""

from __future__ import annotations

import csv
from datetime import date, time, timedelta
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import select

from orientamento.auth.models import PROVIDER_ROLES, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.courses.models import Course, CourseStatus
from orientamento.demo.services import DEMO_PROVIDER, DEMO_SCHOOL
from orientamento.events.models import Event, EventClass, EventKind, EventStaff
from orientamento.extensions import db
from orientamento.orgs.models import Provider, School
from orientamento.visits.days import closed_days, public_holidays
from orientamento.visits.models import VisitRequest, VisitRequestClass, VisitStatus
from orientamento.visits.services.availability import WindowPlan, publish_windows

ACCESS_NOTE = "Ingresso senza gradini, ascensore, bagno accessibile."


class DemoEvent(NamedTuple):
    """One demo event: when it comes (days after the seeding day), how long and how big."""

    kind: EventKind
    title: str
    description: str
    days_ahead: int
    start_hour: int
    hours: float
    capacity: int
    online: bool


def _demo_events() -> tuple[DemoEvent, ...]:
    """The demo events of ``data/events.csv``."""
    with (Path(__file__).parent / "data" / "events.csv").open(encoding="utf-8") as file:
        return tuple(DemoEvent(
            EventKind(row["kind"]), row["title"], row["description"], int(row["days_ahead"]),
            int(row["start_hour"]), float(row["hours"]), int(row["capacity"]),
            row["online"] == "yes") for row in csv.DictReader(file))


DEMO_EVENTS = _demo_events()


#: How far to look for a day open to visits: the summer break lasts about 100 days.
OPEN_DAY_HORIZON = timedelta(days=150)


def _next_open_day(start: date, provider_id: int | None) -> date:
    """The first weekday from ``start`` on which visits are possible."""
    closed = closed_days(start, start + OPEN_DAY_HORIZON, provider_id)
    day = start
    while day.weekday() >= 5 or day in closed:
        day += timedelta(days=1)
    return day


def _previous_open_day(start: date) -> date:
    """The last weekday up to ``start`` on which visits were possible."""
    closed = closed_days(start - OPEN_DAY_HORIZON, start)
    day = start
    while day.weekday() >= 5 or day in closed:
        day -= timedelta(days=1)
    return day


def _next_working_day(start: date) -> date:
    """The first weekday from ``start`` that is not a public holiday in Milan."""
    day = start
    while day.weekday() >= 5 or day in public_holidays(day.year):
        day += timedelta(days=1)
    return day


def seed_demo_events(today: date) -> int:
    """Create the demo ambassador, windows, events and a past visit; return events created."""
    provider = db.session.scalar(select(Provider).where(Provider.code == DEMO_PROVIDER["code"]))
    school = db.session.scalar(select(School).where(School.code == DEMO_SCHOOL["code"]))
    if provider is None or school is None:
        return 0
    if db.session.scalar(select(Event.id).where(Event.is_demo.is_(True)).limit(1)) is not None:
        return 0
    staff = list(db.session.scalars(select(User).where(
        User.provider_id == provider.id, User.role.in_(PROVIDER_ROLES)).order_by(User.id)))
    courses = list(db.session.scalars(select(Course).where(
        Course.provider_id == provider.id).order_by(Course.id).limit(2)))
    if staff:
        first = _next_open_day(today + timedelta(days=2), provider.id)
        publish_windows(provider, WindowPlan(
            first_day=first, last_day=first + timedelta(days=28),
            weekdays=(1, 3), start=time(9), end=time(13), mode="both", max_visits=2,
            ambassador_ids=[u.id for u in staff], course_ids=[c.id for c in courses],
            note="Portiamo un robot collaborativo e due studenti del secondo anno."), today)
    providers = list(db.session.scalars(select(Provider).where(Provider.is_demo.is_(True))
                                        .order_by(Provider.code)))
    created = 0
    for number, (kind, title, text, ahead, hour, length, capacity, online) in enumerate(
            DEMO_EVENTS):
        owner = provider if number in (0, 1, 2) else providers[number % len(providers)]
        day = _next_working_day(today + timedelta(days=ahead))
        starts = clock.rome_datetime(day, time(hour))
        presented = list(db.session.scalars(select(Course).where(
            Course.provider_id == owner.id, Course.status == CourseStatus.ACTIVE).limit(2)))
        db.session.add(Event(
            kind=kind, title=title, description=text, provider_id=owner.id,
            starts_at=starts, ends_at=starts + timedelta(hours=length), capacity=capacity,
            address=None if online else "Via Demo 10", place_code=None if online else "015146",
            online_url="https://meet.example.org/demo" if online else None,
            accessibility=None if online else ACCESS_NOTE,
            courses=presented, is_demo=True))
        created += 1
    if staff:
        # A visit two weeks ago with its attendance (for the hours page), and one to come that
        # the demo ambassador runs (for the ambassador's and the counsellor's start pages).
        _school_visit(provider, school, staff[0], _previous_open_day(today - timedelta(days=14)),
                      attended=21)
        _school_visit(provider, school, staff[-1],
                      _next_open_day(today + timedelta(days=9), provider.id), attended=None)
    db.session.flush()
    return created


def _school_visit(provider: Provider, school: School, ambassador: User, day: date, *,
                  attended: int | None) -> None:
    """A confirmed peer visit at the demo school on ``day``, with attendance if it is past."""
    school_class = db.session.scalar(select(SchoolClass).where(
        SchoolClass.school_id == school.id, SchoolClass.is_demo.is_(True)))
    if school_class is None:
        return
    starts = clock.rome_datetime(day, time(10))
    event = Event(kind=EventKind.SCHOOL_VISIT, provider_id=provider.id,
                  school_id=school.id, title=f"{provider.name} · {school.name}",
                  description="Visita tra pari: due studenti ITS raccontano il loro corso.",
                  starts_at=starts, ends_at=starts + timedelta(hours=2), address=school.name,
                  is_demo=True)
    db.session.add(event)
    db.session.flush()
    event.staff.append(EventStaff(user_id=ambassador.id))
    event.classes.append(EventClass(
        class_id=school_class.id, pupils=22, attended=attended,
        attendance_recorded_at=None if attended is None else clock.now()))
    db.session.add(VisitRequest(
        provider_id=provider.id, school_id=school.id, starts_at=event.starts_at,
        ends_at=event.ends_at, mode="in_person", pupils=22, status=VisitStatus.CONFIRMED,
        message="Classe terza, interessata a meccatronica e informatica.", event=event,
        classes=[VisitRequestClass(class_id=school_class.id, pupils=22)]))
