"""Referrals in the browser, in Italian and Arabic: the demo outreach worker refers a flagged
person to a service; the demo service operator (of the demo Informagiovani) takes an incoming
referral to an outcome. The pages' texts are checked by structure, addresses and the database
(translations are merged separately); every page and error state passes axe.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from orientamento.core import clock
from tests.browser.conftest import (
    DEMO_LOGINS,
    SERVICE_OPERATOR_LOGIN,
    LiveServer,
    check_a11y,
    log_in,
    open_form,
    query_all,
    restore_demo_account,
    screenshot,
    submit,
    switch_language,
    visit,
)

pytestmark = pytest.mark.browser

WORKER = DEMO_LOGINS["outreach"]
OPERATOR = SERVICE_OPERATOR_LOGIN
PHONE = "+39 02 5555 0177"
NOTE = "Cerca un corso serale; chiamare dopo le 15."


@dataclass(frozen=True)
class Case:
    """A flag in the demo worker's municipio 2, and the demo operator's service."""

    flag: int
    service: int
    referral: int | None = None


def _case(app: Flask, decided: bool, referred: bool) -> Case:
    """A scored person with contact details and a flag; with ``decided``, a decision to
    contact; with ``referred``, a referral to the operator's service waiting for an answer."""
    from sqlalchemy import select

    from orientamento.auth.models import User
    from orientamento.extensions import db
    from orientamento.outreach.models import Decision
    from orientamento.outreach.referrals.days import add_working_days
    from orientamento.outreach.referrals.models import Referral
    from orientamento.risk.models import ContactDetails
    from orientamento.support.models import SupportService
    from tests.risk.factories import make_flag, make_person, make_score, make_version

    with app.app_context():
        try:
            operator = db.session.scalar(select(User).where(User.email == OPERATOR))
            worker = db.session.scalar(select(User).where(User.email == WORKER))
            assert operator is not None and worker is not None
            service = db.session.scalar(select(SupportService).where(
                SupportService.organisation_id == operator.support_organisation_id)
                .order_by(SupportService.id).limit(1))
            assert service is not None
            person = make_person(2)
            person.contact = ContactDetails(phone=PHONE, email="referral.walk@example.org")
            flag = make_flag(person, make_score(person, make_version("retired"), 0.93))
            referral_id = None
            if decided:
                db.session.add(Decision(flag_id=flag.id, kind="contact",
                                        reason_code="priority_confirmed",
                                        agrees_with_model=True, decided_by_id=worker.id))
            if referred:
                today = clock.today()
                referral = Referral(flag_id=flag.id, service_id=service.id, consent_on=today,
                                    note=NOTE, referred_by_id=worker.id,
                                    answer_due_on=add_working_days(today, 5))
                db.session.add(referral)
                db.session.flush()
                referral_id = referral.id
            db.session.commit()
            return Case(flag=flag.id, service=service.id, referral=referral_id)
        finally:
            db.session.remove()


def _choose(page: Any, name: str, value: str) -> None:
    """Tick a radio button or checkbox by clicking its label, as a person does."""
    box = page.locator(f'input[name="{name}"][value="{value}"]')
    page.locator(f'label[for="{box.get_attribute("id")}"]').click()
    expect(box).to_be_checked()


@pytest.mark.parametrize("language", ["it", "ar"])
def test_worker_goes_from_a_flag_to_a_referral(
        page: Any, live_server: LiveServer, language: str) -> None:
    app = live_server.app
    case = _case(app, decided=False, referred=False)
    try:
        log_in(page, WORKER, language=language)
        visit(page, f"/outreach/flags/{case.flag}")
        # No referral before a decision to contact: the form is not there yet.
        refer = f'form[action="/outreach/flags/{case.flag}/referrals"]'
        expect(page.locator(f'a[href="/outreach/flags/{case.flag}/referrals"]')).to_have_count(0)
        decide = open_form(page, case.flag, "decide")
        _choose(page, "decision-kind", "contact")
        page.select_option("#decision-reason_code", "priority_confirmed")
        _choose(page, "decision-agrees", "yes")
        assert submit(page, f"{decide} button[type=submit]").ok
        assert open_form(page, case.flag, "referrals") == refer

        # Without the person's consent nothing is sent; the error state passes axe.
        _choose(page, "referral-services", str(case.service))
        page.fill("#referral-note", NOTE)
        response = submit(page, f"{refer} button[type=submit]")
        assert response.status == 400
        expect(page.locator("#referral-consent-error")).to_be_visible()
        check_a11y(page)
        assert query_all(app, "SELECT id FROM outreach_referrals WHERE flag_id = :id",
                         id=case.flag) == []

        # The form kept the service chosen; the worker ticks the consent box.
        expect(page.locator(f'input[name="referral-services"][value="{case.service}"]')
               ).to_be_checked()
        page.locator('label[for="referral-consent"]').click()
        response = submit(page, f"{refer} button[type=submit]")
        assert response.ok and page.url.endswith(f"/outreach/flags/{case.flag}#referrals")
        expect(page.locator(".alert-success")).to_be_visible()
        expect(page.locator("#referrals table tbody tr")).to_have_count(1)
        check_a11y(page)
        screenshot(page, f"referral-flag-{language}")
        assert query_all(app, "SELECT service_id, status, note, consent_on FROM "
                              "outreach_referrals WHERE flag_id = :id", id=case.flag) == [
            (case.service, "sent", NOTE, clock.today().isoformat())]
    finally:
        restore_demo_account(app, WORKER)


