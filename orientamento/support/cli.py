"""``flask support import|export``: the catalogue of services as HSDS JSON or spreadsheet."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from orientamento.core.cli import add_import_command, write_export
from orientamento.support import transfer


@click.group("support", help="The catalogue of services for young people.")
def support_cli() -> None:
    """The catalogue of services for young people."""


add_import_command(support_cli, transfer.import_file, transfer.MAX_IMPORT_BYTES,
                   "Import an HSDS JSON (.json) or spreadsheet (.csv) file, all or nothing.")


@support_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(transfer.FORMATS), default="hsds",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: standard output).")
@with_appcontext
def export_command(fmt: str, output: Path | None) -> None:
    """Export the whole catalogue in an import format."""
    body, _mimetype, _filename = transfer.export(fmt)
    write_export(body, output, "Catalogue of services")
