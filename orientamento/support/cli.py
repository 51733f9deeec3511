"""``flask support import|export``: the catalogue of services as HSDS JSON or spreadsheet."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from orientamento.core.cli import run_import
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
    report = run_import(lambda: transfer.import_file(data, file.name, dry_run=dry_run),
                        dry_run=dry_run)
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
