"""Referrals: a worker refers a flagged person to services with their consent; each service's
operators answer for their organisation only; late and declined referrals come back."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from orientamento.auth.models import AuditEntry, Role, User
from orientamento.core import clock
from orientamento.core.errors import Conflict, DomainError, NotFound
from orientamento.extensions import db
from orientamento.outreach import services
from orientamento.outreach.models import Flag
from orientamento.outreach.referrals import services as referrals
from orientamento.outreach.referrals.days import add_working_days, is_working_day
from orientamento.outreach.referrals.models import Referral, ReferralStatus
from orientamento.outreach.referrals.queries import needs_attention
from orientamento.outreach.referrals.services import ReferralData
from orientamento.risk.models import RiskPerson
from orientamento.risk.queries import subject_report
from orientamento.risk.reasons import reason_lines, version_spec
from orientamento.support import services as support_services
from orientamento.support.models import SupportService
from tests.conftest import log_in
from tests.outreach.conftest import MakeFlag

MakeService = Callable[..., SupportService]
NOTE = "Cerca un tirocinio; chiamare dopo le 15."


def _decided(worker: User, flag: Flag) -> Flag:
    services.decide(worker, flag, "contact", "priority_confirmed", "", True)
    db.session.commit()
    return flag


def _refer(worker: User, flag: Flag, *targets: SupportService, **changes: Any
           ) -> list[Referral]:
    data = ReferralData(service_ids=[s.id for s in targets], consent=True,
                        consent_on=clock.today(), note=NOTE)
    for name, value in changes.items():
        data = ReferralData(**{**data.__dict__, name: value})
    made = referrals.refer(worker, flag, data, clock.today(), 5)
    db.session.commit()
    return made


@pytest.fixture
def flag(worker: User, flagged: MakeFlag) -> Flag:
    """A flag in the worker's municipio 1 with a decision to contact."""
    return _decided(worker, flagged(1))


# --- working days ----------------------------------------------------------------------------


@pytest.mark.calendar
def test_working_days_skip_weekends_and_milan_holidays() -> None:
    # Friday 4 December 2026: Monday 7 is Sant'Ambrogio, Tuesday 8 the Immacolata.
    assert add_working_days(date(2026, 12, 4), 1) == date(2026, 12, 9)
    assert add_working_days(date(2026, 12, 4), 5) == date(2026, 12, 15)
    assert add_working_days(date(2027, 3, 10), 5) == date(2027, 3, 17)
    assert add_working_days(date(2027, 3, 10), 0) == date(2027, 3, 10)
    assert not is_working_day(date(2026, 12, 25)) and is_working_day(date(2026, 12, 23))


@pytest.mark.calendar
def test_a_referral_is_due_five_working_days_after_today_in_milan(
        worker: User, flag: Flag, make_service: MakeService) -> None:
    (referral,) = _refer(worker, flag, make_service())
    today = clock.today()
    due = referral.answer_due_on
    assert due == add_working_days(today, 5) and is_working_day(due)
    # Five working days: seven to (with Easter or Christmas) about eleven calendar days.
    assert 7 <= (due - today).days <= 12
    assert sum(is_working_day(today + timedelta(days=n)) for n in
               range(1, (due - today).days + 1)) == 5


# --- the worker refers --------------------------------------------------------------------


def test_a_worker_refers_to_two_services_with_consent_and_a_note(
        worker: User, flag: Flag, make_service: MakeService) -> None:
    first, second = make_service(), make_service()
    made = _refer(worker, flag, first, second)
    assert [(r.service_id, r.status, r.note, r.consent_on) for r in made] == [
        (first.id, ReferralStatus.SENT, NOTE, clock.today()),
        (second.id, ReferralStatus.SENT, NOTE, clock.today())]
    assert all(r.referred_by_id == worker.id for r in made)
    audited = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "referral_made")).all()
    assert sorted(e.details["service_id"] for e in audited) == [first.id, second.id]


def test_a_referral_needs_a_decision_to_contact(
        worker: User, flagged: MakeFlag, make_service: MakeService) -> None:
    with pytest.raises(Conflict):
        _refer(worker, flagged(1), make_service())


