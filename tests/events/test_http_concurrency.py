"""Registrations under real concurrency: many HTTP requests at once against a real server.

Each backend gets its own database (a file for SQLite; ``evconc`` on the PostgreSQL server of
``TEST_DATABASE_URL``, so the shared test database is never touched), a threaded werkzeug
server, and students logged in by signed session cookies. The assertions are exact counts.
"""

from __future__ import annotations

import http.client
import os
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.serving import WSGIRequestHandler, make_server

from orientamento.auth.models import Role, User
from orientamento.courses.services import load_reference_data
from orientamento.events.models import Event, Registration
from orientamento.extensions import db
from orientamento.orgs.models import Provider
from tests.conftest import make_app
from tests.events.factories import open_day

STUDENTS = 220
POSTGRES_DB = "evconc"


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """No access log."""


def _postgres_url() -> str | None:
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        return None
    parts = urlsplit(base)
    admin = parts._replace(scheme="postgresql", path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                    (POSTGRES_DB,)).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{POSTGRES_DB}"')
    return parts._replace(path=f"/{POSTGRES_DB}").geturl()


@pytest.fixture(params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    """A seeded app behind a threaded HTTP server: (app, base URL)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'concurrency.db'}"
    else:
        found = _postgres_url()
        if found is None:
            pytest.skip("PostgreSQL concurrency test needs TEST_DATABASE_URL")
        url = found
    app = make_app(url, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False,
                   SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 20, "max_overflow": 30,
                                              "pool_timeout": 60})
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_reference_data()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    context = app.app_context()
    context.push()
    try:
        yield app, f"127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
        context.pop()


def _people(app: Flask, count: int) -> tuple[User, list[User]]:
    """A provider's staff member and ``count`` students."""
    provider = Provider(code="CONC-1", name="Ente", kind="its_foundation")
    db.session.add(provider)
    db.session.flush()
    staff = User(role=Role.PROVIDER.value, display_name="Staff", email="staff@example.org",
                 provider_id=provider.id)
    students = [User(role=Role.STUDENT.value, display_name=f"Student {n}",
                     email=f"s{n}@example.org", date_of_birth=date(2007, 1, 1))
                for n in range(count)]
    db.session.add_all([staff, *students])
    db.session.commit()
    return staff, students


def _cookie(app: Flask, user: User) -> str:
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    value = serializer.dumps({"_user_id": user.session_token, "_fresh": True})
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def _post(host: str, path: str, cookie: str) -> int:
    connection = http.client.HTTPConnection(host, timeout=120)
    try:
        connection.request("POST", path, body=b"", headers={
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        return connection.getresponse().status
    finally:
        connection.close()


def _all_at_once(calls: list[tuple[str, str]], host: str) -> list[int]:
    """POST every (path, cookie) from its own thread, released together."""
    barrier = threading.Barrier(len(calls))
    statuses: list[Any] = [None] * len(calls)

    def worker(index: int, path: str, cookie: str) -> None:
        barrier.wait()
        try:
            statuses[index] = _post(host, path, cookie)
        except OSError as error:  # recorded, so the assertion shows it
            statuses[index] = repr(error)

    threads = [threading.Thread(target=worker, args=(i, p, c)) for i, (p, c) in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def _registrations(event: Event) -> list[Registration]:
    # End the test's own transaction: on SQLite (WAL) it would keep reading an old snapshot.
    db.session.rollback()
    return list(db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                                   .order_by(Registration.id)))


def test_200_simultaneous_registrations_for_20_seats(served: tuple[Flask, str]) -> None:
    """Exactly 20 seats taken, 180 queued in order, nobody twice, no server error."""
    app, host = served
    staff, students = _people(app, 200)
    event = open_day(staff, capacity=20)
    path = f"/events/{event.id}/register"
    statuses = _all_at_once([(path, _cookie(app, s)) for s in students], host)
    assert statuses == [302] * 200
    rows = _registrations(event)
    assert len(rows) == 200 and len({r.user_id for r in rows}) == 200
    confirmed = [r for r in rows if r.status == "confirmed"]
    waiting = [r for r in rows if r.status == "waitlisted"]
    assert len(confirmed) == 20 and len(waiting) == 180
    # Queue numbers are 1..180, handed out in the order the rows were written.
    assert [r.position for r in waiting] == list(range(1, 181))
    db.session.refresh(event)
    assert (event.seats_taken, event.waiting, event.waitlist_seq) == (20, 180, 180)


def test_a_double_click_makes_one_registration(served: tuple[Flask, str]) -> None:
    """Ten simultaneous clicks by one student: one row, one seat, every answer a redirect."""
    app, host = served
    staff, students = _people(app, 1)
    event = open_day(staff, capacity=5)
    cookie = _cookie(app, students[0])
    statuses = _all_at_once([(f"/events/{event.id}/register", cookie)] * 10, host)
    assert statuses == [302] * 10
    rows = _registrations(event)
    assert [(r.user_id, r.status) for r in rows] == [(students[0].id, "confirmed")]
    db.session.refresh(event)
    assert event.seats_taken == 1


def test_cancellations_racing_new_registrations_keep_the_queue_in_order(
        served: tuple[Flask, str]) -> None:
    """Five seats freed while ten newcomers arrive: the first five waiting get them."""
    app, host = served
    staff, students = _people(app, 25)
    event = open_day(staff, capacity=5)
    path = f"/events/{event.id}/register"
    for student in students[:15]:  # 5 seats, then queue numbers 1..10, one by one
        assert _post(host, path, _cookie(app, student)) == 302
    seated = [r for r in _registrations(event) if r.status == "confirmed"]
    first_waiting = [r.user_id for r in _registrations(event) if r.position in range(1, 6)]
    calls = [(f"/events/registrations/{r.id}/cancel", _cookie(app, r.user)) for r in seated]
    calls += [(path, _cookie(app, s)) for s in students[15:]]
    statuses = _all_at_once(calls, host)
    assert statuses == [302] * 15
    rows = _registrations(event)
    confirmed = {r.user_id for r in rows if r.status == "confirmed"}
    assert confirmed == set(first_waiting)
    waiting = [r for r in rows if r.status == "waitlisted"]
    assert len(waiting) == 15 and [r.position for r in waiting] == sorted(
        r.position or 0 for r in waiting)
    db.session.refresh(event)
    assert event.seats_taken == 5
    assert event.waiting == len(waiting) == db.session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.event_id == event.id, Registration.status == "waitlisted"))
