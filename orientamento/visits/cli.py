"""``flask visits``: the school calendar import."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from orientamento.extensions import db
from orientamento.visits.school_calendar import MAX_CALENDAR_BYTES
from orientamento.visits.services.availability import import_school_calendar


@click.group("visits")
def visits_cli() -> None:
    """Peer visits: the school calendar."""


def _import_holidays(path: Path) -> None:
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


PATH_ARGUMENT = click.argument(
    "path", type=click.Path(exists=True, dir_okay=False, path_type=Path))


@visits_cli.command("import-holidays")
@PATH_ARGUMENT
@with_appcontext
def import_holidays(path: Path) -> None:
    """Import a school calendar (CSV or .ics): it replaces the school years it covers."""
    _import_holidays(path)


@click.command("import-holidays", hidden=True)
@PATH_ARGUMENT
@with_appcontext
def import_holidays_under_events(path: Path) -> None:
    """The same import under its earlier name, ``flask events import-holidays`` (kept for cron)."""
    _import_holidays(path)
