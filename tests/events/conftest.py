"""Factories for the events service tests: events, windows, visit requests, clock, mail."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.events import availability, services, visits
from orientamento.events.days import closed_days
from orientamento.events.models import Event
from orientamento.events.visit_models import VisitRequest, VisitWindow
from orientamento.extensions import db
from orientamento.orgs.models import Provider
from orientamento.outbox.models import OutboxMessage


def next_school_day(after: date, weekday: int | None = None) -> date:
    """The first weekday after ``after`` (a given one if asked) that is not closed in Milan."""
    day = after + timedelta(days=1)
    while (day.weekday() >= 5 or (weekday is not None and day.weekday() != weekday)
           or closed_days(day, day)):
        day += timedelta(days=1)
    return day


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


@pytest.fixture
def school_day() -> date:
    """A weekday at least two weeks ahead on which visits can take place."""
    return next_school_day(clock.today() + timedelta(days=14))


@pytest.fixture
def make_window(reference_data: None, school_day: date) -> Callable[..., VisitWindow]:
    """Factory: one availability window via ``availability.publish_windows``, committed."""

    def factory(provider: Provider, ambassadors: Sequence[User], day: date | None = None,
                start: time = time(9), end: time = time(13), mode: str = "both",
                max_visits: int = 1, place_codes: Sequence[str] = ()) -> VisitWindow:
        day = day or school_day
        published = availability.publish_windows(provider, availability.WindowPlan(
            first_day=day, last_day=day, weekdays=(day.weekday(),), start=start, end=end,
            mode=mode, max_visits=max_visits, ambassador_ids=[u.id for u in ambassadors],
            place_codes=place_codes), clock.today())
        db.session.commit()
        assert len(published.windows) == 1, published.skipped
        return published.windows[0]

    return factory


@pytest.fixture
def make_request() -> Callable[..., VisitRequest]:
    """Factory: a visit request for ``classes`` (20 pupils each) inside a window, committed."""

    def factory(counsellor: User, window: VisitWindow, classes: Sequence[SchoolClass],
                offset: timedelta = timedelta(0), length: timedelta = timedelta(hours=2),
                mode: str = "in_person") -> VisitRequest:
        starts = window.starts_at + offset
        visit = visits.request_visit(counsellor, window, {c.id: 20 for c in classes}, mode,
                                     starts, starts + length, "Ciao!")
        db.session.commit()
        return visit

    return factory


@pytest.fixture
def visit_people(staff: User, make_user: Callable[..., User],
                 make_class: Callable[..., SchoolClass]) -> dict[str, Any]:
    """A provider with two ambassadors and a counsellor with two classes, plus strangers."""
    buddy = make_user(Role.PROVIDER, provider_id=staff.provider_id)
    counsellor = make_user(Role.COUNSELLOR)
    return {
        "staff": staff, "buddy": buddy, "provider": staff.provider, "counsellor": counsellor,
        "classes": [make_class(counsellor), make_class(counsellor)],
        "other_counsellor": make_user(Role.COUNSELLOR),
        "other_staff": make_user(Role.PROVIDER),
    }
