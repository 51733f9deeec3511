"""Counsellors' classes: codes, joining, rosters, consent and school boundaries."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from orientamento.auth.models import AuditEntry, Role, User
from orientamento.classes.models import ClassMembership, SchoolClass
from orientamento.classes.services import CODE_ALPHABET, normalize_join_code
from orientamento.core import clock
from orientamento.extensions import db
from tests.conftest import born_years_ago, log_in

pytestmark = pytest.mark.calendar


def _years_ago(years: int) -> str:
    return born_years_ago(years).isoformat()


def _join_form(code: str, **overrides: str) -> dict[str, str]:
    data = {
        "code": code, "display_name": "Amir", "username": "amir.k",
        "date_of_birth": _years_ago(12), "password": "Girasole-blu-2026",
        "confirm": "Girasole-blu-2026",
    }
    data.update(overrides)
    return data


def test_counsellor_creates_a_class_with_an_unambiguous_code(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    log_in(client, counsellor)
    response = client.post("/classes/new", data={
        "name": "3B", "school_year": "2026/2027", "level": "lower_secondary", "year": "3",
    })
    assert response.status_code == 302
    school_class = db.session.scalar(select(SchoolClass))
    assert school_class is not None and school_class.school_id == counsellor.school_id
    code = school_class.join_code or ""
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert not set(code.replace("-", "")) & set("01OIL")
    assert set(code.replace("-", "")) <= set(CODE_ALPHABET)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert code in page


@pytest.mark.parametrize("form, field", [
    ({"name": "", "school_year": "2026/2027", "level": "upper_secondary", "year": "1"}, "name"),
    ({"name": "1A", "school_year": "2026-27", "level": "upper_secondary", "year": "1"}, "school_year"),
    ({"name": "1A", "school_year": "2026/2028", "level": "upper_secondary", "year": "1"}, "school_year"),
    ({"name": "1A", "school_year": "2026/2027", "level": "lower_secondary", "year": "4"}, "year"),
    ({"name": "1A", "school_year": "2026/2027", "level": "upper_secondary", "year": "6"}, "year"),
    ({"name": "1A", "school_year": "2026/2027", "level": "kindergarten", "year": "1"}, "level"),
])
def test_invalid_classes_are_refused_with_a_message(
    client: FlaskClient, make_user: Callable[..., User], form: dict[str, str], field: str
) -> None:
    log_in(client, make_user(Role.COUNSELLOR))
    response = client.post("/classes/new", data=form)
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SchoolClass)) == 0


def test_duplicate_class_name_in_the_same_year_is_refused(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    log_in(client, make_user(Role.COUNSELLOR))
    form = {"name": "2C", "school_year": "2026/2027", "level": "upper_secondary", "year": "2"}
    assert client.post("/classes/new", data=form).status_code == 302
    assert client.post("/classes/new", data={**form, "name": "2c"}).status_code == 409


def test_a_pupil_joins_with_the_code_without_email(
    client: FlaskClient, make_class: Callable[..., SchoolClass]
) -> None:
    school_class = make_class()
    typed = (school_class.join_code or "").lower().replace("-", " ")
    response = client.post("/classes/join", data=_join_form(typed))
    assert response.status_code == 302
    pupil = db.session.scalar(select(User).where(User.username == "amir.k"))
    assert pupil is not None and pupil.email is None and pupil.role == "student"
    membership = db.session.get(ClassMembership, (school_class.id, pupil.id))
    assert membership is not None
    assert pupil.needs_parental_consent(clock.today())
    assert client.get("/classes/mine").status_code == 200
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "register" in actions


@pytest.mark.parametrize("overrides, status", [
    ({"code": "ZZZZ-ZZZZ"}, 400),
    ({"username": "a"}, 400),
    ({"username": "has space"}, 400),
    ({"date_of_birth": ""}, 400),
    ({"date_of_birth": _years_ago(5)}, 400),
    ({"password": "12345678", "confirm": "12345678"}, 400),
])
def test_bad_join_requests_create_nothing(
    client: FlaskClient, make_class: Callable[..., SchoolClass], overrides: dict[str, str],
    status: int,
) -> None:
    school_class = make_class()
    form = {**_join_form(school_class.join_code or ""), **overrides}
    response = client.post("/classes/join", data=form)
    assert response.status_code == status
    assert db.session.scalar(select(func.count()).select_from(ClassMembership)) == 0
    assert db.session.scalar(select(User).where(User.username.is_not(None))) is None


def test_a_taken_username_is_refused(
    client: FlaskClient, make_class: Callable[..., SchoolClass], make_user: Callable[..., User]
) -> None:
    make_user(username="amir.k", email=None)
    school_class = make_class()
    response = client.post("/classes/join", data=_join_form(school_class.join_code or ""))
    assert response.status_code == 409


def test_regenerating_the_code_retires_the_old_one_and_closing_stops_joining(
    client: FlaskClient, make_user: Callable[..., User], make_class: Callable[..., SchoolClass]
) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    school_class = make_class(counsellor)
    old = school_class.join_code or ""
    log_in(client, counsellor)
    assert client.post(f"/classes/{school_class.id}/code").status_code == 302
    db.session.refresh(school_class)
    new = school_class.join_code or ""
    assert new and new != old
    anonymous = client.application.test_client()
    assert anonymous.post("/classes/join", data=_join_form(old)).status_code == 400
    assert client.post(f"/classes/{school_class.id}/close").status_code == 302
    db.session.refresh(school_class)
    assert school_class.join_code is None
    assert anonymous.post("/classes/join", data=_join_form(new)).status_code == 400


def test_an_existing_student_joins_another_class_once(
    client: FlaskClient, make_user: Callable[..., User], make_class: Callable[..., SchoolClass]
) -> None:
    student = make_user(Role.STUDENT)
    school_class = make_class()
    log_in(client, student)
    assert client.post("/classes/mine", data={"code": school_class.join_code}).status_code == 302
    assert client.post("/classes/mine", data={"code": school_class.join_code}).status_code == 409
    page = client.get("/classes/mine").get_data(as_text=True)
    assert school_class.name in page


def test_roster_consent_and_removal(
    client: FlaskClient, make_user: Callable[..., User], make_class: Callable[..., SchoolClass]
) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    young = make_user(Role.STUDENT, display_name="Piccola", date_of_birth=date(clock.today().year - 12, 1, 1))
    older = make_user(Role.STUDENT, display_name="Grande", date_of_birth=date(clock.today().year - 16, 1, 1))
    school_class = make_class(counsellor, pupils=(young, older))
    log_in(client, counsellor)
    page = client.get(f"/classes/{school_class.id}").get_data(as_text=True)
    assert "Piccola" in page and "Grande" in page
    assert f"/pupils/{young.id}/consent" in page
    assert f"/pupils/{older.id}/consent" not in page  # 14 and over: not needed
    assert young.needs_parental_consent(clock.today())
    form = {"signed_on": clock.today().isoformat(), "reference": "Prot. 12/2027"}
    response = client.post(f"/classes/{school_class.id}/pupils/{young.id}/consent", data=form)
    assert response.status_code == 302
    db.session.refresh(young)
    assert young.parental_consent_at is not None
    assert young.parental_consent_by_id == counsellor.id
    assert not young.needs_parental_consent(clock.today())
    client.post(f"/classes/{school_class.id}/pupils/{young.id}/consent/withdraw", data=form)
    db.session.refresh(young)
    assert young.needs_parental_consent(clock.today())
    client.post(f"/classes/{school_class.id}/pupils/{older.id}/remove")
    assert db.session.get(ClassMembership, (school_class.id, older.id)) is None
    assert db.session.get(User, older.id) is not None


def test_a_pupil_of_another_class_cannot_be_touched_through_mine(
    client: FlaskClient, make_user: Callable[..., User], make_class: Callable[..., SchoolClass]
) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    mine = make_class(counsellor)
    stranger = make_user(Role.STUDENT, date_of_birth=date(clock.today().year - 12, 1, 1))
    make_class(pupils=(stranger,))
    log_in(client, counsellor)
    form = {"signed_on": clock.today().isoformat(), "reference": "Prot. 12/2027"}
    assert client.post(f"/classes/{mine.id}/pupils/{stranger.id}/consent",
                       data=form).status_code == 404
    db.session.refresh(stranger)
    assert stranger.parental_consent_at is None


def test_counsellors_of_the_same_school_share_its_classes(
    client: FlaskClient, make_user: Callable[..., User], make_class: Callable[..., SchoolClass]
) -> None:
    first = make_user(Role.COUNSELLOR)
    colleague = make_user(Role.COUNSELLOR, school_id=first.school_id)
    school_class = make_class(first)
    log_in(client, colleague)
    assert client.get(f"/classes/{school_class.id}").status_code == 200
    assert school_class.name in client.get("/classes/").get_data(as_text=True)


def test_code_normalization() -> None:
    assert normalize_join_code(" abcd efgh ") == "ABCD-EFGH"
    assert normalize_join_code("abcd-efgh") == "ABCD-EFGH"
    assert normalize_join_code("abc") == "ABC"


def test_the_class_list_has_an_empty_state(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    log_in(client, make_user(Role.COUNSELLOR))
    page = client.get("/classes/").get_data(as_text=True)
    assert "/classes/new" in page
    assert "<table" not in page
