"""Parental consent: the signed form's date and reference, the withdrawal, the audit log and
the pupil's data export."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from orientamento.auth.models import AuditEntry, Role, User
from orientamento.auth.privacy import export_user_data
from orientamento.classes.models import SchoolClass
from orientamento.classes.services import earliest_consent_form
from orientamento.core import clock
from orientamento.extensions import db
from tests.conftest import born_years_ago, log_in

pytestmark = pytest.mark.calendar

EN = {"Accept-Language": "en"}


@pytest.fixture
def roster(make_user: Callable[..., User], make_class: Callable[..., SchoolClass]
           ) -> tuple[User, SchoolClass, User, User]:
    """A counsellor's class with a pupil of 12 (consent needed) and one of 16."""
    counsellor = make_user(Role.COUNSELLOR)
    young = make_user(Role.STUDENT, display_name="Piccola", date_of_birth=born_years_ago(12))
    older = make_user(Role.STUDENT, display_name="Grande", date_of_birth=born_years_ago(16))
    return counsellor, make_class(counsellor, pupils=(young, older)), young, older


def _url(school_class: SchoolClass, pupil: User, withdraw: bool = False) -> str:
    return (f"/classes/{school_class.id}/pupils/{pupil.id}/consent"
            + ("/withdraw" if withdraw else ""))


def _form(day: date, reference: str = "Prot. 1234/2027") -> dict[str, str]:
    return {"signed_on": day.isoformat(), "reference": reference}


def test_recording_consent_asks_for_the_signed_form_and_names_the_pupil(
    client: FlaskClient, roster: tuple[User, SchoolClass, User, User],
) -> None:
    counsellor, school_class, young, _older = roster
    log_in(client, counsellor)
    roster_page = client.get(f"/classes/{school_class.id}", headers=EN).get_data(as_text=True)
    assert f'href="{_url(school_class, young)}"' in roster_page  # a link to the form, no POST
    page = client.get(_url(school_class, young), headers=EN).get_data(as_text=True)
    assert "Piccola" in page and 'name="signed_on"' in page and 'name="reference"' in page
    assert f'max="{clock.today().isoformat()}"' in page
    today = clock.today()
    response = client.post(_url(school_class, young), data=_form(today), headers=EN,
                           follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == f"/classes/{school_class.id}"
    text = response.get_data(as_text=True)
    assert "Parental consent recorded for Piccola" in text and "Prot. 1234/2027" in text
    db.session.refresh(young)
    assert young.parental_consent_signed_on == today
    assert young.parental_consent_reference == "Prot. 1234/2027"
    assert young.parental_consent_by_id == counsellor.id
    assert not young.needs_parental_consent(today)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "consent_recorded"))
    assert entry is not None and entry.subject_id == young.id
    assert entry.details == {"signed_on": today.isoformat(), "reference": "Prot. 1234/2027"}


@pytest.mark.parametrize("cells, error", [
    ({"signed_on": "", "reference": "Prot. 1"}, "signed_on"),
    ({"signed_on": "tomorrow", "reference": "Prot. 1"}, "signed_on"),
    ({"reference": ""}, "reference"),
    ({"reference": "   "}, "reference"),
    ({"reference": "x" * 61}, "reference"),
    ({"reference": "Prot.\n12"}, "reference"),
    ({"reference": "Prot. \u202e21"}, "reference"),
])
def test_a_form_without_a_valid_date_or_reference_records_nothing(
    client: FlaskClient, roster: tuple[User, SchoolClass, User, User],
    cells: dict[str, str], error: str,
) -> None:
    counsellor, school_class, young, _older = roster
    log_in(client, counsellor)
    response = client.post(_url(school_class, young), data={**_form(clock.today()), **cells})
    assert response.status_code == 400
    assert f'id="{error}-error"' in response.get_data(as_text=True)
    db.session.refresh(young)
    assert young.parental_consent_at is None and young.parental_consent_reference is None


def test_the_form_date_is_a_milan_day_not_in_the_future_nor_before_the_school_years(
    client: FlaskClient, roster: tuple[User, SchoolClass, User, User],
) -> None:
    counsellor, school_class, young, _older = roster
    log_in(client, counsellor)
    earliest = earliest_consent_form(school_class)
    assert earliest == date(2025, 9, 1)  # the class is of 2026/2027: this year's or last year's
    for day in (clock.today() + timedelta(days=1), earliest - timedelta(days=1)):
        response = client.post(_url(school_class, young), data=_form(day), headers=EN)
        assert response.status_code == 400, day
        assert 'id="signed_on-error"' in response.get_data(as_text=True)
    assert client.post(_url(school_class, young), data=_form(earliest)).status_code == 302
    db.session.refresh(young)
    assert young.parental_consent_signed_on == earliest


