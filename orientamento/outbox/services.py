"""Queueing e-mail in the outbox and delivering it over SMTP with retries."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import delete, or_, select, update

from orientamento.core import clock
from orientamento.extensions import db
from orientamento.outbox.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

#: A message claimed for sending longer ago than this is assumed lost by a crashed sender.
STALE_CLAIM = timedelta(minutes=10)


class Recipient(Protocol):
    """Whom an e-mail goes to: the outbox needs only these of an account."""

    @property
    def id(self) -> int: ...
    @property
    def email(self) -> str | None: ...
    @property
    def locale(self) -> str | None: ...


def queue_email(user: Recipient, template: str, *, calendar_ics: bytes | None = None,
                **context: Any) -> OutboxMessage:
    """Render ``templates/email/<template>.txt`` in the user's language and queue it, with an
    iCalendar file attached when ``calendar_ics`` is given."""
    if not user.email:
        raise ValueError("user has no e-mail address")
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = render_template(f"email/{template}.subject.txt", user=user, **context).strip()
        body = render_template(f"email/{template}.txt", user=user, **context)
    message = OutboxMessage(user_id=user.id, to_address=user.email, subject=subject, body=body,
                            calendar_ics=calendar_ics.decode() if calendar_ics else None)
    db.session.add(message)
    return message


def backoff(attempts: int) -> timedelta:
    """Delay before the next try: 1, 2, 4 ... minutes, at most a day."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 24 * 60))


def claim_due(limit: int = 100) -> list[int]:
    """Claim due messages for this sender; a concurrent sender never gets the same ones."""
    now = clock.now()
    candidates = db.session.scalars(
        select(OutboxMessage.id)
        .where(
            or_(
                (OutboxMessage.status == OutboxStatus.PENDING)
                & (OutboxMessage.next_attempt_at <= now),
                (OutboxMessage.status == OutboxStatus.SENDING)
                & (OutboxMessage.claimed_at < now - STALE_CLAIM),
            )
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    claimed = []
    for message_id in candidates:
        result = db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                or_(
                    OutboxMessage.status == OutboxStatus.PENDING,
                    (OutboxMessage.status == OutboxStatus.SENDING)
                    & (OutboxMessage.claimed_at < now - STALE_CLAIM),
                ),
            )
            .values(status=OutboxStatus.SENDING, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(message_id)
    return claimed


def to_email_message(message: OutboxMessage) -> EmailMessage:
    """Build the RFC 5322 message for an outbox row."""
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_SENDER"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = f"<outbox-{message.id}@orientamento.milano>"
    email.set_content(message.body)
    if message.calendar_ics:
        email.add_attachment(message.calendar_ics, subtype="calendar", filename="event.ics",
                             params={"method": "PUBLISH"})
    return email


def transmit(message: OutboxMessage) -> None:
    """Hand one message to the configured backend (SMTP or the console)."""
    config = current_app.config
    email = to_email_message(message)
    if config["MAIL_BACKEND"] == "console":
        print(f"--- e-mail (development) ---\n{email}\n--- end ---", flush=True)
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(email)


def mark_result(message: OutboxMessage, error: Exception | None) -> None:
    """Record a delivery: sent, or failed with the next try scheduled."""
    now = clock.now()
    message.attempts += 1
    message.claimed_at = None
    if error is None:
        message.status = OutboxStatus.SENT
        message.sent_at = now
        message.last_error = None
        return
    message.last_error = f"{type(error).__name__}: {error}"[:500]
    if message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        message.status = OutboxStatus.FAILED
    else:
        message.status = OutboxStatus.PENDING
        message.next_attempt_at = now + backoff(message.attempts)


def delete_finished_before(cutoff: datetime) -> int:
    """Delete the messages sent or given up on before ``cutoff`` (retention: their bodies
    hold names, addresses and links); messages still to send stay. Returns how many."""
    result = db.session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.status.in_((OutboxStatus.SENT, OutboxStatus.FAILED)),
               OutboxMessage.created_at < cutoff)
        .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
