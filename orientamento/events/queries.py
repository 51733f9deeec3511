"""Read-side selects for the events pages: listings, windows to browse, requests, registrations."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.core.errors import NotFound
from orientamento.core.pagination import paginate
from orientamento.courses.models import Course, Place
from orientamento.courses.queries import squared_km
from orientamento.events.models import OPEN_KINDS, Event, EventStatus, Registration, event_courses
from orientamento.events.visit_models import VisitRequest, VisitWindow, window_courses
from orientamento.events.visits import school_place
from orientamento.extensions import db
from orientamento.orgs.models import Provider, School

PAGE_SIZE = 20


@dataclass
class EventFilter:
    """What the public event listing is narrowed to."""

    kind: str = ""
    online: str = ""  # "", "online", "in_person"
    from_day: date | None = None
    provider_id: int | None = None
    course_id: int | None = None


def upcoming_events(filters: EventFilter, now: datetime) -> Pagination:
    """Scheduled open days, webinars and workshops that have not ended, soonest first."""
    query = (select(Event)
             .where(Event.kind.in_([k.value for k in OPEN_KINDS]),
                    Event.status == EventStatus.SCHEDULED.value, Event.ends_at > now)
             .options(selectinload(Event.provider), selectinload(Event.place))
             .order_by(Event.starts_at, Event.id))
    if filters.kind:
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
               Event.kind.in_([k.value for k in OPEN_KINDS]),
               Event.status == EventStatus.SCHEDULED.value, Event.ends_at > now)
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
    if event.kind != "school_visit":
        return True
    if viewer is None:
        return False
    return (viewer.role == Role.ADMIN
            or (viewer.role == Role.PROVIDER and viewer.provider_id == event.provider_id)
            or (viewer.role == Role.COUNSELLOR and viewer.school_id == event.school_id))


def my_registrations(user: User, now: datetime
                     ) -> tuple[list[Registration], list[Registration]]:
    """The person's registrations with their events: upcoming soonest first, past latest first."""
    query = (select(Registration).join(Event, Event.id == Registration.event_id)
             .where(Registration.user_id == user.id)
             .options(selectinload(Registration.event).selectinload(Event.place),
                      selectinload(Registration.school_class)))
    upcoming = db.session.scalars(query.where(Event.ends_at > now).order_by(
        Event.starts_at, Registration.id).limit(200))
    past = db.session.scalars(query.where(Event.ends_at <= now).order_by(
        Event.starts_at.desc(), Registration.id.desc()).limit(100))
    return list(upcoming), list(past)


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
        .order_by(Registration.status == "cancelled", Registration.position.is_not(None),
                  Registration.position, Registration.id)))


def managed_events(actor: User, now: datetime, *, past: bool = False) -> Pagination:
    """Events the actor runs (a provider's own; an admin sees every non-visit event).

    Upcoming ones (not yet ended) soonest first, or past ones latest first.
    """
    query = select(Event).options(selectinload(Event.school))
    if past:
        query = query.where(Event.ends_at <= now).order_by(Event.starts_at.desc(),
                                                            Event.id.desc())
    else:
        query = query.where(Event.ends_at > now).order_by(Event.starts_at, Event.id)
    if actor.role == Role.PROVIDER:
        query = query.where(Event.provider_id == actor.provider_id)
    else:
        query = query.where(Event.kind.in_([k.value for k in OPEN_KINDS]))
    return paginate(query, PAGE_SIZE)


def provider_windows(provider_id: int, now: datetime) -> Pagination:
    """A provider's future windows, soonest first."""
    return paginate(
        select(VisitWindow).where(VisitWindow.provider_id == provider_id,
                                  VisitWindow.ends_at > now)
        .options(selectinload(VisitWindow.ambassadors), selectinload(VisitWindow.places),
                 selectinload(VisitWindow.courses))
        .order_by(VisitWindow.starts_at), PAGE_SIZE)


@dataclass
class WindowFilter:
    """What a counsellor narrows the availability to."""

    area: str = ""
    mode: str = ""
    from_day: date | None = None
    to_day: date | None = None
    km: int | None = None


def provider_places() -> Any:
    """Each provider's municipality as a place (for distances), as a subquery."""
    return (select(Provider.id.label("provider_id"), Place.latitude, Place.longitude)
            .join(Place, func.lower(Place.name) == func.lower(Provider.municipality))
            .where(Place.kind == "comune").subquery("provider_place"))


