"""Events over HTTP: event form, registration and tickets, check-in, calendars, peer visits,
attendance, orientation hours, school holidays, and query counts of the busy pages.

HTTP views use the real clock, so everything here happens on school days 10 to 40 days ahead
(never on a public holiday in Milan). Each user gets their own test client, and pages are
asked for in English so the assertions read the messages the code wrote.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable, Iterator
from datetime import date, time, timedelta
from typing import Any

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from werkzeug.test import TestResponse

from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.events import availability, registrations, services, visits
from orientamento.events.days import closed_days
from orientamento.events.models import CalendarFeed, Event, EventClass, Registration
from orientamento.events.visit_models import SchoolHoliday, VisitRequest, VisitWindow
from orientamento.extensions import db
from orientamento.orgs.models import Provider
from orientamento.outbox.models import OutboxMessage
from tests.conftest import log_in

pytestmark = pytest.mark.calendar

MakeUser = Callable[..., User]
MakeClass = Callable[..., SchoolClass]
ONLINE = "https://meet.example.org/room-42"


# --------------------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def _places(reference_data: None) -> None:
    """Events need the municipalities (the form's choices, the service's check)."""


def _client(app: Flask, user: User | None = None) -> FlaskClient:
    """A client asking for English pages, logged in as ``user`` if given."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if user is not None:
        log_in(client, user)
    return client


def _text(response: TestResponse) -> str:
    return html.unescape(response.get_data(as_text=True))


def _words(response: TestResponse) -> str:
    """The page's text without tags, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
                    .split())


def _school_day(ahead: int = 20, weekday: int | None = None) -> date:
    """The first Monday-to-Friday (or ``weekday``) from ``ahead`` days on that is not closed."""
    day = clock.today() + timedelta(days=ahead)
    while (day.weekday() > 4 or (weekday is not None and day.weekday() != weekday)
           or day in closed_days(day, day)):
        day += timedelta(days=1)
    return day


def _open_day(actor: User, day: date | None = None, *, capacity: int = 20,
              start: time = time(10), end: time = time(12), **fields: Any) -> Event:
    """An open day created through the service (real clock), committed."""
    day = day or _school_day()
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


def _count(model: Any, *where: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _outbox_to(*users: User) -> int:
    return _count(OutboxMessage, OutboxMessage.to_address.in_([u.email for u in users]))


def _staff(make_user: MakeUser, provider: Provider | None = None, **fields: Any) -> User:
    if provider is not None:
        fields["provider"] = provider
    return make_user(Role.PROVIDER, **fields)


def _window(ambassadors: list[User], day: date, *, max_visits: int = 1) -> VisitWindow:
    provider = ambassadors[0].provider
    assert provider is not None
    published = availability.publish_windows(provider, availability.WindowPlan(
        first_day=day, last_day=day, weekdays=(day.weekday(),), start=time(9), end=time(13),
        mode="both", max_visits=max_visits, ambassador_ids=[u.id for u in ambassadors]),
        clock.today())
    db.session.commit()
    assert len(published.windows) == 1, published.skipped
    return published.windows[0]


def _visit(counsellor: User, window: VisitWindow, classes: list[SchoolClass],
           pupils: int = 20) -> VisitRequest:
    local = clock.rome_local(window.starts_at).date()
    visit = visits.request_visit(counsellor, window, {c.id: pupils for c in classes},
                                 "in_person", clock.rome_datetime(local, time(10)),
                                 clock.rome_datetime(local, time(12)), "Classi quarte")
    db.session.commit()
    return visit


@pytest.fixture
def visit_setup(make_user: MakeUser, make_class: MakeClass, make_school: Callable[..., Any],
                make_provider: Callable[..., Provider]) -> Iterator[dict[str, Any]]:
    """A provider with an ambassador and a window; a counsellor with a class and a request."""
    provider = make_provider(name="ITS Meccatronica", municipality="Milano")
    staff = _staff(make_user, provider, display_name="Paola Staff")
    ambassador = _staff(make_user, provider, display_name="Luca Ambasciatore")
    counsellor = make_user(Role.COUNSELLOR, school=make_school(name="Liceo Volta", municipio=1))
    pupils = (make_user(Role.STUDENT, display_name="Anna Rossi"),
              make_user(Role.STUDENT, display_name='=HYPERLINK("http://evil.example","x")'))
    school_class = make_class(counsellor, pupils=pupils, name="4A")
    window = _window([ambassador], _school_day(20))
    visit = _visit(counsellor, window, [school_class])
    yield {"provider": provider, "staff": staff, "ambassador": ambassador,
           "counsellor": counsellor, "class": school_class, "window": window, "visit": visit,
           "pupils": pupils}


def _confirm(app: Flask, setup: dict[str, Any]) -> Event:
    provider_client = _client(app, setup["staff"])
    response = provider_client.post(f"/events/visits/{setup['visit'].id}/confirm",
                                    data={"confirm-ambassadors": setup["ambassador"].id})
    assert response.status_code == 302, _text(response)[:2000]
    db.session.expire_all()
    event = setup["visit"].event
    assert event is not None
    return event


def _move_to_past(event: Event) -> None:
    """Put a visit's event two hours long into the past (the composite key cascades)."""
    starts = clock.now().replace(microsecond=0) - timedelta(hours=3)
    db.session.execute(update(Event).where(Event.id == event.id)
                       .values(starts_at=starts, ends_at=starts + timedelta(hours=2)))
    db.session.commit()
    db.session.expire_all()


