"""A visit request starts from its window's times, and shows the provider (only the provider)
where the school is and whom to write to."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import time, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.extensions import db
from orientamento.orgs.models import School
from orientamento.visits.models import VisitRequest
from orientamento.visits.services import visit_requests as visits
from tests.conftest import log_in
from tests.events.factories import school_day
from tests.visits.factories import requested, window

pytestmark = pytest.mark.calendar

EN = {"Accept-Language": "en"}


def _client(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    log_in(client, user)
    return client


def _input_value(page: str, field: str) -> str | None:
    tag = re.search(rf'<input[^>]*\bid="{field}"[^>]*>', page)
    value = re.search(r'\bvalue="([^"]*)"', tag[0]) if tag else None
    return value[1] if value else None


def test_the_request_form_starts_from_the_windows_times_and_modes(
    app: Flask, staff: User, make_user: Callable[..., User],
    make_class: Callable[..., SchoolClass],
) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    school_class = make_class(counsellor)
    slot = window([staff], school_day(clock.today() + timedelta(days=5)),
                  start=time(9, 30), end=time(12, 15), mode="online")
    client = _client(app, counsellor)
    page = client.get(f"/events/visits/windows/{slot.id}/request", headers=EN)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert _input_value(html, "start") == "09:30" and _input_value(html, "end") == "12:15"
    modes = re.findall(r'<option[^>]*value="([a-z_]+)"', html.split('id="mode"')[1]
                       .split("</select>")[0])
    assert modes == ["online"]  # the window offers no visit at the school
    response = client.post(f"/events/visits/windows/{slot.id}/request", data={
        "mode": "online", "start": "09:30", "end": "12:15",
        f"pupils_{school_class.id}": "18", "message": ""})
    assert response.status_code == 302
    visit = db.session.get(VisitRequest, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert visit is not None
    assert (visit.starts_at, visit.ends_at) == (slot.starts_at, slot.ends_at)
    assert client.post(f"/events/visits/windows/{slot.id}/request", data={
        "mode": "in_person", "start": "09:30", "end": "12:15",
        f"pupils_{school_class.id}": "18"}).status_code == 400


def test_a_window_offering_both_starts_at_the_school(
    app: Flask, staff: User, make_user: Callable[..., User],
    make_class: Callable[..., SchoolClass],
) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    make_class(counsellor)
    slot = window([staff], school_day(clock.today() + timedelta(days=5)),
                  start=time(14), end=time(16))
    html = _client(app, counsellor).get(
        f"/events/visits/windows/{slot.id}/request").get_data(as_text=True)
    assert _input_value(html, "start") == "14:00" and _input_value(html, "end") == "16:00"
    select = html.split('id="mode"')[1].split("</select>")[0]
    assert re.findall(r'<option[^>]*value="([a-z_]+)"', select) == ["in_person", "online"]


def test_the_provider_sees_the_schools_address_and_the_counsellors_contact(
    app: Flask, staff: User, make_user: Callable[..., User],
    make_school: Callable[..., School], make_class: Callable[..., SchoolClass],
) -> None:
    school = make_school(name="Liceo Demo", address="Via Pacini 71", municipality="Milano",
                         municipio=3)
    counsellor = make_user(Role.COUNSELLOR, school=school, display_name="Carla Bianchi",
                           email="carla.bianchi@example.org")
    slot = window([staff], school_day(clock.today() + timedelta(days=5)))
    visit = requested(counsellor, slot, [make_class(counsellor)])
    path = f"/events/visits/{visit.id}"

    provider_page = _client(app, staff).get(path, headers=EN).get_data(as_text=True)
    assert "Via Pacini 71, Milano" in provider_page and "Municipio 3" in provider_page
    assert "Carla Bianchi" in provider_page
    assert 'href="mailto:carla.bianchi@example.org"' in provider_page

    school_page = _client(app, counsellor).get(path, headers=EN).get_data(as_text=True)
    assert "School address" not in school_page and "mailto:" not in school_page
    assert _client(app, make_user(Role.PROVIDER)).get(path).status_code == 404

    # Confirmed at the school, the event's address is the school's.
    event = visits.confirm_visit(staff, visit, [staff.id])
    db.session.commit()
    assert event.address == "Liceo Demo, Via Pacini 71, Milano"


def test_without_a_street_or_a_counsellor_the_provider_is_told_what_to_do(
    app: Flask, staff: User, make_user: Callable[..., User],
    make_class: Callable[..., SchoolClass],
) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    slot = window([staff], school_day(clock.today() + timedelta(days=5)))
    visit = requested(counsellor, slot, [make_class(counsellor)])
    visit.requested_by_id = None  # the counsellor's account was erased
    db.session.commit()
    page = _client(app, staff).get(f"/events/visits/{visit.id}", headers=EN).get_data(
        as_text=True)
    assert "The street is not on file" in page
    assert "No longer on the platform" in page and "mailto:" not in page
