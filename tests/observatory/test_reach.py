"""Orientation reach: schools and classes reached, hours done against those due."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient

from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.core.school_year import school_year_of
from orientamento.events.models import Event, EventClass, EventKind, EventStatus
from orientamento.extensions import db
from orientamento.observatory.reach import reach
from orientamento.orgs.models import School


def _visit(provider_id: int, school_class: SchoolClass, hours: int, attended: int,
           days_ago: int) -> None:
    start = clock.now() - timedelta(days=days_ago)
    event = Event(provider_id=provider_id, school_id=school_class.school_id,
                  kind=EventKind.SCHOOL_VISIT, title="Visita",
                  description="", starts_at=start, ends_at=start + timedelta(hours=hours),
                  capacity=30, address="Via Roma 1", place_code="015146")
    db.session.add(event)
    db.session.flush()
    db.session.add(EventClass(event_id=event.id, class_id=school_class.id, pupils=20,
                              attended=attended, starts_at=event.starts_at,
                              ends_at=event.ends_at, status=EventStatus.SCHEDULED))
    db.session.commit()


def test_reach_counts_schools_classes_and_hours_by_municipio(
        client: FlaskClient, reference_data: None, make_school: Callable[..., School],
        make_user: Callable[..., User], make_class: Callable[..., SchoolClass],
        make_provider: Callable[..., Any]) -> None:
    provider = make_provider()
    school = make_school(municipio=6)
    counsellor = make_user(Role.COUNSELLOR, school_id=school.id)
    year = school_year_of(clock.today())
    reached = make_class(counsellor, school_year=year)
    make_class(counsellor, school_year=year, name="3C")
    _visit(provider.id, reached, 2, attended=18, days_ago=3)
    _visit(provider.id, reached, 40, attended=0, days_ago=6)  # nobody came: no hours
    (row,) = reach(year)
    assert (row.municipio, row.schools, row.schools_reached) == (6, 1, 1)
    assert (row.classes, row.classes_reached) == (2, 1)
    assert row.hours_done == 2 and row.hours_due == 60
    assert row.hours_share == 100 * 2 / 60
    page = client.get("/observatory/").get_data(as_text=True)
    assert "reach-chart" in page and "3.3" in page
