"""The events pages over HTTP: forms and their errors, ownership, tickets, check-in, exports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select, update

from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.events import registrations
from orientamento.events.models import CalendarFeed, Event, Registration
from orientamento.extensions import db
from orientamento.outbox.models import OutboxMessage
from tests.events.factories import open_day, school_day

pytestmark = pytest.mark.calendar

UserFactory = Callable[..., User]


def _form(when: date, **changes: Any) -> dict[str, Any]:
    data = {"kind": "open_day", "title": "Open day ICT", "description": "Laboratori aperti",
            "day": when.isoformat(), "start": "15:00", "end": "18:00", "capacity": "30",
            "address": "Via Roma 1", "place_code": "015146", "accessibility": "",
            "online_url": "", "registration_opens": "", "registration_closes": "",
            "min_age": "", "max_age": "", "school_level": ""}
    data.update(changes)
    return data


def _events() -> int:
    return db.session.scalar(select(func.count()).select_from(Event)) or 0


@pytest.fixture
def staff(reference_data: None, make_user: UserFactory) -> User:
    return make_user(Role.PROVIDER)


def test_a_provider_publishes_an_event(client: FlaskClient, login: Callable[..., User],
                                       staff: User) -> None:
    login(staff)
    day = school_day(clock.today() + timedelta(days=10))
    response = client.post("/events/new", data=_form(day))
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert event is not None and event.provider_id == staff.provider_id
    assert clock.rome_local(event.starts_at).hour == 15 and event.hours == 3
    page = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="15:00"' in page and f'value="{day.isoformat()}"' in page


@pytest.mark.parametrize(("changes", "message"), [
    ({"end": "14:00"}, "The event must end after it starts."),
    ({"day": "2020-01-01"}, "Choose a start in the future."),
    ({"address": "", "online_url": ""}, "Give an address, an online link, or both."),
    ({"place_code": ""}, "Choose the municipality of the address."),
    ({"min_age": "20", "max_age": "15"}, "The minimum age must not exceed the maximum age."),
    ({"capacity": "0"}, "Number must be between 1 and 5000."),
    ({"online_url": "not a link"}, "Invalid URL."),
    ({"registration_closes": "2099-01-01"}, "Registration must close by the start"),
])
def test_bad_events_are_refused_with_a_message(
        client: FlaskClient, login: Callable[..., User], staff: User,
        changes: dict[str, str], message: str) -> None:
    login(staff)
    day = school_day(clock.today() + timedelta(days=10))
    response = client.post("/events/new", data=_form(day, **changes),
                           headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _events() == 0


def test_other_providers_events_are_not_found(client: FlaskClient, login: Callable[..., User],
                                              staff: User, make_user: UserFactory) -> None:
    event = open_day(staff)
    login(make_user(Role.PROVIDER))
    for path in ("edit", "cancel", "registrations", "check-in"):
        assert client.get(f"/events/{event.id}/{path}").status_code == 404
    assert client.post(f"/events/{event.id}/cancel", data={"reason": "x"}).status_code == 404
    db.session.refresh(event)
    assert event.status == "scheduled"


def test_cancelling_asks_for_a_reason_and_tells_people(
        client: FlaskClient, login: Callable[..., User], staff: User,
        make_user: UserFactory) -> None:
    event = open_day(staff)
    student = make_user(Role.STUDENT)
    registrations.register(student, event)
    db.session.commit()
    login(staff)
    assert client.get(f"/events/{event.id}/cancel").status_code == 200
    assert client.post(f"/events/{event.id}/cancel", data={"reason": ""}).status_code == 400
    assert client.post(f"/events/{event.id}/cancel",
                       data={"reason": "Sciopero dei trasporti"}).status_code == 302
    db.session.refresh(event)
    assert event.status == "cancelled"
    assert db.session.scalar(select(OutboxMessage.to_address)) == student.email


def test_a_student_registers_and_gets_a_ticket(client: FlaskClient, login: Callable[..., User],
                                               staff: User, make_user: UserFactory) -> None:
    event = open_day(staff, capacity=1)
    registrations.register(make_user(Role.STUDENT), event)
    db.session.commit()
    waiting = login(make_user(Role.STUDENT))
    response = client.post(f"/events/{event.id}/register")
    assert response.status_code == 302
    assert client.post(f"/events/{event.id}/register").headers["Location"] == \
        response.headers["Location"]
    mine = db.session.scalars(select(Registration).where(Registration.user_id == waiting.id))
    registration = mine.one()
    ticket = client.get(response.headers["Location"]).get_data(as_text=True)
    assert registration.status == "waitlisted" and "ticket-qr" not in ticket
    assert registration.token not in ticket  # no code to show while waiting
    db.session.execute(update(Event).where(Event.id == event.id).values(capacity=2))
    registrations.promote_waiting(db.session.get(Event, event.id))  # type: ignore[arg-type]
    db.session.commit()
    ticket = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'class="ticket-qr"' in ticket and registration.token in ticket


def test_a_counsellor_registers_a_class_group(client: FlaskClient, login: Callable[..., User],
                                              staff: User, make_user: UserFactory,
                                              make_class: Callable[..., SchoolClass]) -> None:
    event = open_day(staff, capacity=30)
    counsellor = login(make_user(Role.COUNSELLOR))
    mine, theirs = make_class(counsellor), make_class()
    assert client.post(f"/events/{event.id}/register", data={
        "group-school_class": theirs.id, "group-seats": 20}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    assert client.post(f"/events/{event.id}/register", data={
        "group-school_class": mine.id, "group-seats": 24}).status_code == 302
    db.session.refresh(event)
    assert event.seats_taken == 24


def test_check_in_page(client: FlaskClient, login: Callable[..., User], staff: User,
                       make_user: UserFactory) -> None:
    event = open_day(staff)
    student, leaver = make_user(Role.STUDENT, display_name="Ada Rossi"), make_user(Role.STUDENT)
    ticket = registrations.register(student, event)
    gone = registrations.register(leaver, event)
    registrations.cancel_registration(leaver, gone)
    db.session.commit()
    login(staff)
    prefilled = client.get(f"/events/{event.id}/check-in?token={ticket.token}")
    assert f'value="{ticket.token}"' in prefilled.get_data(as_text=True)
    first = client.post(f"/events/{event.id}/check-in", data={"token": ticket.token},
                        headers={"Accept-Language": "en"})
    assert first.status_code == 200 and "Ada Rossi is checked in." in first.get_data(as_text=True)
    second = client.post(f"/events/{event.id}/check-in", data={"token": ticket.token},
                         headers={"Accept-Language": "en"})
    assert "was already checked in" in second.get_data(as_text=True)
    unknown = client.post(f"/events/{event.id}/check-in", data={"token": "nope"})
    assert unknown.status_code == 404
    assert client.post(f"/events/{event.id}/check-in",
                       data={"token": gone.token}).status_code == 409
    db.session.refresh(ticket)
    assert ticket.status == "attended"


def test_calendar_downloads_and_feeds(client: FlaskClient, login: Callable[..., User],
                                      staff: User, make_user: UserFactory) -> None:
    event = open_day(staff, online_url="https://meet.example.org/room")
    download = client.get(f"/events/{event.id}/calendar.ics")
    assert download.mimetype == "text/calendar"
    assert "meet.example.org" not in download.get_data(as_text=True)
    assert icalendar.Calendar.from_ical(download.data).walk("VEVENT")[0]["UID"]
    student = login(make_user(Role.STUDENT))
    client.post(f"/events/{event.id}/register")
    assert client.post("/events/mine/feed").status_code == 302
    token = db.session.scalar(select(CalendarFeed.token).where(CalendarFeed.user_id == student.id))
    mine = client.get("/events/mine").get_data(as_text=True)
    assert f'href="webcal://localhost/events/feeds/{token}.ics"' in mine  # subscribe
    assert f'data-copy="http://localhost/events/feeds/{token}.ics"' in mine  # copy
    assert download.headers["Content-Type"] == "text/calendar; charset=utf-8"
    registration_id = db.session.scalar(select(Registration.id).where(
        Registration.user_id == student.id))
    ticket = client.get(f"/events/registrations/{registration_id}").get_data(as_text=True)
    assert f'href="/events/{event.id}/calendar.ics"' in ticket
    feed = client.get(f"/events/feeds/{token}.ics")
    assert feed.status_code == 200 and feed.headers["Cache-Control"] == "no-store"
    assert "meet.example.org" in feed.get_data(as_text=True).replace("\r\n ", "")
    client.post("/events/mine/feed")
    assert client.get(f"/events/feeds/{token}.ics").status_code == 404
    client.post("/events/mine/feed/revoke")
    assert db.session.scalar(select(func.count()).select_from(CalendarFeed)) == 0


def test_listing_queries_do_not_grow_with_events(
        client: FlaskClient, staff: User, queries: list[str], make_user: UserFactory) -> None:
    def count(path: str) -> int:
        queries.clear()
        assert client.get(path).status_code == 200
        return len(queries)

    for _ in range(3):
        open_day(staff)
    few = count("/events/")
    for _ in range(15):
        open_day(make_user(Role.PROVIDER))
    assert count("/events/") == few


def test_registration_list_queries_do_not_grow(
        client: FlaskClient, login: Callable[..., User], staff: User,
        make_user: UserFactory, queries: list[str]) -> None:
    event = open_day(staff, capacity=100)
    login(staff)

    def count() -> int:
        queries.clear()
        assert client.get(f"/events/{event.id}/registrations").status_code == 200
        return len(queries)

    registrations.register(make_user(Role.STUDENT), event)
    db.session.commit()
    few = count()
    for _ in range(12):
        registrations.register(make_user(Role.STUDENT), event)
    db.session.commit()
    assert count() == few


def test_remind_command_queues_each_reminder_once(
        app: Flask, runner: FlaskCliRunner, staff: User, make_user: UserFactory) -> None:
    event = open_day(staff, starts_in=timedelta(hours=30))
    student = make_user(Role.STUDENT)
    registrations.register(student, event)
    db.session.execute(update(Event).where(Event.id == event.id).values(
        starts_at=clock.now() + timedelta(hours=5), ends_at=clock.now() + timedelta(hours=7)))
    db.session.commit()
    first = runner.invoke(args=["events", "remind"])
    assert first.exit_code == 0 and first.output.startswith("1 reminders queued")
    assert runner.invoke(args=["events", "remind"]).output.startswith("0 reminders queued")
    message = db.session.scalar(select(OutboxMessage))
    assert message is not None and message.to_address == student.email
    assert "/events/registrations/" in message.body


def test_the_event_button_says_sign_up_not_create_an_account(
        client: FlaskClient, login: Callable[..., User], staff: User,
        make_user: UserFactory) -> None:
    event = open_day(staff)
    login(make_user(Role.STUDENT))
    page = client.get(f"/events/{event.id}").get_data(as_text=True)  # Italian, the default
    form = page[page.index(f'action="/events/{event.id}/register"'):]
    button = form[:form.index("</button>")]
    assert "Iscriviti" in button and "Registrati" not in button


def test_italian_counts_agree_with_their_number(client: FlaskClient, login: Callable[..., User],
                                                staff: User, make_user: UserFactory) -> None:
    event = open_day(staff, capacity=5)
    registrations.register(make_user(Role.STUDENT), event)
    db.session.commit()
    login(staff)
    page = client.get(f"/events/{event.id}/registrations").get_data(as_text=True)
    assert "1 posto occupato su 5" in page and "0 in attesa" in page