# --------------------------------------------------------------------------- event form


def test_provider_creates_an_event_of_their_organisation(app: Flask,
                                                         make_user: MakeUser) -> None:
    staff = _staff(make_user)
    client = _client(app, staff)
    assert client.get("/events/new").status_code == 200
    day = _school_day(25)
    response = client.post("/events/new", data=_event_fields(day, online_url=ONLINE))
    assert response.status_code == 302, _text(response)[:3000]
    event = db.session.scalar(select(Event).where(Event.title == "Open day meccatronica"))
    assert event is not None
    assert response.headers["Location"].endswith(f"/events/{event.id}")
    assert event.provider_id == staff.provider_id and event.created_by_id == staff.id
    assert event.kind == "open_day" and event.capacity == 30 and event.online_url == ONLINE
    assert event.starts_at == clock.rome_datetime(day, time(10))
    assert event.ends_at == clock.rome_datetime(day, time(12))
    assert "Open day meccatronica" in _text(client.get(response.headers["Location"]))


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
    client = _client(app, _staff(make_user))
    day = _school_day(25)
    overrides, message = _invalid_cases(day)[case]
    if "registration_opens" in overrides:  # opens after closing
        overrides = overrides | {"registration_closes": day.isoformat()}
    response = client.post("/events/new", data=_event_fields(day, **overrides))
    assert response.status_code == 400
    page = _text(response)
    assert message in page, overrides
    assert 'id="form-errors"' in page
    assert _count(Event) == 0


def test_invalid_event_form_is_in_italian_for_italian_visitors(app: Flask,
                                                               make_user: MakeUser) -> None:
    client = _client(app, _staff(make_user))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "it"
    response = client.post("/events/new", data=_event_fields(_school_day(25), capacity="0"))
    assert response.status_code == 400
    page = _text(response)
    assert "Correggi" in page or "correggi" in page  # "Please correct the following:"
    assert "Please correct the following:" not in page
    assert _count(Event) == 0


def test_registration_closing_on_the_event_day_means_until_the_start(
        app: Flask, make_user: MakeUser) -> None:
    client = _client(app, _staff(make_user))
    day = _school_day(25)
    response = client.post("/events/new",
                           data=_event_fields(day, registration_closes=day.isoformat()))
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert event is not None and event.registration_closes_at == event.starts_at


def test_a_course_of_another_provider_is_refused(app: Flask, make_user: MakeUser,
                                                 make_course: Callable[..., Any]) -> None:
    staff = _staff(make_user)
    own = make_course(staff.provider, title="Corso nostro")
    foreign = make_course(title="Corso altrui")
    client = _client(app, staff)
    day = _school_day(25)
    response = client.post("/events/new", data=_event_fields(day, courses=[foreign.id]))
    assert response.status_code == 400
    assert _count(Event) == 0
    response = client.post("/events/new", data=_event_fields(day, courses=[own.id]))
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert event is not None and [c.id for c in event.courses] == [own.id]


def test_admin_creates_a_city_wide_event(app: Flask, make_user: MakeUser,
                                         make_course: Callable[..., Any]) -> None:
    admin = make_user(Role.ADMIN)
    course = make_course(title="Corso di un ente")
    client = _client(app, admin)
    response = client.post("/events/new", data=_event_fields(
        _school_day(25), kind="webinar", address="", place_code="", online_url=ONLINE,
        courses=[course.id]))
    assert response.status_code == 302, _text(response)[:3000]
    event = db.session.scalar(select(Event))
    assert event is not None and event.provider_id is None and event.kind == "webinar"
    assert "Comune di Milano" in _text(client.get(f"/events/{event.id}"))


