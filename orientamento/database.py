"""Declarative base, naming convention, SQLite pragmas, UTC time and enum column types."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    ForeignKey,
    MetaData,
    String,
    Table,
    TypeDecorator,
    event,
)
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Mapper, registry

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


E = TypeVar("E", bound=StrEnum)


class StrEnumType(TypeDecorator[E]):
    """A ``StrEnum`` stored as its value in a ``VARCHAR(length)`` and read back as a member.

    The column stays a plain string column (the CHECK constraints beside the models list the
    allowed values), so the schema is the one a ``String(length)`` would give. Binding accepts
    a member or its value and refuses anything else; reading a value the enum does not know
    raises, naming the enum and the value.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum_cls: type[E], length: int) -> None:
        super().__init__(length)
        self.enum_cls = enum_cls
        self.length = length

    def process_bind_param(self, value: E | str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        try:
            return self.enum_cls(value).value
        except ValueError:
            raise ValueError(f"{value!r} is not a {self.enum_cls.__name__}") from None

    def process_result_value(self, value: str | None, dialect: Any) -> E | None:
        if value is None:
            return None
        try:
            return self.enum_cls(value)
        except ValueError:
            raise ValueError(
                f"unknown {self.enum_cls.__name__} {value!r} stored in the database") from None

    @property
    def python_type(self) -> type[E]:
        return self.enum_cls


def _to_member(enum_cls: type[StrEnum]) -> Callable[..., Any]:
    def coerce(_target: Any, value: Any, _old: Any, _initiator: Any) -> Any:
        return enum_cls(value) if isinstance(value, str) else value
    return coerce


@event.listens_for(Mapper, "mapper_configured")
def _coerce_enum_attributes(mapper: Mapper[Any], class_: type) -> None:
    """Turn a value assigned to an enum column into its member at once (an unknown one
    raises), so the attribute is a member before a flush as well as after a load."""
    for prop in mapper.column_attrs:
        column_type = prop.columns[0].type
        if isinstance(column_type, StrEnumType) and prop.parent is mapper:
            event.listen(prop.class_attribute, "set", _to_member(column_type.enum_cls),
                         retval=True)


class Base(DeclarativeBase):
    """Base class of every model."""

    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


def link_table(name: str, left: tuple[str, str], right: tuple[str, str], *,
               index_right: bool = True) -> Table:
    """A many-to-many table: ``(column, "table.column")`` for each side, both foreign keys
    cascading on delete and together the primary key, which serves look-ups from the left;
    the right column has its own index (unless ``index_right`` is False) for the other way."""
    return Table(
        name,
        Base.metadata,
        Column(left[0], ForeignKey(left[1], ondelete="CASCADE"), primary_key=True),
        Column(right[0], ForeignKey(right[1], ondelete="CASCADE"), primary_key=True,
               index=index_right),
    )


def configure_sqlite(engine: Engine, busy_timeout_ms: int = 15000) -> None:
    """Open SQLite in WAL mode with foreign keys, a busy timeout and explicit BEGIN.

    pysqlite's own transaction handling is switched off so that SQLAlchemy emits
    BEGIN itself; a connection opened with the execution option
    ``sqlite_begin="IMMEDIATE"`` takes the write lock at the start of its
    transaction, which serializes writers without "database is locked" errors
    (a writer still waiting after ``busy_timeout_ms`` gets one, answered with a 503).
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
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


def ping_when_idle(engine: Engine, after_seconds: float) -> None:
    """Check a pooled connection before use only when it has been idle ``after_seconds``.

    SQLAlchemy's ``pool_pre_ping`` checks it before every use: on PostgreSQL a round trip
    that cost a third of a millisecond a request here (a checkout and a statement: 584 µs with
    the ping, 216 µs without), a tenth of a light page. A connection found dead is replaced
    before the request uses it (the pool retries on ``DisconnectionError``). One in steady
    use is not checked: if the database restarts under load, its next statement fails,
    SQLAlchemy recognises the disconnect and empties the pool, so each worker answers one
    request with an error page; connections idle through a restart (at night, say) are
    checked and replaced first. SQLite has no server to lose.
    """
    if engine.dialect.name == "sqlite":
        return
    disconnected = engine.dialect.loaded_dbapi.Error

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < after_seconds:
            return  # new, or in steady use
        try:
            engine.dialect.do_ping(dbapi_connection)
        except disconnected as error:
            raise DisconnectionError("the idle connection was lost") from error


def commit_reads(app: Any, db: Any) -> None:
    """On PostgreSQL, end a request whose transaction only read with COMMIT, not ROLLBACK.

    psycopg prepares a statement on the server once a connection has run it five times, so
    PostgreSQL plans it once instead of on every run; but it forgets them all at every
    ROLLBACK (a rolled-back transaction might have changed what they refer to), and a session
    closing after a page that only read rolls back. So no statement was ever prepared, and
    PostgreSQL planned every statement of every page afresh: by EXPLAIN, 0.4 to 0.8 ms each for
    the queue's, more than running them. A transaction that ran only SELECTs ends the same
    either way. One that wrote anything (an INSERT, UPDATE or DELETE sent, or objects changed
    but not flushed), or a request that failed, is left to roll back as before. SQLite has no
    such cache to lose.
    """
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "begin")
    def _reading(connection: Any) -> None:
        connection.info["wrote"] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _note_writes(connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.startswith("SELECT"):
            connection.info["wrote"] = True

    @app.teardown_appcontext
    def _commit_if_only_read(error: BaseException | None) -> None:
        # Registered after Flask-SQLAlchemy's: runs before its session.remove() rolls back.
        if error is not None or not db.session.registry.has():
            return
        session = db.session()
        if (not session.in_transaction() or session.new or session.dirty
                or session.deleted):
            return
        if session.connection().info.get("wrote", True):
            return
        session.commit()


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


def locks_when_writing(view: F) -> F:
    """Mark a POST view that takes SQLite's write lock itself (``begin_immediate``) once its
    slow work is done (a password check), instead of before it runs like every other POST."""
    view.locks_when_writing = True  # type: ignore[attr-defined]
    return view


T = TypeVar("T")


def audited_read(session: Any, page: Callable[[], T], record: Callable[[], None]) -> T:
    """Build an audited page, then write its audit entry and commit, before it is sent.

    The page is built in the request's read transaction; only then does SQLite's write lock
    come in (``begin_immediate`` ends the read first), so views of audited pages queue on the
    lock for one insert, not for the whole render. Other databases write in the same
    transaction. If the entry cannot be written the page is never sent: no unaudited view.
    The objects the page read stay loaded for ``record`` (the entry is about what was shown),
    instead of being read again under the lock.
    """
    built = page()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        begin_immediate(session)
    finally:
        session.expire_on_commit = expire
    record()
    session.commit()
    return built
