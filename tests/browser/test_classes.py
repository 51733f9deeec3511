"""An admin invites a counsellor, who creates a class that a pupil joins with its code."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from orientamento.core import clock
from tests.browser.conftest import (
    DEMO_LOGINS,
    NEW_PASSWORD,
    LiveServer,
    check_a11y,
    email_link,
    html_lang,
    is_logged_in,
    log_in,
    log_out,
    screenshot,
    submit,
    switch_language,
    visit,
)

pytestmark = pytest.mark.browser

SUBMIT = "main form button[type=submit]"


def path_of(page: Any) -> str:
    """The path of the page's current URL."""
    return urlsplit(page.url).path


def invite_counsellor(admin: Any, email: str) -> None:
    """Fill and send the invitation form for a counsellor of the demo school."""
    visit(admin, "/admin/users/invite")
    admin.fill("#display_name", "Nadia Neri")
    admin.fill("#email", email)
    admin.select_option("#role", "counsellor")
    school = admin.locator("#school_id option", has_text="MIISDEMO01").get_attribute("value")
    admin.select_option("#school_id", school)
    response = submit(admin, SUBMIT)
    assert response.ok and re.fullmatch(r"/admin/users/\d+", path_of(admin)), path_of(admin)
    assert admin.locator("main dd", has_text=email).count() == 1
    check_a11y(admin)


@pytest.mark.parametrize("language", ["it", "ar"])
def test_invited_counsellor_creates_a_class_that_a_pupil_joins(
    new_page: Any, live_server: LiveServer, language: str
) -> None:
    suffix = uuid.uuid4().hex[:6]
    email = f"nadia.{suffix}@example.org"
    class_name = f"2B-{suffix}"
    username = f"luca.{suffix}"

    admin = new_page()
    log_in(admin, DEMO_LOGINS["admin"], language=language)
    invite_counsellor(admin, email)

    counsellor = new_page()
    link = email_link(live_server.app, email, "/account/invitation/")
    visit(counsellor, link)
    counsellor.fill("#password", NEW_PASSWORD)
    counsellor.fill("#confirm", NEW_PASSWORD)
    response = submit(counsellor, SUBMIT)
    assert response.ok and is_logged_in(counsellor)
    log_out(counsellor)
    log_in(counsellor, email, NEW_PASSWORD, language=language)

    visit(counsellor, "/classes/new")
    counsellor.fill("#name", class_name)
    counsellor.select_option("#level", "upper_secondary")
    counsellor.fill("#year", "2")
    response = submit(counsellor, SUBMIT)
    class_path = path_of(counsellor)
    assert response.ok and re.fullmatch(r"/classes/\d+", class_path), class_path
    code = counsellor.locator("#join-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code), code
    check_a11y(counsellor)
    screenshot(counsellor, f"class-empty-{language}")

    pupil = new_page()
    pupil.goto("/")
    switch_language(pupil, language)
    visit(pupil, "/classes/join")
    pupil.fill("#code", code)
    pupil.fill("#display_name", "Luca")
    pupil.fill("#username", username)
    born = clock.today().replace(year=clock.today().year - 12, month=1, day=1)
    pupil.fill("#date_of_birth", born.isoformat())
    pupil.fill("#password", NEW_PASSWORD)
    pupil.fill("#confirm", NEW_PASSWORD)
    response = submit(pupil, SUBMIT)
    assert response.ok and path_of(pupil) == "/start/"  # a new pupil lands on the start page
    assert is_logged_in(pupil)
    assert html_lang(pupil)[0] == language
    visit(pupil, "/classes/mine")
    assert pupil.locator("main li", has_text=class_name).count() == 1

    visit(counsellor, class_path)
    row = counsellor.locator("table tbody tr", has_text=username)
    assert row.count() == 1
    assert row.locator("th").inner_text().startswith("Luca")
    screenshot(counsellor, f"class-{language}")

    # Luca is 12: the counsellor records the parents' signed form, with its date and reference.
    with counsellor.expect_navigation():
        row.locator('a[href$="/consent"]').click()
    assert re.fullmatch(r"/classes/\d+/pupils/\d+/consent", path_of(counsellor))
    check_a11y(counsellor)
    counsellor.fill("#signed_on", clock.today().isoformat())
    counsellor.fill("#reference", f"Prot. {suffix}")
    screenshot(counsellor, f"class-consent-{language}")
    response = submit(counsellor, SUBMIT)
    assert response.ok and path_of(counsellor) == class_path
    assert counsellor.locator(".alert-success", has_text=f"Prot. {suffix}").count() == 1
    assert "Luca" in counsellor.locator(".alert-success").inner_text()
    row = counsellor.locator("table tbody tr", has_text=username)
    assert row.locator("td", has_text=f"Prot. {suffix}").count() == 1
    assert row.locator('a[href$="/consent/withdraw"]').count() == 1
    check_a11y(counsellor)

    # The handout to print: the code, its QR code (inline SVG) and the address to type.
    assert submit(counsellor, f'a[href="{class_path}/handout"]').ok
    assert path_of(counsellor) == f"{class_path}/handout"
    assert counsellor.locator("#join-code").inner_text().strip() == code
    expect(counsellor.locator(".handout-qr svg")).to_be_visible()
    assert code in counsellor.locator("code.handout-link").inner_text()
    check_a11y(counsellor)
    counsellor.emulate_media(media="print")
    screenshot(counsellor, f"class-handout-print-{language}")
    counsellor.emulate_media(media="screen")

    # The QR code's address opens the join page with the code filled in.
    stranger = new_page()
    visit(stranger, f"/classes/join?code={code}")
    assert stranger.locator("#code").input_value() == code

    visit(counsellor, "/classes/")
    assert counsellor.locator("table tbody tr", has_text=class_name).count() == 1
