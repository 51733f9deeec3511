"""The overlap guards under concurrency: simultaneous confirmations over HTTP.

Two confirmations that would put the same ambassador, or the same class, into two overlapping
visits are sent at the same instant to a real threaded server, on SQLite and on PostgreSQL
(database ``evoverlap``, its own so the shared test database is never touched). The database
guard must let exactly one through; the other request gets the 409 page, never a 5xx, and
leaves its visit request as it was. Each race runs on several days, so that it is not won by
one lucky schedule.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from werkzeug.serving import make_server

from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.classes.services import new_join_code
from orientamento.core import clock
from orientamento.courses.services import load_reference_data
from orientamento.events.models import EventClass, EventStaff
from orientamento.extensions import db
from orientamento.orgs.models import Provider, School
from orientamento.visits.models import VisitRequest, VisitStatus, VisitWindow
from orientamento.visits.services import availability
from orientamento.visits.services import visit_requests as visits
from tests.events.factories import school_day
from tests.events.test_concurrency import (
    HTTP_TIMEOUT_S,
    POOL,
    _cookie,
    _database_url,
    _QuietHandler,
    _send,
)

ROUNDS = 4


@dataclass(frozen=True)
class Race:
    """Two visit requests whose confirmations collide, and who confirms each."""

    visit_ids: tuple[int, int]
    cookies: tuple[str, str]
    ambassador_ids: tuple[int, int]


@dataclass(frozen=True)
class Served:
    """The app behind its server, with the races prepared for it."""

    app: Flask
    port: int
    ambassador_races: list[Race]
    class_races: list[Race]


def _user(role: Role, email: str, **fields: object) -> User:
    user = User(role=role.value, display_name=email.split("@")[0], email=email, **fields)
    db.session.add(user)
    return user


def _class(counsellor: User, name: str) -> SchoolClass:
    school_class = SchoolClass(school_id=counsellor.school_id, created_by_id=counsellor.id,
                               name=name, school_year="2026/2027", level="upper_secondary",
                               year=4, join_code=new_join_code())
    db.session.add(school_class)
    return school_class


def _window(provider: Provider, staff: list[User], day: date) -> VisitWindow:
    published = availability.publish_windows(provider, availability.WindowPlan(
        first_day=day, last_day=day, weekdays=(day.weekday(),), start=time(8), end=time(14),
        mode="both", max_visits=5, ambassador_ids=[u.id for u in staff]), clock.today())
    assert len(published.windows) == 1, published.skipped
    return published.windows[0]


def _request(counsellor: User, slot: VisitWindow, school_class: SchoolClass, day: date,
             start: time) -> VisitRequest:
    starts = clock.rome_datetime(day, start)
    return visits.request_visit(counsellor, slot, {school_class.id: 20}, "in_person", starts,
                                starts + timedelta(hours=2), "")


def _seed(app: Flask) -> tuple[list[Race], list[Race]]:
    """Two providers, two schools; per day one ambassador race and one class race."""
    load_reference_data()
    first = Provider(code="OVL-1", name="Ente uno", kind="its_foundation")
    second = Provider(code="OVL-2", name="Ente due", kind="training_centre")
    schools = [School(code=f"MIIS0{n}0001", name=f"Istituto {n}") for n in (1, 2)]
    db.session.add_all([first, second, *schools])
    db.session.flush()
    staff_one = _user(Role.PROVIDER, "staff1@ovl.example.org", provider_id=first.id)
    ambassador = _user(Role.PROVIDER, "amb@ovl.example.org", provider_id=first.id)
    staff_two = _user(Role.PROVIDER, "staff2@ovl.example.org", provider_id=second.id)
    counsellors = [_user(Role.COUNSELLOR, f"couns{n}@ovl.example.org", school_id=s.id)
                   for n, s in enumerate(schools)]
    db.session.flush()
    ambassador_races, class_races = [], []
    day = clock.today() + timedelta(days=7)
    for number in range(ROUNDS):
        day = school_day(day)
        mine, theirs = _class(counsellors[0], f"4A{number}"), _class(counsellors[1], f"5B{number}")
        db.session.flush()
        slot_one = _window(first, [staff_one, ambassador], day)
        slot_two = _window(second, [staff_two], day)
        # The same ambassador to two schools, 9-11 and 10-12, both confirmed by provider one.
        pair = (_request(counsellors[0], slot_one, mine, day, time(9)),
                _request(counsellors[1], slot_one, theirs, day, time(10)))
        ambassador_races.append(Race((pair[0].id, pair[1].id),
                                     (staff_one.session_token,) * 2,
                                     (ambassador.id, ambassador.id)))
        # The same class visited by both providers, 11-13 and 12-14, each with its own staff.
        pair = (_request(counsellors[0], slot_one, mine, day, time(11)),
                _request(counsellors[0], slot_two, mine, day, time(12)))
        class_races.append(Race((pair[0].id, pair[1].id),
                                (staff_one.session_token, staff_two.session_token),
                                (staff_one.id, staff_two.id)))
    db.session.commit()
    return ([_with_cookies(app, r) for r in ambassador_races],
            [_with_cookies(app, r) for r in class_races])


def _with_cookies(app: Flask, race: Race) -> Race:
    return Race(race.visit_ids, (_cookie(app, race.cookies[0]), _cookie(app, race.cookies[1])),
                race.ambassador_ids)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest, module_instant: datetime | None,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A seeded app behind a threaded werkzeug server, one per backend."""
    from tests.conftest import make_app

    backend = request.param
    url = _database_url(backend, tmp_path_factory.mktemp(f"overlap-{backend}"), "evoverlap")
    app = make_app(url, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False,
                   SQLALCHEMY_ENGINE_OPTIONS=POOL)
    with app.app_context():
        db.drop_all()
        if backend == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
        ambassador_races, class_races = _seed(app)
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name=f"overlap-{backend}",
                              daemon=True)
    thread.start()
    try:
        yield Served(app, server.server_port, ambassador_races, class_races)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def _confirm_together(port: int, race: Race) -> list[int | str]:
    """Send both confirmations from two threads released at once; their statuses."""
    barrier = threading.Barrier(2, timeout=30)
    statuses: list[int | str] = ["not sent", "not sent"]

    def worker(index: int) -> None:
        try:
            barrier.wait()
            statuses[index] = _send(
                port, "POST", f"/events/visits/{race.visit_ids[index]}/confirm",
                race.cookies[index],
                {"confirm-ambassadors": str(race.ambassador_ids[index])})[0]
        except Exception as error:
            statuses[index] = repr(error)

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=HTTP_TIMEOUT_S)
    return statuses


