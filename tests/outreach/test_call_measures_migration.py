"""The migration that stores the contract-end day on flags fills it in for the flags already
there, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import flask_migrate
from sqlalchemy import text

from orientamento.extensions import db
from tests.conftest import make_app
from tests.test_migrations import empty_database  # noqa: F401  (the fixture, both databases)

BEFORE = "3e8b1c7d9a25"
FLAGS = [  # as_of, months since the contract ended, trigger
    (date(2026, 3, 31), 1, "contract_ended"),
    (date(2026, 3, 31), 4, "contract_ended"),
    (date(2024, 3, 1), 2, "contract_ended"),  # across a leap day
    (date(2026, 1, 15), None, "contract_ended"),
]


def test_the_migration_backfills_the_contract_end_of_existing_flags(
        empty_database: str) -> None:  # noqa: F811
    app = make_app(empty_database)
    with app.app_context():
        flask_migrate.upgrade(revision=BEFORE)
        for number, (as_of, months, trigger) in enumerate(FLAGS):
            db.session.execute(text(
                "INSERT INTO risk_people (id, pseudonym, municipio, birth_year, created_at) "
                "VALUES (:id, :pseudonym, 1, 2004, CURRENT_TIMESTAMP)"),
                {"id": number + 1, "pseudonym": f"{number:064x}"})
            db.session.execute(text(
                "INSERT INTO outreach_flags (person_id, municipio, trigger, status, priority, "
                "months_since_contract, as_of, raised_at) VALUES (:person, 1, :trigger, 'open', "
                "1.01, :months, :as_of, CURRENT_TIMESTAMP)"),
                {"person": number + 1, "trigger": trigger, "months": months, "as_of": as_of})
        db.session.commit()
        db.session.remove()
        flask_migrate.upgrade()
        stored = db.session.execute(text(
            "SELECT as_of, contract_ended_on FROM outreach_flags ORDER BY person_id")).all()
        db.session.remove()
        db.engine.dispose()
    assert [tuple(str(value)[:10] for value in row) for row in stored] == [
        ("2026-03-31", "2026-03-01"), ("2026-03-31", "2025-12-01"),
        ("2024-03-01", "2024-01-01"), ("2026-01-15", "2026-01-15")]
