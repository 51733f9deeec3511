"""The one clock: UTC instants for storage, Milan dates and wall-clock times for people."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import time_machine

from orientamento.core import clock

pytestmark = pytest.mark.calendar


@pytest.mark.parametrize(("instant", "milan_day"), [
    ("2026-12-31T22:30:00+00:00", date(2026, 12, 31)),  # 23:30 in Milan
    ("2026-12-31T23:30:00+00:00", date(2027, 1, 1)),  # 00:30 in Milan, still 2026 in UTC
    ("2027-05-11T22:30:00+00:00", date(2027, 5, 12)),  # 00:30 in summer time
    ("2028-02-28T23:30:00+00:00", date(2028, 2, 29)),
])
def test_today_is_the_date_in_milan(instant: str, milan_day: date) -> None:
    with time_machine.travel(datetime.fromisoformat(instant), tick=False):
        assert clock.today() == milan_day
        assert clock.now().tzinfo is UTC
        assert clock.milan_date(clock.now()) == milan_day


@pytest.mark.parametrize(("day", "wall", "utc", "shown"), [
    (date(2027, 3, 28), time(1, 59), "2027-03-28T00:59:00+00:00", "2027-03-28T01:59:00+01:00"),
    (date(2027, 3, 28), time(3, 0), "2027-03-28T01:00:00+00:00", "2027-03-28T03:00:00+02:00"),
    (date(2027, 10, 31), time(2, 30), "2027-10-31T00:30:00+00:00", "2027-10-31T02:30:00+02:00"),
    (date(2027, 10, 31), time(3, 30), "2027-10-31T02:30:00+00:00", "2027-10-31T03:30:00+01:00"),
])
def test_wall_clock_times_across_the_switches(day: date, wall: time, utc: str,
                                              shown: str) -> None:
    moment = clock.rome_datetime(day, wall)
    assert moment == datetime.fromisoformat(utc) and moment.tzinfo is UTC
    assert clock.iso_local(moment) == shown


def test_a_day_starts_at_midnight_in_milan() -> None:
    assert clock.start_of_day(date(2027, 1, 1)).isoformat() == "2026-12-31T23:00:00+00:00"
    assert clock.start_of_day(date(2027, 7, 1)).isoformat() == "2027-06-30T22:00:00+00:00"
