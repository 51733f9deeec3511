"""Login: credentials, one answer for every failure, lockout, throttling, audit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from orientamento.auth.models import AuditEntry, Role, User
from orientamento.core import clock
from orientamento.extensions import db
from tests.conftest import PASSWORD, make_app


def _login(client: FlaskClient, login: str, password: str) -> Any:
    return client.post("/account/login", data={"login": login, "password": password})


def test_login_with_email_is_case_insensitive(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user(email="anna@example.org")
    response = _login(client, "  ANNA@example.org ", PASSWORD)
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200
    db.session.refresh(user)
    assert user.last_login_at is not None


def test_login_with_username(client: FlaskClient, make_user: Callable[..., User]) -> None:
    make_user(username="pupil.one", email=None)
    assert _login(client, "Pupil.One", PASSWORD).status_code == 302


def test_login_redirects_only_to_local_pages(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    response = client.post("/account/login?next=https://evil.example/x",
                           data={"login": user.login_name, "password": PASSWORD})
    assert response.headers["Location"] == "/start/"  # the start page, never the other site
    client.post("/account/logout")
    response = client.post("/account/login?next=/account/",
                           data={"login": user.login_name, "password": PASSWORD})
    assert response.headers["Location"] == "/account/"


def test_every_failure_gets_the_same_answer(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    inactive = make_user(active=False)
    wrong_password = _login(client, user.login_name, "not-the-password")
    unknown = _login(client, "nobody@example.org", "not-the-password")
    deactivated = _login(client, inactive.login_name, PASSWORD)
    assert wrong_password.status_code == unknown.status_code == deactivated.status_code == 401

    def message(response: Any) -> str:
        text = response.get_data(as_text=True)
        return text[text.index('id="password-error"'):][:400]

    assert message(wrong_password) == message(unknown) == message(deactivated)


def test_failed_logins_are_audited_without_storing_the_typed_identifier(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    _login(client, user.login_name, "wrong-password-here")
    _login(client, "ghost@example.org", "wrong-password-here")
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [entry.action for entry in entries] == ["login_failed", "login_failed"]
    assert entries[0].subject_id == user.id
    assert entries[1].subject_id is None
    assert "ghost@example.org" not in str(entries[1].details)
    assert len(entries[1].details["login_ref"]) == 32


def test_ten_consecutive_failures_lock_the_account_for_15_minutes(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    for _ in range(10):
        assert _login(client, user.login_name, "wrong-password-here").status_code == 401
    db.session.refresh(user)
    assert user.locked_until is not None
    remaining = user.locked_until - clock.now()
    assert timedelta(minutes=14) < remaining <= timedelta(minutes=15)
    # Even the right password is refused while locked, with the same answer.
    assert _login(client, user.login_name, PASSWORD).status_code == 401
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "login_locked" in actions
    # After the lock expires, the right password works again.
    user.locked_until = clock.now() - timedelta(seconds=1)
    db.session.commit()
    assert _login(client, user.login_name, PASSWORD).status_code == 302


def test_a_success_resets_the_failure_count(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    for _ in range(9):
        _login(client, user.login_name, "wrong-password-here")
    assert _login(client, user.login_name, PASSWORD).status_code == 302
    client.post("/account/logout")
    db.session.refresh(user)
    assert user.failed_logins == 0
    _login(client, user.login_name, "wrong-password-here")
    db.session.refresh(user)
    assert user.locked_until is None


@pytest.fixture
def limited_app(database_url: str, _postgres_schema: None) -> Any:
    from tests.conftest import _empty_all_tables, is_postgres

    app = make_app(database_url, RATELIMIT_ENABLED=True,
                   LOGIN_RATE_LIMIT_IP="5 per minute", LOGIN_RATE_LIMIT_ACCOUNT="3 per minute")
    with app.app_context():
        if not is_postgres():
            db.create_all()
        yield app
        db.session.remove()
        if is_postgres():
            _empty_all_tables()
        else:
            db.drop_all()


def test_login_is_throttled_per_account(limited_app: Any) -> None:
    client = limited_app.test_client()
    statuses = [
        _login(client, "target@example.org", "guess").status_code for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    # Another account from the same address is still allowed (per-IP limit is 5).
    assert _login(client, "other@example.org", "guess").status_code == 401


def test_login_is_throttled_per_ip(limited_app: Any) -> None:
    client = limited_app.test_client()
    statuses = [
        _login(client, f"user{n}@example.org", "guess").status_code for n in range(6)
    ]
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429
    # A different client address is not affected.
    other = limited_app.test_client()
    response = other.post("/account/login", data={"login": "x@example.org", "password": "y"},
                          environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert response.status_code == 401


def test_staff_log_in_like_everyone(client: FlaskClient, make_user: Callable[..., User]) -> None:
    for role in Role:
        user = make_user(role)
        assert _login(client, user.login_name, PASSWORD).status_code == 302
        client.post("/account/logout")


def test_a_hash_with_other_argon2_parameters_is_replaced_at_login(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    from argon2 import PasswordHasher

    from orientamento.auth.passwords import (
        ARGON2_MEMORY_KIB,
        ARGON2_PARALLELISM,
        ARGON2_TIME_COST,
    )

    user = make_user(email="old.hash@example.org")
    user.password_hash = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4).hash(
        PASSWORD)
    db.session.commit()
    assert _login(client, "old.hash@example.org", PASSWORD).status_code == 302
    db.session.refresh(user)
    assert user.password_hash is not None
    assert (f"$m={ARGON2_MEMORY_KIB},t={ARGON2_TIME_COST},p={ARGON2_PARALLELISM}$"
            in user.password_hash)
    assert _login(client, "old.hash@example.org", PASSWORD).status_code == 302