@pytest.mark.parametrize(("changes", "message"), [
    ({"consent": False}, "agreed to be referred"),
    ({"consent_on": None}, "agreed to be referred"),
    ({"service_ids": []}, "at least one service"),
    ({"service_ids": [987654]}, "from the list"),
])
def test_a_referral_without_consent_or_services_is_refused(
        worker: User, flag: Flag, make_service: MakeService, changes: dict[str, Any],
        message: str) -> None:
    with pytest.raises(DomainError, match=message):
        _refer(worker, flag, make_service(), **changes)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Referral)) == 0


def test_a_consent_in_the_future_is_refused(worker: User, flag: Flag,
                                            make_service: MakeService) -> None:
    with pytest.raises(DomainError, match="future"):
        _refer(worker, flag, make_service(), consent_on=clock.today() + timedelta(days=1))


def test_the_same_service_twice_while_live_is_refused(worker: User, flag: Flag,
                                                      make_service: MakeService) -> None:
    service = make_service()
    _refer(worker, flag, service)
    with pytest.raises(Conflict, match="already referred"):
        _refer(worker, flag, service)


def test_a_worker_of_another_municipio_cannot_refer(
        make_user: Callable[..., User], flag: Flag, make_service: MakeService) -> None:
    stranger = make_user(Role.OUTREACH, municipi=[5])
    with pytest.raises(NotFound):
        _refer(stranger, flag, make_service())


def test_the_referral_form_says_when_the_catalogue_has_no_service(
        client: FlaskClient, worker: User, flag: Flag) -> None:
    log_in(client, worker)
    page = client.get(f"/outreach/flags/{flag.id}/referrals?lang=en").get_data(as_text=True)
    assert "The catalogue has no service yet." in page
    assert 'name="referral-services"' not in page


def test_the_flag_page_refers_and_shows_the_status(
        client: FlaskClient, worker: User, flag: Flag, make_service: MakeService) -> None:
    service = make_service()
    log_in(client, worker)
    assert (f'href="/outreach/flags/{flag.id}/referrals"' in
            client.get(f"/outreach/flags/{flag.id}?lang=en").get_data(as_text=True))
    page = client.get(f"/outreach/flags/{flag.id}/referrals?lang=en").get_data(as_text=True)
    assert f'name="referral-services" type="checkbox" value="{service.id}"' in page
    response = client.post(f"/outreach/flags/{flag.id}/referrals", data={
        "referral-services": str(service.id), "referral-consent": "y",
        "referral-consent_on": clock.today().isoformat(), "referral-note": NOTE})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/outreach/flags/{flag.id}#referrals")
    page = html.unescape(  # as a reader sees it: a label is escaped like any text
        client.get(f"/outreach/flags/{flag.id}?lang=en").get_data(as_text=True))
    assert "Waiting for the service's answer" in page and service.name in page
    missing = client.post(f"/outreach/flags/{flag.id}/referrals?lang=en", data={
        "referral-services": str(service.id),
        "referral-consent_on": clock.today().isoformat()})
    assert missing.status_code == 400
    assert "tick the box" in missing.get_data(as_text=True)


# --- the service answers ----------------------------------------------------------------------


def test_an_operator_sees_only_the_contact_details_and_the_note(
        client: FlaskClient, worker: User, flag: Flag, make_service: MakeService,
        make_operator: Callable[..., User]) -> None:
    service = make_service()
    (referral,) = _refer(worker, flag, service)
    operator = make_operator(service)
    log_in(client, operator)
    listing = client.get("/outreach/referrals/?lang=en").get_data(as_text=True)
    assert f"/outreach/referrals/{referral.id}" in listing
    page = client.get(f"/outreach/referrals/{referral.id}?lang=en").get_data(as_text=True)
    for shown in ("+39 02 5555 0101", "giulia@example.org", "Via Padova 12", NOTE):
        assert shown in page
    person = db.session.get(RiskPerson, flag.person_id)
    assert person is not None and flag.score is not None
    reasons = [line.text for line in reason_lines(version_spec(flag.score.version),
                                                  flag.score.reasons, "en")]
    assert reasons  # what the worker reads, and the service must not
    for hidden in (*reasons, "42%", "42 %", "0.42", "Probability", "Band", "band",
                   person.pseudonym[-8:], "italian", "Italian citizen", "Gender", "gender",
                   "citizenship"):
        assert hidden not in page, hidden
    viewed = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "referral_viewed"))
    assert viewed is not None and viewed.actor_id == operator.id


