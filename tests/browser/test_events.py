"""Events in the browser: peer visits, the waiting list, check-in, calendars, the listing.

The live server's database is shared by every browser test. These tests find events by
title (never by id), register only students they create themselves, and give the demo
counsellor and provider their language back when they change it. The small workshop
("Laboratorio di robotica", capacity 3) is filled only by the waiting-list test, which reads
how many places are left rather than assuming three.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import func, select

from orientamento.core import clock
from orientamento.courses.models import Course
from orientamento.extensions import db
from orientamento.orgs.models import Provider
from tests.browser.conftest import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    SCHOOL_YEAR,
    LiveServer,
    check_a11y,
    create_pupil,
    html_lang,
    latest_email,
    log_in,
    query_all,
    restore_demo_account,
    screenshot,
    submit,
    switch_language,
    visit,
)

pytestmark = pytest.mark.browser

DEMO_PROVIDER_NAME = "Fondazione ITS Academy Demo Milano"
AMBASSADOR = "Luca Ambassador"
WORKSHOP = "Laboratorio di robotica (posti limitati)"
OPEN_DAY = "Open day: laboratori di meccatronica"
WEBINAR = "Webinar: come funziona un ITS Academy"
COOKING_DAY = "Open day: cucina e accoglienza turistica"
ICT_WEBINAR = "Webinar: lavorare nell'ICT dopo il diploma"
ADULT = date(2007, 3, 14)
REGISTER_BUTTON = 'main form[action$="/register"] button[type=submit]'
TICKET_PATH = re.compile(r"/events/registrations/(\d+)")
VISIT_PATH = re.compile(r"/events/visits/(\d+)")
UID_DOMAIN = "orientamento.milano"


# --- helpers -----------------------------------------------------------------


def path_of(page: Any) -> str:
    """The path of the page's current URL."""
    return urlsplit(page.url).path


def event_id(app: Flask, title: str) -> int:
    """The id of the (demo) event with this title."""
    rows = query_all(app, "SELECT id FROM events WHERE title = :title ORDER BY id", title=title)
    assert len(rows) == 1, f"expected one event titled {title!r}, found {len(rows)}"
    return int(rows[0][0])


def last_outbox_id(app: Flask) -> int:
    """The newest outbox message id (0 when empty): later messages are this test's."""
    return int(query_all(app, "SELECT COALESCE(MAX(id), 0) FROM outbox_messages")[0][0])


def mails_since(app: Flask, since: int) -> list[Any]:
    """(to_address, subject, body) of the messages queued after ``since``."""
    return query_all(app, "SELECT to_address, subject, body FROM outbox_messages "
                          "WHERE id > :since ORDER BY id", since=since)


def create_student(app: Flask, born: date = ADULT) -> str:
    """Create an adult student with an e-mail address (demo password); return the address."""
    from orientamento.auth.models import Role, User
    from orientamento.auth.passwords import hash_password
    from orientamento.extensions import db

    tag = uuid.uuid4().hex[:8]
    email = f"events.{tag}@example.org"
    with app.app_context():
        try:
            db.session.add(User(email=email, display_name=f"Studente {tag}",
                                role=Role.STUDENT.value, date_of_birth=born,
                                password_hash=hash_password(DEMO_PASSWORD)))
            db.session.commit()
        finally:
            db.session.remove()
    return email


def register_for(page: Any, event: int) -> int:
    """As the logged-in student, press Register on the event page; return the ticket id."""
    assert page.goto(f"/events/{event}").ok
    response = submit(page, REGISTER_BUTTON)
    assert response.ok
    match = TICKET_PATH.fullmatch(path_of(page))
    assert match, f"registering led to {page.url}"
    return int(match[1])


def ticket_code(page: Any) -> str:
    """The code printed under the QR code of the ticket page."""
    code = page.locator("figure.ticket-qr figcaption .font-monospace").inner_text().strip()
    assert code
    return code


def accept_next_dialog(page: Any) -> list[str]:
    """Accept the next confirm() dialog (forms marked data-confirm); return its message."""
    seen: list[str] = []

    def accept(dialog: Any) -> None:
        seen.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    return seen


@pytest.fixture
def demo_staff(live_server: LiveServer) -> Iterator[None]:
    """Give the demo counsellor and provider their documented state back afterwards."""
    yield
    for role in ("counsellor", "provider"):
        restore_demo_account(live_server.app, DEMO_LOGINS[role])