def _outcome(app: Flask, race: Race) -> tuple[list[str], int, int]:
    """The two requests' statuses, and the scheduled staff and class rows of their events."""
    with app.app_context():
        try:
            requests = [db.session.get(VisitRequest, vid) for vid in race.visit_ids]
            event_ids = [r.event_id for r in requests if r is not None and r.event_id]
            staff = db.session.scalar(select(func.count()).select_from(EventStaff).where(
                EventStaff.event_id.in_(event_ids), EventStaff.status == "scheduled")) or 0
            classes = db.session.scalar(select(func.count()).select_from(EventClass).where(
                EventClass.event_id.in_(event_ids), EventClass.status == "scheduled")) or 0
            return [r.status for r in requests if r is not None], staff, classes
        finally:
            db.session.remove()


@pytest.mark.parametrize("kind", ["ambassador", "class"])
def test_simultaneous_confirmations_never_double_book(served: Served, kind: str) -> None:
    """Each race: one confirmation wins (302), the other is refused (409), none fails (5xx)."""
    races = served.ambassador_races if kind == "ambassador" else served.class_races
    for race in races:
        statuses = _confirm_together(served.port, race)
        assert sorted(statuses, key=str) == [302, 409], statuses
        states, staff, classes = _outcome(served.app, race)
        winner = statuses.index(302)
        assert states[winner] == VisitStatus.CONFIRMED.value
        assert states[1 - winner] == VisitStatus.REQUESTED.value  # left as it was
        assert (staff, classes) == (1, 1)  # one event, one ambassador, one class
