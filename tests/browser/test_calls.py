"""The call campaign in the browser, in Italian and Arabic: the demo outreach worker opens
today's call list, records "no answer" for one person and "reached" for another, and lands on
the referral form of the second. Texts are checked by structure, addresses and the database
(translations are merged separately); every page passes axe.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from orientamento.core import clock
from tests.browser.conftest import (
    DEMO_LOGINS,
    LiveServer,
    check_a11y,
    log_in,
    query_all,
    screenshot,
    submit,
    visit,
)

pytestmark = pytest.mark.browser

WORKER = DEMO_LOGINS["outreach"]


def _callees(app: Flask, tag: str) -> tuple[int, int]:
    """Two people in the demo worker's municipio 2 whose contracts ended longest ago of all
    (first on the list), with names, languages and phones; their flags' ids."""
    from orientamento.extensions import db
    from orientamento.outreach.models import Flag
    from orientamento.risk.models import ContactDetails
    from tests.risk.factories import make_person

    ids = []
    with app.app_context():
        try:
            for months, name, language in ((360, f"Ahmed Benali {tag}", "ar"),
                                           (359, f"Giulia Rossi {tag}", "it")):
                person = make_person(2)
                person.contact = ContactDetails(name=name, language=language,
                                                phone=f"+39 02 5555 {months:04d}")
                flag = Flag(person_id=person.id, municipio=2, trigger="contract_ended",
                            priority=1.99, months_since_contract=months,
                            as_of=clock.today() - timedelta(days=1))
                db.session.add(flag)
                db.session.commit()
                ids.append(flag.id)
        finally:
            db.session.remove()
    return ids[0], ids[1]


def _choose(page: Any, name: str, value: str) -> None:
    """Tick a radio button by clicking its label, as a person does."""
    box = page.locator(f'input[name="{name}"][value="{value}"]')
    page.locator(f'label[for="{box.get_attribute("id")}"]').click()
    expect(box).to_be_checked()


@pytest.mark.parametrize("language", ["it", "ar"])
def test_worker_calls_two_people_and_refers_the_one_reached(
        page: Any, live_server: LiveServer, language: str) -> None:
    app = live_server.app
    silent, reached = _callees(app, language)
    log_in(page, WORKER, language=language)
    visit(page, "/start/")
    page.locator('a[href="/outreach/calls"]').first.click()
    page.wait_for_url("**/outreach/calls")
    rows = page.locator("table tbody tr")
    # Longest-ended first: the two people just added lead the list.
    expect(rows.nth(0)).to_contain_text(f"Ahmed Benali {language}")
    expect(rows.nth(1)).to_contain_text(f"Giulia Rossi {language}")
    expect(rows.nth(0).locator('a[href^="tel:"]')).to_have_attribute("href", "tel:+390255550360")
    check_a11y(page)
    screenshot(page, f"calls-list-{language}")

    # The first does not answer: back on the list on the next working day, not today.
    page.locator(f'a[href="/outreach/calls/{silent}"]').click()
    expect(page.locator('#script div[lang="ar"]')).to_have_count(1)
    check_a11y(page)
    screenshot(page, f"calls-call-{language}")
    _choose(page, "call-outcome", "no_answer")
    response = submit(page, f'form[action="/outreach/calls/{silent}"] button[type=submit]')
    assert response.ok and page.url.endswith("/outreach/calls")
    expect(page.locator(f'a[href="/outreach/calls/{silent}"]')).to_have_count(0)
    assert query_all(app, "SELECT number, outcome FROM outreach_call_attempts WHERE "
                          "flag_id = :id", id=silent) == [(1, "no_answer")]

    # The second answers: straight on to the referral form of their flag.
    page.locator(f'a[href="/outreach/calls/{reached}"]').click()
    expect(page.locator('#script div[lang="it"]')).to_have_count(1)
    _choose(page, "call-outcome", "reached")
    response = submit(page, f'form[action="/outreach/calls/{reached}"] button[type=submit]')
    assert response.ok and page.url.endswith(f"/outreach/flags/{reached}?open=referrals#referrals")
    expect(page.locator(f'form[action="/outreach/flags/{reached}/referrals"]')).to_have_count(1)
    expect(page.locator("h1")).to_contain_text(f"Giulia Rossi {language}")
    check_a11y(page)
    screenshot(page, f"calls-referral-{language}")
    assert query_all(app, "SELECT c.outcome FROM outreach_contacts c JOIN outreach_decisions d "
                          "ON d.id = c.decision_id WHERE d.flag_id = :id", id=reached) == [
        ("reached",)]
    visit(page, "/outreach/calls")
    expect(page.locator(f'a[href="/outreach/calls/{reached}"]')).to_have_count(0)