# --- 1. peer visits ----------------------------------------------------------


def _demo_class_id(app: Flask) -> int:
    rows = query_all(app, "SELECT c.id FROM school_classes c JOIN users u "
                          "ON u.school_id = c.school_id WHERE u.email = :email "
                          "AND c.name = '3A' AND c.school_year = :year",
                     email=DEMO_LOGINS["counsellor"], year=SCHOOL_YEAR)
    assert rows, "the demo school has no class 3A"
    return int(rows[0][0])


def _window_area(app: Flask) -> str:
    """The area of study of a course the demo provider's windows present."""
    rows = query_all(app, "SELECT DISTINCT c.area FROM visit_window_courses wc "
                          "JOIN courses c ON c.id = wc.course_id "
                          "JOIN visit_windows w ON w.id = wc.window_id "
                          "JOIN providers p ON p.id = w.provider_id WHERE p.name = :name",
                     name=DEMO_PROVIDER_NAME)
    assert rows, "the demo windows present no course"
    return str(rows[0][0])


def _later_window_day(app: Flask, area: str) -> date:
    """A day to filter from, taken from the seeded data: the Milan day of the demo provider's
    last free in-person window for ``area`` (so at least that window matches)."""
    from orientamento.visits.models import VisitWindow

    with app.app_context():
        try:
            starts = db.session.scalar(
                select(func.max(VisitWindow.starts_at))
                .join(Provider, Provider.id == VisitWindow.provider_id)
                .where(Provider.name == DEMO_PROVIDER_NAME,
                       VisitWindow.mode.in_(("in_person", "both")),
                       VisitWindow.booked < VisitWindow.max_visits,
                       VisitWindow.courses.any(Course.area == area)))
        finally:
            db.session.remove()
    assert starts is not None, "the demo provider has a free in-person window"
    return clock.milan_date(starts)


def _browse_and_filter(page: Any, area: str, from_day: date) -> None:
    """Open Peer visits from the navigation and filter: area, in person, from a day."""
    with page.expect_navigation() as navigation:
        page.locator('header a[href="/events/visits/browse"]').first.click()
    assert navigation.value.ok and path_of(page) == "/events/visits/browse"
    before = page.locator("main li a[href$='/request']").count()
    assert before > 0, "the demo provider publishes windows"
    page.select_option("#area", area)
    page.select_option("#mode", "in_person")
    page.fill("#from_day", from_day.isoformat())
    response = submit(page, "main form[method=get] button[type=submit]")
    assert response.ok
    params = parse_qs(urlsplit(page.url).query)
    assert params["area"] == [area] and params["mode"] == ["in_person"], params
    assert params["from_day"] == [from_day.isoformat()], params
    items = page.locator("main ul.list-unstyled > li")
    assert items.count() > 0, "a window matches"
    for n in range(items.count()):
        expect(items.nth(n).locator("h2")).to_have_text(DEMO_PROVIDER_NAME)
        starts = items.nth(n).locator("time").first.get_attribute("datetime") or ""
        assert starts[:10] >= from_day.isoformat(), starts


def _request_visit(page: Any, class_id: int, message: str, window: int = 0) -> tuple[str, int]:
    """Press "Request this visit" on a listed window and send the form; return (form, visit)."""
    link = page.locator("main a[href$='/request']").nth(window)
    with page.expect_navigation() as navigation:
        link.click()
    assert navigation.value.ok
    form_path = path_of(page)
    assert re.fullmatch(r"/events/visits/windows/\d+/request", form_path), page.url
    check_a11y(page)
    page.select_option("#mode", "in_person")
    page.fill("#start", "10:00")
    page.fill("#end", "11:30")
    page.fill(f"#pupils_{class_id}", "21")
    page.fill("#message", message)
    response = submit(page, "main form[method=post] button[type=submit]")
    assert response.ok, f"the request answered {response.status}"
    match = VISIT_PATH.fullmatch(path_of(page))
    assert match, f"the request led to {page.url}"
    return form_path, int(match[1])


