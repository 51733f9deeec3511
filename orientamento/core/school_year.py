"""The Italian school year, which runs from 1 September to 31 August: the one place its rule is
written (classes are created for one, the Observatory and start pages count the current one,
school calendars are grouped and replaced by it)."""

from __future__ import annotations

from datetime import date

#: The month a school year begins in.
FIRST_MONTH = 9


def school_year_start(day: date) -> int:
    """The year in which the school year of ``day`` began."""
    return day.year if day.month >= FIRST_MONTH else day.year - 1


def school_year_label(start: int) -> str:
    """A school year as people write it, e.g. ``2026/2027``."""
    return f"{start}/{start + 1}"


def school_year_of(day: date) -> str:
    """The school year of ``day`` as people write it: ``2026/2027`` from 1 September 2026 to
    31 August 2027."""
    return school_year_label(school_year_start(day))


def school_year_days(start: int) -> tuple[date, date]:
    """The first and last day of the school year that began in ``start``."""
    return date(start, FIRST_MONTH, 1), date(start + 1, FIRST_MONTH - 1, 31)
