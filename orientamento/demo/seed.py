"""Everything ``flask demo seed`` loads, in order; the browser tests seed the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from orientamento.assessments.analysis import record_run
from orientamento.assessments.services import registry
from orientamento.core import clock
from orientamento.demo.courses import seed_demo_catalogue
from orientamento.demo.events import seed_demo_events
from orientamento.demo.observatory import seed_demo_observatory
from orientamento.demo.referrals import seed_demo_referrals
from orientamento.demo.responses import seed_simulated_responses
from orientamento.demo.risk import seed_demo_risk
from orientamento.demo.school_calendar import seed_demo_calendar
from orientamento.demo.services import seed_demo
from orientamento.demo.support import seed_support

#: Enough simulated students for non-provisional psychometrics (200 responses and more).
SIMULATED_STUDENTS = 240


class DemoRefused(Exception):
    """The demo catalogue did not pass the import checks (a bug in the demo data)."""


@dataclass(frozen=True)
class DemoSummary:
    """What a seed created."""

    accounts: dict[str, Any]
    courses: int
    holidays: int
    events: int
    flags: int
    simulated: int


def seed_everything(password: str, school_year: str, today: date) -> DemoSummary:
    """Load every demo data set (idempotent); flushes, the caller commits."""
    accounts = seed_demo(password, school_year)
    catalogue = seed_demo_catalogue(today)
    if not catalogue.ok:
        raise DemoRefused(f"demo catalogue rejected: {catalogue.errors[:5]}")
    seed_support()  # after the catalogue, which loads the places its locations name
    # Before the events: visit windows skip the holidays. Cover the school years from a
    # month back (the past visit) to the windows, which may wait for the summer to end.
    holidays = seed_demo_calendar(today - timedelta(days=30), today + timedelta(days=180))
    events = seed_demo_events(today)
    flags = seed_demo_risk()
    seed_demo_referrals(password, today)  # a service operator and a referral from a flag
    simulated = seed_simulated_responses(registry(), SIMULATED_STUDENTS, today)
    if simulated:
        record_run(registry(), clock.now())
    seed_demo_observatory(today)  # synthetic labour demand, interest counts
    return DemoSummary(accounts, catalogue.created, holidays, events, flags, simulated)