def test_edit_form_shows_local_times(app: Flask, make_user: MakeUser) -> None:
    staff = _staff(make_user)
    day = _school_day(25)
    event = _open_day(staff, day, start=time(9, 30), end=time(11, 45))
    page = _text(_client(app, staff).get(f"/events/{event.id}/edit"))
    assert f'value="{day.isoformat()}"' in page
    assert 'value="09:30"' in page and 'value="11:45"' in page  # Rome time, not UTC
    assert 'value="Open day ITS"' in page and 'value="20"' in page


def test_edit_cannot_lower_capacity_below_seats_and_raising_it_promotes(
        app: Flask, make_user: MakeUser) -> None:
    staff = _staff(make_user)
    day = _school_day(25)
    event = _open_day(staff, day, capacity=2)
    students = [make_user(Role.STUDENT) for _ in range(3)]
    regs = [_register(s, event) for s in students]
    assert [r.status for r in regs] == ["confirmed", "confirmed", "waitlisted"]
    client = _client(app, staff)
    fields = _event_fields(day, title="Open day ITS")
    response = client.post(f"/events/{event.id}/edit", data=fields | {"capacity": "1"})
    assert response.status_code == 400
    assert "2 seats are already taken: the capacity cannot be lower." in _text(response)
    db.session.expire_all()
    assert event.capacity == 2 and event.sequence == 0
    response = client.post(f"/events/{event.id}/edit", data=fields | {"capacity": "3"})
    assert response.status_code == 302
    db.session.expire_all()
    assert event.capacity == 3 and event.seats_taken == 3 and event.waiting == 0
    assert event.sequence == 1
    assert regs[2].status == "confirmed"
    assert _outbox_to(students[2]) == 1  # told about the seat
    page = _text(client.get(response.headers["Location"]))
    assert "1 people moved from the waiting list to a seat." in page


def test_cancel_asks_for_confirmation_and_a_reason_then_tells_everyone(
        app: Flask, make_user: MakeUser) -> None:
    staff = _staff(make_user)
    event = _open_day(staff, capacity=1)
    students = [make_user(Role.STUDENT) for _ in range(2)]
    for student in students:
        _register(student, event)
    client = _client(app, staff)
    page = client.get(f"/events/{event.id}/cancel")
    assert page.status_code == 200
    assert "will be cancelled" in _text(page) and "This cannot be undone." in _text(page)
    db.session.expire_all()
    assert event.status == "scheduled"
    response = client.post(f"/events/{event.id}/cancel", data={"reason": ""})
    assert response.status_code == 400
    db.session.expire_all()
    assert event.status == "scheduled" and _outbox_to(*students) == 0
    response = client.post(f"/events/{event.id}/cancel", data={"reason": "Sciopero dei mezzi"})
    assert response.status_code == 302
    db.session.expire_all()
    assert event.status == "cancelled" and event.cancel_reason == "Sciopero dei mezzi"
    assert _outbox_to(*students) == 2  # the confirmed one and the one waiting
    assert "Event cancelled; 2 people notified." in _text(client.get(response.headers["Location"]))


def test_another_providers_event_is_404_for_management(app: Flask, make_user: MakeUser) -> None:
    event = _open_day(_staff(make_user))
    registration = _register(make_user(Role.STUDENT), event)
    client = _client(app, _staff(make_user))
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
    event = _open_day(_staff(make_user), capacity=5)
    student = make_user(Role.STUDENT)
    client = _client(app, student)
    first = client.post(f"/events/{event.id}/register")
    second = client.post(f"/events/{event.id}/register")  # a double click
    assert first.status_code == second.status_code == 302
    registration = db.session.scalar(select(Registration))
    assert registration is not None and registration.user_id == student.id
    assert _count(Registration) == 1
    ticket = f"/events/registrations/{registration.id}"
    assert first.headers["Location"].endswith(ticket)
    assert second.headers["Location"].endswith(ticket)
    db.session.expire_all()
    assert event.seats_taken == 1
    page = _text(client.get(ticket))
    assert '<figure class="ticket-qr">' in page
    qr = page.split('<figure class="ticket-qr">', 1)[1]
    assert qr.lstrip().startswith("<svg") and "Ticket QR code" in qr
    assert registration.token in page


def test_waitlisted_student_sees_the_number_and_no_qr(app: Flask, make_user: MakeUser) -> None:
    event = _open_day(_staff(make_user), capacity=1)
    _register(make_user(Role.STUDENT), event)
    _register(make_user(Role.STUDENT), event)
    client = _client(app, make_user(Role.STUDENT))
    response = client.post(f"/events/{event.id}/register")
    assert response.status_code == 302
    ticket = _text(client.get(response.headers["Location"]))
    assert "The event is full: you are number 2 on the waiting list." in ticket  # flash
    assert "You are number 2 on the waiting list." in ticket
    assert '<figure class="ticket-qr">' not in ticket and "Ticket QR code" not in ticket
    registration = db.session.scalar(select(Registration).where(Registration.position == 2))
    assert registration is not None and registration.status == "waitlisted"


