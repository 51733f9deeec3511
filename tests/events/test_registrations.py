"""Registrations through the services: seats, the waiting list, cancelling, check-in, reminders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core.errors import Conflict, DomainError, NotFound
from orientamento.events import registrations, services
from orientamento.events.models import Event, Registration
from orientamento.extensions import db
from orientamento.outbox.models import OutboxMessage
from tests.events.conftest import mail_subjects

UserFactory = Callable[..., User]
EventFactory = Callable[..., Event]


def register(user: User, event: Event, **kwargs: object) -> Registration:
    """Register and commit, as the view does."""
    registration = registrations.register(user, event, **kwargs)  # type: ignore[arg-type]
    db.session.commit()
    return registration


def cancel(user: User, registration: Registration, **kwargs: object) -> list[Registration]:
    """Cancel and commit, as the view does."""
    promoted = registrations.cancel_registration(user, registration, **kwargs)  # type: ignore[arg-type]
    db.session.commit()
    return promoted


def students(make_user: UserFactory, count: int) -> list[User]:
    """``count`` new students (aged 18)."""
    return [make_user(Role.STUDENT) for _ in range(count)]


def counters(event: Event) -> tuple[int, int]:
    """The event's (seats_taken, waiting) as stored."""
    db.session.refresh(event)
    return event.seats_taken, event.waiting


def outbox_count() -> int:
    """How many messages are queued."""
    return db.session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


# --- seats and the waiting list ------------------------------------------------------------


def test_seats_until_capacity_then_a_numbered_waiting_list(
        make_event: EventFactory, make_user: UserFactory) -> None:
    """The first `capacity` people get seats, the rest queue with positions 1, 2, 3."""
    event = make_event(capacity=2)
    rows = [register(s, event) for s in students(make_user, 5)]
    assert [(r.status, r.position) for r in rows] == [
        ("confirmed", None), ("confirmed", None),
        ("waitlisted", 1), ("waitlisted", 2), ("waitlisted", 3)]
    assert all(r.confirmed_at is not None for r in rows[:2])
    assert counters(event) == (2, 3)


def test_registering_twice_returns_the_same_registration(
        make_event: EventFactory, make_user: UserFactory) -> None:
    """A double click makes one registration row, not two."""
    event = make_event(capacity=3)
    student = make_user(Role.STUDENT)
    first, second = register(student, event), register(student, event)
    assert first.id == second.id
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
    assert counters(event) == (1, 0)


def test_cancelling_a_seat_promotes_the_first_waiting_and_tells_them(
        make_event: EventFactory, make_user: UserFactory) -> None:
    """The freed seat goes to position 1, counters follow, and an e-mail is queued for them."""
    event = make_event(capacity=1, title="Open day Meccatronica")
    holder, first, second = students(make_user, 3)
    seat = register(holder, event)
    waiting_first = register(first, event)
    waiting_second = register(second, event)
    promoted = cancel(holder, seat)
    assert [r.id for r in promoted] == [waiting_first.id]
    db.session.refresh(waiting_first)
    db.session.refresh(waiting_second)
    db.session.refresh(seat)
    assert seat.status == "cancelled" and seat.cancelled_at is not None
    assert waiting_first.status == "confirmed" and waiting_first.confirmed_at is not None
    assert waiting_second.status == "waitlisted"
    assert counters(event) == (1, 1)
    subjects = mail_subjects(first)
    assert len(subjects) == 1 and "Open day Meccatronica" in subjects[0]
    body = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.user_id == first.id))
    assert f"/{waiting_first.id}" in body  # the ticket link of the promoted registration
    # The holder had only the confirmation of their own registration; nobody waiting is told.
    assert mail_subjects(second) == [] and len(mail_subjects(holder)) == 1


def test_cancelling_a_waiting_entry_promotes_nobody(
        make_event: EventFactory, make_user: UserFactory) -> None:
    """Leaving the queue only decrements `waiting`; seats and the others stay as they were."""
    event = make_event(capacity=1)
    holder, first, second = students(make_user, 3)
    seat = register(holder, event)
    queued = register(first, event)
    last = register(second, event)
    assert cancel(first, queued) == []
    assert counters(event) == (1, 1)
    db.session.refresh(seat)
    db.session.refresh(last)
    assert (seat.status, last.status, last.position) == ("confirmed", "waitlisted", 2)
    assert mail_subjects(first) == [] and mail_subjects(second) == []  # nobody promoted
    assert outbox_count() == 1  # only the holder's confirmation