def test_peer_visit_requested_by_the_school_and_confirmed_by_the_provider(
    new_page: Any, live_server: LiveServer, demo_staff: None
) -> None:
    app = live_server.app
    since = last_outbox_id(app)
    class_id = _demo_class_id(app)
    message = f"Classe terza, aula 12 ({uuid.uuid4().hex[:6]})"

    school = new_page()
    log_in(school, DEMO_LOGINS["counsellor"], language="en")
    area = _window_area(app)
    _browse_and_filter(school, area, _later_window_day(app, area))
    check_a11y(school)
    browse_url = school.url
    form_path, visit_id = _request_visit(school, class_id, message)
    expect(school.locator(".alert-success")).to_contain_text("Request sent")
    expect(school.locator("main p.lead")).to_have_text("Waiting for the provider")
    expect(school.locator("main dl")).to_contain_text(message)
    expect(school.locator("main dl")).to_contain_text("3A (21 pupils)")
    check_a11y(school)

    provider = new_page()
    log_in(provider, DEMO_LOGINS["provider"], language="en")
    with provider.expect_navigation():
        provider.locator('header a[href="/events/visits"]').first.click()
    row = provider.locator("main table tbody tr", has=provider.locator(
        f'a[href="/events/visits/{visit_id}"]'))
    expect(row).to_have_count(1)
    expect(row.locator("td").last).to_have_text("Waiting for the provider")
    with provider.expect_navigation():
        row.locator("a").click()
    assert path_of(provider) == f"/events/visits/{visit_id}"
    expect(provider.locator("main dl")).to_contain_text(message)
    confirm = provider.locator("section[aria-labelledby=confirm-heading]")
    confirm.locator("label", has_text=AMBASSADOR).click()
    provider.fill("#confirm-reply", "Arriviamo con un robot.")
    check_a11y(provider)
    response = submit(provider, "section[aria-labelledby=confirm-heading] button[type=submit]")
    assert response.ok and path_of(provider) == f"/events/visits/{visit_id}"
    expect(provider.locator(".alert-success")).to_contain_text("Visit confirmed")
    expect(provider.locator("main p.lead")).to_have_text("Confirmed")
    expect(provider.locator("main dl")).to_contain_text(AMBASSADOR)
    event_link = provider.locator("main a", has_text="Open the event")
    href = event_link.get_attribute("href") or ""
    assert re.fullmatch(r"/events/\d+", href), href
    assert provider.locator("section[aria-labelledby=confirm-heading]").count() == 0

    school.reload()
    expect(school.locator("main p.lead")).to_have_text("Confirmed")
    with school.expect_navigation() as navigation:
        school.locator("main a", has_text="Open the event").click()
    assert navigation.value.ok and path_of(school) == href
    expect(school.locator("main h1")).to_contain_text(DEMO_PROVIDER_NAME)
    expect(school.locator("main")).to_contain_text("3A: 21 pupils")
    expect(school.locator("main")).to_contain_text(AMBASSADOR)
    check_a11y(school)

    mails = mails_since(app, since)
    visit_link = f"{app.config['PUBLIC_URL']}/events/visits/{visit_id}"
    to_provider = [m for m in mails if m[0] == DEMO_LOGINS["provider"] and visit_link in m[2]]
    to_school = [m for m in mails if m[0] == DEMO_LOGINS["counsellor"] and visit_link in m[2]]
    assert len(to_provider) == 2, "the request, then the confirmation"
    assert to_school, "the counsellor is told of the confirmation"
    assert any(m[0] == "ambassador@demo.example.org" for m in mails)
    assert visit_link in latest_email(app, DEMO_LOGINS["counsellor"])

    for language in ("it", "ar"):
        switch_language(school, language)
        visit(school, browse_url)
        visit(school, form_path)
        visit(school, f"/events/visits/{visit_id}")
        screenshot(school, f"events-visit-{language}")
    visit(provider, f"/events/visits/{visit_id}")


def test_the_request_email_carries_the_schools_message(
    page: Any, live_server: LiveServer, demo_staff: None
) -> None:
    app = live_server.app
    since = last_outbox_id(app)
    message = f"Portate il robot, aula magna ({uuid.uuid4().hex[:6]})"
    log_in(page, DEMO_LOGINS["counsellor"], language="en")
    area = _window_area(app)
    _browse_and_filter(page, area, _later_window_day(app, area))
    _request_visit(page, _demo_class_id(app), message, window=-1)
    mails = [m for m in mails_since(app, since) if m[0] == DEMO_LOGINS["provider"]]
    assert len(mails) == 1
    assert message in mails[0][2]


