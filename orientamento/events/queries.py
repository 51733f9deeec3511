"""Read-side selects for the events pages: listings, event pages, registrations, choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from orientamento.auth.models import PROVIDER_ROLES, Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.core.errors import NotFound
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.core.pagination import counts_capped, paginate
from orientamento.courses.models import Course, CourseStatus
from orientamento.events.models import (
    ACTIVE_REGISTRATION,
    OPEN_KINDS,
    CalendarFeed,
    Event,
    EventClass,
    EventKind,
    EventStaff,
    EventStatus,
    Registration,
    RegistrationStatus,
    event_courses,
)
from orientamento.extensions import db

PAGE_SIZE = 20


@dataclass
class EventFilter:
    """What the public event listing is narrowed to."""

    kind: EventKind | None = None
    online: str = ""  # "", "online", "in_person"
    from_day: date | None = None
    provider_id: int | None = None
    course_id: int | None = None


def upcoming_events(filters: EventFilter, now: datetime) -> Pagination:
    """Scheduled open days, webinars and workshops that have not ended, soonest first."""
    query = (select(Event)
             .where(Event.kind.in_(OPEN_KINDS),
                    Event.status == EventStatus.SCHEDULED, Event.ends_at > now)
             .options(joinedload(Event.provider), joinedload(Event.place))
             .order_by(Event.starts_at, Event.id))
    if filters.kind is not None:
        query = query.where(Event.kind == filters.kind)
    if filters.online == "online":
        query = query.where(Event.online_url.is_not(None), Event.address.is_(None))
    elif filters.online == "in_person":
        query = query.where(Event.address.is_not(None))
    if filters.from_day:
        query = query.where(Event.starts_at >= clock.rome_datetime(filters.from_day, time(0)))
    if filters.provider_id:
        query = query.where(Event.provider_id == filters.provider_id)
    if filters.course_id:
        query = query.where(Event.id.in_(select(event_courses.c.event_id)
                                         .where(event_courses.c.course_id == filters.course_id)))
    return paginate(query, PAGE_SIZE)


def course_events(course_id: int, now: datetime, limit: int = 5) -> list[Event]:
    """The next scheduled open events presenting a course (for the course page)."""
    return list(db.session.scalars(
        select(Event)
        .join(event_courses, event_courses.c.event_id == Event.id)
        .where(event_courses.c.course_id == course_id,
               Event.kind.in_(OPEN_KINDS),
               Event.status == EventStatus.SCHEDULED, Event.ends_at > now)
        .order_by(Event.starts_at).limit(limit)))


def event_or_404(event_id: int, viewer: User | None = None) -> Event:
    """An event, with what its page shows; a school visit only for the people involved."""
    event = db.session.scalar(
        select(Event).where(Event.id == event_id)
        .options(selectinload(Event.courses), selectinload(Event.provider),
                 selectinload(Event.place)))
    if event is None or not _may_see(viewer, event):
        raise NotFound(_l("No such event."))
    return event


def _may_see(viewer: User | None, event: Event) -> bool:
    if event.kind != EventKind.SCHOOL_VISIT:
        return True
    if viewer is None:
        return False
    return (viewer.role == Role.ADMIN
            or (viewer.role in PROVIDER_ROLES and viewer.provider_id == event.provider_id)
            or (viewer.role == Role.COUNSELLOR and viewer.school_id == event.school_id))


def my_registrations(user: User, now: datetime
                     ) -> tuple[list[Registration], list[Registration]]:
    """The person's registrations with their events: upcoming soonest first, past latest first."""
    query = _registrations_of(user)
    upcoming = db.session.scalars(query.where(Event.ends_at > now).order_by(
        Event.starts_at, Registration.id).limit(200))
    past = db.session.scalars(query.where(Event.ends_at <= now).order_by(
        Event.starts_at.desc(), Registration.id.desc()).limit(100))
    return list(upcoming), list(past)


def next_registrations(user: User, now: datetime, limit: int) -> list[Registration]:
    """The person's first ``limit`` upcoming registrations that hold a seat or a place in the
    queue, soonest first (a start page's panel)."""
    return list(db.session.scalars(
        _registrations_of(user).where(Event.ends_at > now,
                                      Registration.status.in_(ACTIVE_REGISTRATION))
        .order_by(Event.starts_at, Registration.id).limit(limit)))


def _registrations_of(user: User) -> Select[Any]:
    """The person's registrations, joined to their events, with each event's place and the
    class registered."""
    return (select(Registration).join(Event, Event.id == Registration.event_id)
            .where(Registration.user_id == user.id)
            .options(contains_eager(Registration.event).joinedload(Event.place),
                     joinedload(Registration.school_class)))


