"""Database guards: no person and no class in two overlapping scheduled events.

``event_staff`` and ``event_classes`` carry a copy of their event's time and status (kept equal
by a composite foreign key with ``ON UPDATE CASCADE``), so the rule can be checked on one table:
PostgreSQL with an exclusion constraint over a ``tstzrange`` (``btree_gist`` gives ``=`` on
integers in a GiST index), SQLite with triggers (writers there are serialized by
``BEGIN IMMEDIATE``, so a trigger's check cannot race). The same statements are issued by the
migration and, for tests that build the schema with ``create_all``, by ``after_create`` hooks.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, event, text

#: (table, column) pairs that must not be booked twice at the same time.
GUARDED = (("event_staff", "user_id"), ("event_classes", "class_id"))

OVERLAP_MESSAGE = "overlapping scheduled events"


def postgres_statements(table: str, column: str) -> list[str]:
    """The exclusion constraint for ``table`` on PostgreSQL."""
    return [
        "CREATE EXTENSION IF NOT EXISTS btree_gist",
        f"ALTER TABLE {table} ADD CONSTRAINT ex_{table}_no_overlap EXCLUDE USING gist"
        f" ({column} WITH =, tstzrange(starts_at, ends_at) WITH &&)"
        " WHERE (status = 'scheduled')",
    ]


def sqlite_statements(table: str, column: str) -> list[str]:
    """The triggers for ``table`` on SQLite (timestamps are stored as sortable UTC text)."""
    # Identifiers cannot be bound as parameters; these come from GUARDED, never from input.
    if (table, column) not in GUARDED:
        raise ValueError(f"not a guarded table: {table}.{column}")
    clash = (
        f"NEW.status = 'scheduled' AND EXISTS (SELECT 1 FROM {table} AS other"  # noqa: S608  # nosec B608
        f" WHERE other.{column} = NEW.{column} AND other.event_id <> NEW.event_id"
        " AND other.status = 'scheduled'"
        " AND other.starts_at < NEW.ends_at AND NEW.starts_at < other.ends_at)"
    )
    return [
        f"CREATE TRIGGER IF NOT EXISTS tr_{table}_no_overlap_insert BEFORE INSERT ON {table}"
        f" WHEN {clash} BEGIN SELECT RAISE(ABORT, '{OVERLAP_MESSAGE}'); END",
        f"CREATE TRIGGER IF NOT EXISTS tr_{table}_no_overlap_update BEFORE UPDATE ON {table}"
        f" WHEN {clash} BEGIN SELECT RAISE(ABORT, '{OVERLAP_MESSAGE}'); END",
    ]


def statements(dialect: str, table: str, column: str) -> list[str]:
    """The guard statements for a dialect."""
    if dialect == "postgresql":
        return postgres_statements(table, column)
    if dialect == "sqlite":
        return sqlite_statements(table, column)
    raise NotImplementedError(dialect)


def is_overlap(error: Exception) -> bool:
    """Whether a database error is one of these guards refusing a row."""
    text_of = str(getattr(error, "orig", error))
    return OVERLAP_MESSAGE in text_of or "_no_overlap" in text_of


def _install(target: Table, connection: Connection, **_kwargs: Any) -> None:
    column = dict(GUARDED)[target.name]
    for statement in statements(connection.dialect.name, target.name, column):
        connection.execute(text(statement))


def install_overlap_guards(tables: dict[str, Table]) -> None:
    """Add the guards whenever the guarded tables are created with ``create_all``."""
    for name, _column in GUARDED:
        table = tables[name]
        if not event.contains(table, "after_create", _install):
            event.listen(table, "after_create", _install)
