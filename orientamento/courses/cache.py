"""Search results kept per catalogue version, so a repeated search costs one tiny query.

Why a cache and not another index: a search over 20,000 courses cost 80-150 ms per request
(SQLite, one request profiled), in the facet counts and in ranking every match of a common
word (16,000 rows through ``bm25``/``ts_rank`` and a sort), every time, while the catalogue
changes a few times a day and people repeat the same searches. With the counts and ids
kept, the profile showed three quarters of what was left in rendering the form and the 20
cards (WTForms' 140 place options, gettext), so the rendered results are kept as well
(``courses.views.search``, ``courses.api``), and a repeated search reads the version and
renders the page frame. A faster engine (tantivy) would only shorten the cold request and
leave the rendering; it was not tried. Stemming, facets that ignore their own filter and
relevance order are the database's, computed by the same queries as before.

The version is a counter in the one-row table ``catalogue_versions`` that database
triggers bump on every insert, update or delete of ``courses``, ``course_sites``,
``course_occupations``, ``places``, ``providers`` and ``occupations`` (whatever writes
them: the forms, an import, a bulk insert, a console). Reading it is a primary-key
look-up, so every process (gunicorn workers, other hosts) sees a write at its next search,
and nothing stale is served across instances. The key also carries the Milan date
(enrolment states change at midnight), and entries expire after ``TTL_S`` whatever happens
(a restored backup could bring back an old version number). A search in a transaction that
has itself written catalogue rows through the ORM is not kept: it could be rolled back.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from flask import current_app
from sqlalchemy import Column, Connection, Integer, MetaData, Table, event, text
from sqlalchemy.orm import Session

from orientamento.database import Base
from orientamento.extensions import db

T = TypeVar("T")

#: Most entries kept per process (least recently used dropped first).
MAX_ENTRIES = 2048
#: Longest an entry is kept, in seconds, whatever the version says.
TTL_S = 600.0
_EXTENSION = "course_search_cache"
_WRITTEN = "catalogue_written"

#: The tables whose writes change what a search finds, counts, orders or shows (provider
#: names and occupation titles are in the kept pages and JSON).
WATCHED_TABLES = ("courses", "course_sites", "course_occupations", "places", "providers",
                  "occupations")

catalogue_versions = Table(
    "catalogue_versions", Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
)

_BUMP_SQLITE = ("INSERT INTO catalogue_versions (id, version) VALUES (1, 1)"
                " ON CONFLICT (id) DO UPDATE SET version = catalogue_versions.version + 1;")


def trigger_statements(dialect_name: str) -> list[str]:
    """The DDL creating the version-bumping triggers on the watched tables."""
    if dialect_name == "postgresql":
        statements = [
            "CREATE OR REPLACE FUNCTION bump_catalogue_version() RETURNS trigger"
            " LANGUAGE plpgsql AS $$ BEGIN"
            " INSERT INTO catalogue_versions (id, version) VALUES (1, 1)"
            " ON CONFLICT (id) DO UPDATE SET version = catalogue_versions.version + 1;"
            " RETURN NULL; END $$"]
        # BEFORE each statement: a writer takes the counter's row lock before it locks any
        # catalogue row, so two writers queue up instead of deadlocking.
        statements += [
            f"CREATE TRIGGER trg_{table}_catalogue_version BEFORE INSERT OR UPDATE OR DELETE"
            f" ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_catalogue_version()"
            for table in WATCHED_TABLES]
        return statements
    return [f"CREATE TRIGGER trg_{table}_catalogue_{action.lower()} AFTER {action} ON {table}"
            f" BEGIN {_BUMP_SQLITE} END"
            for table in WATCHED_TABLES for action in ("INSERT", "UPDATE", "DELETE")]


def drop_statements(dialect_name: str) -> list[str]:
    """The DDL dropping what ``trigger_statements`` created."""
    if dialect_name == "postgresql":
        return [*(f"DROP TRIGGER IF EXISTS trg_{table}_catalogue_version ON {table}"
                  for table in WATCHED_TABLES),
                "DROP FUNCTION IF EXISTS bump_catalogue_version()"]
    return [f"DROP TRIGGER IF EXISTS trg_{table}_catalogue_{action}"
            for table in WATCHED_TABLES for action in ("insert", "update", "delete")]


def _install_triggers(target: MetaData, connection: Connection, **kwargs: Any) -> None:
    tables = kwargs.get("tables")
    names = {table.name for table in tables} if tables is not None else set(target.tables)
    if not {"catalogue_versions", *WATCHED_TABLES} <= names:
        return
    for statement in trigger_statements(connection.dialect.name):
        connection.execute(text(statement))


def _note_catalogue_writes(session: Session, flush_context: Any, instances: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(getattr(getattr(obj, "__table__", None), "name", None) in WATCHED_TABLES
           for obj in changed):
        session.info[_WRITTEN] = True


def _forget_writes(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_WRITTEN, None)


# Install the triggers whenever the schema is created (tests, ``db.create_all``; migrations
# create them by hand), and watch ORM writes.
event.listen(Base.metadata, "after_create", _install_triggers)
event.listen(Session, "before_flush", _note_catalogue_writes)
event.listen(Session, "after_transaction_end", _forget_writes)


def catalogue_version() -> int:
    """The catalogue's version counter (0 before the first write)."""
    return db.session.scalar(text("SELECT version FROM catalogue_versions WHERE id = 1")) or 0


class SearchCache:
    """A bounded, thread-safe LRU of values with an age limit."""

    def __init__(self, max_entries: int = MAX_ENTRIES, ttl_s: float = TTL_S) -> None:
        self.max_entries, self.ttl_s = max_entries, ttl_s
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[bool, Any]:
        """(True, value) for a fresh entry, else (False, None)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or time.monotonic() - entry[0] > self.ttl_s:
                return False, None
            self._entries.move_to_end(key)
            return True, entry[1]

    def put(self, key: Hashable, value: Any) -> None:
        """Keep ``value`` under ``key``, dropping the oldest entries past the bound."""
        with self._lock:
            self._entries[key] = (time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()


def search_cache() -> SearchCache:
    """This application's cache (one per process)."""
    cache: SearchCache | None = current_app.extensions.get(_EXTENSION)
    if cache is None:
        cache = current_app.extensions[_EXTENSION] = SearchCache()
    return cache


def cached(key: Hashable, compute: Callable[[], T],
           keep: Callable[[T], bool] = lambda value: True) -> T:
    """The value kept under ``key`` (which must hold the catalogue version), or ``compute()``,
    kept for the next search if ``keep`` accepts it and the current transaction has written
    no catalogue row."""
    if db.session.info.get(_WRITTEN):
        return compute()
    cache = search_cache()
    hit, value = cache.get(key)
    if hit:
        return cast(T, value)
    value = compute()
    if keep(value):
        cache.put(key, value)
    return value
