"""Error pages after database errors: the session is rolled back first, races are a 409, lock
timeouts a 503 with Retry-After (see tests/auth/test_login_lock.py for a real SQLite lock)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from orientamento.auth.models import Role, User
from orientamento.core.access import public
from orientamento.core.errors import RETRY_AFTER_SECONDS, is_lock_timeout
from orientamento.extensions import db
from tests.conftest import born_years_ago


def duplicate_of(user: User) -> None:
    """Flush an account with ``user``'s e-mail: the unique index refuses it."""
    db.session.add(User(email=user.email, display_name="Copy", role=Role.STUDENT,
                        date_of_birth=born_years_ago(18)))
    db.session.flush()


@pytest.fixture
def taken(make_user: Callable[..., User]) -> User:
    """A logged-in page needs the database: this user is logged in by the tests."""
    return make_user(display_name="Giulia Errori", locale="it")


def test_an_unforeseen_integrity_error_is_a_409_page_that_can_still_read(
    app: Flask, client: FlaskClient, taken: User, login: Callable[..., User]
) -> None:
    @app.post("/duplicate")
    @public
    def duplicate() -> str:
        duplicate_of(taken)
        return "saved"

    login(taken)
    response = client.post("/duplicate")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    # The page loaded the logged-in user after the failed flush: the session was rolled back.
    assert "Giulia Errori" in page
    assert taken.email not in page and "IntegrityError" not in page


def test_a_500_after_a_failed_flush_renders_the_localized_page(
    app: Flask, client: FlaskClient, taken: User, login: Callable[..., User]
) -> None:
    @app.post("/broken")
    @public
    def broken() -> str:
        try:
            duplicate_of(taken)
        except IntegrityError:
            raise RuntimeError("a bug that forgets the rollback") from None
        return "saved"

    login(taken)
    response = client.post("/broken")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Giulia Errori" in page and 'lang="it"' in page
    assert "forgets the rollback" not in page
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def busy_error() -> OperationalError:
    """What SQLAlchemy raises when SQLite's busy timeout runs out."""
    original = sqlite3.OperationalError("database is locked")
    original.sqlite_errorcode = 5  # type: ignore[attr-defined]
    return OperationalError("BEGIN IMMEDIATE", {}, original)


def test_lock_timeouts_are_recognised_and_other_operational_errors_are_not() -> None:
    assert is_lock_timeout(busy_error())
    assert not is_lock_timeout(OperationalError("SELECT 1", {}, sqlite3.OperationalError(
        "no such table: users")))

    class LockNotAvailable(Exception):
        sqlstate = "55P03"

    assert is_lock_timeout(OperationalError("UPDATE events", {}, LockNotAvailable()))


def test_a_lock_timeout_anywhere_is_a_503_with_retry_after(
    app: Flask, client: FlaskClient, taken: User, login: Callable[..., User]
) -> None:
    @app.get("/busy")
    @public
    def busy() -> str:
        raise busy_error()

    @app.get("/other-database-error")
    @public
    def other() -> str:
        raise OperationalError("SELECT 1", {}, sqlite3.OperationalError("disk I/O error"))

    login(taken)
    response = client.get("/busy")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    page = response.get_data(as_text=True)
    assert "Il servizio è temporaneamente non disponibile" in page and "Giulia Errori" in page
    failed = client.get("/other-database-error")
    assert failed.status_code == 500 and "Retry-After" not in failed.headers
