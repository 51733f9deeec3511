"""The demo's school calendar: plausible for Lombardy, and no demo visit falls in it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from orientamento.core import clock
from orientamento.core.school_year import school_year_start
from orientamento.demo.events import seed_demo_events
from orientamento.demo.school_calendar import demo_calendar, easter, seed_demo_calendar
from orientamento.demo.services import seed_demo
from orientamento.events.models import Event
from orientamento.extensions import db
from orientamento.visits.days import closed_days
from orientamento.visits.models import SchoolHoliday, VisitWindow
from orientamento.visits.school_calendar import days_error

# Not marked `calendar`: each test names the days it seeds on (seven of them, 29 February
# 2028 included), so running it again at every instant of make test-calendar adds nothing.


def test_the_2026_27_calendar_has_the_usual_lombardy_breaks() -> None:
    periods = {p.name: (p.first_day, p.last_day) for p in demo_calendar(2026)}
    assert periods == {
        "Ponte: Commemorazione dei defunti (demo)": (date(2026, 11, 2), date(2026, 11, 2)),
        "Vacanze di Natale (demo)": (date(2026, 12, 23), date(2027, 1, 6)),
        "Carnevale ambrosiano (demo)": (date(2027, 2, 11), date(2027, 2, 13)),
        "Vacanze di Pasqua (demo)": (date(2027, 3, 25), date(2027, 3, 30)),
        "Vacanze estive (demo)": (date(2027, 6, 9), date(2027, 9, 12)),
    }


@pytest.mark.parametrize("start", range(2024, 2036))
def test_every_year_is_a_valid_calendar_of_its_school_year(start: int) -> None:
    periods = demo_calendar(start)
    assert {school_year_start(p.first_day) for p in periods} == {start}
    assert all(p.name.endswith(" (demo)") and days_error(p.first_day, p.last_day) is None
               for p in periods)
    summer = periods[-1]
    assert summer.name == "Vacanze estive (demo)" and summer.first_day.month == 6
    assert summer.last_day + timedelta(days=1) in (date(start + 1, 9, d) for d in (12, 13, 14))
    assert easter(start + 1) - timedelta(days=3) in {p.first_day for p in periods}


def test_easter_dates() -> None:
    assert [easter(y) for y in (2026, 2027, 2028, 2038)] == [
        date(2026, 4, 5), date(2027, 3, 28), date(2028, 4, 16), date(2038, 4, 25)]


@pytest.mark.parametrize("today", [
    date(2026, 12, 6),  # the day the issue was filed: visits were offered on 24 and 31 December
    date(2026, 12, 20), date(2027, 3, 10), date(2027, 5, 31), date(2027, 6, 7), date(2027, 7, 1),
    date(2027, 8, 25), date(2028, 2, 29)])
def test_no_demo_window_or_visit_falls_on_a_school_holiday(app: Flask, reference_data: None,
                                                          today: date) -> None:
    seed_demo("Una-password-demo-99", "2026/2027")
    created = seed_demo_calendar(today - timedelta(days=30), today + timedelta(days=180))
    assert created and seed_demo_calendar(today - timedelta(days=30),
                                          today + timedelta(days=180)) == 0
    seed_demo_events(today)
    windows = db.session.scalars(select(VisitWindow)).all()
    assert windows  # two in late May, before the summer; none is ever in a holiday
    days = [clock.rome_local(w.starts_at).date() for w in windows]
    closed = closed_days(min(days), max(days))
    assert [day for day in days if day in closed] == []
    assert min(days) >= today + timedelta(days=2)
    visit = db.session.scalar(select(Event).where(Event.kind == "school_visit"))
    assert visit is not None
    visit_day = clock.rome_local(visit.starts_at).date()
    assert visit_day < today and visit_day not in closed_days(visit_day, visit_day)
    names = db.session.scalars(select(SchoolHoliday.name)).all()
    assert names and all(name.endswith("(demo)") for name in names)
