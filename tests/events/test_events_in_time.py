"""Events in time: lists keep to what is ahead, registration closes at the start, and the
Milan calendar (birthdays, daylight saving) decides what a UTC clock would get wrong."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.core.errors import Conflict, NotAllowed
from orientamento.events import registrations
from orientamento.events.models import Registration
from orientamento.extensions import db
from orientamento.outbox.models import OutboxMessage
from tests.conftest import log_in
from tests.events.factories import open_day

pytestmark = pytest.mark.calendar

UserFactory = Callable[..., User]


@pytest.fixture
def staff(reference_data: None, make_user: UserFactory) -> User:
    """A provider's staff member who runs events."""
    return make_user(Role.PROVIDER)


def _titles(page: str, *titles: str) -> list[str]:
    return [title for title in titles if title in page]


def test_the_providers_list_keeps_past_events_apart(
        client: FlaskClient, staff: User, make_user: UserFactory) -> None:
    now = clock.now()
    ahead = open_day(staff, title="Ahead", starts_in=timedelta(days=3))
    running = open_day(staff, title="Running", starts_in=timedelta(days=2), hours=4)
    ended = open_day(staff, title="Ended", starts_in=timedelta(days=1))
    for event, start in ((running, now - timedelta(hours=1)),
                         (ended, now - timedelta(days=2))):
        event.starts_at, event.ends_at = start, start + (event.ends_at - event.starts_at)
    db.session.commit()
    assert ahead.starts_at > now
    log_in(client, staff)
    upcoming = client.get("/events/manage").get_data(as_text=True)
    past = client.get("/events/manage/past").get_data(as_text=True)
    assert _titles(upcoming, "Ahead", "Running", "Ended") == ["Ahead", "Running"]
    assert upcoming.index("Running") < upcoming.index("Ahead")  # soonest first
    assert _titles(past, "Ahead", "Running", "Ended") == ["Ended"]
    assert f"/events/{ended.id}/registrations" in past  # attendance stays reachable
    other = make_user(Role.PROVIDER)
    log_in(client, other)
    assert "Ended" not in client.get("/events/manage/past").get_data(as_text=True)


def test_my_events_lists_upcoming_then_past(
        client: FlaskClient, staff: User, make_user: UserFactory) -> None:
    student = make_user(Role.STUDENT)
    soon = open_day(staff, title="Soon", starts_in=timedelta(days=2))
    later = open_day(staff, title="Later", starts_in=timedelta(days=9))
    gone = open_day(staff, title="Gone", starts_in=timedelta(days=1))
    for event in (soon, later, gone):
        registrations.register(student, event)
    gone.starts_at, gone.ends_at = (clock.now() - timedelta(days=5),
                                    clock.now() - timedelta(days=5, hours=-2))
    db.session.commit()
    log_in(client, student)
    page = client.get("/events/mine").get_data(as_text=True)
    assert page.index("Soon") < page.index("Later") < page.index("Gone")
    upcoming, past = page.split('<h2 class="h4 mt-4">', 1)
    assert "Gone" not in upcoming and "Gone" in past


def test_registration_closes_at_the_start(staff: User, make_user: UserFactory) -> None:
    event = open_day(staff, starts_in=timedelta(days=1))
    just_before = event.starts_at - timedelta(seconds=1)
    assert registrations.register(make_user(Role.STUDENT), event, now=just_before).id
    with pytest.raises(Conflict):
        registrations.register(make_user(Role.STUDENT), event, now=event.starts_at)


def test_a_birthday_counts_from_midnight_in_milan(staff: User, make_user: UserFactory) -> None:
    # 00:30 on 12 May in Milan is still 11 May in UTC: she is 14 in Milan, 13 by UTC.
    birthday_night = datetime(2027, 5, 12, 0, 30, tzinfo=clock.ROME)
    with time_machine.travel(birthday_night - timedelta(days=10), tick=False):
        event = open_day(staff, starts_in=timedelta(days=20))
    pupil = make_user(Role.STUDENT, date_of_birth=date(2013, 5, 12))
    with pytest.raises(NotAllowed):
        registrations.register(pupil, event, now=birthday_night - timedelta(hours=1))
    assert registrations.register(pupil, event, now=birthday_night).status == "confirmed"


def test_reminders_count_real_hours_across_the_spring_switch(
        staff: User, make_user: UserFactory) -> None:
    # On 28 March 2027 clocks go from 02:00 to 03:00: 08:30 on the 27th is 23 h 30 min before
    # 09:00 on the 28th, though the wall clock says 24 h 30 min.
    start = clock.rome_datetime(date(2027, 3, 28), time(9))
    with time_machine.travel(start - timedelta(days=7), tick=False):
        event = open_day(staff, starts_in=start - clock.now())
        registrations.register(make_user(Role.STUDENT), event)
        db.session.commit()
    day_before = date(2027, 3, 27)
    assert registrations.queue_reminders(clock.rome_datetime(day_before, time(7, 30))) == 0
    assert registrations.queue_reminders(clock.rome_datetime(day_before, time(8, 30))) == 1
    db.session.commit()
    reminded = db.session.scalar(select(Registration.reminded_at))
    assert reminded is not None and clock.rome_local(reminded).hour == 8
    assert db.session.scalar(select(OutboxMessage.subject)) is not None


def test_a_course_page_lists_its_upcoming_events_only(
        client: FlaskClient, staff: User, make_course: Callable[..., object]) -> None:
    course = make_course(staff.provider)
    course_id = course.id  # type: ignore[attr-defined]
    open_day(staff, title="Laboratori aperti", course_ids=[course_id])
    ended = open_day(staff, title="Open day di ottobre", course_ids=[course_id])
    open_day(staff, title="Another course's day")
    ended.starts_at, ended.ends_at = (clock.now() - timedelta(days=3),
                                      clock.now() - timedelta(days=3, hours=-2))
    db.session.commit()
    page = client.get(f"/courses/{course_id}").get_data(as_text=True)
    assert "Laboratori aperti" in page
    assert "Open day di ottobre" not in page and "Another course's day" not in page


def test_a_kept_course_page_still_shows_new_events_and_catalogue_changes(
        client: FlaskClient, staff: User, make_course: Callable[..., Any],
        queries: list[str]) -> None:
    course = make_course(staff.provider, title="Corso Zeta")
    url = f"/courses/{course.id}"
    assert "Corso Zeta" in client.get(url).get_data(as_text=True)
    queries.clear()
    assert "Corso Zeta" in client.get(url).get_data(as_text=True)
    assert not any("FROM courses" in statement for statement in queries)  # the course's part kept
    open_day(staff, title="Laboratori aperti", course_ids=[course.id])  # no catalogue write
    assert "Laboratori aperti" in client.get(url).get_data(as_text=True)
    course.title = "Corso Omega"
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Corso Omega" in page and "Corso Zeta" not in page and "Laboratori aperti" in page
    assert client.get(f"/courses/{course.id + 1000}").status_code == 404