def test_an_operator_of_another_organisation_cannot_see_or_answer(
        client: FlaskClient, worker: User, flag: Flag, make_service: MakeService,
        make_operator: Callable[..., User]) -> None:
    mine, theirs = make_service(), make_service()
    (referral,) = _refer(worker, flag, mine)
    log_in(client, make_operator(theirs))
    assert f"/outreach/referrals/{referral.id}" not in client.get(
        "/outreach/referrals/").get_data(as_text=True)
    assert client.get(f"/outreach/referrals/{referral.id}").status_code == 404
    for action in ("accept", "decline", "take-up", "close"):
        assert client.post(f"/outreach/referrals/{referral.id}/{action}").status_code == 404
    assert db.session.get(Referral, referral.id).status == ReferralStatus.SENT  # type: ignore[union-attr]


def test_from_an_incoming_referral_to_an_outcome(
        client: FlaskClient, worker: User, flag: Flag, make_service: MakeService,
        make_operator: Callable[..., User]) -> None:
    service = make_service()
    (referral,) = _refer(worker, flag, service)
    log_in(client, make_operator(service))
    base = f"/outreach/referrals/{referral.id}"
    assert client.post(f"{base}/accept").status_code == 302
    assert client.post(f"{base}/accept").status_code == 409  # answered already
    assert client.post(f"{base}/decline", data={"decline-reason": "no_capacity"}
                       ).status_code == 409
    today = clock.today()
    assert client.post(f"{base}/take-up", data={
        "take-up-first_appointment_on": today.isoformat(), "take-up-took_up": "yes"}
    ).status_code == 302
    no_note = client.post(f"{base}/close?lang=en", data={"close-outcome": "other"})
    assert no_note.status_code == 400
    assert client.post(f"{base}/close", data={"close-outcome": "training",
                                              "close-note": "Corso IFTS"}).status_code == 302
    db.session.expire_all()
    done = db.session.get(Referral, referral.id)
    assert done is not None
    assert (done.status, done.first_appointment_on, done.took_up, done.outcome,
            done.outcome_note) == (ReferralStatus.CLOSED, today, True, "training", "Corso IFTS")
    assert done.answered_at is not None and done.closed_at is not None
    client.post("/account/logout")
    log_in(client, worker)
    page = client.get(f"/outreach/flags/{flag.id}?lang=en").get_data(as_text=True)
    assert "Closed with an outcome" in page and "Started a training course" in page
    assert "The person came." in page


def test_a_decline_needs_a_reason_and_goes_back_to_the_worker(
        client: FlaskClient, worker: User, flag: Flag, make_service: MakeService,
        make_operator: Callable[..., User]) -> None:
    service = make_service()
    (referral,) = _refer(worker, flag, service)
    log_in(client, make_operator(service))
    base = f"/outreach/referrals/{referral.id}"
    assert client.post(f"{base}/decline", data={"decline-reason": "other"}).status_code == 400
    assert client.post(f"{base}/decline", data={"decline-reason": "not_eligible"}
                       ).status_code == 302
    assert client.post(f"{base}/close", data={"close-outcome": "training"}).status_code == 409
    assert [r.id for r in needs_attention(worker, clock.today())] == [referral.id]
    client.post("/account/logout")
    log_in(client, worker)
    start = client.get("/start/?lang=en").get_data(as_text=True)
    assert "Referrals that came back" in start and f"/outreach/flags/{flag.id}#referrals" in start


