"""A command's file import succeeds while the web writes (SQLite's single writer).

A deferred SQLite transaction that has read cannot write once another connection committed
after its first read: it fails at once with "database is locked", whatever the busy
timeout. An import that validated while one login committed therefore failed. Imports now
hold the write lock from the start, and the web's writes wait for them.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from orientamento.courses import transfer
from orientamento.courses.models import Course
from orientamento.courses.services import load_reference_data
from orientamento.extensions import db
from orientamento.orgs.models import Provider
from tests.conftest import is_postgres, make_app
from tests.courses.test_transfer import csv_bytes, row


@pytest.fixture
def database_file(tmp_path: Path) -> Path:
    if is_postgres():
        pytest.skip("SQLite only: PostgreSQL has no database-wide write lock")
    return tmp_path / "live.db"


@pytest.fixture
def file_app(database_file: Path) -> Iterator[Flask]:
    application = make_app(f"sqlite:///{database_file}", BABEL_DEFAULT_LOCALE="en")
    with application.app_context():
        db.create_all()
        load_reference_data()
        db.session.add(Provider(code="ENTE-A", name="Fondazione A", kind="its_foundation"))
        db.session.commit()
        yield application
        db.session.remove()
        db.engine.dispose()


def web_write(database_file: Path, done: list[str]) -> None:
    """What a request does: take the lock (waiting up to 10 s), write, commit."""
    connection = sqlite3.connect(database_file, timeout=10, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE providers SET website = 'https://a.example' "
                           "WHERE code = 'ENTE-A'")
        connection.execute("COMMIT")
        done.append("committed")
    except sqlite3.OperationalError as error:
        done.append(str(error))
    finally:
        connection.close()


def test_a_cli_import_succeeds_while_a_web_request_writes(
    file_app: Flask, database_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    done: list[str] = []
    writers: list[threading.Thread] = []
    real_parse = transfer.parse_row

    def parse_while_the_web_writes(*args: Any, **kwargs: Any) -> Any:
        if not writers:  # the first row: a request writes while the import validates
            writer = threading.Thread(target=web_write, args=(database_file, done))
            writers.append(writer)
            writer.start()
            writer.join(timeout=1)  # long enough for it to commit if nothing holds the lock
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(transfer, "parse_row", parse_while_the_web_writes)
    path = tmp_path / "catalogue.csv"
    path.write_bytes(csv_bytes(row(code="NEW-1"), row(code="NEW-2")))

    result = file_app.test_cli_runner().invoke(args=["courses", "import", str(path)])

    assert result.exit_code == 0, result.output
    writers[0].join(timeout=15)
    assert done == ["committed"]  # the request waited for the import, then wrote
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Course)) == 2
    assert db.session.scalar(select(Provider.website)) == "https://a.example"
