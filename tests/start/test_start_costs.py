"""What start pages cost: no visit of every course, no roster read for a class's hours."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient

from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.core.school_year import school_year_of
from orientamento.events.hours import class_hours, school_hours
from orientamento.events.models import Event
from orientamento.events.services import record_attendance
from orientamento.extensions import db
from orientamento.visits.services import visit_requests as visits
from tests.conftest import log_in
from tests.events.conftest import staff
from tests.events.factories import school_day
from tests.visits.factories import requested, window

__all__ = ["staff"]


def _catalogue_line(client: FlaskClient, queries: list[str]) -> tuple[str, int]:
    """The page's catalogue line and how many statements read the courses table."""
    db.session.remove()  # production starts each request with an empty identity map
    queries.clear()
    page = client.get("/start/", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    line = html[html.index("last changed") if "last changed" in html else html.index("None yet"):]
    return line[:40], sum(1 for q in queries if "FROM courses" in q)


def test_the_catalogue_is_read_once_per_version(
        client: FlaskClient, make_user: Callable[..., User], make_course: Callable[..., Any],
        queries: list[str]) -> None:
    make_course()
    log_in(client, make_user(Role.ADMIN))
    line, reads = _catalogue_line(client, queries)
    assert line.startswith("last changed") and reads == 1
    line_again, reads = _catalogue_line(client, queries)
    assert line_again == line and reads == 0  # kept: no visit of every course
    make_course()  # a write bumps the catalogue version: read again
    _line, reads = _catalogue_line(client, queries)
    assert reads == 1


def test_the_counsellor_page_reads_no_roster_and_counts_the_class_hours(
        client: FlaskClient, make_user: Callable[..., User],
        make_class: Callable[..., SchoolClass], staff: User, queries: list[str]) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    year = school_year_of(clock.today())
    small, event = _visited_class(counsellor, make_user, make_class, staff, "1A")
    record_attendance(staff, event, {small.id: 1}, now=event.ends_at + timedelta(hours=1))
    db.session.commit()
    log_in(client, counsellor)
    few, html = _statements(client, queries)
    assert "28 hours to go" in html  # the visit's two hours
    entries = school_hours(counsellor.school_id or 0, year)
    assert class_hours([entry.school_class.id for entry in entries]) == {
        entry.school_class.id: entry.hours for entry in entries} != {}
    assert class_hours([]) == {}
    make_class(counsellor, pupils=tuple(make_user() for _ in range(20)), name="1B",
               school_year=year)
    many, _html = _statements(client, queries)
    assert many == few
    rosters = [q for q in queries if "FROM class_memberships" in q or ("FROM users WHERE" in q
               and " IN " in q)]
    assert rosters == []  # the pupils are counted in SQL, never loaded


def _visited_class(counsellor: User, make_user: Callable[..., User],
                   make_class: Callable[..., SchoolClass], staff: User,
                   name: str) -> tuple[SchoolClass, Event]:
    """A class of one pupil in this school year, with a peer visit confirmed in five days."""
    school_class = make_class(counsellor, pupils=(make_user(),), name=name,
                              school_year=school_year_of(clock.today()))
    slot = window([staff], school_day(clock.today() + timedelta(days=5)))
    event = visits.confirm_visit(staff, requested(counsellor, slot, [school_class]), [staff.id])
    db.session.commit()
    return school_class, event


def _statements(client: FlaskClient, queries: list[str]) -> tuple[int, str]:
    db.session.remove()
    queries.clear()
    page = client.get("/start/", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    return len(queries), page.get_data(as_text=True)


def test_the_counsellors_upcoming_events_come_with_providers_and_classes_in_two_statements(
        client: FlaskClient, make_user: Callable[..., User],
        make_class: Callable[..., SchoolClass], staff: User, queries: list[str]) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    _class, event = _visited_class(counsellor, make_user, make_class, staff, "2C")
    event_id, provider = event.id, event.provider.name
    log_in(client, counsellor)
    _count, html = _statements(client, queries)
    upcoming = html[html.index(f"/events/{event_id}"):]
    assert provider in html and "2C" in upcoming[:upcoming.index("</li>")]
    events = [q for q in queries if "FROM events" in q and "providers" in q]
    assert len(events) == 1 and "JOIN providers" in events[0], events
    classes = [q for q in queries if "event_classes.pupils" in q]  # the classes' own columns
    assert len(classes) == 1 and "JOIN school_classes" in classes[0], classes
    assert not [q for q in queries if q.lstrip().startswith("SELECT providers.")
                or "WHERE school_classes.id IN" in q], queries