@pytest.mark.parametrize("language", ["it", "ar"])
def test_operator_goes_from_an_incoming_referral_to_an_outcome(
        page: Any, live_server: LiveServer, language: str) -> None:
    app = live_server.app
    case = _case(app, decided=True, referred=True)
    try:
        log_in(page, OPERATOR, language=language)
        with page.expect_navigation():
            page.locator('header a[href="/outreach/referrals/"]').first.click()
        check_a11y(page)
        link = page.locator(f'main a[href="/outreach/referrals/{case.referral}"]')
        with page.expect_navigation():
            link.click()
        expect(page.locator("#contact-details")).to_contain_text(PHONE)
        expect(page.locator("main")).to_contain_text(NOTE)
        expect(page.locator("#score")).to_have_count(0)  # no score travels
        expect(page.locator("main")).not_to_contain_text("93%")
        check_a11y(page)
        screenshot(page, f"referral-incoming-{language}")

        base = f"/outreach/referrals/{case.referral}"
        assert submit(page, f'form[action="{base}/accept"] button[type=submit]').ok
        expect(page.locator(".alert-success")).to_be_visible()
        check_a11y(page)
        page.fill("#take-up-first_appointment_on", clock.today().isoformat())
        _choose(page, "take-up-took_up", "yes")
        assert submit(page, f'form[action="{base}/take-up"] button[type=submit]').ok

        # "Other" needs words: the error state passes axe too.
        page.select_option("#close-outcome", "other")
        response = submit(page, f'form[action="{base}/close"] button[type=submit]')
        assert response.status == 400
        expect(page.locator("#close-note-error")).to_be_visible()
        check_a11y(page)
        page.select_option("#close-outcome", "training")
        assert submit(page, f'form[action="{base}/close"] button[type=submit]').ok
        expect(page.locator(f'form[action="{base}/close"]')).to_have_count(0)
        check_a11y(page)
        screenshot(page, f"referral-closed-{language}")
        assert query_all(app, "SELECT status, took_up, outcome, first_appointment_on FROM "
                              "outreach_referrals WHERE id = :id", id=case.referral) == [
            ("closed", 1, "training", clock.today().isoformat())]
        # Another organisation's referral is not found.
        assert page.goto("/outreach/referrals/987654").status == 404
    finally:
        restore_demo_account(app, OPERATOR)


@pytest.mark.parametrize("language", ["it", "ar"])
def test_a_young_person_asks_to_be_contacted_without_an_account(
        page: Any, live_server: LiveServer, language: str) -> None:
    app = live_server.app
    visit(page, "/support/")
    switch_language(page, language)
    with page.expect_navigation():
        page.locator('main a[href="/support/contact-me"]').click()
    check_a11y(page)
    # Without consent nothing is stored; the error state passes axe.
    page.select_option("#municipio", "2")
    _choose(page, "channel", "phone")
    phone = f"+39 333 {uuid.uuid4().int % 10_000_000:07d}"  # unique in the shared database
    page.fill("#phone", phone)
    response = submit(page, 'main form button[type=submit]')
    assert response.status == 400
    expect(page.locator("#consent-error")).to_be_visible()
    check_a11y(page)
    page.locator('label[for="consent"]').click()
    response = submit(page, 'main form button[type=submit]')
    assert response.ok and page.url.endswith("/support/")
    expect(page.locator(".alert-success")).to_be_visible()
    screenshot(page, f"contact-me-sent-{language}")
    rows = query_all(app, "SELECT f.id, f.municipio, f.trigger, f.status, s.language FROM "
                          "outreach_self_referrals s JOIN outreach_flags f ON "
                          "f.self_referral_id = s.id WHERE s.phone = :phone", phone=phone)
    assert [tuple(row[1:]) for row in rows] == [(2, "self_referral", "open", language)]

    # The demo worker (municipi 2, 3 and 9) finds it with the contact details.
    try:
        log_in(page, WORKER, language=language)
        visit(page, f"/outreach/flags/{rows[0][0]}")
        expect(page.locator("#contact-details")).to_contain_text(phone)
        expect(page.locator("#score")).to_have_count(0)
        screenshot(page, f"self-referral-flag-{language}")
    finally:
        restore_demo_account(app, WORKER)


