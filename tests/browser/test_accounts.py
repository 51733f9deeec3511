"""Student accounts in the browser: registration, language, export, erasure, passwords."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pytest

from orientamento.core import clock
from tests.browser.conftest import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    LANGUAGES,
    NEW_PASSWORD,
    LiveServer,
    check_a11y,
    email_link,
    html_lang,
    is_logged_in,
    log_in,
    log_out,
    read_json,
    restore_demo_account,
    screenshot,
    stylesheets_in_use,
    submit,
    switch_language,
    user_exists,
    visit,
)

pytestmark = pytest.mark.browser

SUBMIT = "main form button[type=submit]"
REGISTRATION_FIELDS = ("display_name", "email", "date_of_birth", "password", "confirm")


def years_ago(years: int) -> date:
    """A birthday that makes someone ``years`` old today (1 January, so already past)."""
    return date(clock.today().year - years, 1, 1)


def path_of(page: Any) -> str:
    """The path of the page's current URL."""
    return urlsplit(page.url).path


def fill_registration(page: Any, *, email: str, born: date | None, password: str = NEW_PASSWORD,
                      confirm: str | None = None, accept: bool = True) -> None:
    """Fill the registration form."""
    page.fill("#display_name", "Giorgia" if email else "")
    page.fill("#email", email)
    page.fill("#date_of_birth", born.isoformat() if born else "")
    page.fill("#password", password)
    page.fill("#confirm", password if confirm is None else confirm)
    if accept:
        tick(page, "accept_privacy")


def tick(page: Any, field_id: str) -> None:
    """Tick a checkbox by clicking its label, as Bootstrap Italia draws the box on it."""
    page.locator(f'label[for="{field_id}"]').click()
    assert page.is_checked(f"#{field_id}")


def assert_field_error(page: Any, name: str) -> None:
    """The field is marked invalid and its visible message is linked to it."""
    field = page.locator(f"#{name}")
    assert field.get_attribute("aria-invalid") == "true", name
    assert f"{name}-error" in (field.get_attribute("aria-describedby") or "").split(), name
    assert page.locator(f"#{name}-error").is_visible(), name


def assert_stylesheet_for(page: Any, language: str) -> None:
    """The document loaded the Bootstrap Italia stylesheet for the language's direction."""
    sheets = stylesheets_in_use(page)
    wanted, unwanted = ("bootstrap-italia.rtl.min.css", "bootstrap-italia.min.css")
    if language != "ar":
        wanted, unwanted = unwanted, wanted
    assert wanted in sheets and unwanted not in sheets, sheets


# Arabic switches to English on the way, so the flow sees all three languages.
@pytest.mark.parametrize("language", ["it", "ar"])
def test_student_registers_switches_language_exports_and_deletes_the_account(
    page: Any, live_server: LiveServer, language: str
) -> None:
    other = "en" if language == "ar" else "ar"
    email = f"giorgia.{language}.{uuid.uuid4().hex[:8]}@example.org"
    page.goto("/")
    switch_language(page, language)
    visit(page, "/account/register")
    fill_registration(page, email=email, born=years_ago(16))
    response = submit(page, SUBMIT)
    assert response.ok and path_of(page) == "/start/"  # a new account lands on its start page
    assert is_logged_in(page)
    assert page.locator("main #first-step").count() == 1  # with a first step to take
    check_a11y(page)
    visit(page, "/account/")
    assert page.locator("main dd", has_text=email).count() == 1
    assert html_lang(page)[0] == language

    switch_language(page, other)
    assert_stylesheet_for(page, other)
    check_a11y(page)
    switch_language(page, language)
    assert_stylesheet_for(page, language)

    # A language chosen just before logging in is a fresh choice: it wins over the profile's
    # and becomes the stored one, which the next login without a choice gets.
    log_out(page)
    switch_language(page, other)
    log_in(page, email, NEW_PASSWORD)
    assert html_lang(page) == (other, "rtl" if other == "ar" else "ltr")
    log_out(page)
    log_in(page, email, NEW_PASSWORD)
    assert html_lang(page)[0] == other
    switch_language(page, language)

    visit(page, "/account/")
    with page.expect_download() as download:
        page.locator('form[action="/account/export"] button[type=submit]').click()
    assert download.value.suggested_filename.endswith(".json")
    export = read_json(download.value.path())
    assert email in json.dumps(export, ensure_ascii=False)

    visit(page, "/account/delete")
    page.fill("#password", NEW_PASSWORD)
    tick(page, "confirm")
    response = submit(page, SUBMIT)
    assert response.ok and path_of(page) == "/"
    assert not is_logged_in(page)
    assert not user_exists(live_server.app, email)
    check_a11y(page)

    page.goto("/account/login")
    page.fill("#login", email)
    page.fill("#password", NEW_PASSWORD)
    response = submit(page, SUBMIT)
    assert response.status == 401
    assert not is_logged_in(page)
    assert_field_error(page, "password")
    check_a11y(page)