def test_a_blocked_group_at_the_head_keeps_a_later_single_waiting(
        make_event: EventFactory, make_user: UserFactory,
        make_class: Callable[..., SchoolClass]) -> None:
    """Strict order: a group of 5 waiting with 2 free seats is not overtaken by one student."""
    event = make_event(capacity=10)
    early = [register(s, event) for s in students(make_user, 8)]
    counsellor = make_user(Role.COUNSELLOR)
    group = register(counsellor, event, school_class=make_class(counsellor), seats=5)
    latecomer = register(make_user(Role.STUDENT), event)
    assert (group.status, group.position) == ("waitlisted", 1)
    assert (latecomer.status, latecomer.position) == ("waitlisted", 2)
    assert counters(event) == (8, 2)
    # One more seat frees (3 free): still not enough for the group, so nobody moves.
    assert cancel(early[0].user, early[0]) == []
    db.session.refresh(latecomer)
    assert latecomer.status == "waitlisted"
    assert counters(event) == (7, 2)


def test_a_group_larger_than_the_event_is_refused(
        make_event: EventFactory, make_user: UserFactory,
        make_class: Callable[..., SchoolClass]) -> None:
    """A class group cannot ask for more seats than the event has."""
    event = make_event(capacity=4)
    counsellor = make_user(Role.COUNSELLOR)
    with pytest.raises(DomainError):
        registrations.register(counsellor, event, school_class=make_class(counsellor), seats=5)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_a_counsellor_must_use_a_class_of_their_own_school(
        make_event: EventFactory, make_user: UserFactory,
        make_class: Callable[..., SchoolClass]) -> None:
    """Another school's class is "not found" for the counsellor."""
    event = make_event()
    counsellor = make_user(Role.COUNSELLOR)
    foreign_class = make_class(make_user(Role.COUNSELLOR))
    with pytest.raises(NotFound):
        registrations.register(counsellor, event, school_class=foreign_class, seats=3)


@pytest.mark.parametrize(("min_age", "max_age"), [(19, None), (None, 16)])
def test_a_student_outside_the_age_range_is_refused(
        make_event: EventFactory, make_user: UserFactory,
        min_age: int | None, max_age: int | None) -> None:
    """An 18-year-old cannot join an event for 19+ or for up to 16."""
    event = make_event(min_age=min_age, max_age=max_age)
    with pytest.raises(DomainError):
        registrations.register(make_user(Role.STUDENT), event)


def test_registration_only_while_open(
        make_event: EventFactory, make_user: UserFactory, now: datetime) -> None:
    """Before opening, after closing and after the start, registering is a Conflict."""
    event = make_event(registration_opens_at=now + timedelta(days=1),
                       registration_closes_at=now + timedelta(days=5))
    student = make_user(Role.STUDENT)
    for moment in (now, now + timedelta(days=6), event.starts_at + timedelta(minutes=1)):
        with pytest.raises(Conflict):
            registrations.register(student, event, now=moment)
    assert register(student, event, now=now + timedelta(days=2)).status == "confirmed"


def test_registration_closes_at_the_start_without_a_closing_time(
        make_event: EventFactory, make_user: UserFactory) -> None:
    """With no closing time the start itself closes registrations."""
    event = make_event()
    with pytest.raises(Conflict):
        registrations.register(make_user(Role.STUDENT), event, now=event.starts_at)


def test_a_cancelled_event_refuses_registrations(
        make_event: EventFactory, make_user: UserFactory) -> None:
    """Nobody can register for a cancelled event."""
    event = make_event()
    services.cancel_event(db.session.get(User, event.created_by_id), event, "Sciopero")
    db.session.commit()
    with pytest.raises(Conflict):
        registrations.register(make_user(Role.STUDENT), event)


def test_cancelling_after_the_start_is_refused(
        make_event: EventFactory, make_user: UserFactory) -> None:
    """Once the event started, the seat cannot be given back."""
    event = make_event()
    student = make_user(Role.STUDENT)
    seat = register(student, event)
    with pytest.raises(Conflict):
        registrations.cancel_registration(student, seat, now=event.starts_at)
    db.session.rollback()
    db.session.refresh(seat)
    assert seat.status == "confirmed"


