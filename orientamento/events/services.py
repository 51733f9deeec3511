"""Events: open days, webinars and workshops created, changed and cancelled; school visits.

The school-visit functions are the interface the visits feature uses: a confirmed visit
becomes an event (``schedule_school_visit``), a cancelled one cancels it
(``cancel_school_visit``), and the provider records who attended (``record_attendance``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.core.errors import Conflict, DomainError, NotFound
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.courses.models import Course, Place
from orientamento.events.models import (
    OPEN_KINDS,
    Event,
    EventClass,
    EventKind,
    EventStaff,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from orientamento.events.notices import notify
from orientamento.events.registrations import promote_waiting
from orientamento.extensions import db


@dataclass
class EventData:
    """The fields of an open day, webinar or workshop as the form gives them."""

    kind: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    address: str | None = None
    place_code: str | None = None
    accessibility: str | None = None
    online_url: str | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    min_age: int | None = None
    max_age: int | None = None
    school_level: str | None = None
    course_ids: Sequence[int] = ()


def _check(actor: User, data: EventData, now: datetime) -> list[Course]:
    if data.kind not in OPEN_KINDS:
        raise DomainError(_l("Choose open day, webinar or workshop."))
    if data.starts_at >= data.ends_at:
        raise DomainError(_l("The event must end after it starts."))
    if data.starts_at <= now:
        raise DomainError(_l("Choose a start in the future."))
    if not data.address and not data.online_url:
        raise DomainError(_l("Give an address, an online link, or both."))
    if data.address and not data.place_code:
        raise DomainError(_l("Choose the municipality of the address."))
    if data.place_code and db.session.get(Place, data.place_code) is None:
        raise NotFound(_l("Unknown municipality."))
    closes = data.registration_closes_at
    if closes is not None and closes > data.starts_at:
        raise DomainError(_l("Registration must close by the start of the event."))
    if (data.registration_opens_at is not None and closes is not None
            and data.registration_opens_at >= closes):
        raise DomainError(_l("Registration must open before it closes."))
    if data.min_age is not None and data.max_age is not None and data.min_age > data.max_age:
        raise DomainError(_l("The minimum age must not exceed the maximum age."))
    query = select(Course).where(Course.id.in_(data.course_ids))
    if actor.role != Role.ADMIN:
        query = query.where(Course.provider_id == actor.provider_id)
    courses = list(db.session.scalars(query))
    if len(courses) != len(set(data.course_ids)):
        raise NotFound(_l("Choose courses of your own organisation."))
    return courses


def _apply(event: Event, data: EventData, courses: list[Course]) -> None:
    for name in ("kind", "title", "description", "starts_at", "ends_at", "capacity", "address",
                 "place_code", "accessibility", "online_url", "registration_opens_at",
                 "registration_closes_at", "min_age", "max_age", "school_level"):
        setattr(event, name, getattr(data, name))
    event.courses = courses


def create_event(actor: User, data: EventData, now: datetime | None = None) -> Event:
    """Create an event of the actor's organisation (an admin's is city-wide)."""
    now = now or clock.now()
    courses = _check(actor, data, now)
    event = Event(provider_id=actor.provider_id if actor.role == Role.PROVIDER else None,
                  created_by_id=actor.id)
    _apply(event, data, courses)
    db.session.add(event)
    db.session.flush()
    return event


def can_manage(actor: User, event: Event) -> bool:
    """Whether the actor runs this event: its provider's staff, or an admin."""
    if actor.role == Role.ADMIN:
        return True
    return actor.role == Role.PROVIDER and event.provider_id == actor.provider_id


def managed_event_or_404(actor: User, event_id: int) -> Event:
    """An event the actor may manage, else 404."""
    event = db.session.get(Event, event_id)
    if event is None or not can_manage(actor, event):
        raise NotFound(_l("No such event."))
    return event


