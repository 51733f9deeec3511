"""``flask support import|export``: the catalogue of services as HSDS JSON or spreadsheet."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from orientamento.core.errors import DomainError
from orientamento.extensions import db
from orientamento.support import transfer


@click.group("support", help="The catalogue of services for young people.")
def support_cli() -> None:
    """The catalogue of services for young people."""


@support_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and change nothing.")
@with_appcontext
def import_command(file: Path, dry_run: bool) -> None:
    """Import an HSDS JSON (.json) or spreadsheet (.csv) file, all or nothing."""
    with file.open("rb") as handle:
        data = handle.read(transfer.MAX_IMPORT_BYTES + 1)
    try:
        report = transfer.import_file(data, file.name, dry_run=dry_run)
    except DomainError as refused:  # another import won a race: nothing was written
        db.session.rollback()
        raise click.ClickException(str(refused.message)) from None
    for line in transfer.rows_of(report):
        click.echo(line, err=True)
    if not report.ok:
        db.session.rollback()
        raise click.ClickException(f"{report.error_count} errors: nothing was imported")
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "would be" if dry_run else "were"
    click.echo(f"{report.rows} rows ({report.format}): {report.created} {verb} created, "
               f"{report.updated} {verb} updated, {report.unchanged} unchanged")


@support_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(transfer.FORMATS), default="hsds",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: standard output).")
@with_appcontext
def export_command(fmt: str, output: Path | None) -> None:
    """Export the whole catalogue in an import format."""
    body, _mimetype, _filename = transfer.export(fmt)
    if output is None:
        sys.stdout.write(body)
    else:
        output.write_text(body, encoding="utf-8", newline="")
        click.echo(f"Catalogue of services written to {output}")
