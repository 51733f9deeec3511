"""Public pages in every language, the keyboard path and the site without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    LANGUAGES,
    check_a11y,
    html_lang,
    is_logged_in,
    log_in,
    log_out,
    screenshot,
    stylesheets_in_use,
    submit,
    switch_language,
    visit,
)

pytestmark = pytest.mark.browser

PUBLIC_PAGES = (
    "/", "/accessibility", "/privacy", "/account/login", "/account/register",
    "/account/forgot-password", "/classes/join", "/support/", "/support/?language=ar",
    "/observatory/", "/observatory/neet",
)

FOCUS_RING = """() => {
  const style = getComputedStyle(document.activeElement);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return outline || style.boxShadow !== "none";
}"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_render_in_every_language_and_pass_axe(page: Any, language: str) -> None:
    page.goto("/")
    switch_language(page, language)
    rtl = language == "ar"
    for path in PUBLIC_PAGES:
        visit(page, path)
        assert html_lang(page) == (language, "rtl" if rtl else "ltr"), path
        sheets = stylesheets_in_use(page)
        assert ("bootstrap-italia.rtl.min.css" in sheets) is rtl, sheets
        assert ("bootstrap-italia.min.css" in sheets) is not rtl, sheets
        assert page.locator('footer [data-element="accessibility-link"]').count() == 1
        assert page.locator('footer [data-element="privacy-policy-link"]').count() == 1
        current = page.locator(f'form[action="/language"] button[value="{language}"]')
        assert current.get_attribute("aria-current") == "true"
    page.goto("/")
    screenshot(page, f"home-{language}")


def test_an_unknown_page_shows_the_localized_404_page(page: Any) -> None:
    visit(page, "/no-such-page", status=404)
    assert page.locator('main a[href="/"]').count() == 1


def test_skip_link_comes_first_and_login_works_with_the_keyboard(page: Any) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.get_attribute("href") == "#main-container"
    box = skip.bounding_box()
    assert box is not None and box["width"] > 20 and box["height"] > 10, "skip link not shown"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-container"

    page.goto("/account/login")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "login":
            break
    else:
        pytest.fail("Tab never reached the login field")
    assert page.evaluate(FOCUS_RING), "the focused field shows no focus indicator"
    page.keyboard.type(DEMO_LOGINS["provider"])
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")
    assert navigation.value.ok
    assert is_logged_in(page)
    check_a11y(page)


def test_login_and_language_switch_work_without_javascript(new_page: Any) -> None:
    page = new_page(java_script_enabled=False)
    page.goto("/account/login")
    assert "no-js" in (page.locator("html").get_attribute("class") or "")
    switch_language(page, "en")
    assert page.url.endswith("/account/login"), "the switch returns to the same page"

    response = submit(page, "main form button[type=submit]")
    assert response.status == 400
    assert page.locator("#form-errors").is_visible()

    log_in(page, DEMO_LOGINS["outreach"], language="ar")
    switch_language(page, "it")
    log_out(page)


@pytest.mark.parametrize("language", ["it", "ar"])
def test_small_screen_header_and_menu_pass_axe(new_page: Any, language: str) -> None:
    page = new_page(viewport={"width": 390, "height": 844})
    page.goto("/")
    switch_language(page, language)
    check_a11y(page)
    log_in(page, DEMO_LOGINS["counsellor"], language=language)
    check_a11y(page)
    menu = page.locator("#main-nav")
    toggler = page.locator('button[aria-controls="main-nav"]')
    assert not page.locator("#main-nav a.nav-link").first.is_visible()
    toggler.click()
    page.locator("#main-nav a.nav-link").first.wait_for(state="visible")
    assert toggler.get_attribute("aria-expanded") == "true"
    assert menu.locator('a.nav-link[href="/classes/"]').is_visible()
    check_a11y(page)
    # The open menu is fixed to the viewport: a full-page shot would cut it.
    screenshot(page, f"menu-small-screen-{language}", full_page=False)


SUBMIT_TWICE = """() => {
  const form = document.querySelector("main form[method=post]");
  const send = () => form.dispatchEvent(new Event("submit", {bubbles: true, cancelable: true}));
  const first = send(), second = send();
  window.dispatchEvent(new PageTransitionEvent("pageshow", {persisted: true}));
  const afterBack = send();
  return [first, second, afterBack];
}"""


def test_a_posting_form_is_sent_once_however_often_it_is_pressed(new_page: Any) -> None:
    # A double click, or a second press while a slow answer is on its way, would send the
    # form again and abort the first navigation. The events here are dispatched by script,
    # so the browser sends nothing: only app.js's decision (go on or stop) is observed.
    page = new_page()
    page.goto("/account/login")
    first, second, after_back = page.evaluate(SUBMIT_TWICE)
    assert (first, second) == (True, False), "the second submission was not stopped"
    assert after_back is True, "a page restored from the back-forward cache stays locked"


def test_a_cancelled_confirmation_does_not_lock_the_form(new_page: Any) -> None:
    page = new_page()
    page.goto("/account/login")
    answers = page.evaluate("""() => {
      const form = document.querySelector("main form[method=post]");
      const replies = [false, true];
      window.confirm = () => replies.shift();
      form.dataset.confirm = "Sure?";
      form.addEventListener("submit", (event) => {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
      const send = () => form.dispatchEvent(new Event("submit", {bubbles: true, cancelable: true}));
      return [send(), send()];
    }""")
    assert answers == [False, True]