def test_counsellor_registers_a_class_group_counting_seats(
        app: Flask, make_user: MakeUser, make_class: MakeClass) -> None:
    event = _open_day(_staff(make_user), capacity=30)
    counsellor = make_user(Role.COUNSELLOR)
    first, second = make_class(counsellor, name="4A"), make_class(counsellor, name="4B")
    client = _client(app, counsellor)
    assert 'name="group-seats"' in _text(client.get(f"/events/{event.id}"))
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
    page = _text(client.get(f"/events/registrations/{group.id}"))
    assert "Class 4A, 25 people" in page


def test_counsellor_cannot_register_another_schools_class(
        app: Flask, make_user: MakeUser, make_class: MakeClass) -> None:
    event = _open_day(_staff(make_user))
    foreign = make_class()  # another counsellor, another school
    client = _client(app, make_user(Role.COUNSELLOR))
    response = client.post(f"/events/{event.id}/register",
                           data={"group-school_class": foreign.id, "group-seats": "10"})
    assert response.status_code in (400, 404)
    assert _count(Registration) == 0


def test_another_schools_class_is_404(app: Flask, make_user: MakeUser,
                                      make_class: MakeClass) -> None:
    event = _open_day(_staff(make_user))
    foreign = make_class()
    client = _client(app, make_user(Role.COUNSELLOR))
    response = client.post(f"/events/{event.id}/register",
                           data={"group-school_class": foreign.id, "group-seats": "10"})
    assert response.status_code == 404


def test_student_cancels_and_the_first_waiting_gets_the_seat(app: Flask,
                                                             make_user: MakeUser) -> None:
    event = _open_day(_staff(make_user), capacity=1)
    holder, waiting, later = (make_user(Role.STUDENT) for _ in range(3))
    seat = _register(holder, event)
    queued = _register(waiting, event)
    last = _register(later, event)
    client = _client(app, holder)
    response = client.post(f"/events/registrations/{seat.id}/cancel")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/events/{event.id}")
    db.session.expire_all()
    assert seat.status == "cancelled" and seat.cancelled_at is not None
    assert queued.status == "confirmed" and last.status == "waitlisted"
    assert event.seats_taken == 1 and event.waiting == 1
    assert _outbox_to(waiting) == 1 and _outbox_to(later) == 0


def test_another_users_ticket_and_cancel_are_404(app: Flask, make_user: MakeUser) -> None:
    event = _open_day(_staff(make_user))
    registration = _register(make_user(Role.STUDENT), event)
    intruder = _client(app, make_user(Role.STUDENT))
    assert intruder.get(f"/events/registrations/{registration.id}").status_code == 404
    assert intruder.post(f"/events/registrations/{registration.id}/cancel").status_code == 404
    db.session.expire_all()
    assert registration.status == "confirmed"


def test_school_visit_events_are_hidden_from_anonymous_and_students(
        app: Flask, make_user: MakeUser, make_school: Callable[..., Any]) -> None:
    staff = _staff(make_user)
    school = make_school()
    starts = clock.rome_datetime(_school_day(20), time(10))
    event = Event(kind="school_visit", provider_id=staff.provider_id, school_id=school.id,
                  title="Visita segreta", starts_at=starts, ends_at=starts + timedelta(hours=2))
    db.session.add(event)
    db.session.commit()
    anonymous = _client(app)
    assert anonymous.get(f"/events/{event.id}").status_code == 404
    assert anonymous.get(f"/events/{event.id}/calendar.ics").status_code == 404
    student = _client(app, make_user(Role.STUDENT))
    assert student.get(f"/events/{event.id}").status_code == 404
    assert student.post(f"/events/{event.id}/register").status_code == 404
    assert _count(Registration) == 0
    counsellor = _client(app, make_user(Role.COUNSELLOR, school=school))
    assert "Visita segreta" in _text(counsellor.get(f"/events/{event.id}"))


# --------------------------------------------------------------------------- check-in


