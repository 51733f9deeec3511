"""Decisions and outcomes under real concurrency: many workers press the button at once.

Each request runs in its own thread through its own test client, released together by a
barrier. SQLite needs a file database for that (an in-memory one is a single connection);
PostgreSQL uses the suite's database. The assertions are exact counts, never times.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from orientamento.auth.models import AuditAction, AuditEntry, Role, User, UserMunicipio
from orientamento.core import clock
from orientamento.extensions import db
from orientamento.outreach.models import Decision, Flag, Outcome
from tests.conftest import _PASSWORD_HASH, is_postgres, make_app
from tests.core.routes import act_as
from tests.risk.factories import make_flag, make_person, make_score, make_version

WORKERS = 12


@pytest.fixture
def shared_app(app: Flask, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app whose database many threads can open at once."""
    if is_postgres():
        yield app
        return
    threaded = make_app(f"sqlite:///{tmp_path / 'outreach.db'}")
    with threaded.app_context():
        db.create_all()
        try:
            yield threaded
        finally:
            db.session.remove()
            db.engine.dispose()


def _workers(count: int) -> list[User]:
    users = []
    for n in range(count):
        user = User(role=Role.OUTREACH.value, display_name=f"Worker {n}",
                    email=f"race{n}@example.org", password_hash=_PASSWORD_HASH)
        user.municipi = [UserMunicipio(municipio=1)]
        users.append(user)
    db.session.add_all(users)
    db.session.commit()
    return users


def _race(app: Flask, users: list[User], path: str,
          data: Callable[[int], dict[str, str]] | None, rounds: int = 1) -> list[int]:
    """POST ``data`` to ``path`` (GET it without ``data``) as every user at the same moment,
    ``rounds`` times each; return the status codes."""
    clients = []
    for user in users:
        client = app.test_client()
        act_as(client, user)
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []
    lock = threading.Lock()

    def run(number: int) -> None:
        barrier.wait()
        for _round in range(rounds):
            client = clients[number]
            response = client.get(path) if data is None else client.post(path, data=data(number))
            with lock:
                statuses.append(response.status_code)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return sorted(statuses)


def _flag(raised_days_ago: int = 1) -> Flag:
    version = make_version()
    person = make_person(1)
    return make_flag(person, make_score(person, version),
                     raised_at=clock.now() - timedelta(days=raised_days_ago))


def test_a_flag_is_closed_once_however_many_workers_decide(shared_app: Flask) -> None:
    users, flag = _workers(WORKERS), _flag()
    statuses = _race(shared_app, users, f"/outreach/flags/{flag.id}/decide", lambda n: {
        "decision-kind": "no_contact", "decision-reason_code": "already_supported",
        "decision-agrees": "yes", "decision-text": f"worker {n}"})
    assert statuses == [302] + [409] * (WORKERS - 1)
    db.session.rollback()  # end the test's read transaction: see what the workers wrote
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 1
    assert db.session.scalar(select(Flag.status).where(Flag.id == flag.id)) == "closed"


def test_one_outcome_per_follow_up_however_many_workers_record_it(shared_app: Flask) -> None:
    users, flag = _workers(WORKERS), _flag(raised_days_ago=120)
    statuses = _race(shared_app, users, f"/outreach/flags/{flag.id}/outcomes", lambda n: {
        "outcome-months": "3", "outcome-situation": "neet", "outcome-note": f"worker {n}"})
    assert statuses == [302] + [409] * (WORKERS - 1)
    db.session.rollback()  # end the test's read transaction: see what the workers wrote
    assert db.session.scalar(select(func.count()).select_from(Outcome)) == 1


def test_every_view_of_a_flag_is_audited_when_many_workers_open_it_at_once(
        shared_app: Flask) -> None:
    # An audited read reads, then writes: on SQLite it must queue for the write lock, not
    # fail with "database is locked" when another view committed in between.
    users, flag = _workers(WORKERS), _flag()
    statuses = _race(shared_app, users, f"/outreach/flags/{flag.id}", None, rounds=5)
    assert statuses == [200] * (WORKERS * 5)
    db.session.rollback()
    views = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == AuditAction.RISK_FLAG_VIEWED.value)).all()
    assert len(views) == WORKERS * 5
    assert {entry.actor_id for entry in views} == {user.id for user in users}
