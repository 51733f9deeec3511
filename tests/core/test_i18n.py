"""Languages: Italian by default, English and Arabic (right to left) on every page."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from orientamento.auth.models import User
from orientamento.extensions import db
from tests.conftest import log_in


def _html_tag(client: FlaskClient, path: str = "/", **headers: str) -> str:
    page = client.get(path, headers=headers).get_data(as_text=True)
    match = re.search(r"<html[^>]*>", page)
    assert match
    return match.group(0)


def test_italian_is_the_default(client: FlaskClient) -> None:
    assert 'lang="it" dir="ltr"' in _html_tag(client)
    page = client.get("/").get_data(as_text=True)
    assert "Accedi" in page  # the Italian catalogue is used


def test_the_browser_language_is_used_when_nothing_was_chosen(client: FlaskClient) -> None:
    assert 'lang="en"' in _html_tag(client, **{"Accept-Language": "en-GB,en;q=0.9"})
    assert 'lang="it"' in _html_tag(client, **{"Accept-Language": "de-DE"})


def test_arabic_is_right_to_left_with_the_rtl_stylesheets(client: FlaskClient) -> None:
    client.post("/language", data={"language": "ar", "next": "/privacy"})
    tag = _html_tag(client, "/privacy")
    assert 'lang="ar" dir="rtl"' in tag
    page = client.get("/privacy").get_data(as_text=True)
    assert "bootstrap-italia.rtl.min." in page and "app.rtl." in page  # hashed names
    assert "bootstrap-italia.min." not in page


def test_switching_redirects_back_and_only_to_local_pages(client: FlaskClient) -> None:
    response = client.post("/language", data={"language": "en", "next": "/accessibility?x=1"})
    assert response.headers["Location"] == "/accessibility?x=1"
    response = client.post("/language", data={"language": "en", "next": "https://evil.example"})
    assert response.headers["Location"] == "/"
    response = client.post("/language", data={"language": "en", "next": "//evil.example/x"})
    assert response.headers["Location"] == "/"


def test_an_unknown_language_is_ignored(client: FlaskClient) -> None:
    client.post("/language", data={"language": "xx"})
    assert 'lang="it"' in _html_tag(client)


def test_the_choice_is_stored_in_the_profile_and_wins_over_the_session(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    log_in(client, user)
    client.post("/language", data={"language": "ar"})
    db.session.refresh(user)
    assert user.locale == "ar"
    client.post("/account/logout")
    other = client.application.test_client()
    log_in(other, user)
    assert 'lang="ar"' in _html_tag(other, **{"Accept-Language": "en"})


# What an anonymous visitor gets: every real page, and the not-found page in each language.
MAIN_PAGES = {
    "/": 200, "/accessibility": 200, "/privacy": 200, "/account/login": 200,
    "/account/register": 200, "/classes/join": 200, "/account/forgot-password": 200,
    "/does-not-exist": 404,
}


def test_every_language_renders_the_main_pages(client: FlaskClient) -> None:
    for language in ("it", "en", "ar"):
        client.post("/language", data={"language": language})
        for path, status in MAIN_PAGES.items():
            response = client.get(path)
            assert response.status_code == status, (language, path)
            assert f'lang="{language}"' in _html_tag(client, path)


def test_the_language_chosen_before_login_is_kept_and_saved(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user(locale=None)
    client.post("/language", data={"language": "ar"})
    log_in(client, user)
    assert 'lang="ar"' in _html_tag(client, **{"Accept-Language": "it"})
    db.session.refresh(user)
    assert user.locale == "ar"


def test_the_language_switch_returns_to_a_page_that_answers_get(app: Flask) -> None:
    from orientamento.core.navigation import return_path

    with app.test_request_context("/courses/?q=meccatronica&page=2"):
        assert return_path() == "/courses/?q=meccatronica&page=2"
    with app.test_request_context("/account/login", method="POST"):  # a form with errors
        assert return_path() == "/account/login"
    post_only = next(rule for rule in app.url_map.iter_rules()
                     if rule.methods == {"POST", "OPTIONS"} and "<" in rule.rule
                     and rule.endpoint.startswith("events."))
    path = post_only.rule.replace("<int:event_id>", "7")
    with app.test_request_context(path, method="POST",
                                  headers={"Referer": "http://localhost/events/7"}):
        assert return_path() == "/events/7"
    with app.test_request_context(path, method="POST",
                                  headers={"Referer": "https://evil.example/events/7"}):
        assert return_path() == "/"
