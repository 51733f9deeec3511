"""Peer visits over HTTP: availability, browsing and requesting, answers, attendance and
orientation hours after a visit, the admin's school holidays.

Tests run at the chosen instant (tests/conftest.py), and everything here happens on school days 10 to 40 days ahead
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

import pytest
from flask import Flask
from sqlalchemy import select, update
from werkzeug.test import TestResponse

from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.events.models import Event, EventClass
from orientamento.extensions import db
from orientamento.orgs.models import Provider
from orientamento.visits.days import closed_days
from orientamento.visits.models import SchoolHoliday, VisitRequest, VisitWindow
from orientamento.visits.services import availability
from orientamento.visits.services import visit_requests as visits
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


# --------------------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def _places(reference_data: None) -> None:
    """Visits need the municipalities (the form's choices, coverage and distances)."""


def _words(response: TestResponse) -> str:
    """The page's text without tags, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
                    .split())


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
    staff = provider_staff(make_user, provider, display_name="Paola Staff")
    ambassador = provider_staff(make_user, provider, display_name="Luca Ambasciatore")
    counsellor = make_user(Role.COUNSELLOR, school=make_school(name="Liceo Volta", municipio=1))
    pupils = (make_user(Role.STUDENT, display_name="Anna Rossi"),
              make_user(Role.STUDENT, display_name='=HYPERLINK("http://evil.example","x")'))
    school_class = make_class(counsellor, pupils=pupils, name="4A")
    window = _window([ambassador], school_day_ahead(20))
    visit = _visit(counsellor, window, [school_class])
    yield {"provider": provider, "staff": staff, "ambassador": ambassador,
           "counsellor": counsellor, "class": school_class, "window": window, "visit": visit,
           "pupils": pupils}


def _confirm(app: Flask, setup: dict[str, Any]) -> Event:
    provider_client = english_client(app, setup["staff"])
    response = provider_client.post(f"/events/visits/{setup['visit'].id}/confirm",
                                    data={"confirm-ambassadors": setup["ambassador"].id})
    assert response.status_code == 302, page_text(response)[:2000]
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
    staff = provider_staff(make_user)
    ambassador = provider_staff(make_user, staff.provider)
    holiday = _december_holiday()
    first = max(clock.today() + timedelta(days=1), holiday - timedelta(days=2))
    last = holiday + timedelta(days=2)
    client = english_client(app, staff)
    response = client.post("/events/availability", data=_window_fields(first, last, ambassador))
    assert response.status_code == 302, page_text(response)[:3000]
    page = page_text(client.get(response.headers["Location"]))
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
    staff = provider_staff(make_user)
    day = school_day_ahead(20)
    response = english_client(app, staff).post("/events/availability", data=_window_fields(
        day, day - timedelta(days=3), staff))
    assert response.status_code == 400
    assert "The last day must follow the first, within a year." in page_text(response)
    assert count_rows(VisitWindow) == 0


# --------------------------------------------------------------------------- browse and request


def test_counsellor_browses_windows_and_filters_by_distance(
        app: Flask, make_user: MakeUser, make_school: Callable[..., Any],
        make_provider: Callable[..., Provider]) -> None:
    near = make_provider(name="ITS Vicino", municipality="Milano")
    far = make_provider(name="CFP Lontano", municipality="Legnano")
    _window([provider_staff(make_user, near)], school_day_ahead(20))
    _window([provider_staff(make_user, far)], school_day_ahead(21))
    counsellor = make_user(Role.COUNSELLOR, school=make_school(municipio=1))
    client = english_client(app, counsellor)
    everything = page_text(client.get("/events/visits/browse"))
    assert "ITS Vicino" in everything and "CFP Lontano" in everything
    assert "km from your school" in everything
    response = client.get("/events/visits/browse?km=10")
    assert response.status_code == 200
    nearby = page_text(response)
    assert "ITS Vicino" in nearby and "CFP Lontano" not in nearby
    assert "CFP Lontano" in page_text(client.get("/events/visits/browse?km=50"))
    assert client.get("/events/visits/browse?km=500").status_code == 400


def test_counsellor_requests_a_visit(app: Flask, make_user: MakeUser, make_class: MakeClass,
                                     make_provider: Callable[..., Provider]) -> None:
    ambassador = provider_staff(make_user, make_provider())
    window = _window([ambassador], school_day_ahead(20))
    counsellor = make_user(Role.COUNSELLOR)
    school_class = make_class(counsellor)
    client = english_client(app, counsellor)
    path = f"/events/visits/windows/{window.id}/request"
    form = {f"pupils_{school_class.id}": "0", "mode": "in_person", "start": "10:00",
            "end": "11:30", "message": "Aula magna"}
    refused = client.post(path, data=form)
    assert refused.status_code == 400
    assert "Give the number of pupils (1 to 60) for at least one class." in page_text(refused)
    assert count_rows(VisitRequest) == 0
    response = client.post(path, data=form | {f"pupils_{school_class.id}": "22"})
    assert response.status_code == 302, page_text(response)[:3000]
    visit = db.session.scalar(select(VisitRequest))
    assert visit is not None
    assert response.headers["Location"].endswith(f"/events/visits/{visit.id}")
    assert visit.status == "requested" and visit.pupils == 22 and visit.mode == "in_person"
    assert visit.message == "Aula magna" and visit.school_id == counsellor.school_id
    local_day = clock.rome_local(window.starts_at).date()
    assert visit.starts_at == clock.rome_datetime(local_day, time(10))
    assert visit.ends_at == clock.rome_datetime(local_day, time(11, 30))
    assert [(c.class_id, c.pupils) for c in visit.classes] == [(school_class.id, 22)]
    assert outbox_to(ambassador) == 1  # the provider's staff are told


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
    page = page_text(english_client(app, visit_setup["counsellor"]).get(f"/events/visits/{visit.id}"))
    assert "Confirmed" in page and "Luca Ambasciatore" in page


def test_counsellor_cannot_confirm_a_request_waiting_for_the_provider(
        app: Flask, visit_setup: dict[str, Any]) -> None:
    visit = visit_setup["visit"]
    response = english_client(app, visit_setup["counsellor"]).post(f"/events/visits/{visit.id}/confirm")
    assert response.status_code == 409
    assert "cannot change that way" in page_text(response)
    db.session.expire_all()
    assert visit.status == "requested" and visit.event_id is None
    assert count_rows(Event) == 0


def test_decline_needs_a_reason(app: Flask, visit_setup: dict[str, Any]) -> None:
    visit = visit_setup["visit"]
    client = english_client(app, visit_setup["staff"])
    response = client.post(f"/events/visits/{visit.id}/decline", data={"decline-reason": ""})
    assert response.status_code == 400
    assert "Give a reason." in page_text(response)
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
    client = english_client(app, visit_setup["counsellor"])
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
    client = english_client(app, make_user(Role.COUNSELLOR))
    assert client.get(f"/events/visits/{visit.id}").status_code == 404
    assert client.post(f"/events/visits/{visit.id}/cancel",
                       data={"cancel-reason": "Non è mia"}).status_code == 404
    assert client.post(f"/events/visits/{visit.id}/confirm").status_code == 404
    other_provider = english_client(app, provider_staff(make_user))
    assert other_provider.post(f"/events/visits/{visit.id}/decline",
                               data={"decline-reason": "No"}).status_code == 404
    db.session.expire_all()
    assert visit.status == "requested"


# --------------------------------------------------------------------------- attendance, hours


def test_attendance_after_the_visit(app: Flask, visit_setup: dict[str, Any]) -> None:
    event = _confirm(app, visit_setup)
    client = english_client(app, visit_setup["staff"])
    field = f"attended_{visit_setup['class'].id}"
    early = client.post(f"/events/{event.id}/attendance", data={field: "15"})
    assert early.status_code == 409  # the refusal's status: too early, not a malformed form
    assert "Attendance can be recorded once the visit has started." in page_text(early)
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
    staff_client = english_client(app, visit_setup["staff"])
    field = f"attended_{visit_setup['class'].id}"
    assert staff_client.post(f"/events/{event.id}/attendance",
                             data={field: "18"}).status_code == 302
    make_class(visit_setup["counsellor"], name="5C")  # a class without hours
    client = english_client(app, visit_setup["counsellor"])
    page = _words(client.get("/events/hours"))
    assert "4A · 2026/2027: 2 hours 28 hours to go" in page
    assert "Anna Rossi 2" in page and '=HYPERLINK("http://evil.example","x") 2' in page
    assert "5C · 2026/2027: 0 hours 30 hours to go No event attended yet." in page
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
    first = school_day_ahead(30, weekday=0)  # a Monday
    published = availability.publish_windows(ambassador.provider, availability.WindowPlan(
        first_day=first, last_day=first + timedelta(days=4), weekdays=range(5), start=time(9),
        end=time(13), mode="both", max_visits=1, ambassador_ids=[ambassador.id]),
        clock.today())
    db.session.commit()
    inside = [w for w in published.windows if clock.rome_local(w.starts_at).date() <= first
              + timedelta(days=2)]
    before = count_rows(VisitWindow)
    client = english_client(app, make_user(Role.ADMIN))
    refused = client.post("/events/holidays", data={
        "name": "Ponte", "first_day": first.isoformat(),
        "last_day": (first - timedelta(days=1)).isoformat()})
    assert refused.status_code == 400
    assert "The last day must not come before the first." in page_text(refused)
    assert count_rows(SchoolHoliday) == 0 and count_rows(VisitWindow) == before
    response = client.post("/events/holidays", data={
        "name": "Vacanze di Carnevale", "first_day": first.isoformat(),
        "last_day": (first + timedelta(days=2)).isoformat()})
    assert response.status_code == 302
    assert count_rows(VisitWindow) == before - len(inside)
    assert visit_setup["window"] in db.session.scalars(select(VisitWindow)).all()  # asked for
    page = page_text(client.get("/events/holidays"))
    assert f"Holiday saved; {len(inside)} free windows withdrawn." in page
    assert "Vacanze di Carnevale" in page
    holiday = db.session.scalar(select(SchoolHoliday))
    assert holiday is not None
    assert client.post(f"/events/holidays/{holiday.id}/delete").status_code == 302
    assert count_rows(SchoolHoliday) == 0


def test_holiday_keeps_windows_schools_asked_for(app: Flask, make_user: MakeUser,
                                                 visit_setup: dict[str, Any]) -> None:
    day = clock.rome_local(visit_setup["window"].starts_at).date()
    client = english_client(app, make_user(Role.ADMIN))
    response = client.post("/events/holidays", data={
        "name": "Chiusura", "first_day": day.isoformat(), "last_day": day.isoformat()})
    assert response.status_code == 302
    assert count_rows(VisitWindow) == 1  # a request is open on it
