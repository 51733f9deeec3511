"""'Contact me': a young person asks to be contacted, without an account; the request reaches
the queue of their municipio's team only."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.extensions import db
from orientamento.outreach import services
from orientamento.outreach.models import (
    SELF_REFERRAL_PRIORITY,
    Flag,
    FlagStatus,
    SelfReferral,
    Trigger,
)
from orientamento.outreach.services import ContactData
from tests.conftest import BASE_CONFIG, is_postgres, log_in, make_app
from tests.outreach.conftest import MakeFlag

VALID = {"name": "Amina", "municipio": "4", "channel": "phone", "phone": "+39 333 123 4567",
         "email": "", "language": "ar", "preferred_time": "afternoon",
         "message": "Cerco un corso di italiano e poi un lavoro.", "consent": "y"}


def _count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _send(client: FlaskClient, **changes: str) -> Any:
    return client.post("/support/contact-me", data=VALID | changes)


def test_the_public_page_links_to_the_form_which_needs_no_account(client: FlaskClient) -> None:
    assert 'href="/support/contact-me"' in client.get("/support/?lang=en").get_data(as_text=True)
    page = client.get("/support/contact-me?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for name in ("municipio", "channel", "phone", "email", "language", "preferred_time",
                 "consent"):
        assert f'name="{name}"' in html
    assert "I agree that the City of Milan" in html


def test_phone_and_email_are_typed_left_to_right_on_the_arabic_form(client: FlaskClient) -> None:
    # In a right-to-left page the groups of a phone number's digits would show in reverse.
    client.post("/language", data={"language": "ar", "next": "/support/contact-me"})
    html = client.get("/support/contact-me").get_data(as_text=True)
    assert 'dir="rtl"' in html
    for name in ("phone", "email"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
        assert tag is not None and 'dir="ltr"' in tag.group(0), name


def test_a_request_becomes_an_open_flag_in_the_municipio_of_residence(
        client: FlaskClient) -> None:
    response = _send(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/support/"
    flag = db.session.scalar(select(Flag))
    assert flag is not None
    assert (flag.trigger, flag.status, flag.municipio) == (Trigger.SELF_REFERRAL, "open", 4)
    assert flag.person_id is None and flag.priority == SELF_REFERRAL_PRIORITY
    asked = flag.self_referral
    assert asked is not None
    assert (asked.name, asked.channel, asked.phone, asked.email, asked.language,
            asked.preferred_time) == ("Amina", "phone", "+39 333 123 4567", None, "ar",
                                      "afternoon")
    assert asked.consented_at is not None and asked.message.startswith("Cerco")
    assert flag.as_of == clock.today()


def test_only_the_workers_of_that_municipio_see_it_with_the_contact_details(
        client: FlaskClient, make_user: Callable[..., User]) -> None:
    _send(client)
    flag = db.session.scalar(select(Flag))
    assert flag is not None
    own = make_user(Role.OUTREACH, municipi=[4])
    other = make_user(Role.OUTREACH, municipi=[1, 2])
    log_in(client, own)
    queue = client.get("/outreach/?lang=en").get_data(as_text=True)
    assert f"/outreach/flags/{flag.id}" in queue and "Amina" in queue
    page = client.get(f"/outreach/flags/{flag.id}?lang=en").get_data(as_text=True)
    for shown in ("+39 333 123 4567", "Amina", "Arabic", "In the afternoon",
                  "Cerco un corso di italiano", "Asked to be contacted (self-referral)"):
        assert shown in page
    client.post("/account/logout")
    log_in(client, other)
    assert f"/outreach/flags/{flag.id}" not in client.get("/outreach/").get_data(as_text=True)
    assert client.get(f"/outreach/flags/{flag.id}").status_code == 404


@pytest.mark.parametrize(("changes", "message"), [
    ({"consent": ""}, "tick the box"),
    ({"phone": ""}, "Write the phone number we should call."),
    ({"channel": "email"}, "Write the e-mail address we should write to."),
    ({"channel": "email", "email": "not-an-address"}, "Write an e-mail address like"),
    ({"phone": "12"}, "Write a phone number with 6 to 15 digits"),
    ({"municipio": "10"}, "Not a valid choice"),
    ({"municipio": ""}, "Choose the municipio you live in."),
    ({"language": "xx"}, "Not a valid choice"),
    ({"name": "Am\u202eina"}, "no control characters or text-direction marks"),
])
def test_an_incomplete_request_is_refused_with_a_message_and_stores_nothing(
        client: FlaskClient, changes: dict[str, str], message: str) -> None:
    response = client.post("/support/contact-me?lang=en", data=VALID | changes)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(Flag) == 0 and _count(SelfReferral) == 0


def test_the_hidden_field_filled_by_a_program_stores_nothing(client: FlaskClient) -> None:
    response = _send(client, website="https://spam.example")
    assert response.status_code == 302
    assert _count(Flag) == 0 and _count(SelfReferral) == 0


@pytest.fixture
def limited_app(database_url: str, _postgres_schema: None) -> Iterator[Flask]:
    """An app with rate limits on, at two requests an hour."""
    application = make_app(database_url, RATELIMIT_ENABLED=True,
                           SELF_REFERRAL_RATE_LIMIT="2 per hour", BABEL_DEFAULT_LOCALE="en")
    with application.app_context():
        if not is_postgres():
            db.create_all()
        yield application
        db.session.remove()
        if is_postgres():
            from tests.conftest import _empty_all_tables
            _empty_all_tables()
        else:
            db.drop_all()
        db.engine.dispose()


def test_requests_from_one_address_are_rate_limited(limited_app: Flask) -> None:
    client = limited_app.test_client()
    statuses = [client.post("/support/contact-me", data=VALID).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert client.get("/support/contact-me").status_code == 200  # reading is not limited


def test_the_form_needs_its_csrf_token(database_url: str, _postgres_schema: None) -> None:
    application = make_app(database_url, WTF_CSRF_ENABLED=True)
    assert BASE_CONFIG["WTF_CSRF_ENABLED"] is False
    with application.app_context():
        if not is_postgres():
            db.create_all()
        try:
            response = application.test_client().post("/support/contact-me", data=VALID)
            assert response.status_code == 400
            assert _count(Flag) == 0
        finally:
            db.session.remove()
            if not is_postgres():
                db.drop_all()
            db.engine.dispose()


def _self_referral(**fields: Any) -> SelfReferral:
    values = {"municipio": 4, "channel": "phone", "phone": "333 1234567", "language": "it",
              "preferred_time": "any", "consented_at": clock.now()} | fields
    return SelfReferral(**values)


@pytest.mark.parametrize("broken", ["both_subjects", "no_subject", "wrong_trigger",
                                    "phone_missing"])
def test_the_database_refuses_a_flag_or_request_that_breaks_the_rules(
        app: Flask, flagged: MakeFlag, broken: str) -> None:
    person_flag = flagged(1)
    asked = _self_referral(phone=None) if broken == "phone_missing" else _self_referral()
    db.session.add(asked)
    if broken != "phone_missing":
        db.session.flush()
        values: dict[str, Any] = {
            "both_subjects": {"person_id": person_flag.person_id, "self_referral_id": asked.id,
                              "trigger": "self_referral"},
            "no_subject": {"trigger": "self_referral"},
            "wrong_trigger": {"self_referral_id": asked.id, "trigger": "model"},
        }[broken]
        db.session.add(Flag(municipio=4, priority=2.0, as_of=clock.today(), **values))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_refusal_on_the_phone_closes_the_request(
        client: FlaskClient, make_user: Callable[..., User]) -> None:
    _send(client)
    flag = db.session.scalar(select(Flag))
    assert flag is not None
    worker = make_user(Role.OUTREACH, municipi=[4])
    services.decide(worker, flag, "contact", "priority_confirmed", "", True)
    services.log_contact(worker, flag, ContactData(channel="phone", contacted_on=clock.today(),
                                                   outcome="reached", consent="refused"),
                         clock.today())
    db.session.commit()
    assert flag.status == FlagStatus.CLOSED and flag.closed_at is not None


garbage = st.one_of(st.text(max_size=200), st.sampled_from(
    ["", "0", "-1", "99999999999999999999", "\u202e\u0000", "a@b", "x" * 3000, "ا" * 300]))


@settings(max_examples=25, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_garbage_never_causes_a_server_error(client: FlaskClient, data: st.DataObject) -> None:
    form = {name: data.draw(garbage) for name in VALID}
    response = client.post("/support/contact-me", data=form)
    assert response.status_code < 500, form


def test_a_request_is_erased_with_everything_on_it_at_the_persons_request(
        client: FlaskClient, make_user: Callable[..., User]) -> None:
    from orientamento.outreach.models import Decision
    from orientamento.outreach.referrals.models import Referral
    from orientamento.support.models import SupportOrganisation, SupportService

    _send(client)
    flag = db.session.scalar(select(Flag))
    assert flag is not None
    worker = make_user(Role.OUTREACH, municipi=[4])
    services.decide(worker, flag, "contact", "priority_confirmed", "", True)
    service = SupportService(uid="55555555-5555-4555-8555-555555555555", name="Servizio",
                             access="booking", organisation=SupportOrganisation(
                                 uid="66666666-6666-4666-8666-666666666666", name="Ente",
                                 kind="cpia"))
    db.session.add(Referral(flag=flag, service=service, consent_on=clock.today(),
                            answer_due_on=clock.today()))
    db.session.commit()
    flag_id = flag.id
    stranger = make_user(Role.OUTREACH, municipi=[1])
    log_in(client, stranger)
    assert client.post(f"/outreach/flags/{flag_id}/erase").status_code == 404
    client.post("/account/logout")
    log_in(client, worker)
    page = client.get(f"/outreach/flags/{flag_id}?lang=en").get_data(as_text=True)
    assert f'action="/outreach/flags/{flag_id}/erase"' in page
    response = client.post(f"/outreach/flags/{flag_id}/erase")
    assert response.status_code == 302 and response.headers["Location"] == "/outreach/"
    db.session.expire_all()
    for model in (SelfReferral, Flag, Decision, Referral):
        assert _count(model) == 0, model
    assert client.get(f"/outreach/flags/{flag_id}").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(SupportService)) == 1


def test_a_flag_from_the_records_is_not_erased_here(
        client: FlaskClient, worker: User, flagged: MakeFlag) -> None:
    flag = flagged(1)
    log_in(client, worker)
    assert client.post(f"/outreach/flags/{flag.id}/erase?lang=en").status_code == 400
    assert db.session.get(Flag, flag.id) is not None
