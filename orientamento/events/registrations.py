"""Registrations: seats, the waiting list in order, cancellation, check-in and reminders.

Every change of an event's counters is one conditional UPDATE of the event row in the same
transaction as the registration row, so the row lock (PostgreSQL) or the write lock (SQLite,
``BEGIN IMMEDIATE``) serializes registrations for one event and the CHECK constraint on
``seats_taken <= capacity`` backs the arithmetic. A newcomer only takes a seat when nobody is
waiting, so the waiting list is served strictly in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError

from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.core.errors import Conflict, DomainError, NotAllowed, NotFound
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.events.calendars import event_file
from orientamento.events.models import (
    ACTIVE_REGISTRATION,
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from orientamento.events.notices import notify
from orientamento.extensions import db

#: A class group registration may not hold more seats than this.
MAX_GROUP = 60

#: Reminders go out this long before an event.
REMINDER_LEAD = timedelta(hours=24)


def _active(event: Event, user: User, school_class: SchoolClass | None) -> Select[Registration]:
    query = select(Registration).where(
        Registration.event_id == event.id,
        Registration.status.in_(ACTIVE_REGISTRATION))
    if school_class is None:
        return query.where(Registration.user_id == user.id, Registration.class_id.is_(None))
    return query.where(Registration.class_id == school_class.id)


def active_registration(event: Event, user: User,
                        school_class: SchoolClass | None = None) -> Registration | None:
    """The person's (or the class group's) active registration for ``event``, if any."""
    return db.session.scalar(_active(event, user, school_class))


def _check_eligible(user: User, event: Event, school_class: SchoolClass | None, seats: int,
                    now: datetime) -> None:
    if not event.registration_open(now):
        raise Conflict(_l("Registration for this event is closed."))
    if user.role == Role.STUDENT:
        if school_class is not None or seats != 1:
            raise NotAllowed(_l("Students register themselves only."))
        if user.needs_parental_consent(clock.milan_date(now)):
            raise NotAllowed(_l("Under 14 you need a parent's consent to register on your own: "
                                "ask your school counsellor, who can register your class."))
        age = user.age(clock.milan_date(now))
        if age is not None and ((event.min_age is not None and age < event.min_age)
                                or (event.max_age is not None and age > event.max_age)):
            raise DomainError(_l("This event is for people aged %(low)s to %(high)s.",
                                 low=event.min_age or 0, high=event.max_age or 99))
        return
    if user.role != Role.COUNSELLOR:
        raise NotAllowed(_l("Only students and school counsellors can register."))
    if school_class is None or school_class.school_id != user.school_id:
        raise NotFound(_l("Choose one of your school's classes."))
    if event.school_level and school_class.level != event.school_level:
        raise DomainError(_l("This event is for another school level."))
    if not 1 <= seats <= MAX_GROUP:
        raise DomainError(_l("A group has between 1 and %(most)s people.", most=MAX_GROUP))
    if event.capacity is not None and seats > event.capacity:
        raise DomainError(_l("The group is larger than the event (%(capacity)s places).",
                             capacity=event.capacity))


def register(user: User, event: Event, *, school_class: SchoolClass | None = None,
             seats: int = 1, now: datetime | None = None) -> Registration:
    """Register a student (or a class group): a seat if one is free, else a queue place.

    Registering again returns the active registration: a double click makes one.
    """
    now = now or clock.now()
    _check_eligible(user, event, school_class, seats, now)
    existing = active_registration(event, user, school_class)
    if existing is not None:
        return existing
    try:
        with db.session.begin_nested():
            registration = _take_seat_or_queue(user, event, school_class, seats, now)
    except IntegrityError:
        # A concurrent request for the same person committed first.
        existing = active_registration(event, user, school_class)
        if existing is None:
            raise
        return existing
    db.session.expire(event, ["seats_taken", "waiting", "waitlist_seq"])
    if registration.status == RegistrationStatus.CONFIRMED:
        notify([user], "event_registered", event=event, registration=registration,
               calendar_ics=lambda person: event_file(event, person))
    return registration


def _take_seat_or_queue(user: User, event: Event, school_class: SchoolClass | None, seats: int,
                        now: datetime) -> Registration:
    seated = db.session.execute(
        update(Event)
        .where(Event.id == event.id, Event.status == EventStatus.SCHEDULED,
               Event.waiting == 0, Event.seats_taken + seats <= Event.capacity)
        .values(seats_taken=Event.seats_taken + seats)
        .returning(Event.id)
        .execution_options(synchronize_session=False)
    ).first()
    position = None
    if seated is None:
        queued = db.session.execute(
            update(Event)
            .where(Event.id == event.id, Event.status == EventStatus.SCHEDULED)
            .values(waiting=Event.waiting + 1, waitlist_seq=Event.waitlist_seq + 1)
            .returning(Event.waitlist_seq)
            .execution_options(synchronize_session=False)
        ).first()
        if queued is None:
            raise Conflict(_l("This event was cancelled."))
        position = queued[0]
    registration = Registration(
        event_id=event.id, user_id=user.id,
        class_id=school_class.id if school_class else None, seats=seats,
        status=RegistrationStatus.CONFIRMED if seated else RegistrationStatus.WAITLISTED,
        position=position, confirmed_at=now if seated else None)
    db.session.add(registration)
    db.session.flush()
    if position is not None:
        # A seat may have freed between the two UPDATEs (a cancellation that found nobody
        # waiting yet); the row is locked now, so serve the queue before answering.
        promote_waiting(event, now, quiet=registration.id)
    return registration


def _lock_event(event: Event) -> None:
    # Take the event row first, as registering does, so that a cancellation and the
    # promotion it triggers never wait on each other in the opposite order (PostgreSQL).
    db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update())


def cancel_registration(user: User, registration: Registration,
                        now: datetime | None = None) -> list[Registration]:
    """Cancel before the start; a freed seat goes to the first people waiting. Returns them."""
    now = now or clock.now()
    if registration.user_id != user.id:
        raise NotFound(_l("No such registration."))
    event = registration.event
    if now >= event.starts_at:
        raise Conflict(_l("The event has already started: it can no longer be cancelled."))
    _lock_event(event)
    db.session.refresh(registration)  # promotions happen under the event lock: now stable
    previous = registration.status
    if not registration.can_become(RegistrationStatus.CANCELLED):
        raise Conflict(_l("This registration is no longer active."))
    changed = db.session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.status == previous)
        .values(status=RegistrationStatus.CANCELLED, cancelled_at=now)
        .returning(Registration.status)
        .execution_options(synchronize_session=False)
    ).first()
    if changed is None:
        raise Conflict(_l("This registration is no longer active."))
    db.session.refresh(registration)
    if previous == RegistrationStatus.CONFIRMED:
        counters = {"seats_taken": Event.seats_taken - registration.seats}
    else:
        counters = {"waiting": Event.waiting - 1}
    db.session.execute(update(Event).where(Event.id == event.id).values(**counters)
                       .execution_options(synchronize_session=False))
    promoted = promote_waiting(event, now)
    db.session.expire(event, ["seats_taken", "waiting"])
    return promoted


def promote_waiting(event: Event, now: datetime | None = None,
                    quiet: int | None = None) -> list[Registration]:
    """Give free seats to the waiting list in order; stop at the first group that does not fit.

    Everyone promoted is told by e-mail, except registration ``quiet`` (the one being made).
    """
    now = now or clock.now()
    promoted = []
    while True:
        first = db.session.scalar(
            select(Registration)
            .where(Registration.event_id == event.id,
                   Registration.status == RegistrationStatus.WAITLISTED)
            .order_by(Registration.position).limit(1))
        if first is None:
            break
        seated = db.session.execute(
            update(Event)
            .where(Event.id == event.id, Event.status == EventStatus.SCHEDULED,
                   Event.seats_taken + first.seats <= Event.capacity)
            .values(seats_taken=Event.seats_taken + first.seats, waiting=Event.waiting - 1)
            .execution_options(synchronize_session=False))
        if seated.rowcount == 0:  # type: ignore[attr-defined]
            break
        first.status = RegistrationStatus.CONFIRMED
        first.confirmed_at = now
        db.session.flush()
        promoted.append(first)
        if first.id != quiet:
            notify([first.user], "event_promoted", event=event, registration=first,
                   calendar_ics=lambda person: event_file(event, person))
    db.session.expire(event, ["seats_taken", "waiting"])
    return promoted


@dataclass(frozen=True)
class CheckIn:
    """What checking a ticket in found."""

    registration: Registration
    already: bool


def check_in(event: Event, token: str, now: datetime | None = None) -> CheckIn:
    """Mark a ticket's holder present; a second check-in is harmless and says so."""
    now = now or clock.now()
    registration = db.session.scalar(
        select(Registration).where(Registration.token == token.strip()))
    if registration is None or registration.event_id != event.id:
        raise NotFound(_l("No ticket for this event has this code."))
    if event.is_cancelled:
        raise Conflict(_l("This event was cancelled."))
    if registration.status == RegistrationStatus.CANCELLED:
        raise Conflict(_l("This registration was cancelled: the ticket is not valid."))
    if registration.status == RegistrationStatus.WAITLISTED:
        raise Conflict(_l("This person is on the waiting list and has no seat."))
    # Attended stays attended: a second scan is harmless (below, "already").
    marked = db.session.execute(
        update(Registration)
        .where(Registration.id == registration.id,
               Registration.status == RegistrationStatus.CONFIRMED)
        .values(status=RegistrationStatus.ATTENDED, checked_in_at=now)
        .execution_options(synchronize_session=False))
    db.session.refresh(registration)
    return CheckIn(registration, already=marked.rowcount == 0)  # type: ignore[attr-defined]


def queue_reminders(now: datetime | None = None, chunk: int = 500) -> int:
    """Queue one reminder per confirmed registration for events starting within 24 hours.

    Each registration is claimed with a conditional UPDATE before its e-mail is queued, so the
    command can run again (or twice at once) without sending anything twice.
    """
    now = now or clock.now()
    queued = 0
    last_id = 0
    while True:
        batch = db.session.scalars(
            select(Registration)
            .join(Event, Event.id == Registration.event_id)
            .where(Registration.id > last_id,
                   Registration.status == RegistrationStatus.CONFIRMED,
                   Registration.reminded_at.is_(None),
                   Event.status == EventStatus.SCHEDULED,
                   Event.starts_at > now, Event.starts_at <= now + REMINDER_LEAD)
            .order_by(Registration.id).limit(chunk)).all()
        if not batch:
            return queued
        for registration in batch:
            claimed = db.session.execute(
                update(Registration)
                .where(Registration.id == registration.id, Registration.reminded_at.is_(None))
                .values(reminded_at=now).execution_options(synchronize_session=False))
            if claimed.rowcount:  # type: ignore[attr-defined]
                queued += notify([registration.user], "event_reminder",
                                 event=registration.event, registration=registration)
        last_id = batch[-1].id
