"""From login to what each role came for: the start page and its first step, in a browser."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DEMO_LOGINS, check_a11y, html_lang, log_in, screenshot

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