# --- 2. waiting list ---------------------------------------------------------


def test_waiting_list_moves_up_when_a_place_is_cancelled(
    new_page: Any, live_server: LiveServer
) -> None:
    app = live_server.app
    workshop = event_id(app, WORKSHOP)
    capacity, taken, waiting = query_all(
        app, "SELECT capacity, seats_taken, waiting FROM events WHERE id = :id", id=workshop)[0]
    assert capacity == 3
    assert waiting == 0 and taken < capacity, "other tests leave the workshop alone"

    confirmed: list[tuple[Any, int]] = []
    for _ in range(capacity - taken):
        page = new_page()
        log_in(page, create_student(app), language="en")
        ticket = register_for(page, workshop)
        expect(page.locator(".alert-success")).to_contain_text("You are registered")
        expect(page.locator("main .badge.bg-success")).to_have_text("Confirmed")
        confirmed.append((page, ticket))

    late_email = create_student(app)
    late = new_page()
    log_in(late, late_email, language="en")
    assert late.goto(f"/events/{workshop}").ok
    expect(late.locator(REGISTER_BUTTON)).to_have_text("Join the waiting list")
    expect(late.locator("main dl")).to_contain_text("Full")
    late_ticket = register_for(late, workshop)
    expect(late.locator(".alert-warning", has_text="waiting list").first).to_contain_text(
        "number 1 on the waiting list")
    expect(late.locator("main .card .alert-warning")).to_contain_text(
        "You are number 1 on the waiting list")
    expect(late.locator("main .badge")).to_have_text("On the waiting list")
    assert late.locator("figure.ticket-qr").count() == 0, "no QR code without a seat"

    since = last_outbox_id(app)
    leaver, leaver_ticket = confirmed[0]
    assert leaver.goto(f"/events/registrations/{leaver_ticket}").ok
    dialog = accept_next_dialog(leaver)
    response = submit(leaver, 'main form[action$="/cancel"] button[type=submit]')
    assert dialog and "Cancel your registration" in dialog[0]
    assert response.ok and path_of(leaver) == f"/events/{workshop}"
    expect(leaver.locator(".alert-success")).to_contain_text("Your registration is cancelled")

    late.reload()
    assert path_of(late) == f"/events/registrations/{late_ticket}"
    expect(late.locator("main .badge")).to_have_text("Confirmed")
    qr = late.locator("figure.ticket-qr svg")
    expect(qr).to_have_count(1)
    expect(qr).to_be_visible()
    code = ticket_code(late)
    token = query_all(app, "SELECT token FROM registrations WHERE id = :id", id=late_ticket)
    assert token[0][0] == code
    assert late.locator("main .card .alert-warning").count() == 0

    promoted = [m for m in mails_since(app, since) if m[0] == late_email]
    assert len(promoted) == 1, promoted
    subject, body = promoted[0][1], promoted[0][2]
    assert WORKSHOP in subject
    assert f"{app.config['PUBLIC_URL']}/events/registrations/{late_ticket}" in body
    assert latest_email(app, late_email) == body

    for language in ("it", "ar"):
        switch_language(late, language)
        check_a11y(late)
        screenshot(late, f"events-ticket-{language}")


def test_ticket_code_reads_left_to_right_in_arabic(page: Any, live_server: LiveServer) -> None:
    app = live_server.app
    log_in(page, create_pupil(app, ADULT), language="ar")
    register_for(page, event_id(app, OPEN_DAY))
    code = page.locator("figure.ticket-qr figcaption .font-monospace")
    expect(code).to_have_count(1)
    assert code.evaluate("(el) => getComputedStyle(el).direction") == "ltr"


# --- 3. check-in ---------------------------------------------------------------


