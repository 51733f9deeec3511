"""A plausible Lombardy school calendar for the demo, made by rule for any school year.

The real calendar is the Region's (an admin imports it); the demo's follows its usual shape:
lessons from 12 September (the Monday after, on a weekend) to 8 June (the Friday before), the
Christmas break from 23 December to 6 January, the Ambrosian Carnival (Thursday to Saturday
after Ash Wednesday), Easter from the Thursday before to the Tuesday after, and bridge days
between a public holiday and a weekend. Every name ends in "(demo)".
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from orientamento.core.school_year import school_year_days, school_year_start
from orientamento.extensions import db
from orientamento.visits.days import public_holidays
from orientamento.visits.models import SchoolHoliday
from orientamento.visits.school_calendar import CalendarPeriod
from orientamento.visits.services.availability import save_school_calendar

DEMO_LABEL = " (demo)"


def easter(year: int) -> date:
    """Easter Sunday of a year (Gregorian calendar, the anonymous "Meeus" algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return date(year, month, day + 1)


def first_lesson(start: int) -> date:
    """The first day of lessons of the school year beginning in ``start``."""
    day = date(start, 9, 12)
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def last_lesson(start: int) -> date:
    """The last day of lessons of the school year beginning in ``start``."""
    day = date(start + 1, 6, 8)
    return day - timedelta(days=day.weekday() - 4 if day.weekday() >= 5 else 0)


def _bridges(first: date, last: date, breaks: list[CalendarPeriod]) -> list[CalendarPeriod]:
    """Weekdays between a public holiday and a weekend, outside the breaks."""
    holidays = public_holidays(first.year) | public_holidays(last.year)
    bridges = []
    for day, name in sorted(holidays.items()):
        bridge = {1: day - timedelta(days=1), 3: day + timedelta(days=1)}.get(day.weekday())
        if day.month == 11 and day.day == 1 and day.weekday() == 6:
            bridge, name = day + timedelta(days=1), "Commemorazione dei defunti"
        if (bridge is None or not first < bridge < last or bridge in holidays
                or any(p.first_day <= bridge <= p.last_day for p in breaks)):
            continue
        bridges.append(CalendarPeriod(f"Ponte: {name}{DEMO_LABEL}", bridge, bridge))
    return bridges


def demo_calendar(start: int) -> list[CalendarPeriod]:
    """The demo's holiday periods of the school year beginning in ``start``, in date order."""
    sunday = easter(start + 1)
    ash_wednesday = sunday - timedelta(days=46)
    breaks = [
        CalendarPeriod(f"Vacanze di Natale{DEMO_LABEL}", date(start, 12, 23),
                       date(start + 1, 1, 6)),
        CalendarPeriod(f"Carnevale ambrosiano{DEMO_LABEL}", ash_wednesday + timedelta(days=1),
                       ash_wednesday + timedelta(days=3)),
        CalendarPeriod(f"Vacanze di Pasqua{DEMO_LABEL}", sunday - timedelta(days=3),
                       sunday + timedelta(days=2)),
        CalendarPeriod(f"Vacanze estive{DEMO_LABEL}", last_lesson(start) + timedelta(days=1),
                       first_lesson(start + 1) - timedelta(days=1)),
    ]
    periods = breaks + _bridges(first_lesson(start), last_lesson(start), breaks)
    return sorted(periods, key=lambda period: period.first_day)


def seed_demo_calendar(first: date, last: date) -> int:
    """Give each school year from ``first`` to ``last`` that has no holidays the demo's."""
    created = 0
    for start in range(school_year_start(first), school_year_start(last) + 1):
        has_periods = db.session.scalar(select(SchoolHoliday.id).where(
            SchoolHoliday.first_day.between(*school_year_days(start))).limit(1))
        if has_periods is None:
            periods = demo_calendar(start)
            save_school_calendar(periods)
            created += len(periods)
    db.session.flush()
    return created
