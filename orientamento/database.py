"""Declarative base, naming convention, SQLite pragmas and UTC time helpers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, Engine, MetaData, TypeDecorator, event
from sqlalchemy.orm import DeclarativeBase, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite has no time zones, so naive values read from it are tagged as UTC;
    writing a naive datetime is a programming error.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base class of every model."""

    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


def configure_sqlite(engine: Engine) -> None:
    """Open SQLite in WAL mode with foreign keys, a busy timeout and explicit BEGIN.

    pysqlite's own transaction handling is switched off so that SQLAlchemy emits
    BEGIN itself; a connection opened with the execution option
    ``sqlite_begin="IMMEDIATE"`` takes the write lock at the start of its
    transaction, which serializes writers without "database is locked" errors.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode not in ("DEFERRED", "IMMEDIATE"):
            raise ValueError(f"unknown SQLite begin mode {mode!r}")
        connection.exec_driver_sql(f"BEGIN {mode}")


def begin_immediate(session: Any) -> None:
    """Start the session's next transaction holding SQLite's write lock.

    A deferred SQLite transaction that reads and then writes can fail with
    SQLITE_BUSY when another writer committed in between; taking the lock up
    front makes writers queue on the busy timeout instead. Other databases
    need nothing here.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_immediate() called with unflushed changes")
        session.commit()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


F = TypeVar("F", bound=Callable[..., Any])


def writes_on_read(view: F) -> F:
    """Mark a GET view that writes (an audited read): on SQLite it runs under the write
    lock, like every POST, so its insert queues on the busy timeout instead of failing."""
    view.writes_on_read = True  # type: ignore[attr-defined]
    return view