def test_provider_checks_a_ticket_in_once(
    new_page: Any, live_server: LiveServer, demo_staff: None
) -> None:
    app = live_server.app
    open_day = event_id(app, OPEN_DAY)
    student = new_page()
    pupil = create_pupil(app, ADULT)
    log_in(student, pupil, language="en")
    ticket = register_for(student, open_day)
    code = ticket_code(student)
    name = query_all(app, "SELECT display_name FROM users WHERE username = :u", u=pupil)[0][0]

    page = new_page()
    log_in(page, DEMO_LOGINS["provider"], language="en")
    assert page.goto(f"/events/{open_day}").ok
    with page.expect_navigation():
        page.locator("section[aria-labelledby=manage-heading] a[href$='/check-in']").click()
    assert path_of(page) == f"/events/{open_day}/check-in"
    check_a11y(page)

    page.fill("#token", code)
    response = submit(page, "main form button[type=submit]")
    assert response.status == 200
    expect(page.locator("#check-in-result.alert-success")).to_have_text(
        re.compile(rf"{re.escape(name)} is checked in"))
    assert page.locator("#token").input_value() == "", "ready for the next ticket"
    status = query_all(app, "SELECT status FROM registrations WHERE id = :id", id=ticket)
    assert status[0][0] == "attended"
    check_a11y(page)

    page.fill("#token", f"  {code} ")
    response = submit(page, "main form button[type=submit]")
    assert response.status == 200
    expect(page.locator("#check-in-result.alert-info")).to_contain_text(
        f"{name} was already checked in")
    expect(page.locator("#check-in-result")).to_contain_text("Nothing changed")

    page.fill("#token", "not-a-ticket-" + uuid.uuid4().hex)
    response = submit(page, "main form button[type=submit]")
    assert response.status == 404
    assert page.locator("#check-in-result").count() == 0
    expect(page.locator("#token-error")).to_have_text("No ticket for this event has this code.")
    assert page.locator("#token").get_attribute("aria-invalid") == "true"
    expect(page.locator("main h1")).to_have_text("Check-in")
    check_a11y(page)
    screenshot(page, "events-check-in-error-en")

    student.reload()
    expect(student.locator("main .badge")).to_have_text("Attended")
    expect(student.locator("main .card")).to_contain_text("Checked in on")


def test_check_in_count_is_pluralised(
    new_page: Any, live_server: LiveServer, demo_staff: None
) -> None:
    app = live_server.app
    webinar = event_id(app, WEBINAR)
    student = new_page()
    log_in(student, create_pupil(app, ADULT))
    register_for(student, webinar)
    code = ticket_code(student)
    page = new_page()
    log_in(page, DEMO_LOGINS["provider"], language="en")
    assert page.goto(f"/events/{webinar}/check-in").ok
    page.fill("#token", code)
    assert submit(page, "main form button[type=submit]").ok
    attended = query_all(app, "SELECT COUNT(*) FROM registrations WHERE event_id = :id "
                              "AND status = 'attended'", id=webinar)[0][0]
    assert attended == 1, "nobody else checks in at this webinar"
    expect(page.locator("main p[role=status]")).to_contain_text("1 person checked in")


# --- 4. calendar feed ----------------------------------------------------------


