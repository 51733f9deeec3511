"""A page's number of SQL queries does not grow with the data it lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from tests.core.routes import act_as


def _count(client: Any, path: str, seen: list[str]) -> int:
    seen.clear()
    assert client.get(path).status_code == 200
    return len(seen)


def test_admin_lists_use_a_bounded_number_of_queries(
    app: Flask, make_user: Callable[..., User], queries: list[str]
) -> None:
    client = app.test_client()
    act_as(client, make_user(Role.ADMIN))
    for _ in range(3):
        make_user(Role.COUNSELLOR)
        make_user(Role.PROVIDER)
        make_user(Role.OUTREACH, municipi=[1, 2])
    few = {path: _count(client, path, queries)
           for path in ("/admin/users", "/admin/audit", "/admin/organisations/schools")}
    for _ in range(20):
        make_user(Role.COUNSELLOR)
        make_user(Role.PROVIDER)
        make_user(Role.OUTREACH, municipi=[3, 4, 5])
    many = {path: _count(client, path, queries) for path in few}
    assert many == few


def test_class_roster_uses_a_bounded_number_of_queries(
    app: Flask, make_user: Callable[..., User], make_class: Callable[..., SchoolClass],
    queries: list[str],
) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    small = make_class(counsellor, pupils=tuple(make_user() for _ in range(2)))
    large = make_class(counsellor, pupils=tuple(make_user() for _ in range(25)))
    client = app.test_client()
    act_as(client, counsellor)
    assert _count(client, f"/classes/{small.id}", queries) == \
        _count(client, f"/classes/{large.id}", queries)
    assert _count(client, "/classes/", queries) <= 4


def test_an_outreach_workers_municipi_come_with_the_signed_in_user(
    app: Flask, make_user: Callable[..., User], queries: list[str]
) -> None:
    """The user loader reads the municipi an outreach worker covers in its own statement:
    the queue needs them on every view, and on PostgreSQL each statement is a round trip."""
    client = app.test_client()
    act_as(client, make_user(Role.OUTREACH, municipi=[2, 5]))
    _count(client, "/outreach/", queries)
    from_users = [q for q in queries if "FROM users" in q and "session_token" in q]
    assert len(from_users) == 1 and "user_municipi" in from_users[0], from_users
    assert not [q for q in queries if q.lstrip().startswith("SELECT user_municipi.")], queries
