"""Registrations under real concurrency: simultaneous HTTP requests against a real server.

Each backend gets its own database: a file under ``tmp_path`` for SQLite, and on the
PostgreSQL server of ``TEST_DATABASE_URL`` a database of its own, ``evconc`` (created when
missing, emptied here), so the shared test database is never touched. The app is served by a
threaded werkzeug server; students are logged in with forged, correctly signed session
cookies, and every request comes from its own thread, released together by a barrier.

The assertions are exact counts and orders, never times. The last test pins a race found
here (lowering an event's capacity while registrations commit), made deterministic on
PostgreSQL by holding the event row.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask
from sqlalchemy import insert, select, text
from werkzeug.serving import WSGIRequestHandler, make_server

from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.courses.services import load_reference_data
from orientamento.events import services
from orientamento.events.models import Event, Registration
from orientamento.extensions import db
from orientamento.orgs.models import Provider
from tests.conftest import is_postgres, make_app, postgres_database_url

STUDENTS = 220
POSTGRES_DATABASE = "evconc"
#: Long enough for a request queued behind 199 others on a slow machine; never asserted.
HTTP_TIMEOUT_S = 120
#: SQLAlchemy's default pool (5 + 10) is sized for one request per worker process; the
#: threaded test server runs 200 requests in one process.
POOL = {"pool_size": 20, "max_overflow": 40, "pool_timeout": 90, "pool_pre_ping": True}


class _QuietHandler(WSGIRequestHandler):
    """No access log: 200 lines per test would drown a failure report."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Skip the access log line."""


@dataclass(frozen=True)
class Served:
    """The seeded app behind its server, and who is who."""

    app: Flask
    port: int
    backend: str
    provider_user_id: int
    provider_cookie: str
    student_ids: list[int]
    cookies: dict[int, str]  # student id -> ``Cookie`` header value
    event_id: int  # the 20-seat open day


def _postgres_url(name: str = POSTGRES_DATABASE) -> str:
    """The URL of database ``name`` on TEST_DATABASE_URL's server, created if missing."""
    return postgres_database_url(name)


def _database_url(backend: str, tmp: Path, name: str = POSTGRES_DATABASE) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp / 'concurrency.db'}"
    if not is_postgres():
        pytest.skip("PostgreSQL run needs TEST_DATABASE_URL=postgresql+psycopg://...")
    return _postgres_url(name)


def _cookie(app: Flask, session_token: str) -> str:
    """A ``Cookie`` header logging in the user with ``session_token`` (as the login would)."""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    value = serializer.dumps({"_user_id": session_token, "_fresh": True})
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def _new_event(provider_user_id: int, capacity: int, title: str) -> int:
    """An open day of the provider in 10 days, committed; returns its id."""
    start = (clock.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    actor = db.session.get(User, provider_user_id)
    assert actor is not None
    event = services.create_event(actor, services.EventData(
        kind="open_day", title=title, description="", starts_at=start,
        ends_at=start + timedelta(hours=2), capacity=capacity, address="Via Roma 1",
        place_code="015146"))
    db.session.commit()
    return event.id


def _seed() -> tuple[tuple[int, str], list[int], dict[int, str], int]:
    load_reference_data()
    provider = Provider(code="CONC-1", name="Ente concorrente", kind="its_foundation")
    db.session.add(provider)
    db.session.flush()
    staff = User(role=Role.PROVIDER.value, display_name="Staff", email="staff@conc.example.org",
                 provider_id=provider.id)
    students = [User(role=Role.STUDENT.value, display_name=f"Studente {n:03d}",
                     email=f"s{n:03d}@conc.example.org", date_of_birth=date(2008, 1, 1))
                for n in range(STUDENTS)]
    db.session.add_all([staff, *students])
    db.session.commit()
    event_id = _new_event(staff.id, 20, "Open day da 20 posti")
    tokens = {s.id: s.session_token for s in students}
    return (staff.id, staff.session_token), [s.id for s in students], tokens, event_id


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest, module_instant: datetime | None,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A seeded app behind a threaded werkzeug server, one per backend."""
    backend = request.param
    url = _database_url(backend, tmp_path_factory.mktemp(f"concurrency-{backend}"))
    app = make_app(url, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False,
                   SQLALCHEMY_ENGINE_OPTIONS=POOL)
    with app.app_context():
        db.drop_all()
        if backend == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        (staff_id, staff_token), student_ids, tokens, event_id = _seed()
        db.session.remove()
    cookies = {sid: _cookie(app, token) for sid, token in tokens.items()}
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name=f"concurrency-{backend}",
                              daemon=True)
    thread.start()
    try:
        yield Served(app, server.server_port, backend, staff_id, _cookie(app, staff_token),
                     student_ids, cookies, event_id)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


# --- HTTP ----------------------------------------------------------------------------------


def _send(port: int, method: str, path: str, cookie: str,
          form: dict[str, str] | None = None) -> tuple[int, str]:
    """One request, redirects not followed: (status, Location)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=HTTP_TIMEOUT_S)
    try:
        headers = {"Cookie": cookie}
        body = None
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode(form or {})
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    finally:
        connection.close()


