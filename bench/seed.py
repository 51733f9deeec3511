"""Schema and data: ``flask db upgrade``, ``flask demo seed``, then many students in bulk."""

from __future__ import annotations

import secrets
import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, text

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.prefix) / "bin"
BATCH_SIZE = 2000
#: Password of the bulk students; nobody logs in as them, the hash only makes rows realistic.
STUDENT_PASSWORD = "bench-student-password"  # noqa: S105 - throw-away benchmark data


class SeedError(RuntimeError):
    """A set-up command failed."""


def run_flask(args: list[str], env: Mapping[str, str]) -> str:
    """Run ``flask --app wsgi <args>`` in the project and return its output."""
    command = [str(BIN / "flask"), "--app", "wsgi", *args]
    done = subprocess.run(
        command, cwd=PROJECT_ROOT, env=dict(env), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SeedError(
            f"`flask {' '.join(args)}` exited with {done.returncode}:\n{done.stderr}{done.stdout}"
        )
    return done.stdout


def student_rows(count: int, password_hash: str, now: datetime) -> Iterator[dict[str, Any]]:
    """Yield ``count`` plausible student rows with unique usernames and session tokens."""
    for n in range(1, count + 1):
        yield {
            "username": f"bench.student{n:06d}",
            "display_name": f"Studente {n:06d}",
            "password_hash": password_hash,
            "role": "student",
            "date_of_birth": date(2006 + n % 7, 1 + n % 12, 1 + n % 28),
            "locale": "it",
            "active": True,
            "session_token": secrets.token_urlsafe(32),
            "failed_logins": 0,
            "is_demo": False,
            "created_at": now - timedelta(minutes=n),
        }


def chunks(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    """Split an iterator of rows into lists of at most ``size``."""
    while batch := list(islice(rows, size)):
        yield batch


def insert_students(url: str, count: int) -> None:
    """Insert ``count`` students with Core executemany, then refresh the planner statistics."""
    from orientamento.auth.models import User
    from orientamento.auth.passwords import hash_password

    password_hash = hash_password(STUDENT_PASSWORD)  # argon2 is slow on purpose: hash once
    rows = student_rows(count, password_hash, datetime.now(UTC))
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for batch in chunks(rows, BATCH_SIZE):
                connection.execute(insert(User), batch)
        with engine.begin() as connection:
            # A production database would have been analysed by now (autovacuum).
            connection.execute(text("ANALYZE"))
    finally:
        engine.dispose()


def build_database(url: str, users: int, env: Mapping[str, str]) -> None:
    """Create the schema with migrations, seed the demo data and add ``users`` students."""
    run_flask(["db", "upgrade"], env)
    run_flask(["demo", "seed"], env)
    if users > 0:
        insert_students(url, users)
