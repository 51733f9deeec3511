"""The incremental refresh of the interest counts: only new results are placed, and the
counts and published cells are exactly those of a full recomputation; erasure takes the
placement with the person."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from orientamento.auth.models import Role, User
from orientamento.auth.privacy import erase_user
from orientamento.core import clock
from orientamento.extensions import db
from orientamento.observatory.crosswalk import Crosswalk, load_crosswalk
from orientamento.observatory.indicators import interest_points
from orientamento.observatory.models import InterestCount, InterestPlacement, PublishedCell
from orientamento.observatory.pages import recent_quarters
from orientamento.observatory.published import Refreshed, refresh_aggregates
from orientamento.orgs.models import School
from tests.observatory.factories import ICT_PROFILE, interest_result

ART = {"R": 10.0, "I": 20.0, "A": 95.0, "S": 40.0, "E": 50.0, "C": 10.0}
MAKER = {"R": 90.0, "I": 60.0, "A": 10.0, "S": 10.0, "E": 20.0, "C": 50.0}
FLAT = dict.fromkeys("RIASEC", 50.0)


def _refresh(full: bool = False, crosswalk: Crosswalk | None = None) -> Refreshed:
    done = refresh_aggregates(crosswalk or load_crosswalk(), recent_quarters(), full=full)
    db.session.commit()
    return done


def _state() -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """The stored counts and every published cell."""
    counts = {(c.area, c.quarter, c.municipio, c.students)
              for c in db.session.scalars(select(InterestCount))}
    cells = set(db.session.execute(select(PublishedCell.table, PublishedCell.row,
                                          PublishedCell.column, PublishedCell.value)).all())
    return counts, cells


def _live() -> set[tuple[Any, ...]]:
    """The counts placed live from every result (nothing stored)."""
    found: dict[tuple[str, str, int], int] = {}
    for point in interest_points(load_crosswalk()):
        key = (point.area, str(point.quarter), point.municipio or 0)
        found[key] = found.get(key, 0) + 1
    return {(*key, n) for key, n in found.items()}


def _students(make_user: Callable[..., User], count: int, profile: dict[str, float],
              days_ago: int, school: School | None) -> list[User]:
    made = []
    for _ in range(count):
        student = make_user(Role.STUDENT, school_id=school.id if school else None)
        interest_result(student, profile, clock.now() - timedelta(days=days_ago))
        made.append(student)
    db.session.commit()
    return made


def test_an_incremental_refresh_publishes_what_a_full_one_does(
        reference_data: None, make_user: Callable[..., User],
        make_school: Callable[..., School]) -> None:
    north, south = make_school(municipio=2), make_school(municipio=8)
    ict = _students(make_user, 14, ICT_PROFILE, 2, north)
    _students(make_user, 12, ART, 100, south)
    _students(make_user, 11, MAKER, 200, None)
    first = _refresh()
    assert (first.students, first.placed) == (37, 37)
    assert _refresh().placed == 0  # nothing new: nothing placed again
    # New results: newcomers, students answering again (their older result stops counting),
    # a flat profile that goes nowhere, and a student moving school.
    _students(make_user, 9, ART, 0, north)
    _students(make_user, 1, FLAT, 0, south)
    for student in ict[:5]:
        interest_result(student, MAKER, clock.now() - timedelta(hours=1))
    ict[5].school_id = south.id
    db.session.commit()
    again = _refresh()
    assert again.placed == 9 + 1 + 5
    assert again.students == 37 + 9
    incremental = _state()
    assert incremental[0] == _live()
    published = {row: value for table, row, column, value in incremental[1]
                 if table == "interest_by_area_quarter" and column == "TOTAL"}
    assert published["ict_data"] is None  # 14 - 5 = 9: suppressed
    assert published["TOTAL"] == 46
    full = _refresh(full=True)
    assert full.placed == 37 + 9 + 1
    assert _state() == incremental
    assert db.session.scalar(select(func.count()).select_from(InterestPlacement)) == 47


def test_erasure_takes_the_placement_and_the_next_refresh_the_count(
        reference_data: None, make_user: Callable[..., User],
        make_school: Callable[..., School]) -> None:
    school = make_school(municipio=5)
    students = _students(make_user, 12, ICT_PROFILE, 0, school)
    assert _refresh().students == 12
    leaving = students[0]
    erase_user(leaving)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(InterestPlacement).where(
        InterestPlacement.student_id == leaving.id)) == 0
    done = _refresh()
    assert (done.students, done.placed) == (11, 0)
    after = _state()
    assert after[0] == _live()
    _refresh(full=True)
    assert _state() == after


def test_another_crosswalk_places_every_result_again(
        reference_data: None, make_user: Callable[..., User]) -> None:
    _students(make_user, 10, ICT_PROFILE, 0, None)
    assert _refresh().placed == 10
    crosswalk = load_crosswalk()
    changed = Crosswalk(crosswalk.occupations, {
        area: dict(profile, R=profile["R"] + 1) if area == "ict_data" else profile
        for area, profile in crosswalk.area_profiles.items()})
    assert changed.fingerprint != crosswalk.fingerprint
    assert _refresh(crosswalk=changed).placed == 10
    assert set(db.session.scalars(select(InterestPlacement.crosswalk))) == {changed.fingerprint}