def _all_at_once(port: int, calls: list[tuple[str, str]]) -> list[int | str]:
    """POST every (path, cookie) from its own thread, all released together.

    Returns the statuses in the order of ``calls``; a connection error is recorded as its
    ``repr`` so that the assertion shows it.
    """
    barrier = threading.Barrier(len(calls), timeout=60)
    statuses: list[int | str] = ["not sent"] * len(calls)

    def worker(index: int, path: str, cookie: str) -> None:
        try:
            barrier.wait()
            statuses[index] = _send(port, "POST", path, cookie)[0]
        except (OSError, http.client.HTTPException, threading.BrokenBarrierError) as error:
            statuses[index] = repr(error)

    threads = [threading.Thread(target=worker, args=(n, path, cookie), daemon=True)
               for n, (path, cookie) in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=HTTP_TIMEOUT_S + 60)
    return statuses


def _server_errors(statuses: list[int | str]) -> list[int | str]:
    return [s for s in statuses if not isinstance(s, int) or s >= 500]


# --- reading the database back -------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A registration as read back after the requests."""

    id: int
    user_id: int
    status: str
    position: int | None


@dataclass(frozen=True)
class State:
    """An event's counters and its registrations, in id order."""

    seats_taken: int
    waiting: int
    waitlist_seq: int
    rows: list[Row]

    def with_status(self, status: str) -> list[Row]:
        """The rows in ``status``."""
        return [r for r in self.rows if r.status == status]


def _state(served: Served, event_id: int) -> State:
    """Read an event back in a fresh session (a new snapshot on either backend)."""
    with served.app.app_context():
        try:
            event = db.session.get(Event, event_id)
            assert event is not None
            rows = [Row(r.id, r.user_id, r.status, r.position) for r in db.session.scalars(
                select(Registration).where(Registration.event_id == event_id)
                .order_by(Registration.id))]
            return State(event.seats_taken, event.waiting, event.waitlist_seq, rows)
        finally:
            db.session.remove()


def _event(served: Served, capacity: int, title: str) -> int:
    with served.app.app_context():
        try:
            return _new_event(served.provider_user_id, capacity, title)
        finally:
            db.session.remove()


# --- tests ---------------------------------------------------------------------------------


def test_forged_session_cookie_logs_the_student_in(served: Served) -> None:
    """The cookie the other tests rely on opens a login-only page instead of the login form."""
    student = served.student_ids[0]
    status, location = _send(served.port, "GET", "/events/mine", served.cookies[student])
    assert (status, location) == (200, "")
    status, location = _send(served.port, "GET", "/events/mine", "")
    assert status == 302 and "/account/login" in location


