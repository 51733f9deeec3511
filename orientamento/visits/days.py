"""The days on which no school visit is offered: public and school holidays, blocked days."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import select

from orientamento.extensions import db
from orientamento.visits.models import BlockedDay, SchoolHoliday


@lru_cache(maxsize=16)
def public_holidays(year: int) -> dict[date, str]:
    """Public holidays in Milan for a year: national ones plus Sant'Ambrogio (7 December)."""
    return dict(holidays.country_holidays("IT", subdiv="MI", years=year, language="it_IT"))


def days_between(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last`` included."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def closed_days(first: date, last: date, provider_id: int | None = None) -> dict[date, str]:
    """Days between ``first`` and ``last`` without visits, each with the reason."""
    closed: dict[date, str] = {}
    for year in range(first.year, last.year + 1):
        closed.update({day: name for day, name in public_holidays(year).items()
                       if first <= day <= last})
    for holiday in db.session.scalars(select(SchoolHoliday).where(
            SchoolHoliday.first_day <= last, SchoolHoliday.last_day >= first)):
        for day in days_between(max(first, holiday.first_day), min(last, holiday.last_day)):
            closed.setdefault(day, holiday.name)
    if provider_id is not None:
        for blocked in db.session.scalars(select(BlockedDay).where(
                BlockedDay.provider_id == provider_id, BlockedDay.day.between(first, last))):
            closed.setdefault(blocked.day, blocked.reason or "")
    return closed