def test_an_appointment_needs_an_accepted_referral_and_a_sensible_day(
        worker: User, flag: Flag, make_service: MakeService,
        make_operator: Callable[..., User]) -> None:
    service = make_service()
    (referral,) = _refer(worker, flag, service)
    operator = make_operator(service)
    today = clock.today()
    with pytest.raises(Conflict):
        referrals.record_take_up(operator, referral, today, None, today)
    referrals.accept(operator, referral, clock.now())
    with pytest.raises(DomainError):
        referrals.record_take_up(operator, referral, today - timedelta(days=30), None, today)
    with pytest.raises(DomainError):  # whether the person came, before the appointment
        referrals.record_take_up(operator, referral, today + timedelta(days=3), True, today)
    referrals.record_take_up(operator, referral, today + timedelta(days=3), None, today)
    assert referral.first_appointment_on == today + timedelta(days=3)


@pytest.mark.parametrize("broken", [
    {"status": "accepted"},  # no answer time
    {"status": "declined", "answered": True},  # no reason
    {"status": "closed", "answered": True},  # no outcome
    {"status": "sent", "took_up": True},  # take-up before acceptance
    {"status": "sent", "outcome": "nonsense"},
])
def test_the_database_ties_each_status_to_its_fields(
        worker: User, flag: Flag, make_service: MakeService, broken: dict[str, Any]) -> None:
    values = dict(broken)
    if values.pop("answered", False):
        values["answered_at"] = clock.now()
    db.session.add(Referral(flag_id=flag.id, service_id=make_service().id,
                            consent_on=clock.today(), answer_due_on=clock.today(), **values))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


# --- coming back to the worker ----------------------------------------------------------------


def test_an_unanswered_referral_comes_back_after_its_due_day(
        client: FlaskClient, worker: User, flag: Flag, make_service: MakeService,
        make_user: Callable[..., User]) -> None:
    (referral,) = _refer(worker, flag, make_service())
    assert needs_attention(worker, clock.today()) == []
    # As if referred a fortnight ago.
    referral.consent_on = clock.today() - timedelta(days=14)
    referral.answer_due_on = clock.today() - timedelta(days=1)
    db.session.commit()
    assert [r.id for r in needs_attention(worker, clock.today())] == [referral.id]
    assert needs_attention(make_user(Role.OUTREACH, municipi=[7]), clock.today()) == []
    log_in(client, worker)
    page = client.get(f"/outreach/flags/{flag.id}?lang=en").get_data(as_text=True)
    assert "No answer since" in page
    start = client.get("/start/?lang=en").get_data(as_text=True)
    assert f"/outreach/flags/{flag.id}#referrals" in start


# --- privacy ----------------------------------------------------------------------------------


def test_the_subject_report_includes_referrals(
        app: Flask, worker: User, flag: Flag, make_service: MakeService) -> None:
    service = make_service()
    _refer(worker, flag, service)
    person = db.session.get(RiskPerson, flag.person_id)
    assert person is not None
    report = subject_report(person, "en")
    (entry,) = report["flags"]
    (referral,) = entry["referrals"]
    assert (referral["service"], referral["status"], referral["note"]) == (
        service.name, "sent", NOTE)


def test_erasing_a_flag_erases_its_referrals_in_the_database(
        worker: User, flag: Flag, make_service: MakeService) -> None:
    _refer(worker, flag, make_service())
    db.session.execute(delete(Flag).where(Flag.id == flag.id))  # the foreign keys cascade
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Referral)) == 0


def test_a_referred_service_cannot_be_deleted(
        worker: User, flag: Flag, make_service: MakeService) -> None:
    service = make_service()
    _refer(worker, flag, service)
    with pytest.raises(Conflict):
        support_services.delete_service(service)


def test_only_a_service_operator_belongs_to_a_support_organisation(
        make_user: Callable[..., User], make_service: MakeService) -> None:
    service = make_service()
    with pytest.raises(IntegrityError):
        make_user(Role.OUTREACH, support_organisation_id=service.organisation_id)
    db.session.rollback()


def test_the_operators_start_page_counts_what_waits(
        client: FlaskClient, worker: User, flag: Flag, make_service: MakeService,
        make_operator: Callable[..., User]) -> None:
    service = make_service()
    (referral,) = _refer(worker, flag, service)
    log_in(client, make_operator(service))
    start = client.get("/start/?lang=en").get_data(as_text=True)
    assert "1 referral waiting for an answer" in start
    assert f"/outreach/referrals/{referral.id}" in start
    assert 'href="/outreach/referrals/"' in start  # in the navigation and the panel