def registration_or_404(user: User, registration_id: int) -> Registration:
    """One of the person's own registrations."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.user_id != user.id:
        raise NotFound(_l("No such registration."))
    return registration


def event_registrations(event: Event) -> list[Registration]:
    """Everyone registered for an event: confirmed and attended, then the queue in order."""
    return list(db.session.scalars(
        select(Registration).where(Registration.event_id == event.id)
        .options(selectinload(Registration.user), selectinload(Registration.school_class))
        .order_by(Registration.status == RegistrationStatus.CANCELLED,
                  Registration.position.is_not(None), Registration.position, Registration.id)))


def managed_events(actor: User, now: datetime, *, past: bool = False) -> Pagination:
    """Events the actor runs (a provider's own; an admin sees every non-visit event).

    Upcoming ones (not yet ended) soonest first, or past ones latest first.
    """
    return paginate(managed_events_query(actor, now, past=past), PAGE_SIZE)


def next_managed_events(actor: User, now: datetime, limit: int) -> tuple[int, list[Event]]:
    """How many events the actor runs are still to come, and the first ``limit`` of them."""
    query = managed_events_query(actor, now)
    total = counts_capped([(query, None)])[0].total
    return total, list(db.session.scalars(query.limit(limit)))


def managed_events_query(actor: User, now: datetime, *, past: bool = False) -> Select[Any]:
    """``managed_events``, unpaginated."""
    query = select(Event).options(selectinload(Event.school))
    if past:
        query = query.where(Event.ends_at <= now).order_by(Event.starts_at.desc(),
                                                            Event.id.desc())
    else:
        query = query.where(Event.ends_at > now).order_by(Event.starts_at, Event.id)
    if actor.role == Role.PROVIDER:
        query = query.where(Event.provider_id == actor.provider_id)
    else:
        query = query.where(Event.kind.in_(OPEN_KINDS))
    return query


def school_classes(school_id: int) -> list[SchoolClass]:
    """The classes of a school, newest year first."""
    return list(db.session.scalars(
        select(SchoolClass).where(SchoolClass.school_id == school_id)
        .order_by(SchoolClass.school_year.desc(), SchoolClass.name)))


def provider_course_choices(provider_id: int | None) -> list[tuple[int, str]]:
    """(id, title) of a provider's active courses (every active course for city-wide events)."""
    query = select(Course.id, Course.title).where(Course.status == CourseStatus.ACTIVE)
    if provider_id is not None:
        query = query.where(Course.provider_id == provider_id)
    return [(cid, title) for cid, title in db.session.execute(query.order_by(Course.title)
                                                              .limit(500))]


def my_event_registrations(user: User, event: Event) -> list[Registration]:
    """The visitor's registrations for one event (a counsellor may have several classes)."""
    return list(db.session.scalars(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.user_id == user.id)
        .options(selectinload(Registration.school_class))
        .order_by(Registration.id.desc())))


def waiting_rank(registration: Registration) -> int | None:
    """Place in the queue now (1 = next), or None when not waiting."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == registration.event_id,
        Registration.status == RegistrationStatus.WAITLISTED,
        Registration.position <= registration.position))


@dataclass
class AttendanceCounts:
    """Seats taken and people checked in, for the check-in page."""

    confirmed: int
    attended: int


def attendance_counts(event: Event) -> AttendanceCounts:
    """People with a seat still expected, and people checked in (group seats counted)."""
    rows = dict(db.session.execute(
        select(Registration.status, func.coalesce(func.sum(Registration.seats), 0))
        .where(Registration.event_id == event.id,
               Registration.status.in_((RegistrationStatus.CONFIRMED,
                                           RegistrationStatus.ATTENDED)))
        .group_by(Registration.status)).all())
    return AttendanceCounts(confirmed=int(rows.get(RegistrationStatus.CONFIRMED, 0)),
                            attended=int(rows.get(RegistrationStatus.ATTENDED, 0)))


def staffed_events(user: User, now: datetime, limit: int = 20) -> list[Event]:
    """Scheduled events not yet ended that the person is assigned to, soonest first."""
    return list(db.session.scalars(
        select(Event).join(EventStaff, EventStaff.event_id == Event.id)
        .where(EventStaff.user_id == user.id, Event.ends_at > now,
               Event.status == EventStatus.SCHEDULED)
        .options(selectinload(Event.school), selectinload(Event.place))
        .order_by(Event.starts_at, Event.id).limit(limit)))


def school_events(school_id: int, now: datetime, limit: int = 10) -> list[Event]:
    """Scheduled events at or for a school (its peer visits) not yet ended, soonest first."""
    return list(db.session.scalars(_school_events(), {"school_id": school_id, "now": now,
                                                      "limit": limit}))


@cache
def _school_events() -> Select[Any]:
    """``school_events``' statement, built once (on first use, when the mappers are
    configured): each event's provider in the same statement, its classes with their school
    class in one more (four statements were two)."""
    return (select(Event).where(Event.school_id == bindparam("school_id"),
                                Event.ends_at > bindparam("now"),
                                Event.status == EventStatus.SCHEDULED)
            .options(joinedload(Event.provider),
                     selectinload(Event.classes).joinedload(EventClass.school_class))
            .order_by(Event.starts_at, Event.id).limit(bindparam("limit")))


def calendar_feed(user: User) -> CalendarFeed | None:
    """The person's calendar feed, if they made one."""
    return db.session.get(CalendarFeed, user.id)
