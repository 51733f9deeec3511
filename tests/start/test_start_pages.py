"""Each role lands on its own start page after login, and the page answers "what now"."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from orientamento.assessments.models import Assignment, Response
from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.core.school_year import school_year_of
from orientamento.courses.models import SavedCourse
from orientamento.events.models import EventStaff
from orientamento.extensions import db
from orientamento.outbox.services import queue_email
from orientamento.outreach import services as outreach
from orientamento.outreach.queries import _months_before
from tests.conftest import PASSWORD, born_years_ago, log_in
from tests.core.routes import submitted_response
from tests.events.factories import open_day, school_day
from tests.risk.factories import make_flag, make_person, make_score, make_version
from tests.visits.factories import requested, window

pytestmark = pytest.mark.calendar


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser that asks for English pages."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def page(client: FlaskClient) -> str:
    response = client.get("/start/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_login_lands_on_the_start_page_of_every_role(
        client: FlaskClient, make_user: Callable[..., User], role: str) -> None:
    user = make_user(role)
    response = client.post("/account/login", data={"login": user.login_name,
                                                   "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/start/"
    assert "<h1>" in page(client)


def test_login_still_goes_to_the_page_asked_for(client: FlaskClient,
                                                make_user: Callable[..., User]) -> None:
    user = make_user(Role.STUDENT)
    response = client.post("/account/login?next=/courses/",
                           data={"login": user.login_name, "password": PASSWORD})
    assert response.headers["Location"] == "/courses/"


def test_a_new_student_registers_onto_the_start_page_with_a_first_step(
        client: FlaskClient) -> None:
    response = client.post("/account/register", data={
        "email": "new@example.org", "password": "Tre-gatti-sul-tetto",
        "confirm": "Tre-gatti-sul-tetto", "display_name": "Nuova",
        "date_of_birth": born_years_ago(17).isoformat(), "accept_privacy": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"] == "/start/"
    html = page(client)
    assert "Start with what you like doing" in html
    assert 'action="/assessments/interests/start"' in html


def test_the_first_step_goes_once_a_result_exists(client: FlaskClient,
                                                  make_user: Callable[..., User]) -> None:
    student = make_user(Role.STUDENT)
    submitted_response(student)
    log_in(client, student)
    html = page(client)
    assert "Start with what you like doing" not in html
    assert "When you finish a questionnaire" not in html


def test_student_sees_overdue_questionnaires_first_then_saved_courses_and_tickets(
        client: FlaskClient, make_user: Callable[..., User],
        make_class: Callable[..., SchoolClass], make_course: Callable[..., Any]) -> None:
    student = make_user(Role.STUDENT)
    school_class = make_class(pupils=(student,))
    today = clock.today()
    db.session.add_all([
        Assignment(class_id=school_class.id, questionnaire_id="digital_skills",
                   due_on=today + timedelta(days=20)),
        Assignment(class_id=school_class.id, questionnaire_id="work_styles",
                   due_on=today - timedelta(days=2)),
    ])
    course = make_course(title="Meccatronica avanzata")
    db.session.add(SavedCourse(user_id=student.id, course_id=course.id))
    db.session.commit()
    provider_staff = make_user(Role.PROVIDER)
    event = open_day(provider_staff, title="Porte aperte ITS")
    log_in(client, student)
    client.post(f"/events/{event.id}/register")
    html = page(client)
    todo = html[html.index("Questionnaires to do"):html.index("Your latest results")]
    assert todo.index("Overdue") < todo.index("Due by")
    assert "Meccatronica avanzata" in html
    assert "Porte aperte ITS" in html and "/events/registrations/" in html


def test_counsellor_sees_completion_visits_to_answer_and_hours(
        client: FlaskClient, make_user: Callable[..., User],
        make_class: Callable[..., SchoolClass]) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    done, waiting = make_user(Role.STUDENT), make_user(Role.STUDENT)
    school_class = make_class(counsellor, pupils=(done, waiting), name="3A",
                              school_year=school_year_of(clock.today()))
    make_class(counsellor, name="3B", school_year="2019/2020")  # a past year: not listed
    db.session.add(Assignment(class_id=school_class.id, questionnaire_id="interests"))
    db.session.commit()
    submitted_response(done)
    log_in(client, counsellor)
    html = page(client)
    # Class names are looked for in the text, not in attribute values: a random CSRF token or
    # CSP nonce holds "3B" about once in a hundred pages (it failed a CI run).
    text = re.sub(r'\s(?:value|nonce|content|href|src)="[^"]*"', "", html)
    assert "3A" in text and "3B" not in text
    assert "1 of 2" in html
    assert "30 hours to go" in html
    assert "No visit request is waiting for you." in html


def test_provider_sees_new_requests_events_with_seats_and_courses_without_dates(
        client: FlaskClient, make_user: Callable[..., User],
        make_class: Callable[..., SchoolClass], make_course: Callable[..., Any]) -> None:
    staff = make_user(Role.PROVIDER)
    counsellor = make_user(Role.COUNSELLOR)
    school_class = make_class(counsellor)
    slot = window([staff], school_day(clock.today() + timedelta(days=7)))
    requested(counsellor, slot, [school_class])
    open_day(staff, title="Laboratorio aperto", capacity=12)
    assert staff.provider is not None
    make_course(staff.provider, title="Corso senza date", start_date="",
                application_deadline="")
    make_course(staff.provider, title="Corso futuro")
    log_in(client, staff)
    html = page(client)
    assert counsellor.school.name in html  # type: ignore[union-attr]
    assert "Laboratorio aperto" in html and "12 seats left" in html
    assert "Corso senza date" in html and "Corso futuro" not in html
    assert "1 listed course has no start date" in html


def test_ambassador_sees_assigned_events_and_may_change_nothing(
        client: FlaskClient, make_user: Callable[..., User], reference_data: None) -> None:
    staff = make_user(Role.PROVIDER)
    ambassador = make_user(Role.AMBASSADOR, provider_id=staff.provider_id)
    assigned = open_day(staff, title="Visita con Luca")
    open_day(staff, title="Evento di altri")
    db.session.add(EventStaff(event_id=assigned.id, user_id=ambassador.id,
                              starts_at=assigned.starts_at, ends_at=assigned.ends_at,
                              status=assigned.status))
    db.session.commit()
    log_in(client, ambassador)
    html = page(client)
    assert "Visita con Luca" in html and "Evento di altri" not in html
    for url in ("/courses/manage", "/events/new", "/events/availability", "/events/manage"):
        assert client.get(url).status_code in (403, 404), url
    response = client.post(f"/events/{assigned.id}/cancel", data={})
    assert response.status_code in (400, 403)


def test_an_ambassador_can_be_chosen_for_a_visit(
        app: Flask, make_user: Callable[..., User]) -> None:
    from orientamento.visits.queries import provider_staff_choices
    staff = make_user(Role.PROVIDER)
    ambassador = make_user(Role.AMBASSADOR, provider_id=staff.provider_id)
    other = make_user(Role.AMBASSADOR)
    assert staff.provider_id is not None
    ids = {user_id for user_id, _name in provider_staff_choices(staff.provider_id)}
    assert {staff.id, ambassador.id} <= ids and other.id not in ids


def test_outreach_worker_sees_open_flags_contacts_and_follow_ups_due(
        client: FlaskClient, make_user: Callable[..., User]) -> None:
    worker = make_user(Role.OUTREACH, municipi=[4])
    version = make_version()
    for _ in range(2):
        person = make_person(4)
        make_flag(person, make_score(person, version))
    make_flag(make_person(4), trigger="contract_ended")
    make_flag(make_person(5), trigger="contract_ended")  # not the worker's municipio
    to_contact = make_flag(make_person(4), trigger="contract_ended")
    outreach.decide(worker, to_contact, "contact", "priority_confirmed", "", True)
    followed = make_flag(make_person(4), trigger="contract_ended",
                         raised_at=clock.now() - timedelta(days=120))
    outreach.decide(worker, followed, "contact", "priority_confirmed", "", True)
    outreach.log_contact(worker, followed, outreach.ContactData(
        channel="phone", contacted_on=clock.today(), outcome="reached", consent="given"),
        clock.today())
    db.session.commit()
    log_in(client, worker)
    html = page(client)
    assert "Risk model (top of the municipio)</a>: 2" in html
    # a decision to contact keeps the flag open until the team closes it; municipio 5 is not counted
    assert "no new enrolment or contract</a>: 3" in html
    contacts = html[html.index("Contacts to make"):html.index("Follow-ups due")]
    follow_ups = html[html.index("Follow-ups due"):]
    assert f"/outreach/flags/{to_contact.id}" in contacts
    assert f"/outreach/flags/{followed.id}" not in contacts
    assert f"/outreach/flags/{followed.id}#outcomes" in follow_ups


def test_outreach_counts_stop_at_the_cap_and_say_more(
        client: FlaskClient, make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch) -> None:
    from orientamento.outreach import queries

    monkeypatch.setattr(queries, "QUEUE_COUNT_CAP", 2)
    worker = make_user(Role.OUTREACH, municipi=[4])
    for _ in range(3):
        make_flag(make_person(4), trigger="contract_ended")
    person = make_person(4)
    make_flag(person, make_score(person, make_version()))
    db.session.commit()
    log_in(client, worker)
    html = page(client)
    assert "no new enrolment or contract</a>: more than 2" in html
    assert "Risk model (top of the municipio)</a>: 1" in html  # under the cap: exact
    monkeypatch.setattr(queries, "QUEUE_COUNT_CAP", 3)
    assert "no new enrolment or contract</a>: 3" in page(client)


@given(raised=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
       today=st.dates(date(2020, 1, 1), date(2031, 12, 31)))
def test_the_follow_up_cut_off_matches_the_follow_up_rule(raised: date, today: date) -> None:
    total = raised.month - 1 + 3
    year, month = raised.year + total // 12, total % 12 + 1
    from calendar import monthrange
    due = date(year, month, min(raised.day, monthrange(year, month)[1]))
    assert (due <= today) == (raised <= _months_before(today, 3))


def test_admin_sees_models_in_use_and_the_outbox_backlog(
        client: FlaskClient, make_user: Callable[..., User]) -> None:
    admin = make_user(Role.ADMIN)
    version = make_version(status="active")
    queue_email(make_user(Role.STUDENT), "reset_password", url="http://x/", hours=2)
    db.session.commit()
    log_in(client, admin)
    html = page(client)
    assert f"/risk/versions/{version.id}" in html
    assert "1 message waiting to be sent" in html


def test_the_student_start_page_costs_the_same_queries_with_more_data(
        client: FlaskClient, make_user: Callable[..., User],
        make_class: Callable[..., SchoolClass], queries: list[str]) -> None:
    student = make_user(Role.STUDENT)
    log_in(client, student)
    page(client)
    queries.clear()
    page(client)
    few = len(queries)
    make_class(pupils=(student,))
    for _ in range(5):
        submitted_response(student)
    queries.clear()
    page(client)
    assert len(queries) <= few + 2  # the class's assignments and the results appear
    _ = Response


def test_the_greeting_isolates_and_escapes_the_name(client: FlaskClient,
                                                    make_user: Callable[..., User]) -> None:
    log_in(client, make_user(Role.STUDENT, display_name="Ann <O'Neil>"))
    html = page(client)
    heading = html[html.index("<h1>"):html.index("</h1>")]
    assert heading == "<h1>Hello, <bdi>Ann &lt;O&#39;Neil&gt;</bdi>"
