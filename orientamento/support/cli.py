"""``flask support import|export``: the catalogue of services as HSDS JSON or spreadsheet."""

from __future__ import annotations

import click

from orientamento.core.cli import add_export_command, add_import_command
from orientamento.support import transfer


@click.group("support", help="The catalogue of services for young people.")
def support_cli() -> None:
    """The catalogue of services for young people."""


add_import_command(support_cli, transfer.import_file, transfer.MAX_IMPORT_BYTES,
                   "Import an HSDS JSON (.json) or spreadsheet (.csv) file, all or nothing.")


add_export_command(support_cli, transfer.export, transfer.FORMATS, "Catalogue of services",
                   "Export the whole catalogue in an import format.")
