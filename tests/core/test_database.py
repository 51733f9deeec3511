"""Database behaviour: SQLite pragmas, serialized writers, UTC timestamps; on PostgreSQL,
idle connections checked and read-only requests ended so their statements stay prepared."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from orientamento.auth.models import AuditEntry
from orientamento.database import UTCDateTime, begin_immediate
from orientamento.extensions import db
from tests.conftest import is_postgres, make_app


@pytest.fixture
def file_app(tmp_path: Path):  # type: ignore[no-untyped-def]
    app = make_app(f"sqlite:///{tmp_path / 'pragma.db'}")
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(file_app) -> None:  # type: ignore[no-untyped-def]
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 15000


def test_begin_immediate_takes_the_write_lock_at_the_start(file_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    begin_immediate(db.session())
    db.session.execute(text("SELECT 1"))
    # Another connection cannot start writing while we hold the lock.
    other = sqlite3.connect(tmp_path / "pragma.db", timeout=0.2, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        other.execute("BEGIN IMMEDIATE")
    db.session.commit()
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")
    other.close()


def test_writers_queue_instead_of_failing(file_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    begin_immediate(db.session())
    db.session.execute(text("SELECT 1"))
    done: list[float] = []

    def writer() -> None:
        connection = sqlite3.connect(tmp_path / "pragma.db", timeout=5, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        done.append(time.monotonic())
        connection.execute("ROLLBACK")
        connection.close()

    thread = threading.Thread(target=writer)
    released = time.monotonic()
    thread.start()
    time.sleep(0.3)
    assert done == []  # still waiting on the lock
    released = time.monotonic()
    db.session.commit()
    thread.join(5)
    assert done and done[0] >= released


def test_utc_datetime_refuses_naive_values() -> None:
    column = UTCDateTime()
    with pytest.raises(ValueError, match="naive"):
        column.process_bind_param(datetime(2026, 1, 1), None)  # noqa: DTZ001 (on purpose)
    # What SQLite hands back: a naive value, read as UTC.
    read = column.process_result_value(datetime(2026, 1, 1, 12), None)  # noqa: DTZ001
    assert read is not None and read.utcoffset() is not None


def test_link_tables_cascade_from_both_sides_and_index_the_right_one() -> None:
    """Every many-to-many table of the models: a composite key of two cascading foreign keys,
    an index on the second column unless the table says otherwise."""
    from orientamento.courses.models import course_occupations
    from orientamento.events.models import event_courses
    from orientamento.visits.models import (
        proposed_ambassadors,
        window_ambassadors,
        window_courses,
        window_places,
    )

    for table in (course_occupations, event_courses, window_ambassadors, window_courses,
                  window_places, proposed_ambassadors):
        left, right = table.columns
        assert [c.name for c in table.primary_key.columns] == [left.name, right.name]
        assert all(fk.ondelete == "CASCADE" for fk in table.foreign_keys)
        assert {fk.parent.name for fk in table.foreign_keys} == {left.name, right.name}
        indexed = {tuple(c.name for c in index.columns) for index in table.indexes}
        assert indexed == (set() if table is window_places else {(right.name,)}), table.name
    assert {fk.parent.name: fk.target_fullname for fk in event_courses.foreign_keys} == {
        "event_id": "events.id", "course_id": "courses.id"}


@pytest.mark.skipif(not is_postgres(), reason="PostgreSQL only: SQLite has no server to lose")
@pytest.mark.parametrize(("after_seconds", "recovers"), [(0.0, True), (3600.0, False)])
def test_a_connection_idle_long_enough_is_checked_and_replaced_before_use(
        database_url: str, after_seconds: float, recovers: bool) -> None:
    app = make_app(database_url, DATABASE_PING_AFTER_IDLE_SECONDS=after_seconds)
    with app.app_context():
        engine = db.engine
        with engine.connect() as connection:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        # The server drops the pooled (idle) connection, as a restart would.
        outside = create_engine(database_url, poolclass=NullPool)
        with outside.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            other.commit()
        time.sleep(0.2)
        if recovers:  # checked at checkout: a new connection serves the statement
            with engine.connect() as connection:
                assert connection.execute(text("SELECT pg_backend_pid()")).scalar() != pid
        else:  # in steady use: the statement finds the connection gone
            with pytest.raises(DBAPIError) as raised, engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            assert raised.value.connection_invalidated
        engine.dispose()


@pytest.fixture
def served(app, database_url: str):  # type: ignore[no-untyped-def]
    """A second app on the test database, asked outside any app context, so that each
    request ends its own (as under a server): ``/read`` only reads, ``/write`` inserts an
    audit entry and returns without committing."""
    served = make_app(database_url)

    @served.get("/read")
    def _read() -> str:
        return str(db.session.scalar(select(func.count()).select_from(AuditEntry)))

    @served.get("/write")
    def _write() -> str:
        db.session.execute(insert(AuditEntry).values(action="login", details={}))
        return "written, not committed"

    yield served
    with served.app_context():
        db.engine.dispose()


@pytest.mark.skipif(not is_postgres(), reason="PostgreSQL only: psycopg's statement cache")
def test_pages_that_only_read_keep_their_statements_prepared(served) -> None:  # type: ignore[no-untyped-def]
    client = served.test_client()
    for _ in range(6):  # psycopg prepares a statement on its fifth run
        assert client.get("/read").status_code == 200
    with served.app_context():
        prepared = db.session.scalars(text("SELECT statement FROM pg_prepared_statements"))
        assert any("FROM audit_log" in statement for statement in prepared)


@pytest.mark.skipif(not is_postgres(), reason="PostgreSQL only: SQLite rolls back as before")
def test_a_request_that_wrote_without_committing_leaves_nothing(served) -> None:  # type: ignore[no-untyped-def]
    client = served.test_client()
    assert client.get("/write").status_code == 200
    assert client.get("/read").get_data(as_text=True) == "0"
    assert client.get("/read").status_code == 200
