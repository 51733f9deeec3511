"""``flask translate`` (keep the message catalogues in step with the code), and how ``flask``
refuses to run commands with an unsafe configuration."""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from babel.messages.pofile import read_po, write_po
from flask import Flask
from flask.cli import AppGroup, FlaskGroup, with_appcontext
from flask_babel import gettext, ngettext

from orientamento.config import PROJECT_ROOT, TRANSLATIONS_DIR
from orientamento.core.errors import DomainError
from orientamento.core.imports import ErrorList, ImportReport
from orientamento.database import begin_immediate
from orientamento.extensions import db

ReportT = TypeVar("ReportT", bound=ErrorList)

#: Catalogues that must translate every message (English msgids need no translation).
COMPLETE_LOCALES = ("it", "ar")


class ImportRefused(click.ClickException):
    """A refused import: printed as it is, without click's English "Error:" before it."""

    def show(self, file: Any = None) -> None:
        click.echo(self.format_message(), file=file, err=True)


def refused_import(error_count: int, details: str = "") -> click.ClickException:
    """How a command ends when its import wrote nothing: the count, then ``details`` (one
    problem per line), all in the application's language like the problems themselves."""
    head = ngettext("%(num)d problem: nothing was imported.",
                    "%(num)d problems: nothing was imported.", error_count)
    return ImportRefused(f"{head}\n{details}" if details else head)


def import_problem_line(row: int, column: str, message: str) -> str:
    """One problem of an import, for a command's output."""
    if not row:
        return gettext("File: %(message)s", message=message)
    return gettext("Row %(row)d, %(column)s: %(message)s", row=row, column=column or "-",
                   message=message)


def run_import(do_import: Callable[[], ReportT], *, dry_run: bool) -> ReportT:
    """Run a command's all-or-nothing file import: commit it (roll back a dry run), or, when
    the file has problems or another import won a race, write nothing and end the command
    with the problems, one per line, in the application's language.

    On SQLite the import holds the write lock from its first read, as a POST does: a
    deferred transaction that read while a web request committed could not write any more
    ("database is locked" at once, whatever the busy timeout), so an import on a live site
    failed. Web writes now wait for the import (on the busy timeout) instead.
    """
    begin_immediate(db.session())
    try:
        report = do_import()
    except DomainError as refused:  # another import won a race: nothing was written
        db.session.rollback()
        raise ImportRefused(str(refused.message)) from None
    for error in report.errors:
        click.echo(import_problem_line(error.row, error.column, error.message), err=True)
    if not report.ok:
        db.session.rollback()
        raise refused_import(report.error_count)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return report


def import_counts(report: ImportReport, kind: str = "") -> str:
    """The line a command prints after an import: rows read (as ``kind``, when given) and
    records created, updated and unchanged."""
    verb = "would be" if report.dry_run else "were"
    rows = f"{report.rows} rows ({kind})" if kind else f"{report.rows} rows"
    return (f"{rows}: {report.created} {verb} created, {report.updated} {verb} updated, "
            f"{report.unchanged} unchanged")


def add_import_command(group: click.Group, do_import: Callable[[bytes, str, bool], Any],
                       max_bytes: int, help: str) -> None:
    """Give ``group`` its ``import FILE [--dry-run]`` command: ``do_import(data, file name,
    dry run)`` through :func:`run_import`, then the counts (and the format the report names)."""
    @group.command("import", help=help)
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Check the file and change nothing.")
    @with_appcontext
    def import_command(file: Path, dry_run: bool) -> None:
        with file.open("rb") as handle:
            data = handle.read(max_bytes + 1)
        report = run_import(lambda: do_import(data, file.name, dry_run), dry_run=dry_run)
        click.echo(import_counts(report, getattr(report, "format", "")))


def add_export_command(group: click.Group, export: Callable[[str], tuple[str, str, str]],
                       formats: Sequence[str], what: str, help: str) -> None:
    """Give ``group`` its ``export [--format F] [--output FILE]`` command: ``export(format)``
    (body, media type, file name) written to the file, or to standard output."""
    @group.command("export", help=help)
    @click.option("--format", "fmt", type=click.Choice(formats), default=formats[0],
                  show_default=True)
    @click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
                  help="File to write (default: standard output).")
    @with_appcontext
    def export_command(fmt: str, output: Path | None) -> None:
        body, _mimetype, _filename = export(fmt)
        if output is None:
            sys.stdout.write(body)
        else:
            output.write_text(body, encoding="utf-8", newline="")
            click.echo(f"{what} written to {output}")


@click.group("translate", help="Message catalogues.")
def translate_cli() -> None:
    """Message catalogues."""


def _pybabel(*args: str) -> None:
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), *args], check=True, cwd=PROJECT_ROOT)  # noqa: S603


@translate_cli.command("update")
def update_command() -> None:
    """Extract messages, merge them into every catalogue and copy English msgids."""
    pot = TRANSLATIONS_DIR / "messages.pot"
    # pybabel skips folders starting with "_" by default: templates/_macros holds messages.
    _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "_ln:1,2", "--no-location",
             "--sort-output",
             "--ignore-dirs", ".* __pycache__ node_modules",
             "--project", "Orientamento Milano", "-o", str(pot), ".")
    _pybabel("update", "-i", str(pot), "-d", str(TRANSLATIONS_DIR),
             "--ignore-obsolete", "--no-fuzzy-matching")
    english = TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "messages.po"
    with english.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if isinstance(message.id, tuple):
            if not isinstance(message.string, tuple) or not all(message.string):
                message.string = message.id  # singular and plural: English has two forms
        elif message.id and not message.string:
            message.string = message.id
    with english.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, sort_output=True)


@translate_cli.command("check")
def check_command() -> None:
    """Fail if a complete locale has an untranslated or fuzzy message."""
    missing = 0
    for locale in COMPLETE_LOCALES:
        path = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        for message in catalog:
            if message.id and (message.fuzzy or not all(
                    message.string if isinstance(message.string, tuple) else [message.string])):
                click.echo(f"{locale}: {message.id!r}")
                missing += 1
    if missing:
        raise SystemExit(f"{missing} messages need translating")
    click.echo("all complete catalogues are fully translated")


class _RefusingGroup(AppGroup):
    """A group listing the commands of ``group`` (for ``--help``) that refuse to run."""

    def __init__(self, group: click.Group, message: str) -> None:
        super().__init__(group.name, help=group.help, short_help=group.short_help)
        self._group = group
        self._message = message

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._group.list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = self._group.get_command(ctx, name)
        return None if command is None else _refusing(command, self._message)


def _refusing(command: click.Command, message: str) -> click.Command:
    """A copy of ``command`` whose help works and which fails with ``message`` when run."""
    if isinstance(command, click.Group):
        return _RefusingGroup(command, message)

    def refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
        raise click.ClickException(message)

    refused = copy.copy(command)
    refused.callback = refuse
    return refused


def defer_config_error(app: Flask, message: str) -> bool:
    """Inside ``flask``, turn an unsafe configuration into a one-line error per command.

    ``flask --help`` loads the app to list its commands: they are listed, and each one (or
    ``run``, ``shell``, ``routes``, which load the app when they run) stops with ``Error:
    <message>`` instead of a traceback. Returns False outside ``flask`` (gunicorn, tests),
    where the caller raises.
    """
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return False
    if not isinstance(ctx.command, FlaskGroup):  # a command is running and loads the app
        raise click.ClickException(message)
    app.cli = _RefusingGroup(app.cli, message)
    return True
