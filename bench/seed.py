"""Schema and data: ``flask db upgrade``, ``flask demo seed``, then students, responses and
courses (``bench.courses``) in bulk.

Everything bulk goes through SQLAlchemy Core executemany in batches; the demo accounts get
the few assessment rows the routes need (``seed_demo_assessments``), whose ids fill the
``{placeholders}`` of ``bench.routes``.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, insert, select, text

from bench.routes import DEMO_COUNSELLOR, DEMO_STUDENT

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.prefix) / "bin"
BATCH_SIZE = 2000
#: Password of the bulk students; nobody logs in as them, the hash only makes rows realistic.
STUDENT_PASSWORD = "bench-student-password"  # noqa: S105 - throw-away benchmark data
BULK_USERNAME = "bench.student{:06d}"
#: Distinct simulated answer sets per questionnaire, scored once and reused cyclically.
PAYLOADS_PER_QUESTIONNAIRE = 100
RESPONSE_LOCALES = ("it", "it", "it", "en", "ar")
#: Submitted responses are spread over this many days before the run.
RESPONSE_SPAN_DAYS = 365
#: The demo class is filled up with bulk students to a realistic size.
DEMO_CLASS_SIZE = 25
#: What the routes' placeholders are filled with: row ids and an item id.
SeededIds = dict[str, int | str]


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
            "username": BULK_USERNAME.format(n),
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


def insert_students(connection: Connection, count: int) -> None:
    """Insert ``count`` students with Core executemany."""
    from orientamento.auth.models import User
    from orientamento.auth.passwords import hash_password

    password_hash = hash_password(STUDENT_PASSWORD)  # argon2 is slow on purpose: hash once
    for batch in chunks(student_rows(count, password_hash, datetime.now(UTC)), BATCH_SIZE):
        connection.execute(insert(User), batch)


Payload = tuple[dict[str, Any], dict[str, Any]]


def response_payloads(per_questionnaire: int, seed: int = 2026) -> dict[str, list[Payload]]:
    """Simulated answers and their scores, ``per_questionnaire`` per current questionnaire."""
    import numpy as np

    from orientamento.assessments.scoring import score
    from orientamento.demo.responses import simulate_answers

    rng = np.random.default_rng(seed)
    payloads: dict[str, list[Payload]] = {}
    for questionnaire in questionnaires():
        found = payloads.setdefault(questionnaire.id, [])
        for _ in range(per_questionnaire):
            answers = simulate_answers(questionnaire, rng)
            scores = {key: value.as_dict() for key, value in score(questionnaire, answers).items()}
            found.append((answers, scores))
    return payloads


@cache
def questionnaires() -> tuple[Any, ...]:
    """The newest version of every questionnaire, as the app loads them."""
    from orientamento.assessments.loader import load_registry
    from orientamento.config import QUESTIONNAIRES_DIR

    return tuple(load_registry(QUESTIONNAIRES_DIR).current())


def response_rows(count: int, student_ids: list[int], payloads: Mapping[str, list[Payload]],
                  now: datetime) -> Iterator[dict[str, Any]]:
    """Yield ``count`` submitted responses, round-robin over students.

    Student ``k`` gets its 1st, 2nd, ... response to questionnaire 1, 2, ... in turn, so
    every student has a mixed history; times spread over the last RESPONSE_SPAN_DAYS.
    """
    current = {q.id: q for q in questionnaires()}
    ids = sorted(payloads)
    span_s = RESPONSE_SPAN_DAYS * 86400
    for n in range(count):
        questionnaire = current[ids[(n // len(student_ids)) % len(ids)]]
        answers, scores = payloads[questionnaire.id][n % len(payloads[questionnaire.id])]
        submitted = now - timedelta(seconds=(n * 7919) % span_s)
        yield {
            "student_id": student_ids[n % len(student_ids)],
            "questionnaire_id": questionnaire.id,
            "version": questionnaire.version,
            "status": "submitted",
            "answers": answers,
            "scores": scores,
            "section": len(questionnaire.sections) - 1,
            "locale": RESPONSE_LOCALES[n % len(RESPONSE_LOCALES)],
            "assignment_id": None,
            "started_at": submitted - timedelta(minutes=4 + n % 30),
            "updated_at": submitted,
            "submitted_at": submitted,
        }


def bulk_student_ids(connection: Connection) -> list[int]:
    """Ids of the bulk students, in creation order."""
    from orientamento.auth.models import User

    return list(connection.scalars(
        select(User.id).where(User.username.like("bench.student%")).order_by(User.id)))


def insert_responses(connection: Connection, count: int,
                     payloads: Mapping[str, list[Payload]]) -> int:
    """Insert ``count`` submitted responses over the bulk students; return how many.

    Only submitted rows: the partial unique index (one response in progress per student and
    questionnaire) never applies to them.
    """
    from orientamento.assessments.models import Response

    student_ids = bulk_student_ids(connection)
    if not student_ids or count <= 0:
        return 0
    rows = response_rows(count, student_ids, payloads, datetime.now(UTC))
    for batch in chunks(rows, BATCH_SIZE):
        connection.execute(insert(Response), batch)
    return count


def _one_id(connection: Connection, query: Any, what: str) -> int:
    found = connection.scalar(query)
    if found is None:
        raise SeedError(f"`flask demo seed` created no {what}")
    return int(found)


def seed_demo_assessments(connection: Connection, payloads: Mapping[str, list[Payload]]
                          ) -> SeededIds:
    """Give the demo student a history and a response in progress; assign the demo class.

    The demo class gets interests assigned by the demo counsellor and is filled up to
    DEMO_CLASS_SIZE pupils with bulk students (their bulk responses show on its page); the
    demo student joins it too. Returns the ids the routes' placeholders need.
    """
    from orientamento.assessments.models import Assignment, Response
    from orientamento.auth.models import User
    from orientamento.classes.models import ClassMembership, SchoolClass
    from orientamento.demo.services import DEMO_CLASS_NAME

    student = _one_id(connection, select(User.id).where(User.email == DEMO_STUDENT),
                      "demo student")
    counsellor = _one_id(connection, select(User.id).where(User.email == DEMO_COUNSELLOR),
                         "demo counsellor")
    demo_class = _one_id(connection, select(SchoolClass.id).where(
        SchoolClass.is_demo.is_(True), SchoolClass.name == DEMO_CLASS_NAME
    ).order_by(SchoolClass.id.desc()).limit(1), "demo class")
    now = datetime.now(UTC)
    members = set(connection.scalars(
        select(ClassMembership.student_id).where(ClassMembership.class_id == demo_class)))
    joining = [s for s in [student, *bulk_student_ids(connection)] if s not in members]
    joining = joining[:max(DEMO_CLASS_SIZE - len(members), 1)]  # the demo student at least
    if joining:
        connection.execute(insert(ClassMembership), [
            {"class_id": demo_class, "student_id": pupil, "joined_at": now} for pupil in joining])
    assignment = connection.execute(insert(Assignment).values(
        class_id=demo_class, questionnaire_id="interests", assigned_by_id=counsellor,
        due_on=(now + timedelta(days=30)).date(), created_at=now,
    )).inserted_primary_key[0]

    ids: SeededIds = {"demo_class": demo_class, "assignment": assignment,
                      "event": first_upcoming_event(connection)}
    for days_ago, questionnaire in enumerate(questionnaires(), start=1):
        answers, scores = payloads[questionnaire.id][days_ago]
        submitted = now - timedelta(days=days_ago)
        response = connection.execute(insert(Response).values(
            student_id=student, questionnaire_id=questionnaire.id, version=questionnaire.version,
            status="submitted", answers=answers, scores=scores,
            section=len(questionnaire.sections) - 1, locale="it",
            assignment_id=assignment if questionnaire.id == "interests" else None,
            started_at=submitted - timedelta(minutes=10), updated_at=submitted,
            submitted_at=submitted,
        )).inserted_primary_key[0]
        if questionnaire.id == "interests":
            ids["result_response"] = response
    # The only response in progress of the demo student for interests (partial unique index).
    interests = next(q for q in questionnaires() if q.id == "interests")
    ids["draft_item"] = interests.sections[0].items[0].id
    ids["draft_response"] = connection.execute(insert(Response).values(
        student_id=student, questionnaire_id="interests", version=interests.version,
        status="in_progress", answers={}, section=0, locale="it",
        assignment_id=assignment, started_at=now, updated_at=now, submitted_at=None,
    )).inserted_primary_key[0]
    return ids


def first_upcoming_event(connection: Connection) -> int:
    """A scheduled event of the demo seed still to come (the event page routes): the last
    to start. Plain SQL: the events' mapper needs models this script never imports."""
    return _one_id(connection, text(
        "SELECT id FROM events WHERE status = 'scheduled' ORDER BY starts_at DESC, id LIMIT 1"),
        "scheduled demo event")


