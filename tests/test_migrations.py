"""Migrations build the schema from empty, match the models, and round-trip."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
import psycopg
import pytest
from sqlalchemy import inspect

from orientamento.extensions import db
from tests.conftest import TEST_DATABASE_URL, is_postgres, make_app


def _postgres_database() -> Iterator[str]:
    assert TEST_DATABASE_URL
    name = f"orientamento_migrations_{uuid.uuid4().hex[:8]}"
    admin_url = TEST_DATABASE_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield TEST_DATABASE_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
    elif not is_postgres():
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the migration test on PostgreSQL (TEST_DATABASE_URL)")
        pytest.skip("PostgreSQL migration test needs TEST_DATABASE_URL")
    else:
        yield from _postgres_database()


def test_upgrade_check_downgrade_round_trip(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        flask_migrate.upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        flask_migrate.check()  # raises if the models and the migrations differ
        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        flask_migrate.upgrade()
        assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()


def test_a_migration_leaves_the_application_loggers_on(tmp_path: Path) -> None:
    # alembic's fileConfig disabled every logger it did not name: after `flask db upgrade` in a
    # process (or a migration test before others), warnings such as a failed e-mail delivery
    # were silently dropped.
    import logging

    existing = logging.getLogger("orientamento.outbox.cli")
    app = make_app(f"sqlite:///{tmp_path / 'loggers.db'}")
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    assert not existing.disabled


def test_migration_files_carry_dates_in_their_names() -> None:
    versions = Path(__file__).parent.parent / "migrations" / "versions"
    names = [path.name for path in versions.glob("*.py")]
    assert names
    assert all(name[:8].isdigit() and name[8] == "_" for name in names)


def test_the_latest_migration_keeps_the_data_of_a_seeded_database(
        empty_database: str) -> None:
    """Down one step and up again on the demo's data: no row lost (SQLite rebuilds tables in
    batch mode, and a dropped table with foreign keys on cascades into its dependants)."""
    from sqlalchemy import func, select

    from orientamento.core import clock
    from orientamento.demo.seed import seed_everything

    app = make_app(empty_database)
    with app.app_context():
        flask_migrate.upgrade()
        seed_everything("Quiet-river-stones-42", "2026/2027", clock.today())
        db.session.commit()
        counts = {name: db.session.scalar(select(func.count()).select_from(table))
                  for name, table in db.metadata.tables.items()}
        assert counts["outreach_flags"] and counts["risk_records"]
        db.session.remove()  # end the reading transaction: its locks would block the DDL
        flask_migrate.downgrade(revision="-1")
        # A table the latest migration creates goes with its rows when it is taken down, by
        # design: every table the downgrade keeps must keep every row.
        kept = set(inspect(db.engine).get_table_names())
        flask_migrate.upgrade()
        after = {name: db.session.scalar(select(func.count()).select_from(table))
                 for name, table in db.metadata.tables.items()}
        db.session.remove()
        assert {n: c for n, c in after.items() if n in kept} == {
            n: c for n, c in counts.items() if n in kept}
        db.session.remove()
        db.engine.dispose()
