"""The platform's one clock: instants in UTC for storage, dates and wall-clock time in Milan.

Every "now" and "today" in the product comes from here, so a date is never the server's
(which may run in UTC) and tests can move the whole platform to a chosen instant.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")


def now() -> datetime:
    """The current instant as an aware UTC datetime (what the database stores)."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Milan."""
    return datetime.now(ROME).date()


def milan_date(moment: datetime) -> date:
    """The Milan calendar date of an aware instant."""
    return moment.astimezone(ROME).date()


def rome_datetime(day: date, wall: time) -> datetime:
    """The UTC instant of a wall-clock time in Milan (the first one on the autumn switch)."""
    return datetime.combine(day, wall, tzinfo=ROME).astimezone(UTC)


def rome_local(moment: datetime) -> datetime:
    """A UTC instant as wall-clock time in Milan, with its offset."""
    return moment.astimezone(ROME)


def start_of_day(day: date) -> datetime:
    """The UTC instant at which a Milan day begins."""
    return rome_datetime(day, time(0))


def iso_local(moment: datetime) -> str:
    """An instant as Milan wall-clock time with its offset, for files people and machines read."""
    return rome_local(moment).isoformat(timespec="seconds")
