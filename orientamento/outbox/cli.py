"""``flask outbox send``: deliver pending e-mail."""

from __future__ import annotations

import logging

import click
from flask import Flask, Response, request
from flask.cli import with_appcontext

from orientamento.extensions import db
from orientamento.outbox.models import OutboxMessage
from orientamento.outbox.services import claim_due, mark_result, transmit

log = logging.getLogger(__name__)


@click.group("outbox", help="Outgoing e-mail.")
def outbox_cli() -> None:
    """Outgoing e-mail."""


def deliver_pending(limit: int = 100) -> tuple[int, int]:
    """Deliver due messages; commit per message so one failure never resends others."""
    ids = claim_due(limit)
    db.session.commit()
    sent = failed = 0
    for message_id in ids:
        message = db.session.get_one(OutboxMessage, message_id)
        try:
            transmit(message)
        except Exception as error:  # any SMTP or network failure is retried later
            mark_result(message, error)
            failed += 1
        else:
            mark_result(message, None)
            sent += 1
        db.session.commit()
    return sent, failed


@outbox_cli.command("send")
@click.option("--limit", default=100, show_default=True, help="Most messages to send.")
@with_appcontext
def send_command(limit: int) -> None:
    """Deliver pending e-mail over SMTP, retrying failures with backoff."""
    sent, failed = deliver_pending(limit)
    click.echo(f"sent={sent} failed={failed}")
    if failed:
        raise SystemExit(1)


def init_console_delivery(app: Flask) -> None:
    """In development, print queued e-mail right after each successful request.

    The request's own work is committed by then: a delivery that fails (the database busy
    with another writer) is logged and left to the next request or ``flask outbox send``,
    never turned into an error page for a change that was saved.
    """
    if app.config["MAIL_BACKEND"] != "console":
        return

    @app.after_request
    def _deliver(response: Response) -> Response:
        if request.endpoint != "static" and response.status_code < 400:
            db.session.rollback()  # deliver only what the view committed
            try:
                deliver_pending()
            except Exception as error:
                db.session.rollback()
                # The class only: messages and statements may carry addresses.
                log.warning("console e-mail delivery after %s %s failed (%s); the messages "
                            "stay queued", request.method,
                            request.url_rule.rule if request.url_rule else "?",
                            type(error).__name__)
        return response
