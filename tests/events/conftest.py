"""Fixtures for the events tests: the clock, a provider's staff member, events, mail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.events import services
from orientamento.events.models import Event
from orientamento.extensions import db
from orientamento.outbox.models import OutboxMessage


def mail_subjects(user: User) -> list[str]:
    """Subjects of the outbox messages queued for ``user``."""
    return list(db.session.scalars(select(OutboxMessage.subject)
                                   .where(OutboxMessage.user_id == user.id)
                                   .order_by(OutboxMessage.id)))


@pytest.fixture
def now() -> datetime:
    """The instant the tests treat as "now" (real time, whole seconds)."""
    return clock.now().replace(microsecond=0)


@pytest.fixture
def staff(reference_data: None, make_user: Callable[..., User]) -> User:
    """A provider's staff member (runs events, is an ambassador)."""
    return make_user(Role.PROVIDER)


@pytest.fixture
def make_event(reference_data: None, make_user: Callable[..., User],
               now: datetime) -> Callable[..., Event]:
    """Factory: an open day created through ``services.create_event``, committed.

    ``actor`` is the provider staff member creating it (a new one by default).
    """

    def factory(actor: User | None = None, capacity: int = 20,
                starts_in: timedelta = timedelta(days=10), hours: float = 2,
                at: datetime | None = None, **overrides: Any) -> Event:
        actor = actor or make_user(Role.PROVIDER)
        moment = at or now
        start = (moment + starts_in).replace(second=0, microsecond=0)
        data = services.EventData(
            kind="open_day", title=overrides.pop("title", "Open day ITS"),
            description="Laboratori aperti.", starts_at=start,
            ends_at=start + timedelta(hours=hours), capacity=capacity,
            address="Via Roma 1", place_code="015146")
        for name, value in overrides.items():
            assert hasattr(data, name), name
            setattr(data, name, value)
        event = services.create_event(actor, data, now=moment)
        db.session.commit()
        return event

    return factory
