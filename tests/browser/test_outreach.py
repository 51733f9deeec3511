"""The outreach queue in the browser, as the demo outreach worker (municipi 2, 3 and 9).

The demo seed has no risk data: each test adds the people, scores and flags it needs to the
live server's database (through the server's own app) and finds them by id. People are put
in municipio 2, except one in municipio 5 that the worker must never see.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
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
PHONE = "+39 02 5555 0199"


@dataclass(frozen=True)
class Flags:
    """Ids of the flags a test created."""

    walk: int
    spare: int
    foreign: int
    person: str


def _add_flags(app: Flask) -> Flags:
    """A high-priority model flag raised 200 days ago, a spare one, and a foreign one."""
    from orientamento.extensions import db
    from orientamento.risk.models import ContactDetails
    from tests.risk.factories import make_flag, make_person, make_score, make_version

    with app.app_context():
        try:
            version = make_version("retired")  # never clash with an active demo version
            ids = []
            for municipio, probability, days in ((2, 0.97, 200), (2, 0.96, 1), (5, 0.99, 1)):
                person = make_person(municipio)
                person.contact = ContactDetails(phone=PHONE, email="outreach.walk@example.org",
                                                address="Via Padova 12, Milano")
                score = make_score(person, version, probability)
                flag = make_flag(person, score, raised_at=clock.now() - timedelta(days=days))
                ids.append((flag.id, person.pseudonym[-8:]))
            db.session.commit()
            return Flags(walk=ids[0][0], spare=ids[1][0], foreign=ids[2][0], person=ids[0][1])
        finally:
            db.session.remove()


@pytest.fixture
def flags(live_server: LiveServer) -> Iterator[Flags]:
    """Fresh flags; the demo worker's language is given back afterwards."""
    yield _add_flags(live_server.app)
    restore_demo_account(live_server.app, WORKER)


def choose(page: Any, form: str, name: str, value: str) -> None:
    """Pick a radio button by clicking its label, as a person does (the label covers it)."""
    radio = page.locator(f'{form} input[name="{name}"][value="{value}"]')
    page.locator(f'{form} label[for="{radio.get_attribute("id")}"]').click()
    expect(radio).to_be_checked()


def _flag_status(app: Flask, flag_id: int) -> str:
    return str(query_all(app, "SELECT status FROM outreach_flags WHERE id = :id", id=flag_id)[0][0])


def test_worker_walks_queue_flag_decision_contact_and_outcome(
    page: Any, live_server: LiveServer, flags: Flags
) -> None:
    app = live_server.app
    log_in(page, WORKER, language="en")
    with page.expect_navigation():
        page.locator('header a[href="/outreach/"]').first.click()
    check_a11y(page)
    row = page.locator("main table tbody tr", has=page.locator(
        f'a[href="/outreach/flags/{flags.walk}"]'))
    expect(row).to_contain_text("High")
    expect(row).to_contain_text("Municipio 2")
    expect(page.locator(f'main a[href="/outreach/flags/{flags.foreign}"]')).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(PHONE)

    with page.expect_navigation():
        row.locator("a").click()
    expect(page.locator("main h1")).to_contain_text(flags.person)
    expect(page.locator("#contact-details")).to_contain_text(PHONE)
    expect(page.locator("#score")).to_contain_text("97%")
    expect(page.locator("#score")).to_contain_text(
        "Present the courses on offer and the orientation days")
    check_a11y(page)
    viewed = query_all(app, "SELECT details FROM audit_log WHERE action = 'risk_flag_viewed'")
    assert any(f'"flag_id": {flags.walk}' in str(row[0]) for row in viewed)

    # A disagreement without words is refused: the error state passes axe too.
    expect(page.locator(f'main form[action="/outreach/flags/{flags.walk}/decide"]')
           ).to_have_count(0)
    decide = open_form(page, flags.walk, "decide")
    check_a11y(page)
    choose(page, decide, "decision-kind", "contact")
    page.select_option("#decision-reason_code", "priority_confirmed")
    choose(page, decide, "decision-agrees", "no")
    response = submit(page, f"{decide} button[type=submit]")
    assert response.status == 400
    expect(page.locator("#decision-text-error")).to_contain_text("Explain your decision")
    check_a11y(page)
    choose(page, decide, "decision-agrees", "yes")
    response = submit(page, f"{decide} button[type=submit]")
    assert response.ok
    expect(page.locator(".alert-success")).to_contain_text("Decision recorded.")
    expect(page.locator("#decisions table")).to_contain_text("Contact")
    assert _flag_status(app, flags.walk) == "open"

    contact = open_form(page, flags.walk, "contacts")
    page.select_option("#contact-channel", "phone")
    page.select_option("#contact-outcome", "reached")
    choose(page, contact, "contact-consent", "given")
    page.fill("#contact-note", "Interested in the IeFP open day.")
    check_a11y(page)
    assert submit(page, f"{contact} button[type=submit]").ok
    expect(page.locator(".alert-success")).to_contain_text("Contact recorded.")
    expect(page.locator("#contacts table")).to_contain_text("Interested in the IeFP open day.")

    outcome = open_form(page, flags.walk, "outcomes")
    page.select_option("#outcome-months", "3")
    page.select_option("#outcome-situation", "training")
    assert submit(page, f"{outcome} button[type=submit]").ok
    expect(page.locator(".alert-success")).to_contain_text("Follow-up outcome recorded.")
    expect(page.locator("#outcomes table")).to_contain_text("In training")
    assert query_all(app, "SELECT c.outcome, c.consent, d.kind FROM outreach_contacts c "
                          "JOIN outreach_decisions d ON d.id = c.decision_id "
                          "WHERE d.flag_id = :id", id=flags.walk) == [
        ("reached", "given", "contact")]
    assert query_all(app, "SELECT months, situation FROM outreach_outcomes WHERE flag_id = :id",
                     id=flags.walk) == [(3, "training")]

    for language in ("it", "ar"):
        switch_language(page, language)
        visit(page, f"/outreach/flags/{flags.walk}")
        screenshot(page, f"outreach-flag-{language}")
        visit(page, "/outreach/")
        screenshot(page, f"outreach-queue-{language}")
        visit(page, "/outreach/deferred")
    assert page.goto(f"/outreach/flags/{flags.foreign}").status == 404