def test_200_simultaneous_registrations_for_20_seats(served: Served) -> None:
    """200 students at once for 20 seats: 20 seated, 180 queued 1..180, nobody twice."""
    students = served.student_ids[:200]
    path = f"/events/{served.event_id}/register"
    statuses = _all_at_once(served.port, [(path, served.cookies[s]) for s in students])

    assert _server_errors(statuses) == []
    assert statuses == [302] * 200
    state = _state(served, served.event_id)
    assert len(state.rows) == 200
    assert sorted(r.user_id for r in state.rows) == sorted(students)  # one row per student
    confirmed, waiting = state.with_status("confirmed"), state.with_status("waitlisted")
    assert len(confirmed) == 20
    assert all(r.position is None for r in confirmed)
    assert len(waiting) == 180
    assert sorted(r.position or 0 for r in waiting) == list(range(1, 181))
    assert (state.seats_taken, state.waiting, state.waitlist_seq) == (20, 180, 180)


def test_a_double_click_makes_one_registration(served: Served) -> None:
    """One student, ten simultaneous POSTs: one row, one seat, every answer the redirect."""
    event_id = _event(served, 5, "Open day da 5 posti (doppio clic)")
    student = served.student_ids[200]
    path = f"/events/{event_id}/register"
    statuses = _all_at_once(served.port, [(path, served.cookies[student])] * 10)

    assert _server_errors(statuses) == []
    assert statuses == [302] * 10
    state = _state(served, event_id)
    assert [(r.user_id, r.status) for r in state.rows] == [(student, "confirmed")]
    assert (state.seats_taken, state.waiting) == (1, 0)



def test_a_double_click_on_a_full_event_queues_once(served: Served) -> None:
    """Ten simultaneous clicks for a full event: one queue number, and no number skipped."""
    event_id = _event(served, 1, "Open day da 1 posto (doppio clic)")
    path = f"/events/{event_id}/register"
    first, student = served.student_ids[201], served.student_ids[202]
    assert _send(served.port, "POST", path, served.cookies[first])[0] == 302
    statuses = _all_at_once(served.port, [(path, served.cookies[student])] * 10)

    assert _server_errors(statuses) == []
    assert statuses == [302] * 10
    state = _state(served, event_id)
    assert [(r.user_id, r.status, r.position) for r in state.rows] == [
        (first, "confirmed", None), (student, "waitlisted", 1)]
    assert (state.seats_taken, state.waiting, state.waitlist_seq) == (1, 1, 1)

def test_cancellations_racing_new_registrations_serve_the_queue_in_order(
        served: Served) -> None:
    """A full event (5 seats, 10 waiting): 5 cancel while 10 newcomers register at once.

    The freed seats go to the first five in the queue, the newcomers queue behind everyone,
    and the counters match the rows.
    """
    event_id = _event(served, 5, "Open day da 5 posti (annullamenti)")
    path = f"/events/{event_id}/register"
    first, newcomers = served.student_ids[:15], served.student_ids[15:25]
    for student in first:  # one at a time: seats to the first 5, then queue numbers 1..10
        assert _send(served.port, "POST", path, served.cookies[student])[0] == 302
    before = _state(served, event_id)
    seated = before.with_status("confirmed")
    queue = sorted(before.with_status("waitlisted"), key=lambda r: r.position or 0)
    assert [r.user_id for r in seated] == first[:5]
    assert [(r.user_id, r.position) for r in queue] == list(zip(first[5:], range(1, 11),
                                                                strict=True))

    calls = [(f"/events/registrations/{r.id}/cancel", served.cookies[r.user_id])
             for r in seated]
    calls += [(path, served.cookies[s]) for s in newcomers]
    statuses = _all_at_once(served.port, calls)

    assert _server_errors(statuses) == []
    assert statuses == [302] * 15
    after = _state(served, event_id)
    by_id = {r.id: r for r in after.rows}
    assert {by_id[r.id].status for r in seated} == {"cancelled"}
    confirmed = after.with_status("confirmed")
    assert after.seats_taken == len(confirmed) == 5
    # Promoted: exactly the first five waiting, by position.
    assert sorted(r.user_id for r in confirmed) == sorted(r.user_id for r in queue[:5])
    waiting = after.with_status("waitlisted")
    assert after.waiting == len(waiting) == 15
    # The rest of the queue kept its numbers; the newcomers queued behind it, 11..20.
    assert sorted((r.position or 0) for r in waiting) == list(range(6, 21))
    assert {r.user_id for r in waiting if (r.position or 0) > 10} == set(newcomers)
    # One active registration per student.
    active = [r.user_id for r in after.rows if r.status in ("confirmed", "waitlisted")]
    assert len(active) == len(set(active)) == 20


