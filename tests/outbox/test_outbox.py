"""The outbox delivers over real SMTP (aiosmtpd), once, with retries and backoff."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select, update

from orientamento.auth.models import User
from orientamento.core import clock
from orientamento.extensions import db
from orientamento.outbox.cli import deliver_pending
from orientamento.outbox.models import OutboxMessage, OutboxStatus
from orientamento.outbox.services import backoff, claim_due, queue_email


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def app_config(smtp_port: int) -> dict[str, Any]:
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port}


@pytest.fixture
def inbox(smtp_port: int) -> Iterator[Inbox]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield handler
    controller.stop()


@pytest.fixture
def queued(make_user: Callable[..., User]) -> OutboxMessage:
    user = make_user(email="sofia@example.org", display_name="Sofia", locale="it")
    message = queue_email(user, "reset_password", link="https://orientamento.test/r/abc", hours=2)
    db.session.commit()
    return message


def test_send_delivers_pending_mail_once(
    app: Flask, runner: FlaskCliRunner, inbox: Inbox, queued: OutboxMessage
) -> None:
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "sent=1 failed=0" in result.output
    assert len(inbox.messages) == 1
    received = inbox.messages[0]
    assert received["To"] == "sofia@example.org"
    assert "Orientamento Milano" in received["From"]
    body = received.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "https://orientamento.test/r/abc" in body
    assert "Sofia" in body
    db.session.refresh(queued)
    assert queued.status == OutboxStatus.SENT and queued.attempts == 1 and queued.sent_at
    # A second run finds nothing to send.
    assert "sent=0 failed=0" in runner.invoke(args=["outbox", "send"]).output
    assert len(inbox.messages) == 1


def test_mail_is_rendered_in_the_recipients_language(
    app: Flask, make_user: Callable[..., User]
) -> None:
    italian = queue_email(make_user(locale="it"), "reset_password", link="L", hours=2)
    english = queue_email(make_user(locale="en"), "reset_password", link="L", hours=2)
    assert italian.subject != english.subject
    assert "password" in english.subject.lower()
    assert "2 hours" in english.body


def test_a_failed_delivery_is_retried_with_backoff(
    app: Flask, runner: FlaskCliRunner, smtp_port: int, queued: OutboxMessage
) -> None:
    # Nothing listens on the port yet: the delivery fails.
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 1
    db.session.refresh(queued)
    assert queued.status == OutboxStatus.PENDING and queued.attempts == 1
    assert queued.last_error and "Connection" in queued.last_error
    assert queued.next_attempt_at > clock.now() + timedelta(seconds=50)
    # Not due yet: nothing is tried even once the server is up.
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        assert deliver_pending() == (0, 0)
        db.session.execute(update(OutboxMessage).values(next_attempt_at=clock.now()))
        db.session.commit()
        assert deliver_pending() == (1, 0)
    finally:
        controller.stop()
    assert len(handler.messages) == 1
    db.session.refresh(queued)
    assert queued.status == OutboxStatus.SENT and queued.attempts == 2


def test_delivery_gives_up_after_the_maximum_attempts(
    app: Flask, queued: OutboxMessage
) -> None:
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    for _ in range(2):
        db.session.execute(update(OutboxMessage).values(next_attempt_at=clock.now()))
        db.session.commit()
        deliver_pending()
    db.session.refresh(queued)
    assert queued.status == OutboxStatus.FAILED and queued.attempts == 2


def test_backoff_grows_and_is_capped() -> None:
    delays = [backoff(n) for n in range(1, 15)]
    assert delays[0] == timedelta(minutes=1)
    assert delays == sorted(delays)
    assert delays[-1] == timedelta(days=1)


def test_a_rolled_back_change_sends_nothing(
    app: Flask, inbox: Inbox, make_user: Callable[..., User]
) -> None:
    user = make_user()
    queue_email(user, "reset_password", link="L", hours=2)
    db.session.rollback()
    assert deliver_pending() == (0, 0)
    assert inbox.messages == []


def test_a_claimed_message_is_not_claimed_twice_until_the_claim_is_stale(
    app: Flask, queued: OutboxMessage
) -> None:
    assert claim_due() == [queued.id]
    db.session.commit()
    assert claim_due() == []  # a second sender gets nothing
    db.session.execute(
        update(OutboxMessage).values(claimed_at=clock.now() - timedelta(minutes=11))
    )
    db.session.commit()
    assert claim_due() == [queued.id]  # the first sender crashed: recovered


def test_console_backend_prints_instead_of_sending(
    app: Flask, queued: OutboxMessage, capsys: pytest.CaptureFixture[str]
) -> None:
    app.config["MAIL_BACKEND"] = "console"
    assert deliver_pending() == (1, 0)
    assert "https://orientamento.test/r/abc" in capsys.readouterr().out
    assert db.session.scalar(select(OutboxMessage.status)) == OutboxStatus.SENT


def test_a_calendar_file_travels_as_an_ics_attachment(
    app: Flask, runner: FlaskCliRunner, inbox: Inbox, make_user: Callable[..., User]
) -> None:
    user = make_user(email="luca@example.org", display_name="Luca", locale="en")
    ics = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Open day\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    queue_email(user, "reset_password", link="https://orientamento.test/r/x", hours=2,
                calendar_ics=ics)
    db.session.commit()
    assert "sent=1" in runner.invoke(args=["outbox", "send"]).output
    received = inbox.messages[0]
    parts = {part.get_content_type(): part for part in received.walk()}
    calendar = parts["text/calendar"]
    assert calendar.get_filename() == "event.ics"
    assert calendar.get_param("method") == "PUBLISH"
    assert b"SUMMARY:Open day" in calendar.get_payload(decode=True)  # type: ignore[operator]
    assert "https://orientamento.test/r/x" in parts["text/plain"].get_payload(decode=True).decode()  # type: ignore[union-attr]
