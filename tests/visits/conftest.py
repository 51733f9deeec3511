"""Fixtures for the peer-visit tests: school days, windows, requests and the people involved.

The events fixtures ``now``, ``staff`` and ``make_event`` are shared from
``tests/events/conftest.py``: a visit becomes an event.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, time, timedelta
from typing import Any

import pytest

from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.extensions import db
from orientamento.orgs.models import Provider
from orientamento.visits.days import closed_days
from orientamento.visits.models import VisitRequest, VisitWindow
from orientamento.visits.services import availability, visit_requests
from tests.events.conftest import make_event, now, staff

__all__ = ["make_event", "now", "staff"]


def next_school_day(after: date, weekday: int | None = None) -> date:
    """The first weekday after ``after`` (a given one if asked) that is not closed in Milan."""
    day = after + timedelta(days=1)
    while (day.weekday() >= 5 or (weekday is not None and day.weekday() != weekday)
           or closed_days(day, day)):
        day += timedelta(days=1)
    return day


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
        visit = visit_requests.request_visit(counsellor, window, {c.id: 20 for c in classes}, mode,
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