def update_event(actor: User, event: Event, data: EventData,
                 now: datetime | None = None) -> list[Registration]:
    """Change an event; registrants' calendars see a new SEQUENCE. Returns people promoted."""
    now = now or clock.now()
    if event.kind == EventKind.SCHOOL_VISIT or event.is_cancelled:
        raise Conflict(_l("This event cannot be changed."))
    courses = _check(actor, data, now)
    # Registrations may have taken seats since the row was read: lock it and read them again,
    # so the capacity check sees what the CHECK constraint will see.
    db.session.refresh(event, with_for_update=True)
    if data.capacity < event.seats_taken:
        raise DomainError(_l("%(taken)s seats are already taken: the capacity cannot be lower.",
                             taken=event.seats_taken))
    _apply(event, data, courses)
    event.sequence += 1
    event.updated_at = now
    db.session.flush()
    return promote_waiting(event, now)


def cancel_event(actor: User, event: Event, reason: str, now: datetime | None = None) -> int:
    """Cancel an event and tell everyone registered; returns how many were told."""
    now = now or clock.now()
    if event.kind == EventKind.SCHOOL_VISIT:
        raise Conflict(_l("Cancel a school visit from its visit request."))
    if event.is_cancelled:
        raise Conflict(_l("This event was already cancelled."))
    if not reason.strip():
        raise DomainError(_l("Give a reason."))
    event.status = EventStatus.CANCELLED
    event.cancel_reason = reason.strip()
    event.sequence += 1
    event.updated_at = now
    db.session.flush()
    people = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id,
        Registration.status.in_((RegistrationStatus.CONFIRMED,
                                 RegistrationStatus.WAITLISTED)))).all()
    return notify([r.user for r in people], "event_cancelled", event=event)


@dataclass
class SchoolVisitData:
    """A confirmed peer visit as the visits feature hands it over: where, when, who, classes."""

    provider_id: int
    school_id: int
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    address: str | None
    courses: Sequence[Course]
    created_by_id: int | None
    staff_ids: Sequence[int]
    #: Pupils coming from each class, by class id.
    pupils_by_class: Mapping[int, int]


def schedule_school_visit(data: SchoolVisitData) -> Event:
    """Create the event of a confirmed school visit with its ambassadors and classes.

    The overlap guards raise ``IntegrityError`` (see ``overlap.is_overlap``) when an ambassador
    or a class already has a scheduled event at that time; the caller decides what that means.
    """
    event = Event(
        kind=EventKind.SCHOOL_VISIT, provider_id=data.provider_id,
        school_id=data.school_id, title=data.title, description=data.description,
        starts_at=data.starts_at, ends_at=data.ends_at, address=data.address,
        courses=list(data.courses), created_by_id=data.created_by_id)
    db.session.add(event)
    db.session.flush()
    for user_id in data.staff_ids:
        event.staff.append(EventStaff(user_id=user_id))
    for class_id, pupils in data.pupils_by_class.items():
        event.classes.append(EventClass(class_id=class_id, pupils=pupils))
    db.session.flush()
    return event


def cancel_school_visit(event: Event, reason: str, now: datetime) -> None:
    """Cancel a school visit's event: calendars see it cancelled (the visit tells the people)."""
    event.status = EventStatus.CANCELLED
    event.cancel_reason = reason
    event.sequence += 1
    event.updated_at = now
    db.session.flush()


def record_attendance(actor: User, event: Event, attended: dict[int, int],
                      now: datetime | None = None) -> None:
    """Record how many pupils of each class attended a visit (after it started)."""
    now = now or clock.now()
    if event.kind != EventKind.SCHOOL_VISIT or event.provider_id != actor.provider_id:
        raise NotFound(_l("No such visit."))
    if event.is_cancelled:
        raise Conflict(_l("This event was cancelled."))
    if event.starts_at > now:
        raise Conflict(_l("Attendance can be recorded once the visit has started."))
    for row in event.classes:
        count = attended.get(row.class_id)
        if count is None:
            continue
        if not 0 <= count <= row.pupils:
            raise DomainError(_l("Between 0 and %(most)s pupils for %(name)s.",
                                 most=row.pupils, name=row.school_class.name))
        row.attended = count
        row.attendance_recorded_at = now
    db.session.flush()