def _lock_waiters() -> int:
    """Backends of this database waiting for a lock (PostgreSQL)."""
    with db.engine.connect() as connection:
        return connection.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")) or 0


def test_lowering_the_capacity_while_seats_are_taken_is_refused_cleanly(
        served: Served) -> None:
    """The provider lowers 20 seats to 10 while 9 are taken and two more registrations commit.

    Made deterministic on PostgreSQL: the test holds the event row, so the edit waits on it
    with the 9 it read; the test then commits two registrations (seats_taken 11) and lets
    go. The edit must be refused with its form error (400), the capacity left at 20.
    """
    if served.backend != "postgresql":
        pytest.skip("SQLite serializes writers (BEGIN IMMEDIATE): the edit reads and writes "
                    "under one lock")
    day = clock.today() + timedelta(days=10)
    with served.app.app_context():
        actor = db.session.get(User, served.provider_user_id)
        assert actor is not None
        event = services.create_event(actor, services.EventData(
            kind="open_day", title="Open day (capienza)", description="",
            starts_at=clock.rome_datetime(day, clock_time(10)),
            ends_at=clock.rome_datetime(day, clock_time(12)),
            capacity=20, address="Via Roma 1", place_code="015146"))
        db.session.commit()
        event_id = event.id
        db.session.remove()
    for student in served.student_ids[:9]:
        assert _send(served.port, "POST", f"/events/{event_id}/register",
                     served.cookies[student])[0] == 302
    form = {"kind": "open_day", "title": "Open day (capienza)", "description": "",
            "day": day.isoformat(), "start": "10:00", "end": "12:00", "capacity": "10",
            "address": "Via Roma 1", "place_code": "015146", "accessibility": "",
            "online_url": "", "registration_opens": "", "registration_closes": "",
            "min_age": "", "max_age": "", "school_level": ""}
    answer: list[int] = []
    with served.app.app_context():
        try:
            with db.engine.connect() as registrations:
                registrations.begin()
                registrations.execute(
                    text("SELECT id FROM events WHERE id = :id FOR UPDATE"), {"id": event_id})
                edit = threading.Thread(target=lambda: answer.append(_send(
                    served.port, "POST", f"/events/{event_id}/edit", served.provider_cookie,
                    form)[0]), daemon=True)
                edit.start()
                deadline = time.monotonic() + 30
                while _lock_waiters() == 0 and not answer and time.monotonic() < deadline:
                    time.sleep(0.05)
                assert not answer, f"the edit answered {answer} without touching the event row"
                # Two registrations commit, as ``registrations.register`` writes them.
                registrations.execute(
                    text("UPDATE events SET seats_taken = seats_taken + 2 WHERE id = :id"),
                    {"id": event_id})
                for student in served.student_ids[9:11]:
                    registrations.execute(insert(Registration).values(
                        event_id=event_id, user_id=student, seats=1, status="confirmed",
                        confirmed_at=clock.now()))
                registrations.commit()
            edit.join(timeout=HTTP_TIMEOUT_S)
        finally:
            db.session.remove()
    state = _state(served, event_id)
    assert state.seats_taken == 11
    assert answer == [400]  # "11 seats are already taken: the capacity cannot be lower."
    with served.app.app_context():
        try:
            assert db.session.get(Event, event_id).capacity == 20  # type: ignore[union-attr]
        finally:
            db.session.remove()
