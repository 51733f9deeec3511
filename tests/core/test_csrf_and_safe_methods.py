"""CSRF on every state-changing route, and no GET that writes to the database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from orientamento.auth.models import User
from orientamento.classes.models import SchoolClass
from orientamento.extensions import db
from tests.core.routes import (
    ROLES,
    World,
    act_as,
    app_rules,
    build_url,
    build_world,
)


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def world(make_user: Callable[..., User], make_class: Callable[..., SchoolClass]) -> World:
    return build_world(make_user, make_class)


#: The one POST an anonymous visitor may send without a token: the language switch, so that
#: anonymous pages carry no token and shared caches can keep them (``core.http_cache``).
ANONYMOUS_WITHOUT_TOKEN = frozenset({"core.set_language"})


@pytest.mark.parametrize("role", [None, "admin", "counsellor", "student"],
                         ids=lambda r: r or "anonymous")
def test_every_state_change_without_csrf_token_is_rejected(
    app: Flask, world: World, role: str | None
) -> None:
    client = app.test_client()
    act_as(client, world.users[role] if role else None)
    posts = [rule for rule in app_rules(app) if "POST" in (rule.methods or set())]
    assert len(posts) >= 15
    failures = []
    for rule in posts:
        if role is None and rule.endpoint in ANONYMOUS_WITHOUT_TOKEN:
            continue
        url = build_url(app, rule.endpoint, **world.values(rule, role=role))
        response = client.post(url, data={"language": "ar", "login": "x", "password": "y"})
        if response.status_code != 400:
            failures.append(f"POST {url}: {response.status_code}")
    assert failures == []


def test_the_language_switch_needs_a_token_only_from_a_logged_in_visitor(
        app: Flask, world: World) -> None:
    anonymous = app.test_client()
    answer = anonymous.post("/language", data={"language": "ar", "next": "/privacy"})
    assert answer.status_code == 302
    assert 'lang="ar"' in anonymous.get("/privacy").get_data(as_text=True)
    student = world.users["student"]
    client = app.test_client()
    act_as(client, student)
    assert client.post("/language", data={"language": "ar", "next": "/"}).status_code == 400
    db.session.refresh(student)
    assert student.locale != "ar"  # a forged switch cannot change the account
    page = client.get("/privacy").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = client.post("/language", data={"language": "ar", "next": "/", "csrf_token": token})
    assert answer.status_code == 302
    db.session.refresh(student)
    assert student.locale == "ar"


#: Pages whose every view goes into the audit log (who saw which person's risk data).
AUDITED_READS = frozenset({"outreach.show_flag", "outreach.show_referral"})


@pytest.fixture
def writes(app: Flask) -> Iterator[list[str]]:
    """Collect every INSERT, UPDATE or DELETE the database receives."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_no_get_request_writes_to_the_database(
    app: Flask, world: World, writes: list[str], role: str | None
) -> None:
    client = app.test_client()
    act_as(client, world.users[role] if role else None)
    writes.clear()
    visited = 0
    for rule in app_rules(app):
        if "GET" not in (rule.methods or set()):
            continue
        client.get(build_url(app, rule.endpoint, **world.values(rule, role=role)))
        visited += 1
        if rule.endpoint in AUDITED_READS:
            # Reading a person's risk data is itself recorded: the audit entry, nothing else.
            assert all(w.lstrip().upper().startswith("INSERT INTO AUDIT_LOG") for w in writes), (
                f"GET {rule} wrote: {writes}")
            writes.clear()
        assert writes == [], f"GET {rule} wrote: {writes}"
    assert visited >= 15
