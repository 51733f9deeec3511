"""Fixtures: a fresh app and database per test, factories, role shortcuts, login.

``TEST_DATABASE_URL`` selects the database (PostgreSQL in CI); without it each
test gets an in-memory SQLite database.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from contextlib import suppress
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask, g
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import settings
from sqlalchemy import event, text

from orientamento import create_app
from orientamento.auth.models import Role, User, UserMunicipio
from orientamento.auth.passwords import hash_password
from orientamento.classes.models import ClassMembership, SchoolClass
from orientamento.classes.services import new_join_code
from orientamento.core import clock
from orientamento.extensions import db
from orientamento.orgs.models import Provider, School

# Shared CI machines are slow and noisy: Hypothesis checks behaviour here, never timing.
settings.register_profile("orientamento", deadline=None)
settings.load_profile("orientamento")

def worker_name(name: str) -> str:
    """``name`` for this pytest-xdist worker (``test_gw0``), or ``name`` itself outside xdist:
    workers running at once never share a database."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f"{name}_{worker}" if worker else name


def postgres_database_url(name: str) -> str:
    """The URL of database ``name`` (this worker's copy) on the server of the environment's
    ``TEST_DATABASE_URL``, created if missing."""
    import psycopg
    from psycopg import errors, sql
    from sqlalchemy.engine import make_url

    base = make_url(os.environ["TEST_DATABASE_URL"])
    name = worker_name(name)
    admin = base.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False),
                         autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                    (name,)).fetchone()
        if not exists:
            with suppress(errors.DuplicateDatabase):  # created meanwhile by another run
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return base.set(database=name).render_as_string(hide_password=False)


