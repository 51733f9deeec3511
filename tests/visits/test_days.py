"""Milan's calendar: public holidays, wall-clock conversion, days without visits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time

import pytest

from orientamento.auth.models import User
from orientamento.core import clock
from orientamento.extensions import db
from orientamento.visits.days import closed_days, public_holidays
from orientamento.visits.services import availability

pytestmark = pytest.mark.calendar


def test_public_holidays_include_milans_patron_and_easter_monday() -> None:
    """2026 has Sant'Ambrogio (7 Dec), the Immaculate Conception and Easter Monday (6 Apr)."""
    holidays = public_holidays(2026)
    for day in (date(2026, 12, 7), date(2026, 12, 8), date(2026, 4, 6), date(2026, 12, 25),
                date(2026, 4, 25), date(2026, 6, 2)):
        assert day in holidays, day
    assert date(2026, 12, 9) not in holidays
    assert date(2027, 3, 29) in public_holidays(2027)  # Easter Monday moves every year


def test_public_holiday_names_are_in_italian() -> None:
    """The reasons shown to Italian users are the Italian names of the holidays."""
    holidays = public_holidays(2026)
    assert holidays[date(2026, 12, 7)] == "Sant'Ambrogio"
    assert holidays[date(2026, 12, 8)] == "Immacolata Concezione"


@pytest.mark.parametrize(("day", "wall", "utc"), [
    (date(2026, 7, 1), time(9), datetime(2026, 7, 1, 7, tzinfo=UTC)),  # summer time, UTC+2
    (date(2026, 12, 1), time(9), datetime(2026, 12, 1, 8, tzinfo=UTC)),  # winter time, UTC+1
    (date(2026, 3, 29), time(9), datetime(2026, 3, 29, 7, tzinfo=UTC)),  # DST starts that night
    (date(2026, 10, 25), time(9), datetime(2026, 10, 25, 8, tzinfo=UTC)),  # DST ends that night
    (date(2026, 3, 28), time(23, 30), datetime(2026, 3, 28, 22, 30, tzinfo=UTC)),
])
def test_rome_datetime_converts_wall_clock_to_utc(day: date, wall: time, utc: datetime) -> None:
    """Milan wall-clock times map to the right UTC instant on both sides of DST."""
    moment = clock.rome_datetime(day, wall)
    assert moment == utc
    assert moment.utcoffset() is not None and moment.utcoffset().total_seconds() == 0
    local = clock.rome_local(moment)
    assert (local.date(), local.time()) == (day, wall)


def test_closed_days_merge_holidays_school_holidays_and_blocked_days(
        app: object, make_user: Callable[..., User]) -> None:
    """Public holidays keep their name; school holidays and one provider's blocked days join."""
    staff = make_user("provider")
    other = make_user("provider")
    availability.add_school_holiday("Vacanze di Natale", date(2026, 12, 23), date(2027, 1, 6))
    availability.block_day(staff.provider, date(2026, 12, 9), "Collegio docenti", date(2026, 12, 1))
    availability.block_day(staff.provider, date(2026, 12, 10), "", date(2026, 12, 1))
    availability.block_day(other.provider, date(2026, 12, 11), "Altro ente", date(2026, 12, 1))
    db.session.commit()

    closed = closed_days(date(2026, 12, 7), date(2027, 1, 7), staff.provider_id)
    holidays = public_holidays(2026) | public_holidays(2027)
    assert closed[date(2026, 12, 7)] == holidays[date(2026, 12, 7)]
    assert closed[date(2026, 12, 25)] == holidays[date(2026, 12, 25)]  # public name wins
    assert closed[date(2027, 1, 1)] == holidays[date(2027, 1, 1)]
    assert closed[date(2026, 12, 23)] == "Vacanze di Natale"
    assert closed[date(2027, 1, 5)] == "Vacanze di Natale"
    assert closed[date(2026, 12, 9)] == "Collegio docenti"
    assert closed[date(2026, 12, 10)] == ""
    assert date(2026, 12, 11) not in closed  # another provider's blocked day
    assert date(2027, 1, 7) not in closed
    assert date(2026, 12, 22) not in closed
    assert all(date(2026, 12, 7) <= day <= date(2027, 1, 7) for day in closed)

    without_provider = closed_days(date(2026, 12, 7), date(2027, 1, 7))
    assert date(2026, 12, 9) not in without_provider
    assert date(2026, 12, 23) in without_provider


def test_closed_days_clip_a_long_school_holiday_to_the_range(app: object) -> None:
    """Only the days inside the asked range are returned."""
    availability.add_school_holiday("Vacanze estive", date(2027, 6, 10), date(2027, 9, 10))
    db.session.commit()
    closed = closed_days(date(2027, 7, 1), date(2027, 7, 3))
    assert closed == {date(2027, 7, d): "Vacanze estive" for d in (1, 2, 3)}


def test_milan_holidays_and_wall_clock_time() -> None:
    year = clock.today().year
    assert {date(year, 12, 7), date(year, 12, 8), date(year, 12, 25)} <= set(
        public_holidays(year))
    assert clock.rome_datetime(date(2026, 7, 1), time(9)).hour == 7  # summer time, UTC+2
    assert clock.rome_datetime(date(2026, 12, 1), time(9)).hour == 8  # winter time, UTC+1
