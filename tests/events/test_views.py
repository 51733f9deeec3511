"""Events over HTTP: event form, registration and tickets, check-in, calendars, and query
counts of the busy pages (peer visits, attendance and hours: tests/visits/test_views.py).

Tests run at the chosen instant (tests/conftest.py), and everything here happens on school days 10 to 40 days ahead
(never on a public holiday in Milan). Each user gets their own test client, and pages are
asked for in English so the assertions read the messages the code wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta
from typing import Any

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.events import registrations, services
from orientamento.events.models import CalendarFeed, Event, Registration
from orientamento.extensions import db
from orientamento.orgs.models import Provider
from tests.events.pages import (
    count_rows,
    english_client,
    outbox_to,
    page_text,
    provider_staff,
    school_day_ahead,
)

pytestmark = pytest.mark.calendar

MakeUser = Callable[..., User]
MakeClass = Callable[..., SchoolClass]
ONLINE = "https://meet.example.org/room-42"


# --------------------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def _places(reference_data: None) -> None:
    """Events need the municipalities (the form's choices, the service's check)."""


def _open_day(actor: User, day: date | None = None, *, capacity: int = 20,
              start: time = time(10), end: time = time(12), **fields: Any) -> Event:
    """An open day created through the service (real clock), committed."""
    day = day or school_day_ahead()
    data = services.EventData(
        kind=fields.pop("kind", "open_day"), title=fields.pop("title", "Open day ITS"),
        description="", starts_at=clock.rome_datetime(day, start), ends_at=clock.rome_datetime(day, end),
        capacity=capacity, address=fields.pop("address", "Via Roma 1"),
        place_code=fields.pop("place_code", "015146"), **fields)
    event = services.create_event(actor, data)
    db.session.commit()
    return event


def _register(user: User, event: Event, **kwargs: Any) -> Registration:
    registration = registrations.register(user, event, **kwargs)
    db.session.commit()
    return registration


def _event_fields(on: date, **overrides: Any) -> dict[str, Any]:
    """A valid event form for the day ``on``."""
    fields = {"kind": "open_day", "title": "Open day meccatronica", "description": "Vieni!",
              "day": on.isoformat(), "start": "10:00", "end": "12:00", "capacity": "30",
              "address": "Via Roma 1", "place_code": "015146", "accessibility": "",
              "online_url": "", "registration_opens": "", "registration_closes": "",
              "min_age": "", "max_age": "", "school_level": ""}
    return fields | overrides


# --------------------------------------------------------------------------- event form


def test_provider_creates_an_event_of_their_organisation(app: Flask,
                                                         make_user: MakeUser) -> None:
    staff = provider_staff(make_user)
    client = english_client(app, staff)
    assert client.get("/events/new").status_code == 200
    day = school_day_ahead(25)
    response = client.post("/events/new", data=_event_fields(day, online_url=ONLINE))
    assert response.status_code == 302, page_text(response)[:3000]
    event = db.session.scalar(select(Event).where(Event.title == "Open day meccatronica"))
    assert event is not None
    assert response.headers["Location"].endswith(f"/events/{event.id}")
    assert event.provider_id == staff.provider_id and event.created_by_id == staff.id
    assert event.kind == "open_day" and event.capacity == 30 and event.online_url == ONLINE
    assert event.starts_at == clock.rome_datetime(day, time(10))
    assert event.ends_at == clock.rome_datetime(day, time(12))
    assert "Open day meccatronica" in page_text(client.get(response.headers["Location"]))


def _invalid_cases(day: date) -> list[tuple[dict[str, Any], str]]:
    yesterday = clock.today() - timedelta(days=1)
    return [
        ({"start": "12:00", "end": "10:00"}, "The event must end after it starts."),
        ({"day": yesterday.isoformat()}, "Choose a start in the future."),
        ({"address": "", "place_code": "", "online_url": ""},
         "Give an address, an online link, or both."),
        ({"place_code": ""}, "Choose the municipality of the address."),
        ({"min_age": "18", "max_age": "14"}, "The minimum age must not exceed the maximum age."),
        ({"capacity": "0"}, "Number must be between 1 and 5000."),
        ({"online_url": "not a link"}, "Invalid URL."),
        ({"title": ""}, "This field is required."),
        ({"registration_opens": (day + timedelta(days=1)).isoformat()},
         "Registration must open before it closes."),
        ({"registration_closes": (day + timedelta(days=3)).isoformat()},
         "Registration must close by the start of the event."),
    ]


@pytest.mark.parametrize("case", range(10))
def test_invalid_event_forms_are_a_localized_400_without_a_row(
        app: Flask, make_user: MakeUser, case: int) -> None:
    client = english_client(app, provider_staff(make_user))
    day = school_day_ahead(25)
    overrides, message = _invalid_cases(day)[case]
    if "registration_opens" in overrides:  # opens after closing
        overrides = overrides | {"registration_closes": day.isoformat()}
    response = client.post("/events/new", data=_event_fields(day, **overrides))
    assert response.status_code == 400
    page = page_text(response)
    assert message in page, overrides
    assert 'id="form-errors"' in page
    assert count_rows(Event) == 0


def test_invalid_event_form_is_in_italian_for_italian_visitors(app: Flask,
                                                               make_user: MakeUser) -> None:
    client = english_client(app, provider_staff(make_user))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "it"
    response = client.post("/events/new", data=_event_fields(school_day_ahead(25), capacity="0"))
    assert response.status_code == 400
    page = page_text(response)
    assert "Correggi" in page or "correggi" in page  # "Please correct the following:"
    assert "Please correct the following:" not in page
    assert count_rows(Event) == 0


def test_registration_closing_on_the_event_day_means_until_the_start(
        app: Flask, make_user: MakeUser) -> None:
    client = english_client(app, provider_staff(make_user))
    day = school_day_ahead(25)
    response = client.post("/events/new",
                           data=_event_fields(day, registration_closes=day.isoformat()))
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert event is not None and event.registration_closes_at == event.starts_at


def test_a_course_of_another_provider_is_refused(app: Flask, make_user: MakeUser,
                                                 make_course: Callable[..., Any]) -> None:
    staff = provider_staff(make_user)
    own = make_course(staff.provider, title="Corso nostro")
    foreign = make_course(title="Corso altrui")
    client = english_client(app, staff)
    day = school_day_ahead(25)
    response = client.post("/events/new", data=_event_fields(day, courses=[foreign.id]))
    assert response.status_code == 400
    assert count_rows(Event) == 0
    response = client.post("/events/new", data=_event_fields(day, courses=[own.id]))
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert event is not None and [c.id for c in event.courses] == [own.id]


def test_admin_creates_a_city_wide_event(app: Flask, make_user: MakeUser,
                                         make_course: Callable[..., Any]) -> None:
    admin = make_user(Role.ADMIN)
    course = make_course(title="Corso di un ente")
    client = english_client(app, admin)
    response = client.post("/events/new", data=_event_fields(
        school_day_ahead(25), kind="webinar", address="", place_code="", online_url=ONLINE,
        courses=[course.id]))
    assert response.status_code == 302, page_text(response)[:3000]
    event = db.session.scalar(select(Event))
    assert event is not None and event.provider_id is None and event.kind == "webinar"
    assert "Comune di Milano" in page_text(client.get(f"/events/{event.id}"))


def test_edit_form_shows_local_times(app: Flask, make_user: MakeUser) -> None:
    staff = provider_staff(make_user)
    day = school_day_ahead(25)
    event = _open_day(staff, day, start=time(9, 30), end=time(11, 45))
    page = page_text(english_client(app, staff).get(f"/events/{event.id}/edit"))
    assert f'value="{day.isoformat()}"' in page
    assert 'value="09:30"' in page and 'value="11:45"' in page  # Rome time, not UTC
    assert 'value="Open day ITS"' in page and 'value="20"' in page


def test_edit_cannot_lower_capacity_below_seats_and_raising_it_promotes(
        app: Flask, make_user: MakeUser) -> None:
    staff = provider_staff(make_user)
    day = school_day_ahead(25)
    event = _open_day(staff, day, capacity=2)
    students = [make_user(Role.STUDENT) for _ in range(3)]
    regs = [_register(s, event) for s in students]
    assert [r.status for r in regs] == ["confirmed", "confirmed", "waitlisted"]
    client = english_client(app, staff)
    fields = _event_fields(day, title="Open day ITS")
    response = client.post(f"/events/{event.id}/edit", data=fields | {"capacity": "1"})
    assert response.status_code == 400
    assert "2 seats are already taken: the capacity cannot be lower." in page_text(response)
    db.session.expire_all()
    assert event.capacity == 2 and event.sequence == 0
    response = client.post(f"/events/{event.id}/edit", data=fields | {"capacity": "3"})
    assert response.status_code == 302
    db.session.expire_all()
    assert event.capacity == 3 and event.seats_taken == 3 and event.waiting == 0
    assert event.sequence == 1
    assert regs[2].status == "confirmed"
    assert outbox_to(students[2]) == 1  # told about the seat
    page = page_text(client.get(response.headers["Location"]))
    assert "1 people moved from the waiting list to a seat." in page


def test_cancel_asks_for_confirmation_and_a_reason_then_tells_everyone(
        app: Flask, make_user: MakeUser) -> None:
    staff = provider_staff(make_user)
    event = _open_day(staff, capacity=1)
    students = [make_user(Role.STUDENT) for _ in range(2)]
    for student in students:
        _register(student, event)
    confirmed = outbox_to(*students)  # the seat's confirmation; nobody is told of a queue place
    assert confirmed == 1
    client = english_client(app, staff)
    page = client.get(f"/events/{event.id}/cancel")
    assert page.status_code == 200
    assert "will be cancelled" in page_text(page) and "This cannot be undone." in page_text(page)
    db.session.expire_all()
    assert event.status == "scheduled"
    response = client.post(f"/events/{event.id}/cancel", data={"reason": ""})
    assert response.status_code == 400
    db.session.expire_all()
    assert event.status == "scheduled" and outbox_to(*students) == confirmed
    response = client.post(f"/events/{event.id}/cancel", data={"reason": "Sciopero dei mezzi"})
    assert response.status_code == 302
    db.session.expire_all()
    assert event.status == "cancelled" and event.cancel_reason == "Sciopero dei mezzi"
    assert outbox_to(*students) == confirmed + 2  # the confirmed one and the one waiting
    assert "Event cancelled; 2 people notified." in page_text(client.get(response.headers["Location"]))


def test_another_providers_event_is_404_for_management(app: Flask, make_user: MakeUser) -> None:
    event = _open_day(provider_staff(make_user))
    registration = _register(make_user(Role.STUDENT), event)
    client = english_client(app, provider_staff(make_user))
    day = clock.rome_local(event.starts_at).date()
    for method, path, data in (
            ("get", f"/events/{event.id}/edit", None),
            ("post", f"/events/{event.id}/edit", _event_fields(day, capacity="99")),
            ("get", f"/events/{event.id}/cancel", None),
            ("post", f"/events/{event.id}/cancel", {"reason": "Perché sì"}),
            ("get", f"/events/{event.id}/registrations", None),
            ("get", f"/events/{event.id}/check-in?token={registration.token}", None),
            ("post", f"/events/{event.id}/check-in", {"token": registration.token})):
        response = getattr(client, method)(path, data=data)
        assert response.status_code == 404, (method, path)
    db.session.expire_all()
    assert event.status == "scheduled" and event.capacity == 20
    assert registration.status == "confirmed"


# --------------------------------------------------------------------------- registration


def test_student_registers_once_and_gets_a_ticket_with_a_qr_code(app: Flask,
                                                                 make_user: MakeUser) -> None:
    event = _open_day(provider_staff(make_user), capacity=5)
    student = make_user(Role.STUDENT)
    client = english_client(app, student)
    first = client.post(f"/events/{event.id}/register")
    second = client.post(f"/events/{event.id}/register")  # a double click
    assert first.status_code == second.status_code == 302
    registration = db.session.scalar(select(Registration))
    assert registration is not None and registration.user_id == student.id
    assert count_rows(Registration) == 1
    ticket = f"/events/registrations/{registration.id}"
    assert first.headers["Location"].endswith(ticket)
    assert second.headers["Location"].endswith(ticket)
    db.session.expire_all()
    assert event.seats_taken == 1
    page = page_text(client.get(ticket))
    assert '<figure class="ticket-qr">' in page
    qr = page.split('<figure class="ticket-qr">', 1)[1]
    assert qr.lstrip().startswith("<svg") and "Ticket QR code" in qr
    assert registration.token in page


def test_waitlisted_student_sees_the_number_and_no_qr(app: Flask, make_user: MakeUser) -> None:
    event = _open_day(provider_staff(make_user), capacity=1)
    _register(make_user(Role.STUDENT), event)
    _register(make_user(Role.STUDENT), event)
    client = english_client(app, make_user(Role.STUDENT))
    response = client.post(f"/events/{event.id}/register")
    assert response.status_code == 302
    ticket = page_text(client.get(response.headers["Location"]))
    assert "The event is full: you are number 2 on the waiting list." in ticket  # flash
    assert "You are number 2 on the waiting list." in ticket
    assert '<figure class="ticket-qr">' not in ticket and "Ticket QR code" not in ticket
    registration = db.session.scalar(select(Registration).where(Registration.position == 2))
    assert registration is not None and registration.status == "waitlisted"


def test_counsellor_registers_a_class_group_counting_seats(
        app: Flask, make_user: MakeUser, make_class: MakeClass) -> None:
    event = _open_day(provider_staff(make_user), capacity=30)
    counsellor = make_user(Role.COUNSELLOR)
    first, second = make_class(counsellor, name="4A"), make_class(counsellor, name="4B")
    client = english_client(app, counsellor)
    assert 'name="group-seats"' in page_text(client.get(f"/events/{event.id}"))
    response = client.post(f"/events/{event.id}/register",
                           data={"group-school_class": first.id, "group-seats": "25"})
    assert response.status_code == 302
    db.session.expire_all()
    assert event.seats_taken == 25
    group = db.session.scalar(select(Registration).where(Registration.class_id == first.id))
    assert group is not None and group.seats == 25 and group.status == "confirmed"
    response = client.post(f"/events/{event.id}/register",
                           data={"group-school_class": second.id, "group-seats": "10"})
    assert response.status_code == 302
    db.session.expire_all()
    other = db.session.scalar(select(Registration).where(Registration.class_id == second.id))
    assert other is not None and other.status == "waitlisted"  # 25 + 10 > 30
    assert event.seats_taken == 25 and event.waiting == 1
    page = page_text(client.get(f"/events/registrations/{group.id}"))
    assert "Class 4A, 25 people" in page


def test_counsellor_cannot_register_another_schools_class(
        app: Flask, make_user: MakeUser, make_class: MakeClass) -> None:
    event = _open_day(provider_staff(make_user))
    foreign = make_class()  # another counsellor, another school
    client = english_client(app, make_user(Role.COUNSELLOR))
    response = client.post(f"/events/{event.id}/register",
                           data={"group-school_class": foreign.id, "group-seats": "10"})
    assert response.status_code in (400, 404)
    assert count_rows(Registration) == 0


def test_another_schools_class_is_404(app: Flask, make_user: MakeUser,
                                      make_class: MakeClass) -> None:
    event = _open_day(provider_staff(make_user))
    foreign = make_class()
    client = english_client(app, make_user(Role.COUNSELLOR))
    response = client.post(f"/events/{event.id}/register",
                           data={"group-school_class": foreign.id, "group-seats": "10"})
    assert response.status_code == 404


def test_student_cancels_and_the_first_waiting_gets_the_seat(app: Flask,
                                                             make_user: MakeUser) -> None:
    event = _open_day(provider_staff(make_user), capacity=1)
    holder, waiting, later = (make_user(Role.STUDENT) for _ in range(3))
    seat = _register(holder, event)
    queued = _register(waiting, event)
    last = _register(later, event)
    client = english_client(app, holder)
    response = client.post(f"/events/registrations/{seat.id}/cancel")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/events/{event.id}")
    db.session.expire_all()
    assert seat.status == "cancelled" and seat.cancelled_at is not None
    assert queued.status == "confirmed" and last.status == "waitlisted"
    assert event.seats_taken == 1 and event.waiting == 1
    assert outbox_to(waiting) == 1 and outbox_to(later) == 0


def test_another_users_ticket_and_cancel_are_404(app: Flask, make_user: MakeUser) -> None:
    event = _open_day(provider_staff(make_user))
    registration = _register(make_user(Role.STUDENT), event)
    intruder = english_client(app, make_user(Role.STUDENT))
    assert intruder.get(f"/events/registrations/{registration.id}").status_code == 404
    assert intruder.post(f"/events/registrations/{registration.id}/cancel").status_code == 404
    db.session.expire_all()
    assert registration.status == "confirmed"


def test_school_visit_events_are_hidden_from_anonymous_and_students(
        app: Flask, make_user: MakeUser, make_school: Callable[..., Any]) -> None:
    staff = provider_staff(make_user)
    school = make_school()
    starts = clock.rome_datetime(school_day_ahead(20), time(10))
    event = Event(kind="school_visit", provider_id=staff.provider_id, school_id=school.id,
                  title="Visita segreta", starts_at=starts, ends_at=starts + timedelta(hours=2))
    db.session.add(event)
    db.session.commit()
    anonymous = english_client(app)
    assert anonymous.get(f"/events/{event.id}").status_code == 404
    assert anonymous.get(f"/events/{event.id}/calendar.ics").status_code == 404
    student = english_client(app, make_user(Role.STUDENT))
    assert student.get(f"/events/{event.id}").status_code == 404
    assert student.post(f"/events/{event.id}/register").status_code == 404
    assert count_rows(Registration) == 0
    counsellor = english_client(app, make_user(Role.COUNSELLOR, school=school))
    assert "Visita segreta" in page_text(counsellor.get(f"/events/{event.id}"))


# --------------------------------------------------------------------------- check-in


def test_check_in_by_token(app: Flask, make_user: MakeUser) -> None:
    staff = provider_staff(make_user)
    event = _open_day(staff)
    student = make_user(Role.STUDENT, display_name="Giulia Bianchi")
    registration = _register(student, event)
    gone = _register(make_user(Role.STUDENT), event)
    registrations.cancel_registration(gone.user, gone)
    db.session.commit()
    client = english_client(app, staff)
    prefilled = page_text(client.get(f"/events/{event.id}/check-in?token={registration.token}"))
    assert f'value="{registration.token}"' in prefilled
    response = client.post(f"/events/{event.id}/check-in", data={"token": registration.token})
    assert response.status_code == 200
    assert "Giulia Bianchi is checked in." in page_text(response)
    db.session.expire_all()
    assert registration.status == "attended" and registration.checked_in_at is not None
    again = client.post(f"/events/{event.id}/check-in", data={"token": registration.token})
    assert again.status_code == 200
    assert "Giulia Bianchi was already checked in at" in page_text(again)
    unknown = client.post(f"/events/{event.id}/check-in", data={"token": "not-a-ticket"})
    assert unknown.status_code == 404
    assert "No ticket for this event has this code." in page_text(unknown)
    cancelled = client.post(f"/events/{event.id}/check-in", data={"token": gone.token})
    assert cancelled.status_code == 409
    assert "This registration was cancelled: the ticket is not valid." in page_text(cancelled)
    db.session.expire_all()
    assert gone.status == "cancelled"


# --------------------------------------------------------------------------- calendars


def test_event_calendar_file_hides_the_online_link_from_anonymous(
        app: Flask, make_user: MakeUser) -> None:
    event = _open_day(provider_staff(make_user), online_url=ONLINE, title="Open day ibrido")
    response = english_client(app).get(f"/events/{event.id}/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    vevents = list(calendar.walk("VEVENT"))
    assert len(vevents) == 1
    assert "Open day ibrido" in str(vevents[0]["summary"])
    assert vevents[0].decoded("dtstart") == event.starts_at
    assert ONLINE not in response.get_data(as_text=True)
    student = make_user(Role.STUDENT)
    _register(student, event)
    mine = english_client(app, student).get(f"/events/{event.id}/calendar.ics")
    assert ONLINE in str(icalendar.Calendar.from_ical(mine.data).walk("VEVENT")[0]
                         ["description"])


def test_feed_is_created_regenerated_and_revoked(app: Flask, make_user: MakeUser) -> None:
    event = _open_day(provider_staff(make_user), title="Nel mio calendario")
    student = make_user(Role.STUDENT)
    _register(student, event)
    client = english_client(app, student)
    assert client.post("/events/mine/feed").status_code == 302
    feed = db.session.get(CalendarFeed, student.id)
    assert feed is not None
    first = feed.token
    anonymous = english_client(app)
    response = anonymous.get(f"/events/feeds/{first}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "no-store"
    summaries = [str(v["summary"]) for v in
                 icalendar.Calendar.from_ical(response.data).walk("VEVENT")]
    assert any("Nel mio calendario" in s for s in summaries)
    assert first in page_text(client.get("/events/mine"))
    assert client.post("/events/mine/feed").status_code == 302
    db.session.expire_all()
    second = db.session.get(CalendarFeed, student.id).token  # type: ignore[union-attr]
    assert second != first
    assert anonymous.get(f"/events/feeds/{first}.ics").status_code == 404
    assert anonymous.get(f"/events/feeds/{second}.ics").status_code == 200
    assert client.post("/events/mine/feed/revoke").status_code == 302
    assert anonymous.get(f"/events/feeds/{second}.ics").status_code == 404
    assert db.session.get(CalendarFeed, student.id) is None


# --------------------------------------------------------------------------- query counts


def _statements(queries: list[str], client: FlaskClient, path: str) -> list[str]:
    """The SQL statements (transaction control aside) of one request, from a clean session."""
    db.session.commit()  # the tests share the request's session: end its transaction
    before = len(queries)
    response = client.get(path)
    assert response.status_code == 200
    return [q.split(None, 1)[0] + " " + q.split("FROM", 1)[-1].split(None, 1)[0]
            for q in queries[before:]
            if not q.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK"))]


def test_event_listing_issues_the_same_queries_for_5_or_30_events(
        app: Flask, make_user: MakeUser, make_provider: Callable[..., Provider],
        queries: list[str]) -> None:
    staff = [provider_staff(make_user, make_provider()) for _ in range(6)]
    day = school_day_ahead(15)

    def add(count: int, offset: int) -> None:
        for n in range(count):
            _open_day(staff[(n + offset) % len(staff)], day + timedelta(days=n // 4),
                      title=f"Evento {n + offset}", online_url=ONLINE if n % 2 else None)

    add(5, 0)
    client = english_client(app)
    client.get("/events/")  # warm-up
    few = _statements(queries, client, "/events/")
    add(25, 5)
    many = _statements(queries, client, "/events/")
    assert few == many
    assert "Evento 0" in page_text(client.get("/events/"))


def test_registrations_page_issues_the_same_queries_for_3_or_25(
        app: Flask, make_user: MakeUser, make_class: MakeClass, queries: list[str]) -> None:
    staff = provider_staff(make_user)
    event = _open_day(staff, capacity=15)
    counsellor = make_user(Role.COUNSELLOR)
    _register(counsellor, event, school_class=make_class(counsellor), seats=2)
    for _ in range(2):
        _register(make_user(Role.STUDENT), event)
    client = english_client(app, staff)
    path = f"/events/{event.id}/registrations"
    client.get(path)  # warm-up
    few = _statements(queries, client, path)
    _register(counsellor, event, school_class=make_class(counsellor), seats=3)
    for _ in range(21):
        _register(make_user(Role.STUDENT), event)
    many = _statements(queries, client, path)
    assert count_rows(Registration, Registration.event_id == event.id) == 25
    assert few == many
    page = page_text(client.get(path))
    assert "15 of 15 places taken, 13 waiting." in page
