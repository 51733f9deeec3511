"""``flask backup``: a consistent copy while the site writes, and the restore drill.

The drill: back up, write more, restore, start the app on the restored database: every row
of the backup is there, the later rows are not, and the database as it was before the
restore is kept beside the backup.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from orientamento.auth.models import Role, User
from orientamento.extensions import db
from orientamento.orgs.models import School
from tests.conftest import born_years_ago, is_postgres, make_app


def add_rows(*names: str) -> None:
    """A student per name, and a school named after the first (two tables)."""
    db.session.add(School(code=f"MIIS{abs(hash(names[0])) % 10**6:06d}", name=names[0]))
    for name in names:
        db.session.add(User(email=f"{name}@example.org", display_name=name, role=Role.STUDENT,
                            date_of_birth=born_years_ago(16)))
    db.session.commit()


def names_in(database_url: str) -> tuple[set[str], set[str]]:
    """The students' and schools' names in a database, read by a newly started app."""
    started = make_app(database_url)
    with started.app_context():
        try:
            return (set(db.session.scalars(select(User.display_name))),
                    set(db.session.scalars(select(School.name))))
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def file_app(tmp_path: Path) -> Iterator[Flask]:
    """An app on a SQLite file, as the embedded default is."""
    if is_postgres():
        pytest.skip("the SQLite drill; the PostgreSQL one is test_postgresql_restore_drill")
    application = make_app(f"sqlite:///{tmp_path / 'live.db'}")
    with application.app_context():
        db.create_all()
        yield application
        db.session.remove()
        db.engine.dispose()


def test_sqlite_backup_is_consistent_while_another_writer_holds_the_lock(
    file_app: Flask, tmp_path: Path
) -> None:
    add_rows("anna", "bruno")
    writer = sqlite3.connect(tmp_path / "live.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE users SET display_name = 'half-written'")
    try:
        result = file_app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.db")])
    finally:
        writer.execute("COMMIT")
        writer.close()
    assert result.exit_code == 0, result.output
    assert "SQLite backup written to" in result.output
    assert not (tmp_path / "copy.db-wal").exists()
    assert names_in(f"sqlite:///{tmp_path / 'copy.db'}")[0] == {"anna", "bruno"}


def test_sqlite_restore_drill(file_app: Flask, tmp_path: Path) -> None:
    runner = file_app.test_cli_runner()
    add_rows("anna", "bruno")
    backup = tmp_path / "nightly.db"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    add_rows("carla", "dario")  # written after the backup
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 1  # never overwritten

    refused = runner.invoke(args=["backup", "--restore", str(backup)], input="n\n")
    assert refused.exit_code == 1 and "Aborted" in refused.output
    result = runner.invoke(args=["backup", "--restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output

    live = f"sqlite:///{tmp_path / 'live.db'}"
    assert names_in(live) == ({"anna", "bruno"}, {"anna"})
    with sqlite3.connect(tmp_path / "live.db") as check:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    saved = [path for path in tmp_path.iterdir() if "before-restore" in path.name]
    assert len(saved) == 1 and saved[0].name in result.output
    assert names_in(f"sqlite:///{saved[0]}")[0] == {"anna", "bruno", "carla", "dario"}


def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(
    file_app: Flask, tmp_path: Path
) -> None:
    add_rows("anna")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 100)
    result = file_app.test_cli_runner().invoke(args=["backup", "--restore", str(junk), "--yes"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert names_in(f"sqlite:///{tmp_path / 'live.db'}")[0] == {"anna"}


def test_an_in_memory_database_cannot_be_backed_up(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    if is_postgres():
        pytest.skip("in-memory SQLite only")
    result = runner.invoke(args=["backup", str(tmp_path / "x.db")])
    assert result.exit_code == 1 and "in-memory" in result.output


def test_postgresql_restore_drill(app: Flask, runner: FlaskCliRunner, database_url: str,
                                  tmp_path: Path) -> None:
    if not is_postgres():
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL)")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump and pg_restore are not installed (apt-get install "
                    "postgresql-client)")
    add_rows("anna", "bruno")
    backup = tmp_path / "nightly.dump"
    made = runner.invoke(args=["backup", str(backup)])
    assert made.exit_code == 0, made.output
    assert "$ pg_dump --format=custom" in made.output
    add_rows("carla", "dario")
    result = runner.invoke(args=["backup", "--restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert "$ pg_restore --clean" in result.output
    assert names_in(database_url) == ({"anna", "bruno"}, {"anna"})