def test_withdrawing_is_recorded_with_its_own_date_and_reference(
    client: FlaskClient, roster: tuple[User, SchoolClass, User, User],
) -> None:
    counsellor, school_class, young, _older = roster
    log_in(client, counsellor)
    signed = clock.today() - timedelta(days=10)
    assert client.post(_url(school_class, young), data=_form(signed)).status_code == 302
    page = client.get(f"/classes/{school_class.id}").get_data(as_text=True)
    assert f'href="{_url(school_class, young, withdraw=True)}"' in page
    before = _form(signed - timedelta(days=1), "Prot. 99")
    assert client.post(_url(school_class, young, True), data=before).status_code == 400
    response = client.post(_url(school_class, young, True), data=_form(clock.today(), "Prot. 99"),
                           headers=EN, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Withdrawal of parental consent recorded for Piccola" in text and "Prot. 99" in text
    db.session.refresh(young)
    assert young.parental_consent_at is None and young.parental_consent_signed_on is None
    assert young.parental_consent_withdrawn_on == clock.today()
    assert young.parental_consent_withdrawal_reference == "Prot. 99"
    assert young.needs_parental_consent(clock.today())
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "consent_withdrawn"))
    assert entry is not None
    assert entry.details == {"signed_on": clock.today().isoformat(), "reference": "Prot. 99"}
    # The roster says so, and consent can be recorded again (a new form).
    assert "Prot. 99" in client.get(f"/classes/{school_class.id}").get_data(as_text=True)
    assert client.post(_url(school_class, young), data=_form(clock.today())).status_code == 302
    db.session.refresh(young)
    assert young.parental_consent_withdrawn_on is None and young.parental_consent_at is not None


def test_consent_that_is_not_needed_or_not_there_is_refused(
    client: FlaskClient, roster: tuple[User, SchoolClass, User, User],
) -> None:
    counsellor, school_class, young, older = roster
    log_in(client, counsellor)
    page = client.get(_url(school_class, older), headers=EN)
    assert page.status_code == 200 and 'name="signed_on"' not in page.get_data(as_text=True)
    assert "14 and over" in page.get_data(as_text=True)
    assert client.post(_url(school_class, older), data=_form(clock.today())).status_code == 409
    assert client.post(_url(school_class, young, True), data=_form(clock.today())).status_code == 409
    assert client.post(_url(school_class, young), data=_form(clock.today())).status_code == 302
    assert client.post(_url(school_class, young), data=_form(clock.today())).status_code == 409
    db.session.refresh(older)
    assert older.parental_consent_at is None


def test_the_database_keeps_a_form_with_its_consent(
    roster: tuple[User, SchoolClass, User, User],
) -> None:
    _counsellor, _class, young, _older = roster
    young.parental_consent_signed_on = clock.today()  # no consent, no reference
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    young.parental_consent_at = clock.now()
    young.parental_consent_withdrawn_on = clock.today()  # withdrawn while still given
    young.parental_consent_withdrawal_reference = "Prot. 1"
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_pupils_export_holds_the_form_but_not_who_recorded_it(
    client: FlaskClient, roster: tuple[User, SchoolClass, User, User],
) -> None:
    counsellor, school_class, young, _older = roster
    log_in(client, counsellor)
    client.post(_url(school_class, young), data=_form(clock.today()))
    db.session.refresh(young)
    row = export_user_data(young)["tables"]["users"][0]
    assert row["parental_consent_signed_on"] == clock.today().isoformat()
    assert row["parental_consent_reference"] == "Prot. 1234/2027"
    assert "parental_consent_withdrawn_on" in row
    audit = export_user_data(young)["tables"]["audit_log"]
    assert any(e["action"] == "consent_recorded"
               and e["details"]["reference"] == "Prot. 1234/2027" for e in audit)
    mine = export_user_data(counsellor)["tables"]["users"]
    assert all(r["id"] == counsellor.id for r in mine)  # the counsellor's act is not theirs
