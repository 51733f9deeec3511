"""Peer visits in calendars: a confirmed visit is in the feeds of its ambassadors, its
provider's staff and its school's counsellors, in Milan time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import icalendar
import pytest

from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.events import calendars
from orientamento.extensions import db
from orientamento.visits.models import VisitRequest, VisitWindow
from orientamento.visits.services import visit_requests as visits
from tests.events.factories import open_day, school_day
from tests.visits.factories import requested, window

pytestmark = pytest.mark.calendar

UserFactory = Callable[..., User]


def _events(user: User) -> list[icalendar.Event]:
    body = calendars.build_calendar(calendars.feed_items(user), "test")
    calendar = icalendar.Calendar.from_ical(body)
    found = list(calendar.walk("VEVENT"))
    if found:
        assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Rome"]
    return found


def feed(user: User) -> dict[str, icalendar.Event]:
    """The person's feed, parsed, by SUMMARY."""
    return {str(v["summary"]): v for v in _events(user)}


def only(user: User) -> icalendar.Event:
    """The single VEVENT of the person's feed."""
    events = list(feed(user).values())
    assert len(events) == 1, events
    return events[0]


def test_staff_and_schools_see_their_visits(
        staff: User, make_user: UserFactory, make_class: Callable[..., SchoolClass]) -> None:
    ambassador = make_user(Role.PROVIDER, provider_id=staff.provider_id)
    counsellor = make_user(Role.COUNSELLOR)
    slot = window([staff, ambassador], school_day(clock.today() + timedelta(days=5)))
    visit = requested(counsellor, slot, [make_class(counsellor)])
    event = visits.confirm_visit(staff, visit, [ambassador.id])
    open_event = open_day(staff)
    db.session.commit()
    uids = {user.id: {str(v["UID"]) for v in _events(user)}
            for user in (staff, ambassador, counsellor)}
    visit_uid = f"{event.uid}@orientamento.milano"
    assert all(visit_uid in found for found in uids.values())
    assert f"{open_event.uid}@orientamento.milano" in uids[staff.id]
    other = make_user(Role.COUNSELLOR)
    assert visit_uid not in {str(v["UID"]) for v in _events(other)}


def test_a_counsellor_feed_has_the_schools_visits(
        visit_people: dict[str, Any], make_window: Callable[..., VisitWindow],
        make_request: Callable[..., VisitRequest], make_user: Callable[..., User]) -> None:
    """Every counsellor of the school sees a confirmed visit; other schools do not."""
    p = visit_people
    visit = make_request(p["counsellor"], make_window(p["provider"], [p["staff"]]),
                         p["classes"][:1])
    event = visits.confirm_visit(p["staff"], visit, [p["staff"].id])
    db.session.commit()
    colleague = make_user(Role.COUNSELLOR, school_id=p["counsellor"].school_id)
    for person in (p["counsellor"], colleague, p["staff"]):
        item = only(person)
        assert str(item["uid"]) == f"{event.uid}@orientamento.milano"
        assert item.decoded("dtstart") == event.starts_at
    assert feed(p["other_counsellor"]) == {}

