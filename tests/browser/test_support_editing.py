"""A service operator keeps their organisation's entries in the catalogue up to date, in Italian
and Arabic, on a phone: from the start page to the organisation, a new location, a new service
offered there with opening hours, then each of them changed; another organisation's editing
pages are not found. Texts are checked by structure, addresses and the database (translations
are merged separately); every page and error state passes axe.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.browser.conftest import (
    SERVICE_OPERATOR_LOGIN,
    LiveServer,
    check_a11y,
    log_in,
    query_all,
    restore_demo_account,
    screenshot,
    submit,
    visit,
)

pytestmark = pytest.mark.browser

OPERATOR = SERVICE_OPERATOR_LOGIN
PHONE_SIZE = {"width": 390, "height": 844}
SAVE = "main form button[type=submit]"


def _organisations(app: Flask) -> tuple[int, int]:
    """The demo operator's organisation and another one of the catalogue."""
    [(own,)] = query_all(app, "SELECT support_organisation_id FROM users WHERE email = :email",
                         email=OPERATOR)
    other = query_all(app, "SELECT id FROM support_organisations WHERE id <> :own "
                           "ORDER BY id LIMIT 1", own=own)[0][0]
    return int(own), int(other)


def _remove(app: Flask, tag: str) -> None:
    """Delete what the test added (the live server's database is shared by the session)."""
    from sqlalchemy import select

    from orientamento.extensions import db
    from orientamento.support import services
    from orientamento.support.models import SupportLocation, SupportService

    with app.app_context():
        try:
            for service in db.session.scalars(select(SupportService).where(
                    SupportService.name.contains(tag))):
                services.delete_service(service)
            for location in db.session.scalars(select(SupportLocation).where(
                    SupportLocation.address.contains(tag))):
                services.delete_location(location)
            db.session.commit()
        finally:
            db.session.remove()


