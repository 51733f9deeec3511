"""Builders shared by the events tests: open days and school days, at chosen times."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from orientamento.auth.models import User
from orientamento.core import clock
from orientamento.events import services
from orientamento.events.models import Event
from orientamento.extensions import db
from orientamento.visits.days import closed_days


def open_day(actor: User, *, capacity: int = 20, starts_in: timedelta = timedelta(days=10),
             hours: float = 2, now: datetime | None = None, **fields: object) -> Event:
    """An open day of the actor's organisation, committed."""
    start = ((now or clock.now()) + starts_in).replace(second=0, microsecond=0)
    data = services.EventData(
        kind=str(fields.pop("kind", "open_day")), title=str(fields.pop("title", "Open day")),
        description="", starts_at=start, ends_at=start + timedelta(hours=hours),
        capacity=capacity, address="Via Roma 1", place_code="015146")
    for name, value in fields.items():
        setattr(data, name, value)
    event = services.create_event(actor, data, now=now)
    db.session.commit()
    return event


def school_day(after: date, weekday: int = 2) -> date:
    """The first ``weekday`` after ``after`` that is not a holiday in Milan."""
    day = after + timedelta(days=1)
    while day.weekday() != weekday or day in closed_days(day, day):
        day += timedelta(days=1)
    return day
