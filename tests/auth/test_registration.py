"""Students register with e-mail; under 14 they are sent to their school."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from orientamento.auth.models import AuditEntry, User
from orientamento.core import clock
from orientamento.extensions import db
from tests.conftest import born_years_ago

pytestmark = pytest.mark.calendar


def _form(**overrides: str) -> dict[str, str]:
    years_ago = born_years_ago(16)
    data = {
        "display_name": "Giulia",
        "email": "Giulia.Rossi@Example.org",
        "date_of_birth": years_ago.isoformat(),
        "password": "Tre-gatti-sul-tetto",
        "confirm": "Tre-gatti-sul-tetto",
        "accept_privacy": "y",
    }
    data.update(overrides)
    return data


def _user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def test_a_student_registers_and_is_logged_in(client: FlaskClient) -> None:
    response = client.post("/account/register", data=_form())
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user is not None
    assert user.email == "giulia.rossi@example.org"  # normalized
    assert user.role == "student"
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
    assert client.get("/account/").status_code == 200
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions == ["register"]


def test_under_14_cannot_self_register_and_is_told_to_ask_the_school(client: FlaskClient) -> None:
    thirteen = born_years_ago(13)
    response = client.post("/account/register", data=_form(date_of_birth=thirteen.isoformat()))
    assert response.status_code == 400
    assert "codice classe" in response.get_data(as_text=True).lower() or \
        "class code" in response.get_data(as_text=True).lower()
    assert _user_count() == 0


def test_date_of_birth_is_required(client: FlaskClient) -> None:
    response = client.post("/account/register", data=_form(date_of_birth=""))
    assert response.status_code == 400
    assert _user_count() == 0


def test_a_common_password_is_refused(client: FlaskClient) -> None:
    response = client.post("/account/register", data=_form(password="password1",
                                                           confirm="password1"))
    assert response.status_code == 400
    assert _user_count() == 0


def test_the_same_email_cannot_register_twice(client: FlaskClient) -> None:
    assert client.post("/account/register", data=_form()).status_code == 302
    other = client.application.test_client()
    response = other.post("/account/register", data=_form(email="giulia.rossi@example.org"))
    assert response.status_code == 409
    assert _user_count() == 1


def test_mismatched_confirmation_is_refused(client: FlaskClient) -> None:
    response = client.post("/account/register", data=_form(confirm="something-else-entirely"))
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert _user_count() == 0


def test_privacy_notice_must_be_accepted(client: FlaskClient) -> None:
    data = _form()
    del data["accept_privacy"]
    assert client.post("/account/register", data=data).status_code == 400
    assert _user_count() == 0


@pytest.mark.parametrize("born", ["0001-01-01", "1900-01-01", "future"])
def test_a_date_of_birth_no_living_student_has_is_refused(client: FlaskClient, born: str) -> None:
    if born == "future":
        born = (clock.today() + timedelta(days=1)).isoformat()
    response = client.post("/account/register", data=_form(date_of_birth=born),
                           headers={"Accept-Language": "en"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Check your date of birth." in text or "Give a date between" in text
    assert "Under 14 you cannot register" not in text  # not sent to the school: it is a typo
    assert _user_count() == 0


def test_a_name_that_reorders_text_is_refused(client: FlaskClient) -> None:
    response = client.post("/account/register", data=_form(display_name="Giulia\u202eoigol"),
                           headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "text-direction" in response.get_data(as_text=True)
    assert _user_count() == 0
