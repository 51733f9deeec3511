"""``flask events``: batch jobs for events."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from orientamento.events.registrations import queue_reminders
from orientamento.extensions import db


@click.group("events")
def events_cli() -> None:
    """Events: reminders."""


@events_cli.command("remind")
@with_appcontext
def remind() -> None:
    """Queue reminder e-mails for events starting within 24 hours (safe to re-run)."""
    count = queue_reminders()
    db.session.commit()
    click.echo(f"{count} reminders queued; send them with `flask outbox send`.")

