"""The school year's one rule (``core.school_year``): September to August."""

from __future__ import annotations

from datetime import date, timedelta

from orientamento.core.school_year import (
    school_year_days,
    school_year_label,
    school_year_of,
    school_year_start,
)


def test_the_school_year_turns_on_the_first_of_september() -> None:
    assert school_year_of(date(2026, 8, 31)) == "2025/2026"
    assert school_year_of(date(2026, 9, 1)) == "2026/2027"
    assert school_year_of(date(2027, 1, 1)) == "2026/2027"
    assert school_year_of(date(2028, 2, 29)) == "2027/2028"


def test_a_school_years_days_are_the_days_it_is_the_school_year_of() -> None:
    first, last = school_year_days(2026)
    assert (first, last) == (date(2026, 9, 1), date(2027, 8, 31))
    assert school_year_start(first) == school_year_start(last) == 2026
    assert school_year_start(first - timedelta(days=1)) == 2025
    assert school_year_start(last + timedelta(days=1)) == 2027
    assert school_year_label(2026) == school_year_of(first) == "2026/2027"
