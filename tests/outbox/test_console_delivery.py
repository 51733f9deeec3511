"""The console backend (development): mail printed after the request, never an error page for
a request that committed, and refused in production."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from orientamento.auth.models import AuditEntry, User
from orientamento.config import ConfigError
from orientamento.extensions import db
from orientamento.outbox import cli
from orientamento.outbox.models import OutboxMessage, OutboxStatus
from tests.conftest import make_app


@pytest.fixture
def app_config() -> dict[str, Any]:
    """The console backend, as in development."""
    return {"MAIL_BACKEND": "console"}


def ask_for_reset(client: FlaskClient, user: User) -> Any:
    """A request that commits and queues an e-mail."""
    return client.post("/account/forgot-password", data={"email": user.email})


def test_mail_is_printed_right_after_the_request(
    client: FlaskClient, make_user: Callable[..., User], capsys: pytest.CaptureFixture[str]
) -> None:
    user = make_user(email="printed@example.org")
    assert ask_for_reset(client, user).status_code == 302
    assert "To: printed@example.org" in capsys.readouterr().out
    db.session.rollback()
    assert db.session.scalar(select(OutboxMessage.status)) == OutboxStatus.SENT


def test_a_failed_delivery_after_commit_keeps_the_answer_and_logs_no_address(
    app: Flask, client: FlaskClient, make_user: Callable[..., User],
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    user = make_user(email="busy.reader@example.org")

    def locked(limit: int = 100) -> tuple[int, int]:
        raise OperationalError(
            "UPDATE outbox_messages SET status=? WHERE to_address='busy.reader@example.org'",
            {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(cli, "deliver_pending", locked)
    with caplog.at_level(logging.WARNING):
        response = ask_for_reset(client, user)
    assert response.status_code == 302
    db.session.rollback()
    # The request's own work was committed and stays: the message waits for the next sender.
    assert db.session.scalar(select(OutboxMessage.status)) == OutboxStatus.PENDING
    assert db.session.scalars(select(AuditEntry.action)).all() == ["password_reset_requested"]
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "OperationalError" in logged
    assert "busy.reader" not in logged and "database is locked" not in logged
    assert not any(record.exc_info for record in caplog.records)


def test_production_refuses_the_console_backend(database_url: str) -> None:
    keys = {"SECRET_KEY": "s" * 40, "AUDIT_PSEUDONYM_KEY": "a" * 40}
    with pytest.raises(ConfigError, match="ORIENTAMENTO_MAIL_BACKEND"):
        make_app(database_url, ENV_NAME="production", MAIL_BACKEND="console", **keys)
    assert make_app(database_url, ENV_NAME="production", MAIL_BACKEND="smtp", **keys)
