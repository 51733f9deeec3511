"""``flask courses reference|import|export``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from orientamento.core.cli import run_import
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


@courses_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and change nothing.")
@with_appcontext
def import_command(file: Path, dry_run: bool) -> None:
    """Import a CSV or JSON catalogue, all or nothing, keyed by provider + course code."""
    with file.open("rb") as handle:
        data = handle.read(transfer.MAX_IMPORT_BYTES + 1)
    report = run_import(lambda: transfer.import_catalogue(data, file.name, dry_run=dry_run),
                        dry_run=dry_run)
    verb = "would be" if dry_run else "were"
    click.echo(f"{report.rows} rows: {report.created} {verb} created, {report.updated} "
               f"{verb} updated, {report.unchanged} unchanged")


@courses_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: standard output).")
@with_appcontext
def export_command(fmt: str, output: Path | None) -> None:
    """Export the whole catalogue in the import format."""
    body = transfer.export_csv() if fmt == "csv" else transfer.export_json()
    if output is None:
        sys.stdout.write(body)
    else:
        output.write_text(body, encoding="utf-8", newline="")
        click.echo(f"Catalogue written to {output}")
