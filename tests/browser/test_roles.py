"""Every page reachable from each role's navigation, in every language, passes axe."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import (
    DEMO_LOGINS,
    LANGUAGES,
    html_lang,
    log_in,
    switch_language,
    visit,
)

pytestmark = pytest.mark.browser

MAIN_NAV_LINKS = "nav.navbar ul.navbar-nav:not(.navbar-secondary) a.nav-link"
HREFS = "links => links.map((link) => link.getAttribute('href'))"
# What each role must find in its main navigation (more is fine).
EXPECTED_NAV = {
    "admin": {"/start/", "/admin/users", "/admin/organisations/schools",
              "/admin/organisations/providers", "/admin/audit", "/risk/versions"},
    "counsellor": {"/start/", "/classes/"},
    "provider": {"/start/", "/courses/manage"},
    "ambassador": {"/start/", "/events/"},
    "outreach": {"/start/", "/outreach/"},
    "student": {"/start/", "/classes/mine"},
    "service_operator": {"/start/", "/outreach/referrals/"},
}
FOLLOW = "follow the first link in the main table"
# Pages below the navigation, visited after it; FOLLOW opens the first row's link.
DEEPER_PAGES: dict[str, tuple[str, ...]] = {
    "admin": (
        "/admin/users?q=demo&role=student", FOLLOW, "/admin/users?q=no-such-person-anywhere",
        "/admin/audit?action=login", "/admin/users/invite",
        "/admin/organisations/schools", FOLLOW, "/admin/organisations/schools/new",
        "/admin/organisations/providers", FOLLOW, "/admin/organisations/providers/new",
        "/risk/versions", FOLLOW, "/risk/subject-report", "/risk/records",
        # Reached from the admin's start page ("More tools") rather than the menu.
        "/courses/import", "/events/manage", "/events/holidays", "/assessments/psychometrics",
        "/support/admin", FOLLOW,
    ),
    "outreach": ("/outreach/", FOLLOW, "/outreach/deferred", "/outreach/mine"),
    "counsellor": ("/classes/", FOLLOW, "/classes/new"),
}


def first_row_link(page: Any) -> str:
    """The href of the first link in the first column of the page's table."""
    href = page.locator("main table tbody th a").first.get_attribute("href")
    assert href, f"no row link on {page.url}"
    return str(href)


@pytest.mark.parametrize("role", list(DEMO_LOGINS))
def test_every_page_of_the_role_renders_and_passes_axe(page: Any, role: str) -> None:
    log_in(page, DEMO_LOGINS[role])
    for language in LANGUAGES:
        switch_language(page, language)
        links = page.locator(MAIN_NAV_LINKS).evaluate_all(HREFS)
        assert EXPECTED_NAV[role] <= set(links), links
        for href in [*links, "/account/"]:
            visit(page, href)
            assert html_lang(page)[0] == language, f"{href} in {language}"
            if href in links:
                current = page.locator(f'{MAIN_NAV_LINKS}[href="{href}"]')
                assert current.get_attribute("aria-current") == "page", href
        if language == "en":
            continue  # the deeper pages in it and ar only, to keep the suite fast
        for step in DEEPER_PAGES.get(role, ()):
            visit(page, first_row_link(page) if step == FOLLOW else step)
            assert html_lang(page)[0] == language, f"{page.url} in {language}"
