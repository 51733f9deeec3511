"""Every query parameter of every GET page, fed values out of any range: never a 500.

The pages come from ``app.url_map`` and the parameters from the pages themselves (the fields
of their GET forms and the query strings of their links), so a new page or filter is covered
without touching this file.
"""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from flask import Flask

from orientamento.auth.models import User
from orientamento.classes.models import SchoolClass
from tests.core.routes import World, access_rule, act_as, app_rules, build_url, build_world

#: Values that broke pages before (dates past what time zones and databases hold, integers
#: past 64 bits) and the usual suspects.
NASTY = ("0001-01-01", "9999-12-31", "2026-02-30", "99999999999999999999", "-1", "0", "",
         "x" * 400, "' OR 1=1 --", "%", "ا", "1e309", "nan", "[]")


class _Parameters(HTMLParser):
    """The names a page sends back in a query: GET form fields and its links' parameters."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path, self.names, self._in_get_form = path, set[str](), False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self._in_get_form = (values.get("method") or "get").lower() == "get"
        elif tag in ("input", "select", "textarea") and self._in_get_form and values.get("name"):
            self.names.add(str(values["name"]))
        elif tag == "a" and values.get("href"):
            link = urlsplit(str(values["href"]))
            if link.path in ("", self.path):
                self.names.update(name for name, _ in parse_qsl(link.query))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_get_form = False


def _role_for(app: Flask, endpoint: str) -> str | None:
    kind, allowed = access_rule(app, endpoint)
    if kind == "public":
        return None
    return sorted(allowed)[0] if kind == "roles" else "student"


@pytest.fixture
def world(make_user: Callable[..., User], make_class: Callable[..., SchoolClass]) -> World:
    return build_world(make_user, make_class)


def test_no_query_parameter_value_causes_a_server_error(app: Flask, world: World) -> None:
    client = app.test_client()
    failures, tried = [], 0
    for rule in app_rules(app):
        if "GET" not in (rule.methods or set()) or rule.endpoint.endswith("calendar_feed"):
            continue
        role = _role_for(app, rule.endpoint)
        act_as(client, world.users[role] if role else None)
        path = build_url(app, rule.endpoint, **world.values(rule, role=role))
        page = client.get(path)
        if page.status_code != 200 or page.mimetype != "text/html":
            continue
        finder = _Parameters(path)
        finder.feed(page.get_data(as_text=True))
        for name in [*sorted(finder.names - {"page"}), "page"]:
            for value in NASTY:
                tried += 1
                url = f"{path}?{urlencode({name: value})}"
                status = client.get(url).status_code
                if status >= 500:
                    failures.append(f"{url} as {role}: {status}")
    assert tried > 500  # the pages did offer parameters to try
    assert failures == []
