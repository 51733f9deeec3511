"""``flask courses reference|import|export``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from orientamento.core.cli import add_export_command, add_import_command
from orientamento.courses import services, transfer
from orientamento.extensions import db


@click.group("courses", help="The course directory.")
def courses_cli() -> None:
    """The course directory."""


@courses_cli.command("reference")
@with_appcontext
def reference_command() -> None:
    """Load or refresh the shipped places and occupations reference tables."""
    counts = services.load_reference_data()
    db.session.commit()
    click.echo(f"{counts['places']} places and {counts['occupations']} occupations loaded")


add_import_command(
    courses_cli, transfer.import_catalogue, transfer.MAX_IMPORT_BYTES,
    "Import a CSV or JSON catalogue, all or nothing, keyed by provider + course code.")


add_export_command(courses_cli, transfer.export, ("csv", "json"), "Catalogue",
                   "Export the whole catalogue in the import format.")
