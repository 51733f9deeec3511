"""iCalendar files and feeds: time zone, stable UIDs, SEQUENCE, cancellations, links, tokens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import icalendar
from flask_login import AnonymousUserMixin

from orientamento.auth.models import Role, User
from orientamento.events import calendars, registrations, services
from orientamento.events.models import Event
from orientamento.extensions import db

EventFactory = Callable[..., Event]
ONLINE = "https://meet.example.org/open-day-segreto"


def vevents(data: bytes) -> list[icalendar.Event]:
    """The VEVENTs of an iCalendar document."""
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def feed(user: User) -> dict[str, icalendar.Event]:
    """The person's feed, parsed, by SUMMARY."""
    data = calendars.build_calendar(calendars.feed_items(user), "Test")
    return {str(v["summary"]): v for v in vevents(data)}


def only(user: User) -> icalendar.Event:
    """The single VEVENT of the person's feed."""
    events = list(feed(user).values())
    assert len(events) == 1, events
    return events[0]


def edit(event: Event, **changes: Any) -> None:
    """Change an event through the service, as its provider, and commit."""
    data = services.EventData(
        kind=event.kind, title=event.title, description=event.description,
        starts_at=event.starts_at, ends_at=event.ends_at, capacity=event.capacity or 1,
        address=event.address, place_code=event.place_code, online_url=event.online_url)
    for name, value in changes.items():
        setattr(data, name, value)
    services.update_event(db.session.get(User, event.created_by_id), event, data)
    db.session.commit()


def test_a_students_feed_has_the_rome_time_zone_and_the_event_start(
        make_event: EventFactory, make_user: Callable[..., User]) -> None:
    """VTIMEZONE Europe/Rome is included and DTSTART is the event's start in Rome time."""
    event = make_event(title="Open day Moda")
    student = make_user(Role.STUDENT)
    registrations.register(student, event)
    db.session.commit()
    data = calendars.build_calendar(calendars.feed_items(student), "Il mio calendario")
    calendar = icalendar.Calendar.from_ical(data)
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Rome"]
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["dtstart"].params["TZID"] == "Europe/Rome"
    assert vevent.decoded("dtstart") == event.starts_at
    assert vevent.decoded("dtend") == event.ends_at
    assert str(vevent["status"]) == "CONFIRMED"
    assert "Open day Moda" in str(vevent["summary"])


def test_the_uid_is_stable_and_the_sequence_grows_with_changes(
        make_event: EventFactory, make_user: Callable[..., User]) -> None:
    """Two builds give the same UID; an update raises SEQUENCE by one."""
    event = make_event()
    student = make_user(Role.STUDENT)
    registrations.register(student, event)
    db.session.commit()
    before, again = only(student), only(student)
    assert str(before["uid"]) == str(again["uid"]) == f"{event.uid}@orientamento.milano"
    assert str(before["uid"]).endswith("@orientamento.milano")
    edit(event, starts_at=event.starts_at + timedelta(hours=1),
         ends_at=event.ends_at + timedelta(hours=1))
    after = only(student)
    assert str(after["uid"]) == str(before["uid"])
    assert int(after["sequence"]) == int(before["sequence"]) + 1
    assert after.decoded("dtstart") == before.decoded("dtstart") + timedelta(hours=1)


def test_a_cancelled_event_is_marked_cancelled(
        make_event: EventFactory, make_user: Callable[..., User]) -> None:
    """After cancel_event the feed keeps the event with STATUS:CANCELLED and a higher SEQUENCE."""
    event = make_event()
    student = make_user(Role.STUDENT)
    registrations.register(student, event)
    db.session.commit()
    before = only(student)
    services.cancel_event(db.session.get(User, event.created_by_id), event, "Sciopero")
    db.session.commit()
    after = only(student)
    assert str(after["status"]) == "CANCELLED"
    assert int(after["sequence"]) > int(before["sequence"])
    assert str(after["uid"]) == str(before["uid"])


def test_an_event_the_student_left_is_cancelled_in_their_feed(
        make_event: EventFactory, make_user: Callable[..., User]) -> None:
    """Cancelling one's registration shows the event as cancelled, with a higher SEQUENCE."""
    event = make_event(online_url=ONLINE)
    student = make_user(Role.STUDENT)
    registration = registrations.register(student, event)
    db.session.commit()
    before = only(student)
    registrations.cancel_registration(student, registration)
    db.session.commit()
    after = only(student)
    assert str(after["status"]) == "CANCELLED"
    assert int(after["sequence"]) == int(before["sequence"]) + 1
    assert ONLINE not in str(after["description"])


def test_the_online_link_is_only_for_registered_people(
        make_event: EventFactory, make_user: Callable[..., User]) -> None:
    """Registered people see the link; a stranger and an anonymous visitor do not."""
    event = make_event(online_url=ONLINE)
    student, stranger = make_user(Role.STUDENT), make_user(Role.STUDENT)
    registrations.register(student, event)
    db.session.commit()
    (mine,) = vevents(calendars.event_file(event, student))
    assert ONLINE in str(mine["description"])
    for viewer in (None, AnonymousUserMixin(), stranger):
        (theirs,) = vevents(calendars.event_file(event, viewer))  # type: ignore[arg-type]
        assert ONLINE not in str(theirs["description"])
        assert str(theirs["uid"]) == str(mine["uid"])


def test_regenerating_or_revoking_a_feed_kills_the_old_address(
        make_user: Callable[..., User]) -> None:
    """The old token stops working at once; a revoked feed has no owner."""
    student = make_user(Role.STUDENT)
    old = calendars.ensure_feed(student).token
    db.session.commit()
    assert calendars.feed_owner(old) == student
    new = calendars.regenerate_feed(student).token
    db.session.commit()
    assert new != old
    assert calendars.feed_owner(old) is None
    assert calendars.feed_owner(new) == student
    calendars.revoke_feed(student)
    db.session.commit()
    assert calendars.feed_owner(new) is None
    student.active = False
    fresh = calendars.ensure_feed(student).token
    db.session.commit()
    assert calendars.feed_owner(fresh) is None  # inactive accounts have no feed


def test_a_provider_feed_has_its_own_events_only(
        make_event: EventFactory, staff: User, make_user: Callable[..., User]) -> None:
    """Staff see every event of their provider, not other providers' events."""
    ours = make_event(staff, title="Nostro")
    colleague = make_user(Role.PROVIDER, provider_id=staff.provider_id)
    make_event(title="Altrui")
    summaries = feed(colleague)
    assert list(summaries) == [f"{ours.kind.label}: Nostro"]
