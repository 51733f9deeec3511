"""Peer-visit availability: windows published by providers, holidays and blocked days.

Windows are never offered on Milan's public holidays, the admin's school holidays or the
provider's blocked days; withdrawing or blocking removes only windows nobody asked for.
An imported school calendar replaces the periods of the school years it covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlalchemy import func, or_, select

from orientamento.auth.models import PROVIDER_ROLES, User
from orientamento.core import clock
from orientamento.core.errors import Conflict, DomainError, NotFound
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.core.school_year import school_year_days, school_year_label, school_year_start
from orientamento.courses.models import Course, Place
from orientamento.extensions import db
from orientamento.orgs.models import Provider
from orientamento.visits.days import closed_days
from orientamento.visits.models import (
    BlockedDay,
    SchoolHoliday,
    VisitRequest,
    VisitStatus,
    VisitWindow,
)
from orientamento.visits.school_calendar import (
    CalendarPeriod,
    CalendarReport,
    days_error,
    name_error,
    read_calendar,
)

#: Availability can be published this far ahead.
MAX_RANGE = timedelta(days=366)

OPEN_STATUSES = (VisitStatus.REQUESTED, VisitStatus.COUNTER_PROPOSED, VisitStatus.CONFIRMED)


@dataclass
class WindowPlan:
    """What a provider offers: repeated on the chosen weekdays between two dates."""

    first_day: date
    last_day: date
    weekdays: Sequence[int]
    start: time
    end: time
    mode: str
    max_visits: int
    ambassador_ids: Sequence[int]
    course_ids: Sequence[int] = ()
    place_codes: Sequence[str] = ()
    note: str = ""


@dataclass
class Published:
    """Windows created, and days skipped with the reason."""

    windows: list[VisitWindow] = field(default_factory=list)
    skipped: dict[date, str] = field(default_factory=dict)


def provider_staff_members(provider: Provider, user_ids: Sequence[int]) -> list[User]:
    """The provider's own staff with these ids; anyone else's id is refused."""
    users = list(db.session.scalars(select(User).where(
        User.id.in_(user_ids), User.provider_id == provider.id, User.role.in_(PROVIDER_ROLES))))
    if len(users) != len(set(user_ids)):
        raise NotFound(_l("Choose ambassadors of your own organisation."))
    return users


def publish_windows(provider: Provider, plan: WindowPlan, today: date) -> Published:
    """Create one window per chosen weekday between the dates, skipping closed days."""
    if plan.first_day < today:
        raise DomainError(_l("Availability starts today at the earliest."))
    if plan.last_day < plan.first_day or plan.last_day - plan.first_day > MAX_RANGE:
        raise DomainError(_l("The last day must follow the first, within a year."))
    if plan.start >= plan.end:
        raise DomainError(_l("The window must end after it starts."))
    if not plan.weekdays:
        raise DomainError(_l("Choose at least one weekday."))
    ambassadors = provider_staff_members(provider, plan.ambassador_ids)
    if not ambassadors:
        raise DomainError(_l("Choose at least one ambassador."))
    courses = list(db.session.scalars(select(Course).where(
        Course.id.in_(plan.course_ids), Course.provider_id == provider.id)))
    if len(courses) != len(set(plan.course_ids)):
        raise NotFound(_l("Choose courses of your own organisation."))
    places = list(db.session.scalars(select(Place).where(Place.code.in_(plan.place_codes))))
    closed = closed_days(plan.first_day, plan.last_day, provider.id)
    published = Published()
    day = plan.first_day
    while day <= plan.last_day:
        if day.weekday() in plan.weekdays:
            if day in closed:
                published.skipped[day] = closed[day]
            else:
                window = VisitWindow(
                    provider_id=provider.id, starts_at=clock.rome_datetime(day, plan.start),
                    ends_at=clock.rome_datetime(day, plan.end), mode=plan.mode,
                    max_visits=plan.max_visits, note=plan.note or None,
                    ambassadors=ambassadors, courses=courses, places=places)
                db.session.add(window)
                published.windows.append(window)
        day += timedelta(days=1)
    db.session.flush()
    return published


def _open_requests(window_ids: Sequence[int]) -> int:
    return db.session.scalar(select(func.count()).select_from(VisitRequest).where(
        VisitRequest.window_id.in_(window_ids), VisitRequest.status.in_(OPEN_STATUSES))) or 0


def withdraw_window(provider: Provider, window: VisitWindow) -> None:
    """Delete a window nobody has asked for yet."""
    if window.provider_id != provider.id:
        raise NotFound(_l("No such availability."))
    if _open_requests([window.id]):
        raise Conflict(_l("Schools have asked for this window: answer their requests first."))
    db.session.delete(window)
    db.session.flush()


def _withdraw_free_windows(provider_id: int | None, first: date, last: date) -> int:
    query = select(VisitWindow).where(
        VisitWindow.starts_at >= clock.rome_datetime(first, time(0)),
        VisitWindow.starts_at < clock.rome_datetime(last + timedelta(days=1), time(0)))
    if provider_id is not None:
        query = query.where(VisitWindow.provider_id == provider_id)
    removed = 0
    for window in db.session.scalars(query):
        if not _open_requests([window.id]):
            db.session.delete(window)
            removed += 1
    db.session.flush()
    return removed


def block_day(provider: Provider, day: date, reason: str, today: date) -> int:
    """Block a day; free windows on it are withdrawn. Returns how many."""
    if day < today:
        raise DomainError(_l("Choose today or a later day."))
    if db.session.get(BlockedDay, (provider.id, day)) is None:
        db.session.add(BlockedDay(provider_id=provider.id, day=day, reason=reason or None))
    return _withdraw_free_windows(provider.id, day, day)


def unblock_day(provider: Provider, day: date) -> None:
    """Make a blocked day available again."""
    blocked = db.session.get(BlockedDay, (provider.id, day))
    if blocked is None:
        raise NotFound(_l("This day is not blocked."))
    db.session.delete(blocked)
    db.session.flush()


def add_school_holiday(name: str, first_day: date, last_day: date) -> int:
    """Record a school holiday; free windows in it are withdrawn. Returns how many."""
    problem = name_error(name.strip()) or days_error(first_day, last_day)
    if problem is not None:
        raise DomainError(problem)
    db.session.add(SchoolHoliday(name=name.strip(), first_day=first_day, last_day=last_day))
    return _withdraw_free_windows(None, first_day, last_day)


def save_school_calendar(periods: Sequence[CalendarPeriod]) -> tuple[int, int]:
    """Replace the periods of the school years ``periods`` begin in: (replaced, withdrawn)."""
    if not periods:
        return 0, 0
    starts = sorted({school_year_start(period.first_day) for period in periods})
    in_years = or_(*(SchoolHoliday.first_day.between(*school_year_days(start))
                     for start in starts))
    earlier = db.session.scalars(select(SchoolHoliday).where(in_years)).all()
    for holiday in earlier:
        db.session.delete(holiday)
    db.session.add_all(SchoolHoliday(name=period.name, first_day=period.first_day,
                                     last_day=period.last_day) for period in periods)
    withdrawn = sum(_withdraw_free_windows(None, period.first_day, period.last_day)
                    for period in periods)
    return len(earlier), withdrawn


def import_school_calendar(data: bytes, filename: str = "") -> CalendarReport:
    """Check a school calendar file and, when it has no error, save it (all or nothing)."""
    report = read_calendar(data, filename)
    if report.ok:
        report.replaced, report.withdrawn = save_school_calendar(report.periods)
        report.school_years = [school_year_label(start) for start in sorted(
            {school_year_start(period.first_day) for period in report.periods})]
    return report


def remove_school_holiday(holiday: SchoolHoliday) -> None:
    """Delete a school holiday period."""
    db.session.delete(holiday)
    db.session.flush()
