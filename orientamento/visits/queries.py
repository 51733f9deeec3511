"""Read-side selects for the peer-visit pages: windows to browse, requests, holidays, choices."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload, selectinload

from orientamento.auth.models import PROVIDER_ROLES, Role, User
from orientamento.core import clock
from orientamento.core.errors import NotFound
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.core.pagination import paginate
from orientamento.core.school_year import school_year_label, school_year_start
from orientamento.courses.models import Course, Place, PlaceKind
from orientamento.courses.queries import squared_km
from orientamento.extensions import db
from orientamento.orgs.models import Provider, School
from orientamento.visits.models import (
    BlockedDay,
    SchoolHoliday,
    VisitRequest,
    VisitStatus,
    VisitWindow,
    window_courses,
)

PAGE_SIZE = 20


def school_place(school: School) -> Place | None:
    """The school's municipio (in Milan) or municipality, for distances and coverage."""
    if school.municipio and school.municipality.casefold() == "milano":
        return db.session.scalar(select(Place).where(
            Place.kind == PlaceKind.MUNICIPIO, Place.municipio == school.municipio))
    return db.session.scalar(select(Place).where(
        func.lower(Place.name) == school.municipality.casefold(), Place.kind == PlaceKind.COMUNE))


def provider_windows(provider_id: int, now: datetime) -> Pagination:
    """A provider's future windows, soonest first."""
    return paginate(
        select(VisitWindow).where(VisitWindow.provider_id == provider_id,
                                  VisitWindow.ends_at > now)
        .options(selectinload(VisitWindow.ambassadors), selectinload(VisitWindow.places),
                 selectinload(VisitWindow.courses))
        .order_by(VisitWindow.starts_at), PAGE_SIZE)


@dataclass
class WindowFilter:
    """What a counsellor narrows the availability to."""

    area: str = ""
    mode: str = ""
    from_day: date | None = None
    to_day: date | None = None
    km: int | None = None


def provider_places() -> Any:
    """Each provider's municipality as a place (for distances), as a subquery."""
    return (select(Provider.id.label("provider_id"), Place.latitude, Place.longitude)
            .join(Place, func.lower(Place.name) == func.lower(Provider.municipality))
            .where(Place.kind == PlaceKind.COMUNE).subquery("provider_place"))


def windows_for_school(school: School, filters: WindowFilter, now: datetime) -> Pagination:
    """Bookable windows for a school, soonest first (distance filter from the school)."""
    query = (select(VisitWindow)
             .where(VisitWindow.starts_at > now, VisitWindow.booked < VisitWindow.max_visits)
             .options(selectinload(VisitWindow.provider), selectinload(VisitWindow.courses),
                      selectinload(VisitWindow.places))
             .order_by(VisitWindow.starts_at, VisitWindow.id))
    if filters.mode:
        query = query.where(VisitWindow.mode.in_((filters.mode, "both")))
    if filters.from_day:
        query = query.where(VisitWindow.starts_at >= clock.rome_datetime(filters.from_day, time(0)))
    if filters.to_day:
        query = query.where(VisitWindow.starts_at
                            < clock.rome_datetime(filters.to_day + timedelta(days=1), time(0)))
    if filters.area:
        query = query.where(VisitWindow.id.in_(
            select(window_courses.c.window_id)
            .join(Course, Course.id == window_courses.c.course_id)
            .where(Course.area == filters.area)))
    here = school_place(school)
    if filters.km is not None and here is not None:
        located = provider_places()
        query = query.join(located, located.c.provider_id == VisitWindow.provider_id).where(
            squared_km(here, located.c.latitude, located.c.longitude) <= filters.km ** 2)
    return paginate(query, PAGE_SIZE)


