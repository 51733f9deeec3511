"""``flask courses reference|import|export``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from orientamento.core.cli import add_import_command, write_export
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


@courses_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: standard output).")
@with_appcontext
def export_command(fmt: str, output: Path | None) -> None:
    """Export the whole catalogue in the import format."""
    write_export(transfer.export_csv() if fmt == "csv" else transfer.export_json(), output,
                 "Catalogue")