def test_nobody_else_can_cancel_a_registration(
        make_event: EventFactory, make_user: UserFactory) -> None:
    """Someone else's registration is "not found" and stays as it was."""
    event = make_event()
    owner, intruder = students(make_user, 2)
    seat = register(owner, event)
    with pytest.raises(NotFound):
        registrations.cancel_registration(intruder, seat)
    db.session.rollback()
    db.session.refresh(seat)
    assert seat.status == "confirmed"
    assert counters(event) == (1, 0)


def test_cancelling_twice_is_a_conflict(
        make_event: EventFactory, make_user: UserFactory) -> None:
    """A cancelled registration cannot be cancelled again (counters are not decremented twice)."""
    event = make_event()
    student = make_user(Role.STUDENT)
    seat = register(student, event)
    cancel(student, seat)
    with pytest.raises(Conflict):
        registrations.cancel_registration(student, seat)
    db.session.rollback()
    assert counters(event) == (0, 0)


# --- check-in -------------------------------------------------------------------------------


def test_check_in_marks_attended_once(make_event: EventFactory, make_user: UserFactory,
                                      now: datetime) -> None:
    """The first scan marks the holder present; a second one says "already" and changes nothing."""
    event = make_event()
    seat = register(make_user(Role.STUDENT), event)
    first = registrations.check_in(event, seat.token, now=now)
    db.session.commit()
    assert first.already is False
    assert first.registration.status == "attended"
    assert first.registration.checked_in_at == now
    second = registrations.check_in(event, f"  {seat.token} ", now=now + timedelta(hours=1))
    db.session.commit()
    assert second.already is True
    db.session.refresh(seat)
    assert (seat.status, seat.checked_in_at) == ("attended", now)


def test_check_in_refuses_unknown_foreign_cancelled_and_waiting_tickets(
        make_event: EventFactory, make_user: UserFactory) -> None:
    """Only a confirmed ticket of this event can be checked in."""
    event = make_event(capacity=1)
    other_event = make_event()
    seated, waiting, elsewhere = students(make_user, 3)
    seat = register(seated, event)
    queued = register(waiting, event)
    foreign = register(elsewhere, other_event)
    with pytest.raises(NotFound):
        registrations.check_in(event, "no-such-token")
    with pytest.raises(NotFound):
        registrations.check_in(event, foreign.token)
    with pytest.raises(Conflict):
        registrations.check_in(event, queued.token)
    cancel(waiting, queued)
    with pytest.raises(Conflict):
        registrations.check_in(event, queued.token)
    db.session.rollback()
    for row in (seat, queued, foreign):
        db.session.refresh(row)
        assert row.checked_in_at is None
    assert (seat.status, foreign.status) == ("confirmed", "confirmed")


# --- reminders ------------------------------------------------------------------------------


def test_reminders_go_once_to_confirmed_people_of_events_within_a_day(
        make_event: EventFactory, make_user: UserFactory, now: datetime) -> None:
    """Only confirmed seats of scheduled events starting in the next 24 hours are reminded, once."""
    soon = make_event(capacity=1, starts_in=timedelta(hours=30), title="Soon")
    later = make_event(starts_in=timedelta(days=5), title="Later")
    called_off = make_event(starts_in=timedelta(hours=30), title="Called off")
    seated, queued, later_one, off_one = students(make_user, 4)
    no_mail = make_user(Role.STUDENT, username="senza.mail", email=None)
    register(seated, soon)
    register(queued, soon)
    no_mail_row = register(no_mail, make_event(starts_in=timedelta(hours=30)))
    register(later_one, later)
    register(off_one, called_off)
    services.cancel_event(db.session.get(User, called_off.created_by_id), called_off, "Pioggia")
    db.session.commit()
    before = outbox_count()

    moment = now + timedelta(hours=10)
    assert registrations.queue_reminders(now=moment) == 1
    db.session.commit()
    assert registrations.queue_reminders(now=moment + timedelta(minutes=5)) == 0
    db.session.commit()
    assert outbox_count() == before + 1
    assert [s for s in mail_subjects(seated) if "Soon" in s] != []
    assert mail_subjects(queued) == []
    assert [s for s in mail_subjects(later_one) if "Soon" in s] == []
    assert len(mail_subjects(off_one)) == 2  # the registration and the cancellation notice
    db.session.refresh(no_mail_row)
    assert no_mail_row.status == "confirmed"


