"""``flask events remind``: one reminder per confirmed seat of events starting within 24 hours."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.events import registrations, services
from orientamento.events.models import Event, Registration
from orientamento.extensions import db
from orientamento.outbox.models import OutboxMessage

MakeUser = Callable[..., User]


def _event(actor: User, starts_in: timedelta, capacity: int = 2, title: str = "Open day") -> Event:
    """An online event starting ``starts_in`` from now (validated as of a day ago)."""
    now = clock.now()
    starts = (now + starts_in).replace(microsecond=0)
    data = services.EventData(kind="webinar", title=title, description="",
                              starts_at=starts, ends_at=starts + timedelta(hours=2),
                              capacity=capacity, online_url="https://meet.example.org/x")
    event = services.create_event(actor, data, now=now - timedelta(days=1))
    db.session.commit()
    return event


def _register(user: User, event: Event) -> Registration:
    registration = registrations.register(user, event)
    db.session.commit()
    return registration


def _outbox() -> list[tuple[str, int | None]]:
    return [(m.to_address, m.user_id) for m in db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id))]


def test_remind_queues_one_reminder_per_confirmed_seat_once(
        runner: FlaskCliRunner, make_user: MakeUser) -> None:
    staff = make_user(Role.PROVIDER)
    soon = _event(staff, timedelta(hours=5), capacity=2, title="Webinar domani")
    later = _event(staff, timedelta(days=3), title="Webinar tra tre giorni")
    gone = _event(staff, timedelta(hours=6), title="Webinar annullato")
    seated = [make_user(Role.STUDENT) for _ in range(2)]
    for student in seated:
        assert _register(student, soon).status == "confirmed"
    waiting = make_user(Role.STUDENT)
    assert _register(waiting, soon).status == "waitlisted"
    quitter = make_user(Role.STUDENT)
    cancelled = _register(quitter, later)
    assert cancelled.status == "confirmed"
    registrations.cancel_registration(quitter, cancelled)
    db.session.commit()
    _register(make_user(Role.STUDENT), later)  # too far ahead
    dropped = make_user(Role.STUDENT)
    _register(dropped, gone)
    services.cancel_event(staff, gone, "Relatore malato")
    db.session.commit()
    before = _outbox()

    result = runner.invoke(args=["events", "remind"])

    assert result.exit_code == 0, result.output
    assert "2 reminders queued" in result.output
    db.session.expire_all()
    new = _outbox()[len(before):]
    assert sorted(new) == sorted((s.email, s.id) for s in seated)
    reminded = db.session.scalars(select(Registration).where(
        Registration.reminded_at.is_not(None))).all()
    assert {r.user_id for r in reminded} == {s.id for s in seated}
    message = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.to_address == seated[0].email).order_by(OutboxMessage.id.desc()))
    assert message is not None and message.status == "pending"

    again = runner.invoke(args=["events", "remind"])

    assert again.exit_code == 0, again.output
    assert "0 reminders queued" in again.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == len(before) + 2


def test_remind_with_nothing_to_do(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["events", "remind"])
    assert result.exit_code == 0
    assert "0 reminders queued" in result.output
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