def windows_for_school(school: School, filters: WindowFilter, now: datetime) -> Pagination:
    """Bookable windows for a school, soonest first (distance filter from the school)."""
    query = (select(VisitWindow)
             .where(VisitWindow.starts_at > now, VisitWindow.booked < VisitWindow.max_visits)
             .options(selectinload(VisitWindow.provider), selectinload(VisitWindow.courses),
                      selectinload(VisitWindow.places))
             .order_by(VisitWindow.starts_at, VisitWindow.id))
    if filters.mode:
        query = query.where(VisitWindow.mode.in_((filters.mode, "both")))
    if filters.from_day:
        query = query.where(VisitWindow.starts_at >= clock.rome_datetime(filters.from_day, time(0)))
    if filters.to_day:
        query = query.where(VisitWindow.starts_at
                            < clock.rome_datetime(filters.to_day + timedelta(days=1), time(0)))
    if filters.area:
        query = query.where(VisitWindow.id.in_(
            select(window_courses.c.window_id)
            .join(Course, Course.id == window_courses.c.course_id)
            .where(Course.area == filters.area)))
    here = school_place(school)
    if filters.km is not None and here is not None:
        located = provider_places()
        query = query.join(located, located.c.provider_id == VisitWindow.provider_id).where(
            squared_km(here, located.c.latitude, located.c.longitude) <= filters.km ** 2)
    return paginate(query, PAGE_SIZE)


def provider_distances(school: School, provider_ids: set[int]) -> dict[int, float]:
    """Kilometres from the school to each provider's municipality (where both are known)."""
    here = school_place(school)
    if here is None or not provider_ids:
        return {}
    located = provider_places()
    rows = db.session.execute(select(
        located.c.provider_id, squared_km(here, located.c.latitude, located.c.longitude))
        .where(located.c.provider_id.in_(provider_ids)))
    return {pid: round(math.sqrt(d2), 1) for pid, d2 in rows}


def window_or_404(window_id: int) -> VisitWindow:
    """A window still open for requests."""
    window = db.session.get(VisitWindow, window_id)
    if window is None:
        raise NotFound(_l("No such availability."))
    return window


def visit_requests(actor: User) -> Pagination:
    """The actor's side of visit requests: a provider's incoming, a school's outgoing."""
    query = select(VisitRequest).options(
        selectinload(VisitRequest.school), selectinload(VisitRequest.provider),
        selectinload(VisitRequest.classes)).order_by(VisitRequest.starts_at.desc(),
                                                     VisitRequest.id.desc())
    if actor.role == Role.PROVIDER:
        query = query.where(VisitRequest.provider_id == actor.provider_id)
    else:
        query = query.where(VisitRequest.school_id == actor.school_id)
    return paginate(query, PAGE_SIZE)


def visit_or_404(actor: User, visit_id: int) -> VisitRequest:
    """A visit request the actor's school or organisation is part of."""
    visit = db.session.get(VisitRequest, visit_id)
    if visit is None or not (
            (actor.role == Role.PROVIDER and visit.provider_id == actor.provider_id)
            or (actor.role == Role.COUNSELLOR and visit.school_id == actor.school_id)):
        raise NotFound(_l("No such visit request."))
    return visit


def school_classes(school_id: int) -> list[SchoolClass]:
    """The classes of a school, newest year first."""
    return list(db.session.scalars(
        select(SchoolClass).where(SchoolClass.school_id == school_id)
        .order_by(SchoolClass.school_year.desc(), SchoolClass.name)))


def provider_staff_choices(provider_id: int) -> list[tuple[int, str]]:
    """(id, name) of a provider's staff and ambassadors, for checkboxes."""
    return [(user.id, user.display_name) for user in db.session.scalars(
        select(User).where(User.provider_id == provider_id, User.role == Role.PROVIDER,
                           User.active.is_(True)).order_by(User.display_name))]


def provider_course_choices(provider_id: int | None) -> list[tuple[int, str]]:
    """(id, title) of a provider's active courses (every active course for city-wide events)."""
    query = select(Course.id, Course.title).where(Course.status == "active")
    if provider_id is not None:
        query = query.where(Course.provider_id == provider_id)
    return [(cid, title) for cid, title in db.session.execute(query.order_by(Course.title)
                                                              .limit(500))]


def next_window_starts(provider_id: int) -> datetime | None:
    """When the provider's next bookable window starts (for empty states)."""
    return db.session.scalar(select(func.min(VisitWindow.starts_at)).where(and_(
        VisitWindow.provider_id == provider_id, VisitWindow.booked < VisitWindow.max_visits)))


def my_event_registrations(user: User, event: Event) -> list[Registration]:
    """The visitor's registrations for one event (a counsellor may have several classes)."""
    return list(db.session.scalars(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.user_id == user.id)
        .options(selectinload(Registration.school_class))
        .order_by(Registration.id.desc())))


def waiting_rank(registration: Registration) -> int | None:
    """Place in the queue now (1 = next), or None when not waiting."""
    if registration.status != "waitlisted":
        return None
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == registration.event_id, Registration.status == "waitlisted",
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
               Registration.status.in_(("confirmed", "attended")))
        .group_by(Registration.status)).all())
    return AttendanceCounts(confirmed=int(rows.get("confirmed", 0)),
                            attended=int(rows.get("attended", 0)))
