"""From login to what each role came for: the start page and its first step, in a browser."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import (
    DEMO_LOGINS,
    check_a11y,
    html_lang,
    log_in,
    screenshot,
    switch_language,
    visit,
)

pytestmark = pytest.mark.browser

# Per role: the language of the walk, then the link on the start page to follow and the
# address it must lead to.
JOURNEYS = {
    "student": ("it", "", "/courses/"),
    "counsellor": ("ar", "main table tbody th a", "/classes/"),
    "provider": ("en", "a[href='/events/visits']", "/events/visits"),
    "ambassador": ("it", "section[aria-labelledby=assigned-title] li a", "/events/"),
    "outreach": ("ar", "a[href^='/outreach/?trigger=']", "/outreach/"),
    "admin": ("en", "a[href^='/risk/versions']", "/risk/versions"),
}


def _no_horizontal_overflow(page: Any) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


@pytest.mark.parametrize("role", list(JOURNEYS))
def test_each_role_lands_on_its_start_page_and_goes_on_from_there(
        new_page: Any, role: str) -> None:
    language, link, leads_to = JOURNEYS[role]
    narrow = role in ("ambassador", "student")
    page = new_page(viewport={"width": 390, "height": 844}) if narrow else new_page()
    log_in(page, DEMO_LOGINS[role], language=language)
    assert page.url.endswith("/start/"), page.url  # the switch stays on the page it was on
    assert html_lang(page)[0] == language
    check_a11y(page)
    if narrow:
        _no_horizontal_overflow(page)
    screenshot(page, f"start-{role}-{language}")
    if role == "student":
        page.fill("#start-q", "meccatronica")
        with page.expect_navigation():
            page.locator("form[role=search] button[type=submit]").click()
        assert "/courses/" in page.url and "q=meccatronica" in page.url
        assert page.locator("main article, main .card").count() > 0
        check_a11y(page)
        return
    target = page.locator(link).first
    assert target.count() == 1, f"no {link} on the {role} start page"
    with page.expect_navigation():
        target.click()
    assert leads_to in page.url
    check_a11y(page)
    if narrow:
        _no_horizontal_overflow(page)


def test_an_ambassador_sees_no_editing_in_the_navigation(new_page: Any) -> None:
    page = new_page()
    log_in(page, DEMO_LOGINS["ambassador"], language="en")
    links = page.locator("nav.navbar a.nav-link").evaluate_all(
        "links => links.map((link) => link.getAttribute('href'))")
    assert "/courses/manage" not in links and "/events/manage" not in links
    response = page.goto("/courses/manage")
    assert response is not None and response.status == 403


def test_the_class_roster_fits_a_320px_phone_with_its_buttons_on_screen(new_page: Any) -> None:
    page = new_page(viewport={"width": 320, "height": 700})
    log_in(page, DEMO_LOGINS["counsellor"], language="ar")
    page.locator("main table tbody th a").first.click()
    page.wait_for_load_state()
    _no_horizontal_overflow(page)
    buttons = page.locator("main table tbody button, main table tbody a.btn")
    assert buttons.count() >= 3  # a Remove per pupil, and Record consent for the one under 14
    for box in buttons.evaluate_all("els => els.map((el) => el.getBoundingClientRect().toJSON())"):
        assert box["left"] >= 0 and box["right"] <= 320, box
    check_a11y(page)
    screenshot(page, "class-roster-ar-320")


def test_an_arabic_course_page_reads_in_arabic_around_the_italian_text(new_page: Any) -> None:
    page = new_page(viewport={"width": 390, "height": 844})
    visit(page, "/courses/")
    switch_language(page, "ar")
    page.locator("main article a, main .card a").first.click()
    page.wait_for_load_state()
    assert html_lang(page) == ("ar", "rtl")
    description = page.locator(".course-description")
    assert description.evaluate("el => getComputedStyle(el).direction") == "ltr"
    occupations = page.locator("main a[href^='/courses/occupations/']").all_inner_texts()
    assert occupations and all(re.search(r"[\u0600-\u06ff]", name) for name in occupations)
    check_a11y(page)
    _no_horizontal_overflow(page)
    screenshot(page, "course-ar-390")
