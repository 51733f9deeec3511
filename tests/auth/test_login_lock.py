"""SQLite: a login checks the password before taking the write lock; a lock timeout is a 503.

These tests need SQLite's one write lock for the whole database, held from a second
connection to a database file, so they are skipped on PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, text

from orientamento.auth import services
from orientamento.auth.models import AuditEntry, Role, User
from orientamento.auth.passwords import hash_password
from orientamento.database import begin_immediate
from orientamento.extensions import db
from tests.conftest import PASSWORD, born_years_ago, is_postgres, make_app

#: What the tests configure: a writer gives up on the lock after 0.3 s.
BUSY_TIMEOUT_MS = 300


@pytest.fixture
def database_file(tmp_path: Path) -> Path:
    """The SQLite file of the test's app."""
    if is_postgres():
        pytest.skip("SQLite only: PostgreSQL has no database-wide write lock")
    return tmp_path / "lock.db"


@pytest.fixture
def file_app(database_file: Path) -> Iterator[Flask]:
    """An app on a SQLite file whose writers wait at most BUSY_TIMEOUT_MS for the lock."""
    application = make_app(f"sqlite:///{database_file}", SQLITE_BUSY_TIMEOUT_MS=BUSY_TIMEOUT_MS)
    with application.app_context():
        db.create_all()
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def student(file_app: Flask) -> User:
    """A student who can log in with PASSWORD."""
    user = User(email="lock.student@example.org", display_name="Lock", role=Role.STUDENT,
                password_hash=hash_password(PASSWORD), date_of_birth=born_years_ago(17))
    db.session.add(user)
    db.session.commit()
    return user


def write_lock_is_free(database_file: Path) -> bool:
    """Whether another connection could take the write lock at once."""
    other = sqlite3.connect(database_file, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


@pytest.fixture
def lock_seen_by_verification(monkeypatch: pytest.MonkeyPatch, database_file: Path
                              ) -> list[bool]:
    """Whether the write lock was free each time a login verified a password."""
    seen: list[bool] = []
    real = services.verify_password

    def probing(stored: str | None, password: str) -> bool:
        seen.append(write_lock_is_free(database_file))
        return real(stored, password)

    monkeypatch.setattr(services, "verify_password", probing)
    return seen


def test_the_busy_timeout_is_the_configured_one(file_app: Flask) -> None:
    assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == BUSY_TIMEOUT_MS


def test_a_login_verifies_the_password_outside_the_write_lock(
    file_app: Flask, student: User, lock_seen_by_verification: list[bool]
) -> None:
    client = file_app.test_client()
    response = client.post("/account/login",
                           data={"login": student.login_name, "password": PASSWORD})
    assert response.status_code == 302
    assert lock_seen_by_verification == [True]
    db.session.expire_all()
    assert db.session.get_one(User, student.id).last_login_at is not None


def test_a_failed_login_verifies_outside_the_lock_and_still_counts(
    file_app: Flask, student: User, lock_seen_by_verification: list[bool]
) -> None:
    client = file_app.test_client()
    response = client.post("/account/login",
                           data={"login": student.login_name, "password": "wrong-password-1"})
    assert response.status_code == 401
    assert lock_seen_by_verification == [True]
    db.session.expire_all()
    assert db.session.get_one(User, student.id).failed_logins == 1
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions == ["login_failed"]


def test_the_account_is_read_again_under_the_lock(file_app: Flask, student: User,
                                                  database_file: Path) -> None:
    """A deactivation between the password check and the write refuses the login."""
    check = services.check_login(student.login_name, PASSWORD)
    assert check.valid
    other = sqlite3.connect(database_file, isolation_level=None)
    other.execute("UPDATE users SET active = 0 WHERE id = ?", (check.user_id,))
    other.close()
    begin_immediate(db.session())  # what the login view does between the two
    with file_app.test_request_context(), pytest.raises(services.LoginFailed):
        services.record_login(check, PASSWORD)


def test_a_password_changed_after_the_check_is_verified_again(
    file_app: Flask, student: User
) -> None:
    check = services.check_login(student.login_name, PASSWORD)
    student.password_hash = hash_password("Another-quiet-river-43")
    db.session.commit()
    begin_immediate(db.session())
    with file_app.test_request_context(), pytest.raises(services.LoginFailed):
        services.record_login(check, PASSWORD)


def hold_write_lock(database_file: Path) -> sqlite3.Connection:
    """Another process's long write: a connection holding the write lock."""
    holder = sqlite3.connect(database_file, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


@pytest.mark.parametrize(("path", "form"), [
    ("/account/login", {"login": "lock.student@example.org", "password": PASSWORD}),
    ("/account/forgot-password", {"email": "lock.student@example.org"}),
])
def test_a_lock_timeout_is_a_503_with_retry_after_and_a_localized_page(
    file_app: Flask, student: User, database_file: Path, path: str, form: dict[str, str]
) -> None:
    client = file_app.test_client()
    holder = hold_write_lock(database_file)
    try:
        response = client.post(path, data=form, headers={"Accept-Language": "it"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    page = response.get_data(as_text=True)
    assert "Il servizio è temporaneamente non disponibile" in page
    assert "Traceback" not in page and "database is locked" not in page
    # Once the lock is free, the same request goes through.
    again = client.post(path, data=form)
    assert again.status_code == 302

