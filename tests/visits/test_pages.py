"""The peer-visit pages over HTTP: availability, a visit from request to confirmation, its
privacy, attendance and hours, the admin's school holidays."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from orientamento.auth.models import Role, User
from orientamento.classes.models import ClassMembership, SchoolClass
from orientamento.core import clock
from orientamento.events import registrations
from orientamento.events.services import record_attendance
from orientamento.extensions import db
from orientamento.visits.days import public_holidays
from orientamento.visits.models import VisitWindow
from orientamento.visits.services import visit_requests as visits
from tests.events.factories import open_day, school_day
from tests.visits.factories import requested, window

pytestmark = pytest.mark.calendar

UserFactory = Callable[..., User]


def test_tickets_and_visits_are_private(client: FlaskClient, login: Callable[..., User],
                                        staff: User, make_user: UserFactory,
                                        make_class: Callable[..., SchoolClass]) -> None:
    event = open_day(staff)
    owner = make_user(Role.STUDENT)
    registration = registrations.register(owner, event)
    counsellor = make_user(Role.COUNSELLOR)
    slot = window([staff], school_day(clock.today() + timedelta(days=5)))
    visit_event = visits.confirm_visit(staff, requested(counsellor, slot,
                                                        [make_class(counsellor)]), [staff.id])
    db.session.commit()
    assert client.get(f"/events/{visit_event.id}").status_code == 404  # anonymous
    login(make_user(Role.STUDENT))
    assert client.get(f"/events/registrations/{registration.id}").status_code == 404
    assert client.post(f"/events/registrations/{registration.id}/cancel").status_code == 404
    assert client.get(f"/events/{visit_event.id}").status_code == 404
    assert client.get(f"/events/{visit_event.id}/calendar.ics").status_code == 404


def test_publishing_availability_reports_skipped_holidays(
        client: FlaskClient, login: Callable[..., User], staff: User) -> None:
    login(staff)
    today = clock.today()  # the next 7-11 December at least a month ahead
    year = today.year if today < date(today.year, 11, 7) else today.year + 1
    data = {"first_day": f"{year}-12-07", "last_day": f"{year}-12-11",
            "weekdays": ["0", "1", "2", "3", "4"], "start": "09:00", "end": "12:00",
            "mode": "both", "max_visits": "2", "ambassadors": [str(staff.id)], "note": ""}
    response = client.post("/events/availability", data=data, follow_redirects=True,
                           headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert "Skipped" in page and f"{year}-12-08" in page
    count = db.session.scalar(select(func.count()).select_from(VisitWindow))
    open_days = [d for d in (date(year, 12, n) for n in range(7, 12))
                 if d.weekday() < 5 and d not in public_holidays(year)]
    assert count == len(open_days) and count < 5
    bad = client.post("/events/availability", data={**data, "last_day": f"{year}-12-01"})
    assert bad.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(VisitWindow)) == count


def test_a_visit_over_http(client: FlaskClient, login: Callable[..., User], staff: User,
                           make_user: UserFactory, make_class: Callable[..., SchoolClass]
                           ) -> None:
    slot = window([staff], school_day(clock.today() + timedelta(days=5)))
    counsellor = make_user(Role.COUNSELLOR)
    school_class = make_class(counsellor)
    login(counsellor)
    assert staff.provider and staff.provider.name in client.get(
        "/events/visits/browse").get_data(as_text=True)
    empty = client.post(f"/events/visits/windows/{slot.id}/request", data={
        "mode": "in_person", "start": "09:00", "end": "11:00", "message": ""})
    assert empty.status_code == 400
    sent = client.post(f"/events/visits/windows/{slot.id}/request", data={
        "mode": "in_person", "start": "09:00", "end": "11:00", "message": "Ciao",
        f"pupils_{school_class.id}": "22"})
    assert sent.status_code == 302
    visit_path = sent.headers["Location"]
    assert client.post(visit_path + "/confirm").status_code == 409  # not the school's move
    login(staff)
    assert client.post(visit_path + "/decline", data={"decline-reason": ""}).status_code == 400
    assert client.post(visit_path + "/confirm",
                       data={"confirm-ambassadors": [str(staff.id)]}).status_code == 302
    login(make_user(Role.COUNSELLOR))
    assert client.get(visit_path).status_code == 404


def test_hours_and_their_export(client: FlaskClient, login: Callable[..., User], staff: User,
                                make_user: UserFactory, make_class: Callable[..., SchoolClass]
                                ) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    pupils = (make_user(Role.STUDENT, display_name="=HYPERLINK(\"x\")"),
              make_user(Role.STUDENT, display_name="Bea"))
    school_class = make_class(counsellor, pupils=pupils)
    slot = window([staff], school_day(clock.today() + timedelta(days=5)))
    event = visits.confirm_visit(staff, requested(counsellor, slot, [school_class]), [staff.id])
    db.session.commit()
    later = event.ends_at + timedelta(hours=1)
    record_attendance(staff, event, {school_class.id: 19}, now=later)
    db.session.commit()
    login(counsellor)
    page = client.get("/events/hours", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert school_class.name in page and "2 hours" in page
    export = client.get("/events/hours.csv")
    assert export.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert sorted(r["pupil"] for r in rows) == ["'=HYPERLINK(\"x\")", "Bea"]
    assert {(r["class"], r["hours"], r["kind"], r["with_class"]) for r in rows} == {
        (school_class.name, "2", "school_visit", "yes")}
    assert db.session.scalar(select(func.count()).select_from(ClassMembership)) == 2


def test_hours_for_italian_excel(client: FlaskClient, login: Callable[..., User], staff: User,
                                 make_user: UserFactory, make_class: Callable[..., SchoolClass]
                                 ) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    school_class = make_class(counsellor, pupils=(make_user(Role.STUDENT, display_name="Bea"),))
    slot = window([staff], school_day(clock.today() + timedelta(days=5)))
    visit = requested(counsellor, slot, [school_class], length=timedelta(minutes=90))
    event = visits.confirm_visit(staff, visit, [staff.id])
    db.session.commit()
    record_attendance(staff, event, {school_class.id: 19}, now=event.ends_at + timedelta(hours=1))
    db.session.commit()
    login(counsellor)
    page = client.get("/events/hours").get_data(as_text=True)
    assert 'href="/events/hours.csv?excel=1"' in page
    standard = client.get("/events/hours.csv")
    assert standard.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert [r["hours"] for r in csv.DictReader(io.StringIO(standard.get_data(as_text=True)))] \
        == ["1.5"]
    excel = client.get("/events/hours.csv?excel=1&year=2026/2027")
    assert excel.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert excel.get_data().startswith(b"\xef\xbb\xbfschool_year;class;pupil;date;")
    rows = list(csv.DictReader(io.StringIO(excel.get_data().decode("utf-8-sig")), delimiter=";"))
    assert [(r["pupil"], r["hours"], r["date"]) for r in rows] == [
        ("Bea", "1,5", clock.rome_local(event.starts_at).date().isoformat())]
    assert client.get("/events/hours.csv?excel=semicolon").status_code == 400


def test_admin_school_holidays_withdraw_free_windows(
        client: FlaskClient, login: Callable[..., User], staff: User,
        make_user: UserFactory) -> None:
    day = school_day(clock.today() + timedelta(days=20))
    window([staff], day)
    login(make_user(Role.ADMIN))
    bad = client.post("/events/holidays", data={"name": "Ponte", "first_day": day.isoformat(),
                                                "last_day": (day - timedelta(days=1)).isoformat()})
    assert bad.status_code == 400
    assert client.post("/events/holidays", data={
        "name": "Ponte", "first_day": day.isoformat(), "last_day": day.isoformat()}
    ).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(VisitWindow)) == 0
