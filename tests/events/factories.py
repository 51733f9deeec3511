"""Builders shared by the events tests: events, windows, visits, at chosen times."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from orientamento.auth.models import User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.events import availability, services, visits
from orientamento.events.days import closed_days
from orientamento.events.models import Event
from orientamento.events.visit_models import VisitRequest, VisitWindow
from orientamento.extensions import db


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


def window(staff: Sequence[User], day: date, *, start: time = time(9), end: time = time(13),
           mode: str = "both", max_visits: int = 1, place_codes: Sequence[str] = ()
           ) -> VisitWindow:
    """One availability window of the staff's provider on ``day``, committed."""
    provider = staff[0].provider
    assert provider is not None
    published = availability.publish_windows(provider, availability.WindowPlan(
        first_day=day, last_day=day, weekdays=(day.weekday(),), start=start, end=end,
        mode=mode, max_visits=max_visits, ambassador_ids=[u.id for u in staff],
        place_codes=place_codes), clock.today())
    db.session.commit()
    assert len(published.windows) == 1, published.skipped
    return published.windows[0]


def requested(counsellor: User, slot: VisitWindow, classes: Sequence[SchoolClass], *,
              offset: timedelta = timedelta(0), length: timedelta = timedelta(hours=2)
              ) -> VisitRequest:
    """A visit request for ``classes`` (20 pupils each) in ``slot``, committed."""
    starts = slot.starts_at + offset
    visit = visits.request_visit(counsellor, slot, {c.id: 20 for c in classes}, "in_person",
                                 starts, starts + length, "Ciao")
    db.session.commit()
    return visit