@pytest.mark.parametrize("language", ["it", "ar"])
def test_under_14_registration_is_refused_next_to_the_form(
    page: Any, live_server: LiveServer, language: str
) -> None:
    email = f"bambino.{language}.{uuid.uuid4().hex[:8]}@example.org"
    page.goto("/")
    switch_language(page, language)
    page.goto("/account/register")
    fill_registration(page, email=email, born=years_ago(12))
    response = submit(page, SUBMIT)
    assert response.status == 400
    assert path_of(page) == "/account/register"
    assert not is_logged_in(page)
    errors = page.locator("#form-errors")
    assert errors.is_visible() and errors.get_attribute("role") == "alert"
    # The error sits right above the form, which keeps what was typed.
    assert page.locator("#form-errors + form #email").count() == 1
    assert page.input_value("#email") == email
    assert not user_exists(live_server.app, email)
    check_a11y(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_form_errors_are_linked_to_their_fields_and_pass_axe(page: Any, language: str) -> None:
    page.goto("/")
    switch_language(page, language)

    page.goto("/account/login")
    response = submit(page, SUBMIT)
    assert response.status == 400
    assert page.locator("#form-errors").is_visible()
    assert page.locator('#form-errors a[href="#login"]').count() == 1
    for name in ("login", "password"):
        assert_field_error(page, name)
    check_a11y(page)

    page.fill("#login", "nobody@example.org")
    page.fill("#password", "wrong password")
    response = submit(page, SUBMIT)
    assert response.status == 401
    assert_field_error(page, "password")
    check_a11y(page)

    page.goto("/account/register")
    fill_registration(page, email="", born=None, password="short", confirm="different",
                      accept=False)
    response = submit(page, SUBMIT)
    assert response.status == 400
    for name in (*REGISTRATION_FIELDS, "accept_privacy"):
        assert_field_error(page, name)
    assert page.locator("#form-errors li").count() >= 5
    check_a11y(page)
    screenshot(page, f"register-errors-{language}")


@pytest.mark.parametrize("language", ["it", "ar"])
def test_forgot_password_link_sets_a_new_password_once(
    page: Any, live_server: LiveServer, language: str
) -> None:
    email = DEMO_LOGINS["student"]
    try:
        page.goto("/")
        switch_language(page, language)
        visit(page, "/account/forgot-password")
        page.fill("#email", email)
        response = submit(page, SUBMIT)
        assert response.ok and path_of(page) == "/account/login"
        assert page.locator("main .alert-info[role=status]").is_visible()
        check_a11y(page)

        link = email_link(live_server.app, email, "/account/reset-password/")
        visit(page, link)
        page.fill("#password", NEW_PASSWORD)
        page.fill("#confirm", NEW_PASSWORD)
        response = submit(page, SUBMIT)
        assert response.ok and path_of(page) == "/start/"
        assert is_logged_in(page)
        check_a11y(page)
        log_out(page)

        page.goto("/account/login")
        page.fill("#login", email)
        page.fill("#password", DEMO_PASSWORD)
        assert submit(page, SUBMIT).status == 401, "the old password still works"
        log_in(page, email, NEW_PASSWORD)
        log_out(page)

        visit(page, link, status=404)
        assert page.locator("main input[name=password]").count() == 0
        assert page.locator('main a[href="/account/forgot-password"]').count() == 1
    finally:
        restore_demo_account(live_server.app, email)
