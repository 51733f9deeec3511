"""Milan working days, which a service's answer deadline and the call campaign's retries count."""

from __future__ import annotations

from datetime import date, timedelta

from orientamento.visits.days import public_holidays


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a public holiday in Milan (Sant'Ambrogio included)."""
    return day.weekday() < 5 and day not in public_holidays(day.year)


def add_working_days(day: date, count: int) -> date:
    """The ``count``-th working day after ``day`` (``day`` itself when ``count`` is 0)."""
    current = day
    while count > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            count -= 1
    return current
