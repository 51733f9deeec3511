"""Builders shared by the peer-visit tests: windows and visit requests, committed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time, timedelta

from orientamento.auth.models import User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.extensions import db
from orientamento.visits.models import VisitRequest, VisitWindow
from orientamento.visits.services import availability, visit_requests


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
    visit = visit_requests.request_visit(counsellor, slot, {c.id: 20 for c in classes}, "in_person",
                                 starts, starts + length, "Ciao")
    db.session.commit()
    return visit
