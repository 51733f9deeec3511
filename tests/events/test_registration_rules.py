"""Registration rules through the services: seats, queue order, promotion, check-in, reminders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.core.errors import Conflict, DomainError, NotAllowed, NotFound
from orientamento.events import registrations, services
from orientamento.events.models import (
    REGISTRATION_TRANSITIONS,
    Event,
    Registration,
    RegistrationStatus,
)
from orientamento.extensions import db
from orientamento.outbox.models import OutboxMessage
from tests.conftest import born_years_ago
from tests.events.factories import open_day

pytestmark = pytest.mark.calendar

UserFactory = Callable[..., User]


@pytest.fixture
def staff(reference_data: None, make_user: UserFactory) -> User:
    return make_user(Role.PROVIDER)


def _students(make_user: UserFactory, count: int) -> list[User]:
    return [make_user(Role.STUDENT) for _ in range(count)]


def _register(user: User, event: Event, **kwargs: object) -> Registration:
    registration = registrations.register(user, event, **kwargs)  # type: ignore[arg-type]
    db.session.commit()
    return registration


def _mail_to(user: User) -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.subject)
                                   .where(OutboxMessage.user_id == user.id)))


def test_seats_then_an_ordered_waiting_list(staff: User, make_user: UserFactory) -> None:
    event = open_day(staff, capacity=2)
    rows = [_register(s, event) for s in _students(make_user, 5)]
    assert [(r.status, r.position) for r in rows] == [
        ("confirmed", None), ("confirmed", None),
        ("waitlisted", 1), ("waitlisted", 2), ("waitlisted", 3)]
    db.session.refresh(event)
    assert (event.seats_taken, event.waiting) == (2, 3)


def test_registering_twice_keeps_one_registration(staff: User, make_user: UserFactory) -> None:
    event = open_day(staff, capacity=2)
    student = make_user(Role.STUDENT)
    first, second = _register(student, event), _register(student, event)
    assert first.id == second.id
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1


def test_a_cancelled_seat_goes_to_the_first_waiting_who_is_told(
        staff: User, make_user: UserFactory) -> None:
    event = open_day(staff, capacity=1)
    holder, first, second = _students(make_user, 3)
    seat = _register(holder, event)
    _register(first, event)
    _register(second, event)
    promoted = registrations.cancel_registration(holder, seat)
    db.session.commit()
    assert [r.user_id for r in promoted] == [first.id]
    db.session.refresh(event)
    assert (event.seats_taken, event.waiting) == (1, 1)
    assert any(event.title in subject for subject in _mail_to(first))
    assert _mail_to(second) == []


def test_cancelling_a_queue_place_promotes_nobody(staff: User, make_user: UserFactory) -> None:
    event = open_day(staff, capacity=1)
    holder, waiting = _students(make_user, 2)
    _register(holder, event)
    queued = _register(waiting, event)
    assert registrations.cancel_registration(waiting, queued) == []
    db.session.commit()
    db.session.refresh(event)
    assert (event.seats_taken, event.waiting) == (1, 0)


def test_the_queue_is_served_strictly_in_order(
        staff: User, make_user: UserFactory, make_class: Callable[..., SchoolClass]) -> None:
    """A group of 5 at the head of the queue is not overtaken by a single person."""
    counsellor = make_user(Role.COUNSELLOR)
    school_class = make_class(counsellor)
    event = open_day(staff, capacity=6)
    a, b, c, d, late = _students(make_user, 5)
    seats = [_register(s, event) for s in (a, b, c, d)]
    _register(counsellor, event, school_class=school_class, seats=5)
    registrations.cancel_registration(a, seats[0])
    db.session.commit()
    newcomer = _register(late, event)
    assert newcomer.status == "waitlisted"  # 3 seats free, but the group is first in line
    db.session.refresh(event)
    assert event.seats_taken == 3
    registrations.cancel_registration(b, seats[1])
    registrations.cancel_registration(c, seats[2])
    db.session.commit()
    group = db.session.scalar(select(Registration).where(Registration.class_id.is_not(None)))
    assert group is not None and group.status == "confirmed"
    db.session.refresh(newcomer)
    db.session.refresh(event)
    assert newcomer.status == "waitlisted" and event.seats_taken == 6


def test_group_rules(staff: User, make_user: UserFactory,
                     make_class: Callable[..., SchoolClass]) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    event = open_day(staff, capacity=10)
    with pytest.raises(DomainError):
        registrations.register(counsellor, event, school_class=make_class(counsellor), seats=11)
    with pytest.raises(NotFound):
        registrations.register(counsellor, event, school_class=make_class(), seats=3)
    with pytest.raises(NotAllowed):
        registrations.register(make_user(Role.PROVIDER), event)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_audience_and_window(staff: User, make_user: UserFactory) -> None:
    now = clock.now()
    adults = open_day(staff, min_age=18, max_age=29)
    with pytest.raises(DomainError):
        registrations.register(make_user(Role.STUDENT, date_of_birth=born_years_ago(15)), adults)
    later = open_day(staff, registration_opens_at=now + timedelta(days=2))
    with pytest.raises(Conflict):
        registrations.register(make_user(Role.STUDENT), later)
    closed = open_day(staff, registration_closes_at=now + timedelta(days=1))
    with pytest.raises(Conflict):
        registrations.register(make_user(Role.STUDENT), closed, now=now + timedelta(days=2))
    child = make_user(Role.STUDENT, date_of_birth=born_years_ago(12))
    with pytest.raises(NotAllowed):
        registrations.register(child, open_day(staff))


def test_cancelled_events_and_started_events(staff: User, make_user: UserFactory) -> None:
    event = open_day(staff)
    student = make_user(Role.STUDENT)
    registration = _register(student, event)
    with pytest.raises(Conflict):
        registrations.cancel_registration(student, registration, now=event.starts_at)
    with pytest.raises(NotFound):
        registrations.cancel_registration(make_user(Role.STUDENT), registration)
    services.cancel_event(staff, event, "Maltempo")
    db.session.commit()
    with pytest.raises(Conflict):
        registrations.register(make_user(Role.STUDENT), event)


def test_check_in_is_idempotent_and_refuses_bad_tickets(
        staff: User, make_user: UserFactory) -> None:
    event, other = open_day(staff, capacity=1), open_day(staff)
    seated, waiting, gone = _students(make_user, 3)
    ticket = _register(seated, event)
    queued = _register(waiting, event)
    elsewhere = _register(gone, other)
    first = registrations.check_in(event, ticket.token)
    assert not first.already and first.registration.status == "attended"
    stamp = first.registration.checked_in_at
    again = registrations.check_in(event, ticket.token)
    assert again.already and again.registration.checked_in_at == stamp
    with pytest.raises(NotFound):
        registrations.check_in(event, "no-such-token")
    with pytest.raises(NotFound):
        registrations.check_in(event, elsewhere.token)
    with pytest.raises(Conflict):
        registrations.check_in(event, queued.token)
    registrations.cancel_registration(gone, elsewhere)
    with pytest.raises(Conflict):
        registrations.check_in(other, elsewhere.token)


def test_the_state_machine_refuses_invalid_moves(staff: User, make_user: UserFactory) -> None:
    assert REGISTRATION_TRANSITIONS[RegistrationStatus.CANCELLED] == frozenset()
    event = open_day(staff)
    student = make_user(Role.STUDENT)
    registration = _register(student, event)
    registrations.check_in(event, registration.token)
    db.session.commit()
    with pytest.raises(Conflict):  # attended cannot become cancelled
        registrations.cancel_registration(student, registration)
    other = _register(make_user(Role.STUDENT), event)
    registrations.cancel_registration(other.user, other)
    db.session.commit()
    with pytest.raises(Conflict):  # cancelled is final
        registrations.cancel_registration(other.user, other)


def test_reminders_once_per_registration_within_24_hours(
        staff: User, make_user: UserFactory) -> None:
    now = clock.now()
    soon = open_day(staff, starts_in=timedelta(hours=20))
    later = open_day(staff, starts_in=timedelta(days=3))
    reader, pupil, far = (make_user(Role.STUDENT), make_user(Role.STUDENT, email=None,
                                                            username="no.mail.pupil"),
                          make_user(Role.STUDENT))
    for user, event in ((reader, soon), (pupil, soon), (far, later)):
        _register(user, event)
    confirmed = {user.id: len(_mail_to(user)) for user in (reader, far)}  # the confirmations
    assert confirmed == {reader.id: 1, far.id: 1}
    assert registrations.queue_reminders(now) == 1
    db.session.commit()
    assert len(_mail_to(reader)) == 2 and len(_mail_to(far)) == 1
    assert registrations.queue_reminders(now) == 0
    assert db.session.scalar(select(func.count()).select_from(Registration)
                             .where(Registration.reminded_at.is_not(None))) == 2


def test_the_database_refuses_overbooking_and_duplicates(
        staff: User, make_user: UserFactory) -> None:
    """The constraints exist: writes that bypass the services fail."""
    event = open_day(staff, capacity=2)
    with pytest.raises(IntegrityError):
        db.session.execute(update(Event).where(Event.id == event.id).values(seats_taken=3))
        db.session.flush()
    db.session.rollback()
    student = make_user(Role.STUDENT)
    first = _register(student, event)
    db.session.add(Registration(event_id=event.id, user_id=student.id, status="confirmed"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    registrations.cancel_registration(student, first)
    db.session.add(Registration(event_id=event.id, user_id=student.id, status="confirmed"))
    db.session.flush()  # allowed: the earlier one is cancelled
