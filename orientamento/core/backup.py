"""``flask backup``: a consistent copy of the database while the site serves, and its restore.

SQLite: the online backup API copies the database inside one read transaction (WAL mode lets
the site keep writing meanwhile) into a single self-contained file, checked with
``PRAGMA integrity_check`` before it takes its final name. Restoring copies the backup back
through the same API, under the write lock, after saving the current database beside it.

PostgreSQL: ``pg_dump --format=custom`` (one snapshot; writers are not blocked) and
``pg_restore --clean --if-exists --single-transaction``; the password travels in
``PGPASSWORD``, never on the command line, which is printed.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, make_url

from orientamento.core import clock
from orientamento.extensions import db


class BackupError(click.ClickException):
    """A backup or a restore could not be made; nothing was changed."""


def database_url() -> URL:
    """The URL of the configured database."""
    return make_url(db.engine.url)


def sqlite_path(url: URL) -> Path:
    """The file of a SQLite database (never an in-memory one)."""
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def check_sqlite_file(path: Path) -> int:
    """Refuse a file that is not a sound SQLite database of this app; return its tables."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as copy:
            verdict = copy.execute("PRAGMA integrity_check").fetchone()
            tables = {row[0] for row in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database ({error})") from None
    if not verdict or verdict[0] != "ok":
        raise BackupError(f"{path} failed the integrity check: {verdict}")
    if "users" not in tables:
        raise BackupError(f"{path} is not an Orientamento database (no users table)")
    return len(tables)


def backup_sqlite(source: Path, target: Path) -> int:
    """Copy the live database ``source`` into ``target`` (a new file); return its tables."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(source, timeout=60)) as live, \
                closing(sqlite3.connect(partial)) as copy:
            live.backup(copy)  # every page in one step: one consistent snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        tables = check_sqlite_file(partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return tables


def restore_sqlite(backup: Path, target: Path) -> None:
    """Copy ``backup`` over the live database ``target``, under its write lock.

    Connections of a running site see the restored data at their next transaction.
    """
    check_sqlite_file(backup)
    with closing(sqlite3.connect(f"file:{backup}?mode=ro", uri=True)) as source, \
            closing(sqlite3.connect(target, timeout=60)) as live:
        source.backup(live)


def libpq_target(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password, and the environment that carries it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def run_tool(command: Sequence[str], env: dict[str, str]) -> None:
    """Run a PostgreSQL client program, showing its command line; fail on its error."""
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install "
                          "postgresql-client, of the server's major version or newer)")
    click.echo("$ " + " ".join(command))
    done = subprocess.run(list(command), env=env, capture_output=True, text=True,  # noqa: S603
                          check=False)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} exited with {done.returncode}: "
                          f"{done.stderr.strip()[-2000:]}")


def backup_postgresql(url: URL, target: Path) -> None:
    """``pg_dump`` the database into ``target`` (custom format, for ``pg_restore``)."""
    dsn, env = libpq_target(url)
    partial = target.with_name(target.name + ".partial")
    try:
        run_tool(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  f"--file={partial}", f"--dbname={dsn}"], env)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def restore_postgresql(url: URL, backup: Path) -> None:
    """``pg_restore`` a dump over the database, all or nothing."""
    dsn, env = libpq_target(url)
    run_tool(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", "--exit-on-error", f"--dbname={dsn}", str(backup)], env)


def write_backup(target: Path) -> str:
    """Back the configured database up into ``target``; return a one-line summary."""
    url = database_url()
    if target.exists():
        raise BackupError(f"{target} exists: give a new file name")
    db.session.remove()
    if url.get_backend_name() == "sqlite":
        tables = backup_sqlite(sqlite_path(url), target)
        return f"SQLite backup written to {target} ({tables} tables, {target.stat().st_size} bytes)"
    if url.get_backend_name() == "postgresql":
        backup_postgresql(url, target)
        return f"PostgreSQL dump written to {target} ({target.stat().st_size} bytes)"
    raise BackupError(f"cannot back up a {url.get_backend_name()} database")


def restore_backup(backup: Path) -> str:
    """Save the current database beside ``backup``, then restore ``backup`` over it."""
    url = database_url()
    stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
    saved = backup.with_name(f"{backup.stem}.before-restore-{stamp}{backup.suffix}")
    if url.get_backend_name() == "sqlite":
        check_sqlite_file(backup)
    click.echo(write_backup(saved))
    db.session.remove()
    db.engine.dispose()  # no connection of ours holds a lock during the restore
    if url.get_backend_name() == "sqlite":
        restore_sqlite(backup, sqlite_path(url))
    else:
        restore_postgresql(url, backup)
    return f"restored {backup}; the database as it was is saved in {saved}"


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--restore", is_flag=True,
              help="Restore FILE over the database (the current one is saved beside FILE).")
@click.option("--yes", is_flag=True, help="Restore without asking.")
@with_appcontext
def backup_command(file: Path, restore: bool, yes: bool) -> None:
    """Write a consistent copy of the database to FILE while the site serves, or restore it.

    SQLite: a single database file. PostgreSQL: a pg_dump archive (custom format).
    """
    if not restore:
        click.echo(write_backup(file))
        return
    if not file.is_file():
        raise BackupError(f"{file} does not exist")
    if not yes:
        click.confirm(f"Replace every row of the database with the contents of {file}?",
                      abort=True)
    click.echo(restore_backup(file))
