"""A worker withdraws a referral; a refusal of help withdraws every live one. The service then
sees why, and no longer the person's contact details or the worker's note."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy.exc import IntegrityError

from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.core.errors import Conflict, DomainError, NotFound
from orientamento.extensions import db
from orientamento.outreach import services
from orientamento.outreach.models import Flag
from orientamento.outreach.referrals import services as referrals
from orientamento.outreach.referrals.models import Referral, ReferralStatus
from orientamento.outreach.services import ContactData
from orientamento.support.models import SupportService
from tests.conftest import log_in
from tests.outreach.conftest import MakeFlag
from tests.outreach.test_referrals import NOTE, _decided, _refer

MakeService = Callable[..., SupportService]


@pytest.fixture
def flag(worker: User, flagged: MakeFlag) -> Flag:
    return _decided(worker, flagged(1))


def status(referral: Referral) -> ReferralStatus:
    db.session.expire_all()
    found = db.session.get(Referral, referral.id)
    assert found is not None
    return found.status


def test_a_worker_withdraws_a_sent_or_accepted_referral_and_nothing_else(
        worker: User, flag: Flag, make_service: MakeService,
        make_operator: Callable[..., User], make_user: Callable[..., User]) -> None:
    sent, accepted, declined = _refer(worker, flag, make_service(), make_service(),
                                      make_service())
    referrals.accept(make_operator(accepted.service), accepted, clock.now())
    referrals.decline(make_operator(declined.service), declined, "no_capacity", "", clock.now())
    db.session.commit()
    elsewhere = make_user(Role.OUTREACH, municipi=[5])
    with pytest.raises(NotFound):
        referrals.withdraw(elsewhere, sent, "not_needed", clock.now())
    with pytest.raises(DomainError):
        referrals.withdraw(worker, sent, "bored", clock.now())
    for referral in (sent, accepted):
        referrals.withdraw(worker, referral, "consent_withdrawn", clock.now())
    db.session.commit()
    assert (status(sent), status(accepted)) == (ReferralStatus.WITHDRAWN,) * 2
    with pytest.raises(Conflict):
        referrals.withdraw(worker, declined, "not_needed", clock.now())
    with pytest.raises(Conflict):  # twice: the second finds nothing live
        referrals.withdraw(worker, sent, "not_needed", clock.now())
    db.session.rollback()
    assert status(declined) == ReferralStatus.DECLINED


def test_the_database_refuses_a_withdrawal_without_its_date_and_reason(
        flag: Flag, make_service: MakeService) -> None:
    for values in ({"withdrawn_at": clock.now()}, {"withdraw_reason": "not_needed"},
                   {"withdrawn_at": clock.now(), "withdraw_reason": "whim"}):
        db.session.add(Referral(flag_id=flag.id, service_id=make_service().id,
                                consent_on=clock.today(), answer_due_on=clock.today(),
                                status="withdrawn", **values))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_a_refusal_of_help_withdraws_every_live_referral(
        worker: User, flag: Flag, make_service: MakeService) -> None:
    live, other = _refer(worker, flag, make_service(), make_service())
    services.log_contact(worker, flag, ContactData(
        channel="phone", contacted_on=clock.today(), outcome="reached", consent="refused"),
        clock.today())
    db.session.commit()
    db.session.expire_all()
    withdrawn = db.session.get(Referral, live.id)
    assert withdrawn is not None
    assert (withdrawn.status, withdrawn.withdraw_reason) == (ReferralStatus.WITHDRAWN,
                                                             "help_refused")
    assert status(other) == ReferralStatus.WITHDRAWN


def test_the_flag_page_withdraws_and_the_service_stops_seeing_the_contact(
        client: FlaskClient, worker: User, flag: Flag, make_service: MakeService,
        make_operator: Callable[..., User]) -> None:
    service = make_service()
    (referral,) = _refer(worker, flag, service)
    log_in(client, worker)
    page = client.get(f"/outreach/flags/{flag.id}?lang=en").get_data(as_text=True)
    assert "Withdraw this referral" in page
    url = f"/outreach/flags/{flag.id}/referrals/{referral.id}/withdraw"
    no_reason = client.post(url, data={"withdraw-reason": ""})
    assert no_reason.status_code == 400 and status(referral) == ReferralStatus.SENT
    assert client.post(f"/outreach/flags/{flag.id + 1000}/referrals/{referral.id}/withdraw",
                       data={"withdraw-reason": "not_needed"}).status_code == 404
    done = client.post(url, data={"withdraw-reason": "not_needed"})
    assert done.status_code == 302 and status(referral) == ReferralStatus.WITHDRAWN
    page = client.get(f"/outreach/flags/{flag.id}?lang=en").get_data(as_text=True)
    assert "Withdrawn by the outreach worker" in page
    assert "The person no longer needs this service" in page
    assert "Withdraw this referral" not in page
    client.post("/account/logout")
    log_in(client, make_operator(service))
    seen = client.get(f"/outreach/referrals/{referral.id}?lang=en").get_data(as_text=True)
    assert "The outreach worker withdrew this referral" in seen
    assert "+39 02 5555 0101" not in seen and NOTE not in seen
    past = client.get("/outreach/referrals/past?lang=en").get_data(as_text=True)
    assert f"/outreach/referrals/{referral.id}" in past