@pytest.mark.parametrize("language", ["it", "ar"])
def test_operator_edits_their_organisations_services_locations_and_hours(
        new_page: Any, live_server: LiveServer, language: str) -> None:
    app = live_server.app
    own, other = _organisations(app)
    tag = uuid.uuid4().hex[:8]  # unique in the shared database
    page = new_page(viewport=PHONE_SIZE)
    try:
        log_in(page, OPERATOR, language=language)
        visit(page, "/start/")
        edit_link = page.locator(f'main a[href="/support/admin/organisations/{own}"]')
        with page.expect_navigation():
            edit_link.click()
        check_a11y(page)
        # Phone numbers and web addresses read left to right in Arabic pages too.
        for field in ("organisation_phone", "organisation_email", "organisation_website"):
            expect(page.locator(f"#{field}")).to_have_attribute("dir", "ltr")
        screenshot(page, f"support-edit-organisation-{language}")

        # A new location: a missing street address is an error, shown and accessible.
        with page.expect_navigation():
            page.locator(f'main a[href="/support/admin/organisations/{own}/locations/new"]'
                         ).click()
        page.fill("#postal_code", "20131")
        response = submit(page, SAVE)
        assert response.status == 400
        expect(page.locator("#address-error")).to_be_visible()
        check_a11y(page)
        screenshot(page, f"support-location-error-{language}")
        page.fill("#address", f"Via Pacini {tag}")
        page.select_option("#municipio", "3")
        response = submit(page, SAVE)
        assert response.ok and page.url.endswith(f"/support/admin/organisations/{own}")
        expect(page.locator(".alert-success")).to_be_visible()
        check_a11y(page)
        [(location, municipio)] = query_all(
            app, "SELECT id, municipio FROM support_locations WHERE address = :address "
                 "AND organisation_id = :own", address=f"Via Pacini {tag}", own=own)
        assert municipio == 3

        # A new service, then offered at that location with opening hours.
        with page.expect_navigation():
            page.locator(f'main a[href="/support/admin/organisations/{own}/services/new"]'
                         ).click()
        page.fill("#service_name", f"Sportello {tag}")
        page.locator('label[for="help-0"]').click()
        response = submit(page, SAVE)
        assert response.ok
        [(service,)] = query_all(app, "SELECT id FROM support_services WHERE name = :name "
                                      "AND organisation_id = :own", name=f"Sportello {tag}",
                                 own=own)
        assert page.url.endswith(f"/support/admin/services/{service}")
        check_a11y(page)
        with page.expect_navigation():
            page.locator(f'main a[href="/support/admin/services/{service}/sites/new"]').click()
        _choose_location(page, tag)
        page.fill("#hours", "MO 25:00-12:30")  # no such hour: an error
        response = submit(page, SAVE)
        assert response.status == 400
        expect(page.locator("#hours-error")).to_be_visible()
        check_a11y(page)
        screenshot(page, f"support-hours-error-{language}")
        page.fill("#hours", "MO 09:00-12:30; WE 14:00-17:00")
        response = submit(page, SAVE)
        assert response.ok and page.url.endswith(f"/support/admin/services/{service}")
        check_a11y(page)
        screenshot(page, f"support-edit-service-{language}")
        assert _hours(app, service) == [(0, "09:00", "12:30"), (2, "14:00", "17:00")]

        # Each changed: the hours, the service's name, the location's address.
        site = page.locator('main a[href^="/support/admin/sites/"]')
        with page.expect_navigation():
            site.click()
        expect(page.locator("#hours")).to_have_value("MO 09:00-12:30; WE 14:00-17:00")
        page.fill("#hours", "MO 09:00-12:30; FR 09:00-13:00")
        assert submit(page, SAVE).ok
        assert _hours(app, service) == [(0, "09:00", "12:30"), (4, "09:00", "13:00")]
        visit(page, f"/support/admin/services/{service}")
        page.fill("#service_name", f"Sportello lavoro {tag}")
        assert submit(page, SAVE).ok
        assert query_all(app, "SELECT name FROM support_services WHERE id = :id",
                         id=service) == [(f"Sportello lavoro {tag}",)]
        visit(page, f"/support/admin/locations/{location}")
        expect(page.locator("#address")).to_have_value(f"Via Pacini {tag}")
        page.fill("#address", f"Via Padova {tag}")
        assert submit(page, SAVE).ok
        expect(page.locator("main")).to_contain_text(f"Via Padova {tag}")
        screenshot(page, f"support-edited-organisation-{language}")

        # Another organisation's pages are not found, whatever the entry.
        [(other_service,)] = query_all(app, "SELECT min(id) FROM support_services WHERE "
                                            "organisation_id = :other", other=other)
        [(other_location,)] = query_all(app, "SELECT min(id) FROM support_locations WHERE "
                                             "organisation_id = :other", other=other)
        for path in (f"/support/admin/organisations/{other}",
                     f"/support/admin/organisations/{other}/services/new",
                     f"/support/admin/services/{other_service}",
                     f"/support/admin/locations/{other_location}"):
            assert page.goto(path).status == 404, path
        assert page.goto("/support/admin").status == 403  # the catalogue list is the admins'
    finally:
        restore_demo_account(app, OPERATOR)
        _remove(app, tag)


def _choose_location(page: Any, tag: str) -> None:
    """Pick the location whose address holds ``tag`` in the site form's select."""
    value = page.locator("#location_id option", has_text=tag).get_attribute("value")
    page.select_option("#location_id", value)


def _hours(app: Flask, service: int) -> list[tuple[int, str, str]]:
    """The service's opening hours: weekday (Monday 0), opening and closing time."""
    rows = query_all(app, "SELECT h.weekday, h.opens, h.closes FROM support_opening_hours h "
                          "JOIN support_sites s ON s.id = h.site_id WHERE s.service_id = :id "
                          "ORDER BY h.weekday, h.opens", id=service)
    return [(int(day), str(opens)[:5], str(closes)[:5]) for day, opens, closes in rows]
