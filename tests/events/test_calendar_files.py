"""iCalendar output parsed back: time zone, stable UIDs, SEQUENCE, cancellations, feeds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from orientamento.auth.models import Role, User
from orientamento.events import calendars, registrations, services
from orientamento.events.models import Event
from orientamento.extensions import db
from tests.events.factories import open_day

pytestmark = pytest.mark.calendar

UserFactory = Callable[..., User]


def _events(user: User) -> list[icalendar.Event]:
    body = calendars.build_calendar(calendars.feed_items(user), "test")
    calendar = icalendar.Calendar.from_ical(body)
    found = list(calendar.walk("VEVENT"))
    if found:
        assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Rome"]
    return found


def _one(user: User, event: Event) -> icalendar.Event:
    found = [v for v in _events(user) if str(v["UID"]).startswith(event.uid)]
    assert len(found) == 1
    return found[0]


@pytest.fixture
def staff(reference_data: None, make_user: UserFactory) -> User:
    return make_user(Role.PROVIDER)


def test_a_registered_student_sees_the_event_in_milan_time(
        staff: User, make_user: UserFactory) -> None:
    student = make_user(Role.STUDENT)
    event = open_day(staff, online_url="https://meet.example.org/x")
    registrations.register(student, event)
    db.session.commit()
    vevent = _one(student, event)
    start = vevent.decoded("DTSTART")
    assert isinstance(start, datetime) and start.tzinfo == ZoneInfo("Europe/Rome")
    assert start == event.starts_at and vevent.decoded("DTEND") == event.ends_at
    assert str(vevent["UID"]) == f"{event.uid}@orientamento.milano"
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert "https://meet.example.org/x" in str(vevent["DESCRIPTION"])
    assert _one(student, event)["UID"] == vevent["UID"]  # stable across builds


def test_changes_raise_the_sequence_and_cancellations_show(
        staff: User, make_user: UserFactory) -> None:
    student = make_user(Role.STUDENT)
    event = open_day(staff)
    registrations.register(student, event)
    db.session.commit()
    assert int(_one(student, event)["SEQUENCE"]) == 0
    data = services.EventData(kind="open_day", title="Open day (nuovo orario)", description="",
                              starts_at=event.starts_at + timedelta(hours=1),
                              ends_at=event.ends_at + timedelta(hours=1), capacity=30,
                              address="Via Roma 1", place_code="015146")
    services.update_event(staff, event, data)
    db.session.commit()
    moved = _one(student, event)
    assert int(moved["SEQUENCE"]) == 1 and moved.decoded("DTSTART") == data.starts_at
    services.cancel_event(staff, event, "Allerta meteo")
    db.session.commit()
    cancelled = _one(student, event)
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) == 2


def test_cancelling_ones_registration_marks_it_cancelled(
        staff: User, make_user: UserFactory) -> None:
    student = make_user(Role.STUDENT)
    event = open_day(staff, online_url="https://meet.example.org/x")
    registration = registrations.register(student, event)
    registrations.cancel_registration(student, registration)
    db.session.commit()
    vevent = _one(student, event)
    assert str(vevent["STATUS"]) == "CANCELLED" and int(vevent["SEQUENCE"]) == 1
    assert "meet.example.org" not in str(vevent["DESCRIPTION"])


def test_the_online_link_is_only_for_people_registered(
        staff: User, make_user: UserFactory) -> None:
    event = open_day(staff, online_url="https://meet.example.org/secret")
    anonymous = icalendar.Calendar.from_ical(calendars.event_file(event, None))
    assert "secret" not in anonymous.to_ical().decode()
    outsider = icalendar.Calendar.from_ical(calendars.event_file(event, make_user(Role.STUDENT)))
    assert "secret" not in outsider.to_ical().decode()
    assert "secret" in calendars.event_file(event, staff).decode().replace("\r\n ", "")


def test_feed_addresses_can_be_replaced_and_switched_off(make_user: UserFactory) -> None:
    student = make_user(Role.STUDENT)
    first = calendars.ensure_feed(student).token
    assert calendars.ensure_feed(student).token == first
    assert calendars.feed_owner(first) == student
    second = calendars.regenerate_feed(student).token
    assert second != first and calendars.feed_owner(first) is None
    assert calendars.feed_owner(second) == student
    calendars.revoke_feed(student)
    assert calendars.feed_owner(second) is None