PHONE_SIZE = {"width": 390, "height": 844}


@pytest.mark.parametrize("language", ["it", "ar"])
def test_worker_withdraws_a_referral_and_the_service_stops_seeing_the_person(
        new_page: Any, live_server: LiveServer, language: str) -> None:
    # On a phone: the withdrawal form sits in the referrals table's last column.
    app = live_server.app
    case = _case(app, decided=True, referred=True)
    worker = new_page(viewport=PHONE_SIZE)
    try:
        log_in(worker, WORKER, language=language)
        visit(worker, f"/outreach/flags/{case.flag}")
        form = (f'form[action="/outreach/flags/{case.flag}/referrals/{case.referral}'
                f'/withdraw"]')
        # The form is one step away, behind "Withdraw this referral".
        expect(worker.locator(form)).to_be_hidden()
        worker.locator(f"#referrals details:has({form}) summary").click()
        expect(worker.locator(form)).to_be_visible()
        check_a11y(worker)
        screenshot(worker, f"referral-withdraw-form-{language}")

        # Without a reason nothing changes. The form comes back open with its message, and the
        # error summary's link leads to the select; the error state passes axe.
        response = submit(worker, f"{form} button[type=submit]")
        assert response.status == 400
        expect(worker.locator("#referrals .alert-danger")).to_be_visible()
        expect(worker.locator("#withdraw-reason-error")).to_be_visible()
        worker.locator('#referrals .alert-danger a[href="#withdraw-reason"]').click()
        expect(worker.locator(f"{form} select#withdraw-reason")).to_be_focused()
        check_a11y(worker)
        screenshot(worker, f"referral-withdraw-error-{language}")
        assert query_all(app, "SELECT status FROM outreach_referrals WHERE id = :id",
                         id=case.referral) == [("sent",)]

        worker.select_option(f"{form} select", "help_refused")
        response = submit(worker, f"{form} button[type=submit]")
        assert response.ok and f"/outreach/flags/{case.flag}" in worker.url
        expect(worker.locator(".alert-success")).to_be_visible()
        expect(worker.locator(form)).to_have_count(0)  # nothing left to withdraw
        check_a11y(worker)
        screenshot(worker, f"referral-withdrawn-flag-{language}")
        assert query_all(app, "SELECT status, withdraw_reason FROM outreach_referrals "
                              "WHERE id = :id", id=case.referral) == [
            ("withdrawn", "help_refused")]
    finally:
        restore_demo_account(app, WORKER)

    operator = new_page(viewport=PHONE_SIZE)
    try:
        log_in(operator, OPERATOR, language=language)
        visit(operator, f"/outreach/referrals/{case.referral}")
        # The service sees that it was withdrawn and why, in the words the worker's page
        # showed...
        cells = worker.locator("#referrals table tbody tr td")
        status, reason = (cells.nth(n).inner_text().strip() for n in (1, 2))
        assert status and reason
        expect(operator.locator("main .lead")).to_contain_text(status)
        expect(operator.locator("#contact-details")).to_contain_text(reason)
        # ... and no longer the person's contact details, the note or any answer form.
        expect(operator.locator("main")).not_to_contain_text(PHONE)
        expect(operator.locator("main")).not_to_contain_text("referral.walk@example.org")
        expect(operator.locator("main")).not_to_contain_text(NOTE)
        expect(operator.locator(f'main form[action^="/outreach/referrals/{case.referral}/"]')
               ).to_have_count(0)
        screenshot(operator, f"referral-withdrawn-service-{language}")
    finally:
        restore_demo_account(app, OPERATOR)
