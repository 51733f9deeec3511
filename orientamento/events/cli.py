"""``flask events``: batch jobs for events, and the school calendar import."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from orientamento.events.availability import import_school_calendar
from orientamento.events.registrations import queue_reminders
from orientamento.events.school_calendar import MAX_CALENDAR_BYTES
from orientamento.extensions import db


@click.group("events")
def events_cli() -> None:
    """Events and peer visits."""


@events_cli.command("remind")
@with_appcontext
def remind() -> None:
    """Queue reminder e-mails for events starting within 24 hours (safe to re-run)."""
    count = queue_reminders()
    db.session.commit()
    click.echo(f"{count} reminders queued; send them with `flask outbox send`.")


@events_cli.command("import-holidays")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_holidays(path: Path) -> None:
    """Import a school calendar (CSV or .ics): it replaces the school years it covers."""
    with path.open("rb") as file:
        report = import_school_calendar(file.read(MAX_CALENDAR_BYTES + 1), path.name)
    if not report.ok:
        db.session.rollback()
        lines = [f"  row {e.row or '-'}, {e.column or '-'}: {e.message}" for e in report.errors]
        raise click.ClickException(f"{report.error_count} error(s), nothing imported:\n"
                                   + "\n".join(lines))
    db.session.commit()
    click.echo(f"{len(report.periods)} periods imported for {', '.join(report.school_years)} "
               f"({report.replaced} earlier periods replaced, {report.withdrawn} free windows "
               "withdrawn).")
