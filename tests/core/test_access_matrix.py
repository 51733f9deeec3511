"""Every route answers anonymous users, each role and foreign objects as its rule says.

The routes come from ``app.url_map``, so a new route is covered without
touching this file; a route without an access rule fails the first test.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from orientamento.auth.models import User
from orientamento.classes.models import SchoolClass
from tests.core.routes import (
    ROLES,
    SCOPED_ARGUMENTS,
    World,
    access_rule,
    act_as,
    app_rules,
    build_url,
    build_world,
)

# Access does not depend on the day, but the world it is checked in (events open or closed,
# visits to come) does: a few instants cover that, the slow matrix need not run at all seven.
pytestmark = pytest.mark.calendar(instants=("holiday", "fall-back", "now"))


@pytest.fixture
def world(make_user: Callable[..., User], make_class: Callable[..., SchoolClass]) -> World:
    return build_world(make_user, make_class)


def test_every_view_declares_an_access_rule(app: Flask) -> None:
    undeclared = [
        rule.endpoint for rule in app_rules(app)
        if not hasattr(app.view_functions[rule.endpoint], "access_rule")
    ]
    assert undeclared == [], "use @public, @login_required or @role_required on these views"


def _expected(kind: str, allowed: frozenset[str], role: str | None) -> str:
    if kind == "public":
        return "open"
    if role is None:
        return "login"
    if kind == "roles" and role not in allowed:
        return "forbidden"
    return "open"


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_access_matrix(app: Flask, world: World, role: str | None) -> None:
    client = app.test_client()
    act_as(client, world.users[role] if role else None)
    failures = []
    for rule in app_rules(app):
        kind, allowed = access_rule(app, rule.endpoint)
        expected = _expected(kind, allowed, role)
        url = build_url(app, rule.endpoint, **world.values(rule, role=role))
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            if method == "POST" and expected == "open":
                continue  # state changes by allowed users are tested per feature
            status = client.open(url, method=method).status_code
            location = ""
            if expected == "login":
                ok = status == 302
                location = client.open(url, method=method).headers.get("Location", "")
                ok = ok and "/account/login" in location
            elif expected == "forbidden":
                ok = status == 403
            else:
                ok = status < 500 and status != 403
            if not ok:
                failures.append(f"{method} {url} as {role}: {status} {location} (want {expected})")
    assert failures == []


@pytest.mark.parametrize("role", ["counsellor", "student", "outreach", "service_operator"])
def test_another_schools_objects_are_not_found(app: Flask, world: World, role: str) -> None:
    client = app.test_client()
    act_as(client, world.users[role])
    checked = 0
    failures = []
    for rule in app_rules(app):
        kind, allowed = access_rule(app, rule.endpoint)
        if not (set(rule.arguments) & SCOPED_ARGUMENTS) or (kind == "roles" and role not in allowed):
            continue
        own = build_url(app, rule.endpoint, **world.values(rule, role=role))
        foreign = build_url(app, rule.endpoint, **world.values(rule, role=role, foreign=True))
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            checked += 1
            status = client.open(foreign, method=method).status_code
            if status != 404:
                failures.append(f"{method} {foreign}: {status}")
            if method == "GET" and client.get(own).status_code >= 400:
                failures.append(f"GET {own} (own object) is {client.get(own).status_code}")
    assert checked >= 4
    assert failures == []
