"""Conditional GETs of anonymous pages (``core.http_cache``): ETag, 304 and cache headers."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from orientamento.auth.models import Role

PAGES = ("/", "/courses/", "/courses/?q=tecnico")


def nonce(response: Any) -> str:
    """The CSP nonce a response's header allows."""
    found = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
    assert found is not None
    return found.group(1)


def test_anonymous_page_revalidates_with_304(client: FlaskClient, reference_data: None) -> None:
    for path in PAGES:
        first = client.get(path)
        assert first.status_code == 200
        tag = first.headers["ETag"]
        assert first.headers["Cache-Control"] == "private, no-cache"
        assert {"Cookie", "Accept-Language"} <= set(first.vary)
        again = client.get(path, headers={"If-None-Match": tag})
        assert again.status_code == 304, path
        assert again.data == b""
        assert again.headers["ETag"] == tag
        assert again.headers["Cache-Control"] == "private, no-cache"
        # The browser merges the 304's headers into the kept page: same nonce.
        assert nonce(again) == nonce(first)
        assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_tag_depends_on_locale_session_and_address(client: FlaskClient,
                                                   reference_data: None) -> None:
    italian = client.get("/", headers={"Accept-Language": "it"})
    english = client.get("/", headers={"Accept-Language": "en"})
    assert italian.headers["ETag"] != english.headers["ETag"]
    assert client.get("/", headers={"Accept-Language": "en", "If-None-Match":
                                    italian.headers["ETag"]}).status_code == 200
    assert client.get("/courses/?q=a").headers["ETag"] != \
        client.get("/courses/?q=b").headers["ETag"]
    # Another visitor (another session, so another CSRF token in the page) never matches.
    stranger = client.application.test_client()
    assert stranger.get("/", headers={"If-None-Match": italian.headers["ETag"]}
                        ).status_code == 200


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