# --- database guards ------------------------------------------------------------------------


def test_the_database_refuses_more_seats_than_capacity(make_event: EventFactory) -> None:
    """The CHECK constraint holds even for a write that bypasses the services."""
    event = make_event(capacity=3)
    with pytest.raises(IntegrityError):
        db.session.execute(update(Event).where(Event.id == event.id).values(seats_taken=4))
        db.session.flush()
    db.session.rollback()
    db.session.execute(update(Event).where(Event.id == event.id).values(seats_taken=3))
    db.session.commit()
    assert counters(event) == (3, 0)


def test_one_active_registration_per_person_is_enforced_by_the_database(
        make_event: EventFactory, make_user: UserFactory) -> None:
    """A second active row for the same person fails; after cancelling the first it is allowed."""
    event = make_event()
    student = make_user(Role.STUDENT)
    first = Registration(event_id=event.id, user_id=student.id, status="confirmed")
    db.session.add(first)
    db.session.commit()
    db.session.add(Registration(event_id=event.id, user_id=student.id, status="confirmed"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    first.status = "cancelled"
    db.session.commit()
    db.session.add(Registration(event_id=event.id, user_id=student.id, status="confirmed"))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 2


def test_cancelling_the_blocking_group_lets_the_next_person_in(
        make_event: EventFactory, make_user: UserFactory,
        make_class: Callable[..., SchoolClass]) -> None:
    """When the group at the head leaves the queue, the free seats go to the next in line."""
    event = make_event(capacity=10)
    for student in students(make_user, 8):
        register(student, event)
    counsellor = make_user(Role.COUNSELLOR)
    group = register(counsellor, event, school_class=make_class(counsellor), seats=5)
    latecomer = register(make_user(Role.STUDENT), event)
    promoted = cancel(counsellor, group)
    assert [r.id for r in promoted] == [latecomer.id]
    assert counters(event) == (9, 0)


def test_more_capacity_promotes_the_waiting_list(
        make_event: EventFactory, make_user: UserFactory) -> None:
    """Raising the capacity through update_event seats the people waiting, in order."""
    event = make_event(capacity=1)
    _seat, first, second = (register(s, event) for s in students(make_user, 3))
    data = services.EventData(
        kind=event.kind, title=event.title, description=event.description,
        starts_at=event.starts_at, ends_at=event.ends_at, capacity=2,
        address=event.address, place_code=event.place_code)
    actor = db.session.get(User, event.created_by_id)
    promoted = services.update_event(actor, event, data)
    db.session.commit()
    assert [r.id for r in promoted] == [first.id]
    assert counters(event) == (2, 1)
    assert len(mail_subjects(first.user)) == 1
    db.session.refresh(second)
    assert (second.status, second.position) == ("waitlisted", 2)
    with pytest.raises(DomainError):  # fewer seats than people already seated
        services.update_event(actor, event, services.EventData(**{**data.__dict__, "capacity": 1}))


def test_check_in_at_a_cancelled_event_is_refused(
        make_event: EventFactory, make_user: UserFactory) -> None:
    """A ticket of a cancelled event is no longer valid."""
    event = make_event()
    seat = register(make_user(Role.STUDENT), event)
    services.cancel_event(db.session.get(User, event.created_by_id), event, "Allerta meteo")
    db.session.commit()
    with pytest.raises(Conflict):
        registrations.check_in(event, seat.token)
    db.session.refresh(seat)
    assert seat.status == "confirmed" and seat.checked_in_at is None


def test_a_seat_is_confirmed_by_mail_with_the_event_for_the_calendar(
        make_event: EventFactory, make_user: UserFactory) -> None:
    event = make_event(capacity=1)
    seated, waiting = students(make_user, 2)
    seat = register(seated, event)
    queued = register(waiting, event)
    messages = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.user_id.in_([seated.id, waiting.id]))).all()
    assert [m.user_id for m in messages] == [seated.id]  # nobody is told of a queue place
    ics = messages[0].calendar_ics or ""
    assert "BEGIN:VEVENT" in ics and event.title in ics
    assert f"/{seat.id}" in messages[0].body  # the ticket link
    cancel(seated, seat)
    promoted = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.user_id == waiting.id)).all()
    assert len(promoted) == 1 and f"/{queued.id}" in promoted[0].body
    assert "BEGIN:VEVENT" in (promoted[0].calendar_ics or "")