def _test_database_url() -> str | None:
    """The environment's ``TEST_DATABASE_URL``; under pytest-xdist on PostgreSQL, a database of
    the worker's own on the same server (``test_gw0``, ``test_gw1``)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url and url.startswith("postgresql") and os.environ.get("PYTEST_XDIST_WORKER"):
        from sqlalchemy.engine import make_url

        return postgres_database_url(str(make_url(url).database))
    return url


TEST_DATABASE_URL = _test_database_url()

#: Instants the suite can run at (``--instant NAME`` or an ISO 8601 instant). The default is
#: an ordinary school day; the others break naive date code, and ``make test-calendar`` runs
#: the tests marked ``calendar`` at each of them. ``now`` is the real clock.
INSTANTS: dict[str, str] = {
    "default": "2027-03-10T10:00:00+01:00",  # a Wednesday in term time
    "holiday": "2026-12-08T10:00:00+01:00",  # Immacolata, a public holiday (a Tuesday)
    "new-year-eve": "2026-12-31T23:30:00+01:00",  # 22:30 UTC, half an hour before 2027
    "after-midnight": "2027-05-12T00:30:00+02:00",  # still 11 May in UTC
    "spring-forward": "2027-03-28T01:50:00+01:00",  # ten minutes before 02:00 becomes 03:00
    "fall-back": "2027-10-31T02:30:00+02:00",  # the first of the two 02:30s
    "leap-day": "2028-02-29T12:00:00+01:00",
    "now": "",
}

PASSWORD = "Quiet-river-stones-42"
_PASSWORD_HASH = hash_password(PASSWORD)
_counter = itertools.count(1)

BASE_CONFIG: dict[str, Any] = {
    "ENV_NAME": "testing",
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-not-for-production",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "MAIL_BACKEND": "smtp",
    "PUBLIC_URL": "https://orientamento.test",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--instant``: the instant every test starts at."""
    parser.addoption(
        "--instant", default=os.environ.get("ORIENTAMENTO_TEST_INSTANT", "default"),
        help=f"one of {', '.join(INSTANTS)} or an ISO 8601 instant with offset (default: default)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In the calendar runs (``-m calendar`` at a named instant), leave out the tests whose
    ``calendar`` mark names other instants (``@pytest.mark.calendar(instants=(...))``: slow
    tests that a few instants cover)."""
    name = str(config.getoption("--instant"))
    if "calendar" not in (config.getoption("markexpr") or "") or name not in INSTANTS:
        return  # the whole suite, at whatever instant, runs every test
    kept, dropped = [], []
    for item in items:
        mark = item.get_closest_marker("calendar")
        wanted = mark.kwargs.get("instants") if mark else None
        (dropped if wanted is not None and name not in wanted else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def chosen_instant(config: pytest.Config) -> datetime | None:
    """The instant named by ``--instant``, or None for the real clock."""
    value = str(config.getoption("--instant"))
    value = INSTANTS.get(value, value)
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise pytest.UsageError(f"--instant needs an offset: {value}")
    return moment


def pytest_report_header(config: pytest.Config) -> str:
    """Say which instant the tests run at."""
    moment = chosen_instant(config)
    return f"instant: {moment.isoformat() if moment else 'the real clock'}"


@pytest.fixture(scope="module")
def module_instant(request: pytest.FixtureRequest) -> Iterator[datetime | None]:
    """The chosen instant for a whole module, for module fixtures that outlive a test.

    A seeded server shared by a module's tests signs cookies and dates events when it is set
    up: its tests keep this one ticking clock instead of going back to the instant each.
    """
    moment = chosen_instant(request.config)
    if moment is None:
        yield None
        return
    with time_machine.travel(moment, tick=True):
        yield moment


@pytest.fixture(autouse=True)
def instant(request: pytest.FixtureRequest) -> Iterator[datetime | None]:
    """Move the clock to the chosen instant for the test (it ticks on from there).

    Browser tests keep the real clock: the browser's cookies and the seeded data live in
    real time, and they take the dates they need from the seeded data.
    """
    moment = chosen_instant(request.config)
    if "module_instant" in request.fixturenames:
        yield request.getfixturevalue("module_instant")
        return
    if moment is None or request.node.get_closest_marker("browser"):
        yield None
        return
    with time_machine.travel(moment, tick=True):
        yield moment


def born_years_ago(years: int) -> date:
    """The date of birth of someone who turns ``years`` today in Milan (from 29 February,
    the 28th: that person has had the birthday)."""
    today = clock.today()
    return date(today.year - years, today.month, min(today.day, 28) if today.month == 2
                else today.day)


def is_postgres() -> bool:
    """Whether the suite runs against PostgreSQL."""
    return bool(TEST_DATABASE_URL and TEST_DATABASE_URL.startswith("postgresql"))


@pytest.fixture(scope="session")
def database_url() -> str:
    """The database every test app uses."""
    return TEST_DATABASE_URL or "sqlite://"


@pytest.fixture(scope="session")
def _postgres_schema(database_url: str) -> Iterator[None]:
    """On PostgreSQL, create the schema once per run; tests then empty the tables."""
    if not is_postgres():
        yield
        return
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        db.engine.dispose()
    yield


def make_app(database_url: str, **overrides: Any) -> Flask:
    """Create an app for tests with ``overrides`` on top of the test config."""
    application = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **overrides})

    @application.before_request
    def _fresh_globals() -> None:
        # Tests keep one app context pushed, and Flask reuses it for every test
        # request; in production each request gets its own. Emptying ``g`` gives
        # each request a fresh one, so nothing (the loaded user, the CSRF token)
        # leaks from one client's request into another's.
        g.__dict__.clear()

    return application


def _empty_all_tables() -> None:
    names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Per-test config overrides; override this fixture in a module to change them."""
    return {}


@pytest.fixture
def app(database_url: str, _postgres_schema: None, app_config: dict[str, Any]) -> Iterator[Flask]:
    """A fresh application with an empty database."""
    application = make_app(database_url, **app_config)
    with application.app_context():
        if not is_postgres():
            db.create_all()
        try:
            yield application
        finally:
            db.session.remove()
            if is_postgres():
                _empty_all_tables()
            else:
                db.drop_all()
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def make_school(app: Flask) -> Callable[..., School]:
    """Factory: a school with a unique codice meccanografico."""

    def factory(**fields: Any) -> School:
        number = next(_counter)
        school = School(
            code=fields.pop("code", f"MIIS{number:06d}"),
            name=fields.pop("name", f"Istituto {number}"),
            **fields,
        )
        db.session.add(school)
        db.session.commit()
        return school

    return factory


@pytest.fixture
def make_provider(app: Flask) -> Callable[..., Provider]:
    """Factory: a training provider."""

    def factory(**fields: Any) -> Provider:
        number = next(_counter)
        provider = Provider(
            code=fields.pop("code", f"PRV-{number}"),
            name=fields.pop("name", f"Ente {number}"),
            kind=fields.pop("kind", "training_centre"),
            **fields,
        )
        db.session.add(provider)
        db.session.commit()
        return provider

    return factory


def _support_organisation(number: int) -> Any:
    """An organisation offering services, for a service operator to belong to."""
    import uuid

    from orientamento.support.models import OrganisationKind, SupportOrganisation

    organisation = SupportOrganisation(uid=str(uuid.uuid4()), name=f"Servizio {number}",
                                       kind=OrganisationKind.INFORMAGIOVANI)
    db.session.add(organisation)
    db.session.flush()
    return organisation


@pytest.fixture
def make_user(
    app: Flask, make_school: Callable[..., School], make_provider: Callable[..., Provider]
) -> Callable[..., User]:
    """Factory: a user of any role, with the organisation the role needs."""

    def factory(role: Role | str = Role.STUDENT, **fields: Any) -> User:
        role = Role(role)
        number = next(_counter)
        password = fields.pop("password", PASSWORD)
        municipi = fields.pop("municipi", [1] if role == Role.OUTREACH else [])
        if "username" not in fields:
            fields.setdefault("email", f"{role.value}{number}@example.org")
        if role == Role.COUNSELLOR and "school" not in fields and "school_id" not in fields:
            fields["school"] = make_school()
        if (role in (Role.PROVIDER, Role.AMBASSADOR) and "provider" not in fields
                and "provider_id" not in fields):
            fields["provider"] = make_provider()
        if (role == Role.SERVICE_OPERATOR and "support_organisation" not in fields
                and "support_organisation_id" not in fields):
            fields["support_organisation_id"] = _support_organisation(number).id
        if role == Role.STUDENT:
            fields.setdefault("date_of_birth", born_years_ago(18))  # 18 at any instant
        user = User(
            role=role.value,
            display_name=fields.pop("display_name", f"Person {number}"),
            password_hash=_PASSWORD_HASH if password == PASSWORD else (
                hash_password(password) if password else None
            ),
            **fields,
        )
        user.municipi = [UserMunicipio(municipio=n) for n in municipi]
        db.session.add(user)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def make_class(app: Flask, make_user: Callable[..., User]) -> Callable[..., SchoolClass]:
    """Factory: a class at a school (a new counsellor's by default), with pupils."""

    def factory(counsellor: User | None = None, pupils: tuple[User, ...] = (),
                **fields: Any) -> SchoolClass:
        counsellor = counsellor or make_user(Role.COUNSELLOR)
        number = next(_counter)
        school_class = SchoolClass(
            school_id=counsellor.school_id,
            created_by_id=counsellor.id,
            name=fields.pop("name", f"{number % 5 + 1}{chr(65 + number % 26)}{number}"),
            school_year=fields.pop("school_year", "2026/2027"),
            level=fields.pop("level", "upper_secondary"),
            year=fields.pop("year", 4),
            join_code=fields.pop("join_code", new_join_code()),
            **fields,
        )
        db.session.add(school_class)
        db.session.flush()
        for pupil in pupils:
            db.session.add(ClassMembership(class_id=school_class.id, student_id=pupil.id))
        db.session.commit()
        return school_class

    return factory


COURSE_CELLS: dict[str, str] = {
    "kind": "its", "area": "mechatronics", "eqf_level": "5",
    "title": "Tecnico superiore per l'automazione industriale",
    "description": "Robot, sensori e linee di produzione.", "hours": "2000", "semesters": "4",
    "start_date": "2027-10-01", "application_deadline": "2027-09-15", "cost_eur": "0",
    "admission": "Diploma di scuola secondaria superiore.", "language": "it", "seats": "25",
    "site_addresses": "Via Demo 1", "site_place_codes": "015146",
    "site_latitudes": "45.4642", "site_longitudes": "9.19",
    "occupation_codes": "", "riasec_r": "0.9", "riasec_i": "0.7", "riasec_a": "0.1",
    "riasec_s": "0.2", "riasec_e": "0.3", "riasec_c": "0.5",
    "contact_email": "info@example.org", "contact_phone": "02 1234 5678",
    "web_url": "https://example.org/corso", "status": "active",
}


@pytest.fixture
def reference_data(app: Flask) -> None:
    """The shipped places and occupations tables."""
    from orientamento.courses.services import load_reference_data

    load_reference_data()
    db.session.commit()


@pytest.fixture
def make_course(
    app: Flask, reference_data: None, make_provider: Callable[..., Provider]
) -> Callable[..., Any]:
    """Factory: a course, built from catalogue cells (``COURSE_CELLS`` plus overrides)."""
    from orientamento.core import clock
    from orientamento.courses.records import parse_row
    from orientamento.courses.services import create_course

    def _open_dates(cells: dict[str, str]) -> dict[str, str]:
        """Dates for a course open for enrolment at any instant, for the ones ``cells`` lacks.

        ``COURSE_CELLS`` has fixed dates (the record tests need no clock), which would close the
        course at some instants: the deadline is about six months from today in Milan instead,
        the start two weeks after it.
        """
        ahead = clock.today() + timedelta(days=182)
        start, deadline = cells.get("start_date"), cells.get("application_deadline")
        if deadline is None:
            deadline = min(ahead, date.fromisoformat(start)).isoformat() if start else \
                ahead.isoformat()
        if start is None:
            start = ((date.fromisoformat(deadline) if deadline else ahead)
                     + timedelta(days=14)).isoformat()
        return {"start_date": start, "application_deadline": deadline}

    def factory(provider: Provider | None = None, **cells: str) -> Any:
        provider = provider or make_provider()
        number = next(_counter)
        values = COURSE_CELLS | {"course_code": f"C-{number}"} | _open_dates(cells) | cells
        record, errors = parse_row(values | {"provider_code": provider.code})
        assert record is not None, errors
        course = create_course(provider, record)
        db.session.commit()
        return course

    return factory


@pytest.fixture
def queries(app: Flask) -> Iterator[list[str]]:
    """The SQL statements sent to the database while the fixture is active."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def log_in(client: FlaskClient, user: User, password: str = PASSWORD) -> None:
    """Log ``user`` in through the real login form."""
    response = client.post(
        "/account/login", data={"login": user.login_name, "password": password}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture
def login(client: FlaskClient) -> Callable[..., User]:
    """Log a user in with the test client and return it."""

    def do_login(user: User, password: str = PASSWORD) -> User:
        log_in(client, user, password)
        return user

    return do_login


@pytest.fixture
def as_role(make_user: Callable[..., User], login: Callable[..., User]) -> Callable[..., User]:
    """Create a user of ``role`` and log in as them."""

    def factory(role: Role | str, **fields: Any) -> User:
        return login(make_user(role, **fields))

    return factory
