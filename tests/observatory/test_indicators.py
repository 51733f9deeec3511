"""The crosswalk, its coverage and the three sides per area."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.extensions import db
from orientamento.observatory import indicators
from orientamento.observatory.crosswalk import build_crosswalk, load_crosswalk
from orientamento.observatory.periods import Quarter, add_months
from orientamento.orgs.models import School
from tests.observatory.factories import ICT_PROFILE, interest_result, store_demand


def test_a_group_shares_its_hires_among_the_areas_of_its_occupations() -> None:
    crosswalk = build_crosswalk([
        ("3.1.2.1.0", ["ict_data", "iefp_it"], {}),
        ("3.1.2.5.0", ["ict_data"], {}),
        ("6.2.3.1.0", ["iefp_mechanics"], {}),
    ])
    assert crosswalk.weights("3.1.2") == {"ict_data": pytest.approx(2 / 3),
                                          "iefp_it": pytest.approx(1 / 3)}
    assert crosswalk.weights("3.1.2.5.0") == {"ict_data": 1.0}
    assert crosswalk.weights("3.1") == crosswalk.weights("3.1.2")
    assert crosswalk.weights("3.1.2.5") == {"ict_data": 1.0}
    assert crosswalk.weights("2.6.3") == {}
    assert crosswalk.weights("3.1.21") == {}  # a prefix of digits is not a parent group


def test_coverage_is_the_share_of_hires_mapped(reference_data: None) -> None:
    month = "2026-05"
    store_demand([("3.1.2", "015", month, 300, "50", "any"),
                  ("2.6.3", "015", month, 100, "", "any")])
    cells = indicators.demand_cells()
    demand = indicators.demand_by_area(cells, load_crosswalk())
    assert demand.total == 400
    assert demand.unmapped == 100 and demand.unmapped_codes == {"2.6.3"}
    assert demand.coverage == pytest.approx(75.0)
    assert sum(demand.hires.values()) == pytest.approx(300)


def test_levels_are_added_only_where_no_total_is_given(app: Any) -> None:
    store_demand([("3.1.2", "015", "2026-05", 100, "", "any"),
                  ("3.1.2", "015", "2026-05", 60, "", "its"),
                  ("3.1.2", "015", "2026-05", 40, "", "university"),
                  ("3.1.3", "015", "2026-05", 30, "", "its"),
                  ("3.1.3", "015", "2026-05", 20, "", "upper_secondary")])
    hires = {c.code: c.hires for c in indicators.demand_cells()}
    assert hires == {"3.1.2": 100, "3.1.3": 50}


def test_the_mismatch_puts_students_seats_and_demand_in_areas(
        reference_data: None, make_course: Callable[..., Any],
        make_user: Callable[..., User], make_school: Callable[..., School]) -> None:
    make_course(area="mechatronics", seats="30")
    make_course(area="ict_data", seats="10", riasec_i="0.9", riasec_r="0.2")
    last = add_months(date(clock.today().year, clock.today().month, 1), -1)
    store_demand([("3.1.2", "015", f"{last:%Y-%m}", 400, "60", "any"),
                  ("3.1.3", "015", f"{last:%Y-%m}", 100, "20", "any"),
                  ("3.1.2", "015", f"{add_months(last, -13):%Y-%m}", 999, "", "any")])
    school = make_school(municipio=2)
    for _ in range(3):
        interest_result(make_user(Role.STUDENT, school_id=school.id), ICT_PROFILE,
                        clock.now())
    student = make_user(Role.STUDENT)
    interest_result(student, {k: 50.0 for k in "RIASEC"}, clock.now())  # flat: no area
    interest_result(student, ICT_PROFILE, clock.now() - timedelta(days=400))  # older
    db.session.commit()
    found = indicators.mismatch(load_crosswalk())
    rows = {r.area: r for r in found.rows}
    assert found.interest_total == 3  # a flat latest result points nowhere; older ones don't count
    assert found.seats_total == 40
    assert rows["mechatronics"].seats_share == pytest.approx(75.0)
    assert found.demand.total == 500  # the month 13 months back is outside the window
    ict = rows["ict_data"]
    assert ict.interest >= 3
    assert ict.demand_share is not None and ict.demand_share > 40
    assert ict.seats_gap == pytest.approx(ict.seats_share - ict.demand_share)
    in_two = indicators.mismatch(load_crosswalk(), municipio=2)
    assert in_two.interest_total == 3
    assert in_two.seats_total == 0  # the courses' sites are in the comune, no municipio


def test_quarters_parse_and_step_back() -> None:
    assert Quarter.parse("2026Q4") == Quarter(2026, 4)
    assert Quarter.parse("2026Q5") is None and Quarter.parse("1800Q1") is None
    assert str(Quarter(2026, 1).previous()) == "2025Q4"
    assert Quarter(2026, 4).end == date(2027, 1, 1)
    assert Quarter.of(date(2027, 3, 10)) == Quarter(2027, 1)


def test_pages_read_the_counts_the_refresh_stored(
        client: Any, reference_data: None, make_user: Callable[..., User],
        runner: Any) -> None:
    for _ in range(12):
        interest_result(make_user(Role.STUDENT), ICT_PROFILE, clock.now())
    db.session.commit()
    before = client.get("/observatory/data/mismatch_by_area.json").get_json()
    # Nothing published yet: the counts are not computed per request, not even as zeros.
    assert before["rows"][-1]["students_interested"] is None
    result = runner.invoke(args=["observatory", "refresh"])
    assert result.exit_code == 0, result.output
    assert "12 students counted in areas (12 results placed now)" in result.output
    after = client.get("/observatory/data/mismatch_by_area.json").get_json()
    assert after["rows"][-1]["students_interested"] == 12
    live = indicators.mismatch(load_crosswalk())
    stored = {r["area"]: r["students_interested"] for r in after["rows"][:-1]}
    assert {r.area: r.interest for r in live.rows if r.interest} == {
        a: n for a, n in stored.items() if n}