def test_check_in_by_token(app: Flask, make_user: MakeUser) -> None:
    staff = _staff(make_user)
    event = _open_day(staff)
    student = make_user(Role.STUDENT, display_name="Giulia Bianchi")
    registration = _register(student, event)
    gone = _register(make_user(Role.STUDENT), event)
    registrations.cancel_registration(gone.user, gone)
    db.session.commit()
    client = _client(app, staff)
    prefilled = _text(client.get(f"/events/{event.id}/check-in?token={registration.token}"))
    assert f'value="{registration.token}"' in prefilled
    response = client.post(f"/events/{event.id}/check-in", data={"token": registration.token})
    assert response.status_code == 200
    assert "Giulia Bianchi is checked in." in _text(response)
    db.session.expire_all()
    assert registration.status == "attended" and registration.checked_in_at is not None
    again = client.post(f"/events/{event.id}/check-in", data={"token": registration.token})
    assert again.status_code == 200
    assert "Giulia Bianchi was already checked in at" in _text(again)
    unknown = client.post(f"/events/{event.id}/check-in", data={"token": "not-a-ticket"})
    assert unknown.status_code == 404
    assert "No ticket for this event has this code." in _text(unknown)
    cancelled = client.post(f"/events/{event.id}/check-in", data={"token": gone.token})
    assert cancelled.status_code == 409
    assert "This registration was cancelled: the ticket is not valid." in _text(cancelled)
    db.session.expire_all()
    assert gone.status == "cancelled"


# --------------------------------------------------------------------------- calendars


def test_event_calendar_file_hides_the_online_link_from_anonymous(
        app: Flask, make_user: MakeUser) -> None:
    event = _open_day(_staff(make_user), online_url=ONLINE, title="Open day ibrido")
    response = _client(app).get(f"/events/{event.id}/calendar.ics")
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
    mine = _client(app, student).get(f"/events/{event.id}/calendar.ics")
    assert ONLINE in str(icalendar.Calendar.from_ical(mine.data).walk("VEVENT")[0]
                         ["description"])