def provider_distances(school: School, provider_ids: set[int]) -> dict[int, float]:
    """Kilometres from the school to each provider's municipality (where both are known)."""
    here = school_place(school)
    if here is None or not provider_ids:
        return {}
    located = provider_places()
    rows = db.session.execute(select(
        located.c.provider_id, squared_km(here, located.c.latitude, located.c.longitude))
        .where(located.c.provider_id.in_(provider_ids)))
    return {pid: round(math.sqrt(d2), 1) for pid, d2 in rows}


def window_or_404(window_id: int) -> VisitWindow:
    """A window still open for requests."""
    window = db.session.get(VisitWindow, window_id)
    if window is None:
        raise NotFound(_l("No such availability."))
    return window


def visit_requests(actor: User) -> Pagination:
    """The actor's side of visit requests: a provider's incoming, a school's outgoing."""
    query = select(VisitRequest).options(
        selectinload(VisitRequest.school), selectinload(VisitRequest.provider),
        selectinload(VisitRequest.classes)).order_by(VisitRequest.starts_at.desc(),
                                                     VisitRequest.id.desc())
    if actor.role == Role.PROVIDER:
        query = query.where(VisitRequest.provider_id == actor.provider_id)
    else:
        query = query.where(VisitRequest.school_id == actor.school_id)
    return paginate(query, PAGE_SIZE)


def visit_or_404(actor: User, visit_id: int) -> VisitRequest:
    """A visit request the actor's school or organisation is part of."""
    visit = db.session.get(VisitRequest, visit_id)
    if visit is None or not (
            (actor.role == Role.PROVIDER and visit.provider_id == actor.provider_id)
            or (actor.role == Role.COUNSELLOR and visit.school_id == actor.school_id)):
        raise NotFound(_l("No such visit request."))
    return visit


def provider_staff_choices(provider_id: int) -> list[tuple[int, str]]:
    """(id, name) of a provider's staff and ambassadors, for checkboxes."""
    return [(user.id, user.display_name) for user in db.session.scalars(
        select(User).where(User.provider_id == provider_id, User.role.in_(PROVIDER_ROLES),
                           User.active.is_(True)).order_by(User.display_name))]


def next_window_starts(provider_id: int) -> datetime | None:
    """When the provider's next bookable window starts (for empty states)."""
    return db.session.scalar(select(func.min(VisitWindow.starts_at)).where(and_(
        VisitWindow.provider_id == provider_id, VisitWindow.booked < VisitWindow.max_visits)))


def blocked_days(provider_id: int, today: date) -> list[BlockedDay]:
    """The provider's blocked days from today on, in date order."""
    return list(db.session.scalars(select(BlockedDay).where(
        BlockedDay.provider_id == provider_id, BlockedDay.day >= today)
        .order_by(BlockedDay.day)))


def holidays_by_school_year() -> list[tuple[str, list[SchoolHoliday]]]:
    """Every holiday period in date order, grouped by the school year it begins in."""
    holidays = db.session.scalars(select(SchoolHoliday).order_by(
        SchoolHoliday.first_day, SchoolHoliday.last_day, SchoolHoliday.id))
    return [(school_year_label(start), list(periods)) for start, periods in groupby(
        holidays, key=lambda holiday: school_year_start(holiday.first_day))]


def visits_awaiting(actor: User, now: datetime, limit: int = 10) -> list[VisitRequest]:
    """Upcoming requests waiting for the actor's side: a provider's new requests to answer,
    a school's counter-proposals to accept or refuse; soonest first."""
    query = (select(VisitRequest).where(VisitRequest.starts_at > now)
             .options(joinedload(VisitRequest.school), joinedload(VisitRequest.provider),
                      selectinload(VisitRequest.classes))
             .order_by(VisitRequest.starts_at, VisitRequest.id).limit(limit))
    if actor.role == Role.PROVIDER:
        query = query.where(VisitRequest.provider_id == actor.provider_id,
                            VisitRequest.status == VisitStatus.REQUESTED)
    else:
        query = query.where(VisitRequest.school_id == actor.school_id,
                            VisitRequest.status == VisitStatus.COUNTER_PROPOSED)
    return list(db.session.scalars(query))