def test_worker_defers_without_javascript_and_finds_it_deferred(
    new_page: Any, live_server: LiveServer, flags: Flags
) -> None:
    page = new_page(java_script_enabled=False)
    log_in(page, WORKER, language="en")
    assert page.goto(f"/outreach/flags/{flags.spare}").ok
    # The button is a link to the form's own page.
    with page.expect_navigation():
        page.locator(f'main a.btn[href="/outreach/flags/{flags.spare}/decide"]').click()
    expect(page.locator("h1")).to_contain_text("Record a decision")
    decide = f'form[action="/outreach/flags/{flags.spare}/decide"]'
    choose(page, decide, "decision-kind", "defer")
    page.select_option("#decision-reason_code", "more_information")
    choose(page, decide, "decision-agrees", "yes")
    assert submit(page, f"{decide} button[type=submit]").ok
    expect(page.locator(".alert-success")).to_contain_text("Decision recorded.")
    assert _flag_status(live_server.app, flags.spare) == "deferred"
    assert page.goto("/outreach/").ok
    expect(page.locator(f'main a[href="/outreach/flags/{flags.spare}"]')).to_have_count(0)
    assert page.goto("/outreach/deferred").ok
    expect(page.locator(f'main a[href="/outreach/flags/{flags.spare}"]')).to_have_count(1)


def test_keyboard_alone_records_a_decision(
    page: Any, live_server: LiveServer, flags: Flags
) -> None:
    log_in(page, WORKER, language="en")
    assert page.goto(f"/outreach/flags/{flags.spare}").ok
    page.locator(f'main a.btn[href="/outreach/flags/{flags.spare}/decide"]').focus()
    page.keyboard.press("Enter")  # the form opens where the button was, its heading focused
    expect(page.locator("#decision-heading")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator('input[name="decision-kind"]').first).to_be_focused()
    page.keyboard.press("ArrowRight")  # radio groups move with the arrow keys
    expect(page.locator('input[name="decision-kind"][value="no_contact"]')).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.locator("#decision-reason_code")).to_be_focused()
    page.locator("#decision-reason_code").select_option("already_supported")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.locator('input[name="decision-agrees"][value="yes"]')).to_be_checked()
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('form[action$=\"/decide\"] "
                         "button[type=submit]')"):
            break
    else:
        pytest.fail("Tab never reached the decision's submit button")
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")
    assert navigation.value.ok
    expect(page.locator(".alert-success")).to_contain_text("Decision recorded.")
    assert _flag_status(live_server.app, flags.spare) == "closed"
