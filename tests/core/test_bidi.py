"""Arabic pages isolate the Latin-script text people wrote (titles, names, addresses, logins), so
its punctuation and digits stay in place inside right-to-left sentences."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask

from orientamento.auth.models import Role, User
from orientamento.extensions import db
from tests.conftest import log_in
from tests.events.factories import open_day

#: Text wrapped in an isolating element: <bdi>, or any element with dir="ltr" or "auto".
ISOLATED = r"<(?:bdi|[a-z0-9]+ [^>]*dir=\"(?:ltr|auto)\")[^>]*>\s*{text}\s*</"


def isolated(html: str, text: str) -> bool:
    """Whether every occurrence of ``text`` in the page's main content is isolated."""
    main = html[html.index("<main"):html.index("</main>")]
    escaped = re.escape(text)
    return (main.count(text) > 0
            and len(re.findall(ISOLATED.format(text=escaped), main)) == main.count(text))


def test_arabic_event_pages_isolate_titles_providers_and_addresses(
        app: Flask, make_user: Callable[..., User], reference_data: None) -> None:
    staff = make_user(Role.PROVIDER)
    assert staff.provider is not None
    staff.provider.name = "ITS Lombardia Meccatronica (Sesto S.G.)"
    db.session.commit()
    event = open_day(staff, title="Open day: robotica 4.0, laboratori e stage!")
    student = make_user(Role.STUDENT, locale="ar")
    client = app.test_client()
    log_in(client, student)
    for path in (f"/events/{event.id}", "/events/"):
        html = client.get(path).get_data(as_text=True)
        assert 'dir="rtl"' in html
        for text in ("Open day: robotica 4.0, laboratori e stage!",
                     "ITS Lombardia Meccatronica (Sesto S.G.)"):
            assert isolated(html, text), (path, text)
    assert isolated(client.get(f"/events/{event.id}").get_data(as_text=True), "Via Roma 1")


def test_arabic_account_and_admin_pages_isolate_logins(
        app: Flask, make_user: Callable[..., User]) -> None:
    admin = make_user(Role.ADMIN, locale="ar", email="amministrazione.2026@example.org")
    client = app.test_client()
    log_in(client, admin)
    assert isolated(client.get("/account/").get_data(as_text=True),
                    "amministrazione.2026@example.org")
    listing = client.get("/admin/users?q=amministrazione").get_data(as_text=True)
    assert isolated(listing, "amministrazione.2026@example.org")
