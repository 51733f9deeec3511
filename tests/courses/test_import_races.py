"""Two imports of the same new catalogue at once: the loser gets a 409 with a message.

On PostgreSQL both imports read "no such course" and the second insert meets the unique
index when the first commits; the tests reproduce that by hiding the existing courses from
the second import's read, so they run the same on SQLite.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_babel import gettext
from sqlalchemy import func, select

from orientamento.auth.models import Role
from orientamento.courses import transfer
from orientamento.courses.models import Course
from orientamento.extensions import db
from orientamento.orgs.models import Provider
from tests.courses.test_transfer import csv_bytes, row, upload

RACE_MESSAGE = ("Another import added some of these courses at the same time, so nothing was "
                "imported from this file. Import it again: the courses already there will be "
                "updated.")


@pytest.fixture
def providers(reference_data: None, make_provider: Callable[..., Provider]) -> None:
    """ENTE-A with the reference tables."""
    make_provider(code="ENTE-A", name="Fondazione A")


@pytest.fixture
def raced(monkeypatch: pytest.MonkeyPatch, providers: None) -> bytes:
    """A catalogue another import has just written, unseen by the next import's read."""
    data = csv_bytes(row(code="NEW-1"), row(code="NEW-2"))
    report = transfer.import_catalogue(data, "cat.csv", dry_run=False)
    assert report.ok
    db.session.commit()
    monkeypatch.setattr(transfer, "_existing", lambda keys: {})
    return data


def course_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Course)) or 0


def test_the_web_import_that_loses_the_race_is_a_409_with_a_message(
    app: Flask, client: FlaskClient, as_role: Callable[..., Any], raced: bytes
) -> None:
    as_role(Role.ADMIN, locale="en")
    response = upload(client, raced, dry_run=False)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert RACE_MESSAGE in page
    assert course_count() == 2


def test_the_cli_import_that_loses_the_race_says_so_on_one_line(
    runner: FlaskCliRunner, raced: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "cat.csv"
    path.write_bytes(raced)
    result = runner.invoke(args=["courses", "import", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    # In the CLI's language, whichever it is, without click's English "Error:".
    assert result.output == f"{gettext(RACE_MESSAGE)}\n"
    assert course_count() == 2
