"""Anonymous pages (``core.http_cache``): ETag, 304, and headers that let a shared cache keep
them (the same bytes for everyone, no cookie, no nonce)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from orientamento.auth.models import Role

PAGES = ("/", "/courses/", "/courses/?q=tecnico")


SHARED = "public, max-age=0, s-maxage=60"


def nonce(response: Any) -> str | None:
    """The CSP nonce a response's header allows, if any."""
    found = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
    return found.group(1) if found else None


def test_anonymous_page_revalidates_with_304(client: FlaskClient, reference_data: None) -> None:
    for path in PAGES:
        first = client.get(path)
        assert first.status_code == 200
        tag = first.headers["ETag"]
        assert first.headers["Cache-Control"] == SHARED
        assert {"Cookie", "Accept-Language"} <= set(first.vary)
        assert "Set-Cookie" not in first.headers  # nothing of this visitor's goes with it
        assert nonce(first) is None  # a nonce many people receive would be public
        again = client.get(path, headers={"If-None-Match": tag})
        assert again.status_code == 304, path
        assert again.data == b""
        assert again.headers["ETag"] == tag
        assert again.headers["Cache-Control"] == SHARED
        assert nonce(again) is None
        assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_every_anonymous_visitor_gets_the_same_bytes(client: FlaskClient,
                                                     reference_data: None) -> None:
    for path in PAGES:
        mine = client.get(path)
        stranger = client.application.test_client().get(path)
        assert mine.data == stranger.data, path
        assert "csrf_token" not in mine.get_data(as_text=True)
        assert client.application.test_client().get(
            path, headers={"If-None-Match": mine.headers["ETag"]}).status_code == 304


def test_pages_that_are_not_shared_keep_a_fresh_nonce(
        client: FlaskClient, as_role: Callable[..., Any], reference_data: None) -> None:
    login = client.get("/account/login")
    assert nonce(login) and nonce(login) != nonce(client.get("/account/login"))
    as_role(Role.STUDENT)
    assert nonce(client.get("/")) is not None


def test_tag_depends_on_locale_and_address(client: FlaskClient, reference_data: None) -> None:
    italian = client.get("/", headers={"Accept-Language": "it"})
    english = client.get("/", headers={"Accept-Language": "en"})
    assert italian.headers["ETag"] != english.headers["ETag"]
    assert client.get("/", headers={"Accept-Language": "en", "If-None-Match":
                                    italian.headers["ETag"]}).status_code == 200
    assert client.get("/courses/?q=a").headers["ETag"] != \
        client.get("/courses/?q=b").headers["ETag"]
    # A language chosen with the switch (kept in the session) is a page of its own.
    chooser = client.application.test_client()
    assert chooser.post("/language", data={"language": "ar", "next": "/"}).status_code == 302
    arabic = chooser.get("/", headers={"If-None-Match": italian.headers["ETag"]})
    assert arabic.status_code == 200 and 'lang="ar"' in arabic.get_data(as_text=True)
    assert "Cookie" in arabic.vary


def test_catalogue_write_changes_the_search_page_tag(
        client: FlaskClient, make_course: Callable[..., Any]) -> None:
    make_course(title="Tecnico uno")
    tag = client.get("/courses/?q=tecnico").headers["ETag"]
    make_course(title="Tecnico due")
    response = client.get("/courses/?q=tecnico", headers={"If-None-Match": tag})
    assert response.status_code == 200
    assert "Tecnico due" in response.get_data(as_text=True)


def test_logged_in_pages_are_not_revalidated(
        client: FlaskClient, as_role: Callable[..., Any], reference_data: None) -> None:
    as_role(Role.STUDENT)
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200
        assert "ETag" not in response.headers
        assert response.headers["Cache-Control"] == "no-store"


def test_flashed_messages_are_never_answered_from_the_cache(
        client: FlaskClient, reference_data: None) -> None:
    tag = client.get("/").headers["ETag"]
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Saved for you")]
    response = client.get("/", headers={"If-None-Match": tag})
    assert response.status_code == 200
    assert "Saved for you" in response.get_data(as_text=True)
    assert "ETag" not in response.headers