def build_database(url: str, users: int, responses: int, env: Mapping[str, str],
                   courses: int = 0, risk_records: int = 0
                   ) -> tuple[SeededIds, int, dict[str, int], dict[str, int]]:
    """Create the schema, seed the demo data, add students, responses, courses and records.

    Returns the ids the routes need, the number of bulk responses inserted, the course
    directory's counts (``bench.courses``; empty without courses) and the risk records'
    (``bench.outreach``; empty without records).
    """
    run_flask(["db", "upgrade"], env)
    run_flask(["demo", "seed"], env)
    payloads = response_payloads(PAYLOADS_PER_QUESTIONNAIRE)
    engine = create_engine(url)
    course_stats: dict[str, int] = {}
    risk_stats: dict[str, int] = {}
    try:
        with engine.begin() as connection:
            if users > 0:
                insert_students(connection, users)
            inserted = insert_responses(connection, responses, payloads)
            ids = seed_demo_assessments(connection, payloads)
        if courses > 0:
            from bench.courses import seed_courses  # imports this module

            course_ids, course_stats = seed_courses(engine, url, courses, env)
            ids |= course_ids
        if risk_records > 0:
            from bench.outreach import seed_outreach  # imports this module

            risk_ids, risk_stats = seed_outreach(engine, risk_records, env)
            ids |= risk_ids
        with engine.begin() as connection:
            # A production database would have been analysed by now (autovacuum).
            connection.execute(text("ANALYZE"))
    finally:
        engine.dispose()
    return ids, inserted, course_stats, risk_stats