def _feed(page: Any, url: str) -> icalendar.Calendar:
    response = page.request.get(url)
    assert response.status == 200, f"{url}: {response.status}"
    assert response.headers["content-type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.body())


def test_student_subscribes_to_a_calendar_feed_and_replaces_its_address(
    page: Any, live_server: LiveServer
) -> None:
    app = live_server.app
    webinar = event_id(app, WEBINAR)
    uid = query_all(app, "SELECT uid FROM events WHERE id = :id", id=webinar)[0][0]
    log_in(page, create_pupil(app, ADULT), language="en")
    register_for(page, webinar)

    visit(page, "/events/mine")
    expect(page.locator("main table tbody tr", has_text=WEBINAR)).to_have_count(1)
    assert page.locator("#feed-url").count() == 0
    response = submit(page, "#calendar form button[type=submit]")
    assert response.ok and path_of(page) == "/events/mine"
    expect(page.locator(".alert-success")).to_contain_text("Your calendar address is ready")
    old_url = page.locator("#feed-url").input_value()
    assert re.fullmatch(re.escape(live_server.url) + r"/events/feeds/[^/]+\.ics", old_url)
    check_a11y(page)

    calendar = _feed(page, old_url)
    uids = [str(component["UID"]) for component in calendar.walk("VEVENT")]
    assert f"{uid}@{UID_DOMAIN}" in uids, uids
    zones = [str(component["TZID"]) for component in calendar.walk("VTIMEZONE")]
    assert zones == ["Europe/Rome"], zones
    mine = next(c for c in calendar.walk("VEVENT") if str(c["UID"]) == f"{uid}@{UID_DOMAIN}")
    assert str(mine["STATUS"]) == "CONFIRMED"
    assert mine.decoded("DTSTART").tzinfo is not None

    dialog = accept_next_dialog(page)
    response = submit(page, '#calendar form[action$="/mine/feed"] button[type=submit]')
    assert dialog and "Make a new address" in dialog[0]
    assert response.ok
    new_url = page.locator("#feed-url").input_value()
    assert new_url != old_url
    assert page.request.get(old_url).status == 404
    uids = [str(component["UID"]) for component in _feed(page, new_url).walk("VEVENT")]
    assert f"{uid}@{UID_DOMAIN}" in uids


# --- 5. without JavaScript -------------------------------------------------------


def test_student_registers_without_javascript(new_page: Any, live_server: LiveServer) -> None:
    app = live_server.app
    event = event_id(app, COOKING_DAY)
    page = new_page(java_script_enabled=False)
    log_in(page, create_pupil(app, ADULT), language="en")
    assert "no-js" in (page.locator("html").get_attribute("class") or "")
    ticket = register_for(page, event)
    expect(page.locator(".alert-success")).to_contain_text("You are registered")
    expect(page.locator("main .badge")).to_have_text("Confirmed")
    expect(page.locator("figure.ticket-qr svg")).to_have_count(1)
    rows = query_all(app, "SELECT status, event_id FROM registrations WHERE id = :id", id=ticket)
    assert rows == [("confirmed", event)]
    # Registering again (a second click) shows the same ticket, not a second seat.
    assert page.goto(f"/events/{event}").ok
    assert page.locator(REGISTER_BUTTON).count() == 0
    expect(page.locator(f'main a[href="/events/registrations/{ticket}"]')).to_have_count(1)


# --- 6. keyboard -------------------------------------------------------------------


@pytest.mark.parametrize("javascript", [True, False])
def test_keyboard_reaches_register_and_enter_registers(
    new_page: Any, live_server: LiveServer, javascript: bool
) -> None:
    app = live_server.app
    event = event_id(app, ICT_WEBINAR)
    page = new_page(java_script_enabled=javascript)
    log_in(page, create_pupil(app, ADULT), language="en")
    assert page.goto(f"/events/{event}").ok
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("""() => {
              const el = document.activeElement;
              return !!el && el.matches('form[action$="/register"] button[type=submit]');
            }"""):
            break
    else:
        pytest.fail("Tab never reached the Register button")
    expect(page.locator(REGISTER_BUTTON)).to_be_focused()
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")
    assert navigation.value.ok
    assert TICKET_PATH.fullmatch(path_of(page)), page.url
    expect(page.locator("main .badge")).to_have_text("Confirmed")


# --- 7. public listing -------------------------------------------------------------


@pytest.mark.parametrize("language", ["it", "ar"])
def test_public_listing_filters_by_kind(page: Any, live_server: LiveServer,
                                        language: str) -> None:
    assert page.goto("/events/").ok
    if html_lang(page)[0] != language:
        switch_language(page, language)
    visit(page, "/events/")
    cards = page.locator("main ul.list-unstyled > li")
    assert cards.count() >= 6, "the demo events are listed"
    expect(page.locator("main")).to_contain_text(WORKSHOP)
    screenshot(page, f"events-list-{language}")

    label = page.locator('#kind option[value="webinar"]').inner_text().strip()
    page.select_option("#kind", "webinar")
    response = submit(page, "main form[method=get] button[type=submit]")
    assert response.ok and path_of(page) == "/events/"
    assert parse_qs(urlsplit(page.url).query)["kind"] == ["webinar"]
    assert page.locator("#kind").input_value() == "webinar"
    kinds = [text.strip() for text in cards.locator(".badge.bg-primary").all_inner_texts()]
    assert kinds and set(kinds) == {label}, kinds
    titles = cards.locator("h2 a").all_inner_texts()
    assert WEBINAR in titles and ICT_WEBINAR in titles and WORKSHOP not in titles, titles
    assert html_lang(page) == (language, "rtl" if language == "ar" else "ltr")
    check_a11y(page)
    screenshot(page, f"events-list-webinar-{language}")
