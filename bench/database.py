"""A fresh, throw-away database for one run: a temporary SQLite file or a PostgreSQL database."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import LiteralString

from sqlalchemy.engine import URL, make_url


class DatabaseError(RuntimeError):
    """The benchmark database cannot be created safely."""


def database_kind(url: str) -> str:
    """Return the backend name of a URL, e.g. ``sqlite`` or ``postgresql``."""
    return make_url(url).get_backend_name()


@contextmanager
def fresh_database(url: str | None) -> Iterator[str]:
    """Yield the URL of a new, empty database and remove it afterwards."""
    if url is None:
        with _temporary_sqlite() as temp_url:
            yield temp_url
        return
    parsed = make_url(url)
    kind = parsed.get_backend_name()
    if kind == "sqlite":
        _check_new_sqlite_file(parsed)
        yield url
    elif kind == "postgresql":
        with _temporary_postgresql(parsed):
            yield url
    else:
        raise DatabaseError(f"unsupported database {kind!r}: use SQLite or PostgreSQL")


@contextmanager
def _temporary_sqlite() -> Iterator[str]:
    """Yield a SQLite URL in a new temporary folder, deleted afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="orientamento-bench-"))
    try:
        yield f"sqlite:///{folder / 'bench.db'}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _check_new_sqlite_file(url: URL) -> None:
    """Refuse a SQLite file that already exists: the benchmark needs a fresh database."""
    if not url.database or url.database == ":memory:":
        raise DatabaseError("give a SQLite file path: gunicorn's workers cannot share :memory:")
    if Path(url.database).exists():
        raise DatabaseError(f"{url.database} exists; give a new path or delete it first")


@contextmanager
def _temporary_postgresql(url: URL) -> Iterator[None]:
    """Create the URL's database (dropping a leftover bench copy first) and drop it afterwards."""
    name = url.database or ""
    # The harness drops this database at the end: never let it touch a real one.
    if "bench" not in name:
        raise DatabaseError(
            f"refusing to create and drop {name!r}: the database name must contain 'bench'"
        )
    _run_maintenance(url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")
    _run_maintenance(url, "CREATE DATABASE {}")
    try:
        yield
    finally:
        _run_maintenance(url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")


def _run_maintenance(url: URL, template: LiteralString) -> None:
    """Run ``template`` with the database name, outside a transaction, on ``postgres``."""
    import psycopg
    from psycopg import sql

    admin = url.set(drivername="postgresql", database="postgres")
    statement = sql.SQL(template).format(sql.Identifier(url.database or ""))
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(statement)