def test_feed_is_created_regenerated_and_revoked(app: Flask, make_user: MakeUser) -> None:
    event = _open_day(_staff(make_user), title="Nel mio calendario")
    student = make_user(Role.STUDENT)
    _register(student, event)
    client = _client(app, student)
    assert client.post("/events/mine/feed").status_code == 302
    feed = db.session.get(CalendarFeed, student.id)
    assert feed is not None
    first = feed.token
    anonymous = _client(app)
    response = anonymous.get(f"/events/feeds/{first}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "no-store"
    summaries = [str(v["summary"]) for v in
                 icalendar.Calendar.from_ical(response.data).walk("VEVENT")]
    assert any("Nel mio calendario" in s for s in summaries)
    assert first in _text(client.get("/events/mine"))
    assert client.post("/events/mine/feed").status_code == 302
    db.session.expire_all()
    second = db.session.get(CalendarFeed, student.id).token  # type: ignore[union-attr]
    assert second != first
    assert anonymous.get(f"/events/feeds/{first}.ics").status_code == 404
    assert anonymous.get(f"/events/feeds/{second}.ics").status_code == 200
    assert client.post("/events/mine/feed/revoke").status_code == 302
    assert anonymous.get(f"/events/feeds/{second}.ics").status_code == 404
    assert db.session.get(CalendarFeed, student.id) is None


# --------------------------------------------------------------------------- availability


def _december_holiday() -> date:
    """The next 8 December (Immacolata) on Monday to Saturday, at least a day ahead."""
    today = clock.today()
    year = today.year
    while True:
        day = date(year, 12, 8)
        if day > today and day.weekday() <= 5:
            return day
        year += 1


def _window_fields(first: date, last: date, ambassador: User, **overrides: Any
                   ) -> dict[str, Any]:
    return {"first_day": first.isoformat(), "last_day": last.isoformat(),
            "weekdays": ["0", "1", "2", "3", "4", "5"], "start": "09:00", "end": "13:00",
            "mode": "both", "max_visits": "2", "ambassadors": [str(ambassador.id)],
            "note": "Portiamo i robot"} | overrides


def test_provider_publishes_windows_skipping_holidays(app: Flask, make_user: MakeUser) -> None:
    staff = _staff(make_user)
    ambassador = _staff(make_user, staff.provider)
    holiday = _december_holiday()
    first = max(clock.today() + timedelta(days=1), holiday - timedelta(days=2))
    last = holiday + timedelta(days=2)
    client = _client(app, staff)
    response = client.post("/events/availability", data=_window_fields(first, last, ambassador))
    assert response.status_code == 302, _text(response)[:3000]
    page = _text(client.get(response.headers["Location"]))
    assert f"Skipped {holiday.isoformat()}:" in page
    windows = db.session.scalars(select(VisitWindow)).all()
    days = {clock.rome_local(w.starts_at).date() for w in windows}
    assert holiday not in days and days
    expected = {first + timedelta(days=n) for n in range((last - first).days + 1)}
    expected = {d for d in expected if d.weekday() <= 5 and d not in closed_days(d, d)}
    assert days == expected
    assert f"{len(windows)} windows published." in page
    window = windows[0]
    assert window.max_visits == 2 and window.mode == "both" and window.note == "Portiamo i robot"
    assert [a.id for a in window.ambassadors] == [ambassador.id]
    assert clock.rome_local(window.starts_at).time() == time(9)


def test_availability_with_last_day_before_first_is_400(app: Flask, make_user: MakeUser) -> None:
    staff = _staff(make_user)
    day = _school_day(20)
    response = _client(app, staff).post("/events/availability", data=_window_fields(
        day, day - timedelta(days=3), staff))
    assert response.status_code == 400
    assert "The last day must follow the first, within a year." in _text(response)
    assert _count(VisitWindow) == 0


# --------------------------------------------------------------------------- browse and request


def test_counsellor_browses_windows_and_filters_by_distance(
        app: Flask, make_user: MakeUser, make_school: Callable[..., Any],
        make_provider: Callable[..., Provider]) -> None:
    near = make_provider(name="ITS Vicino", municipality="Milano")
    far = make_provider(name="CFP Lontano", municipality="Legnano")
    _window([_staff(make_user, near)], _school_day(20))
    _window([_staff(make_user, far)], _school_day(21))
    counsellor = make_user(Role.COUNSELLOR, school=make_school(municipio=1))
    client = _client(app, counsellor)
    everything = _text(client.get("/events/visits/browse"))
    assert "ITS Vicino" in everything and "CFP Lontano" in everything
    assert "km from your school" in everything
    response = client.get("/events/visits/browse?km=10")
    assert response.status_code == 200
    nearby = _text(response)
    assert "ITS Vicino" in nearby and "CFP Lontano" not in nearby
    assert "CFP Lontano" in _text(client.get("/events/visits/browse?km=50"))
    assert client.get("/events/visits/browse?km=500").status_code == 400


def test_counsellor_requests_a_visit(app: Flask, make_user: MakeUser, make_class: MakeClass,
                                     make_provider: Callable[..., Provider]) -> None:
    ambassador = _staff(make_user, make_provider())
    window = _window([ambassador], _school_day(20))
    counsellor = make_user(Role.COUNSELLOR)
    school_class = make_class(counsellor)
    client = _client(app, counsellor)
    path = f"/events/visits/windows/{window.id}/request"
    form = {f"pupils_{school_class.id}": "0", "mode": "in_person", "start": "10:00",
            "end": "11:30", "message": "Aula magna"}
    refused = client.post(path, data=form)
    assert refused.status_code == 400
    assert "Give the number of pupils (1 to 60) for at least one class." in _text(refused)
    assert _count(VisitRequest) == 0
    response = client.post(path, data=form | {f"pupils_{school_class.id}": "22"})
    assert response.status_code == 302, _text(response)[:3000]
    visit = db.session.scalar(select(VisitRequest))
    assert visit is not None
    assert response.headers["Location"].endswith(f"/events/visits/{visit.id}")
    assert visit.status == "requested" and visit.pupils == 22 and visit.mode == "in_person"
    assert visit.message == "Aula magna" and visit.school_id == counsellor.school_id
    local_day = clock.rome_local(window.starts_at).date()
    assert visit.starts_at == clock.rome_datetime(local_day, time(10))
    assert visit.ends_at == clock.rome_datetime(local_day, time(11, 30))
    assert [(c.class_id, c.pupils) for c in visit.classes] == [(school_class.id, 22)]
    assert _outbox_to(ambassador) == 1  # the provider's staff are told


# --------------------------------------------------------------------------- answers


def test_provider_confirms_a_visit_which_becomes_an_event(
        app: Flask, visit_setup: dict[str, Any]) -> None:
    event = _confirm(app, visit_setup)
    visit = visit_setup["visit"]
    assert visit.status == "confirmed" and visit.event_id == event.id
    assert event.kind == "school_visit" and event.school_id == visit.school_id
    assert [m.user_id for m in event.staff] == [visit_setup["ambassador"].id]
    assert [(c.class_id, c.pupils) for c in event.classes] == [(visit_setup["class"].id, 20)]
    db.session.refresh(visit_setup["window"])
    assert visit_setup["window"].booked == 1
    page = _text(_client(app, visit_setup["counsellor"]).get(f"/events/visits/{visit.id}"))
    assert "Confirmed" in page and "Luca Ambasciatore" in page


def test_counsellor_cannot_confirm_a_request_waiting_for_the_provider(
        app: Flask, visit_setup: dict[str, Any]) -> None:
    visit = visit_setup["visit"]
    response = _client(app, visit_setup["counsellor"]).post(f"/events/visits/{visit.id}/confirm")
    assert response.status_code == 409
    assert "cannot change that way" in _text(response)
    db.session.expire_all()
    assert visit.status == "requested" and visit.event_id is None
    assert _count(Event) == 0


def test_decline_needs_a_reason(app: Flask, visit_setup: dict[str, Any]) -> None:
    visit = visit_setup["visit"]
    client = _client(app, visit_setup["staff"])
    response = client.post(f"/events/visits/{visit.id}/decline", data={"decline-reason": ""})
    assert response.status_code == 400
    assert "Give a reason." in _text(response)
    db.session.expire_all()
    assert visit.status == "requested"
    response = client.post(f"/events/visits/{visit.id}/decline",
                           data={"decline-reason": "Nessun ambasciatore libero"})
    assert response.status_code == 302
    db.session.expire_all()
    assert visit.status == "declined" and visit.reply == "Nessun ambasciatore libero"


def test_counsellor_cancels_a_confirmed_visit_with_a_reason(
        app: Flask, visit_setup: dict[str, Any]) -> None:
    event = _confirm(app, visit_setup)
    visit = visit_setup["visit"]
    client = _client(app, visit_setup["counsellor"])
    refused = client.post(f"/events/visits/{visit.id}/cancel", data={"cancel-reason": " "})
    assert refused.status_code == 400
    db.session.expire_all()
    assert visit.status == "confirmed"
    response = client.post(f"/events/visits/{visit.id}/cancel",
                           data={"cancel-reason": "Gita scolastica"})
    assert response.status_code == 302
    db.session.expire_all()
    assert visit.status == "cancelled" and visit.reply == "Gita scolastica"
    assert event.status == "cancelled"
    assert visit_setup["window"].booked == 0


def test_another_schools_counsellor_gets_404(app: Flask, visit_setup: dict[str, Any],
                                             make_user: MakeUser) -> None:
    visit = visit_setup["visit"]
    client = _client(app, make_user(Role.COUNSELLOR))
    assert client.get(f"/events/visits/{visit.id}").status_code == 404
    assert client.post(f"/events/visits/{visit.id}/cancel",
                       data={"cancel-reason": "Non è mia"}).status_code == 404
    assert client.post(f"/events/visits/{visit.id}/confirm").status_code == 404
    other_provider = _client(app, _staff(make_user))
    assert other_provider.post(f"/events/visits/{visit.id}/decline",
                               data={"decline-reason": "No"}).status_code == 404
    db.session.expire_all()
    assert visit.status == "requested"


# --------------------------------------------------------------------------- attendance, hours


def test_attendance_after_the_visit(app: Flask, visit_setup: dict[str, Any]) -> None:
    event = _confirm(app, visit_setup)
    client = _client(app, visit_setup["staff"])
    field = f"attended_{visit_setup['class'].id}"
    early = client.post(f"/events/{event.id}/attendance", data={field: "15"})
    assert early.status_code == 400
    assert "Attendance can be recorded once the visit has started." in _text(early)
    _move_to_past(event)
    row = db.session.get(EventClass, (event.id, visit_setup["class"].id))
    assert row is not None and row.starts_at == event.starts_at  # cascaded
    too_many = client.post(f"/events/{event.id}/attendance", data={field: "21"})
    assert too_many.status_code == 400
    db.session.expire_all()
    assert row.attended is None
    response = client.post(f"/events/{event.id}/attendance", data={field: "15"})
    assert response.status_code == 302
    db.session.expire_all()
    assert row.attended == 15 and row.attendance_recorded_at is not None


def test_hours_page_and_csv(app: Flask, visit_setup: dict[str, Any],
                            make_class: MakeClass) -> None:
    event = _confirm(app, visit_setup)
    _move_to_past(event)
    staff_client = _client(app, visit_setup["staff"])
    field = f"attended_{visit_setup['class'].id}"
    assert staff_client.post(f"/events/{event.id}/attendance",
                             data={field: "18"}).status_code == 302
    make_class(visit_setup["counsellor"], name="5C")  # a class without hours
    client = _client(app, visit_setup["counsellor"])
    page = _words(client.get("/events/hours"))
    assert "4A · 2026/2027: 2 hours 28 to go" in page
    assert "Anna Rossi 2" in page and '=HYPERLINK("http://evil.example","x") 2' in page
    assert "5C · 2026/2027: 0 hours 30 to go No event attended yet." in page
    response = client.get("/events/hours.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["school_year", "class", "pupil", "date", "event", "kind", "provider",
                       "hours", "with_class"]
    body = rows[1:]
    assert len(body) == 2  # one line per pupil of 4A for the one visit
    pupils = sorted(r[2] for r in body)
    assert pupils == ["'=HYPERLINK(\"http://evil.example\",\"x\")", "Anna Rossi"]
    for row in body:
        assert row[0] == "2026/2027" and row[1] == "4A"
        assert row[3] == clock.rome_local(event.starts_at).date().isoformat()
        assert row[4] == event.title and row[5] == "school_visit"
        assert row[6] == "ITS Meccatronica" and row[7] == "2" and row[8] == "yes"


# --------------------------------------------------------------------------- school holidays


def test_admin_adds_and_removes_school_holidays(app: Flask, make_user: MakeUser,
                                                visit_setup: dict[str, Any]) -> None:
    ambassador = visit_setup["ambassador"]
    first = _school_day(30, weekday=0)  # a Monday
    published = availability.publish_windows(ambassador.provider, availability.WindowPlan(
        first_day=first, last_day=first + timedelta(days=4), weekdays=range(5), start=time(9),
        end=time(13), mode="both", max_visits=1, ambassador_ids=[ambassador.id]),
        clock.today())
    db.session.commit()
    inside = [w for w in published.windows if clock.rome_local(w.starts_at).date() <= first
              + timedelta(days=2)]
    before = _count(VisitWindow)
    client = _client(app, make_user(Role.ADMIN))
    refused = client.post("/events/holidays", data={
        "name": "Ponte", "first_day": first.isoformat(),
        "last_day": (first - timedelta(days=1)).isoformat()})
    assert refused.status_code == 400
    assert "The last day must not come before the first." in _text(refused)
    assert _count(SchoolHoliday) == 0 and _count(VisitWindow) == before
    response = client.post("/events/holidays", data={
        "name": "Vacanze di Carnevale", "first_day": first.isoformat(),
        "last_day": (first + timedelta(days=2)).isoformat()})
    assert response.status_code == 302
    assert _count(VisitWindow) == before - len(inside)
    assert visit_setup["window"] in db.session.scalars(select(VisitWindow)).all()  # asked for
    page = _text(client.get("/events/holidays"))
    assert f"Holiday saved; {len(inside)} free windows withdrawn." in page
    assert "Vacanze di Carnevale" in page
    holiday = db.session.scalar(select(SchoolHoliday))
    assert holiday is not None
    assert client.post(f"/events/holidays/{holiday.id}/delete").status_code == 302
    assert _count(SchoolHoliday) == 0


def test_holiday_keeps_windows_schools_asked_for(app: Flask, make_user: MakeUser,
                                                 visit_setup: dict[str, Any]) -> None:
    day = clock.rome_local(visit_setup["window"].starts_at).date()
    client = _client(app, make_user(Role.ADMIN))
    response = client.post("/events/holidays", data={
        "name": "Chiusura", "first_day": day.isoformat(), "last_day": day.isoformat()})
    assert response.status_code == 302
    assert _count(VisitWindow) == 1  # a request is open on it


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
    staff = [_staff(make_user, make_provider()) for _ in range(6)]
    day = _school_day(15)

    def add(count: int, offset: int) -> None:
        for n in range(count):
            _open_day(staff[(n + offset) % len(staff)], day + timedelta(days=n // 4),
                      title=f"Evento {n + offset}", online_url=ONLINE if n % 2 else None)

    add(5, 0)
    client = _client(app)
    client.get("/events/")  # warm-up
    few = _statements(queries, client, "/events/")
    add(25, 5)
    many = _statements(queries, client, "/events/")
    assert few == many
    assert "Evento 0" in _text(client.get("/events/"))


def test_registrations_page_issues_the_same_queries_for_3_or_25(
        app: Flask, make_user: MakeUser, make_class: MakeClass, queries: list[str]) -> None:
    staff = _staff(make_user)
    event = _open_day(staff, capacity=15)
    counsellor = make_user(Role.COUNSELLOR)
    _register(counsellor, event, school_class=make_class(counsellor), seats=2)
    for _ in range(2):
        _register(make_user(Role.STUDENT), event)
    client = _client(app, staff)
    path = f"/events/{event.id}/registrations"
    client.get(path)  # warm-up
    few = _statements(queries, client, path)
    _register(counsellor, event, school_class=make_class(counsellor), seats=3)
    for _ in range(21):
        _register(make_user(Role.STUDENT), event)
    many = _statements(queries, client, path)
    assert _count(Registration, Registration.event_id == event.id) == 25
    assert few == many
    page = _text(client.get(path))
    assert "15 of 15 places taken, 13 waiting." in page
