"""Read side of the directory: search with filters, facets and distance; course pages. A
search's page of results, kept per catalogue version, is ``results.search_courses``."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import selectinload

from orientamento.core import clock
from orientamento.core.errors import NotFound
from orientamento.courses.models import (
    Course,
    CourseSite,
    CourseStatus,
    Enrolment,
    Occupation,
    Place,
    SavedCourse,
    course_occupations,
)
from orientamento.courses.search import backend_for
from orientamento.extensions import db
from orientamento.orgs.models import Provider

#: Kilometres per degree of latitude, and of longitude at the equator (WGS84, rounded).
KM_PER_DEGREE_LAT = 110.57
KM_PER_DEGREE_LON = 111.32
FACETS = ("kind", "area", "eqf_level", "language")
#: The enrolment filter's value for "whatever the state" (the others are ``Enrolment`` values).
ANY_ENROLMENT = "any"
ENROLMENT_FILTERS = (*(state.value for state in Enrolment), ANY_ENROLMENT)


@dataclass(frozen=True)
class CourseQuery:
    """A validated search: words, filters, sort and page. Every field comes from the URL."""

    q: str = ""
    kinds: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    eqf_levels: tuple[int, ...] = ()
    language: str = ""
    place: Place | None = None
    km: int | None = None
    start_after: date | None = None
    free_only: bool = False
    #: Only courses in this enrolment state (None: any state); open by default.
    enrolment: Enrolment | None = Enrolment.OPEN
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    #: The Milan date the enrolment states are taken on, the same for every query of a search.
    today: date = field(default_factory=clock.today)


@dataclass
class SearchResult:
    """One page of courses with their distance, the total and the facet counts."""

    courses: list[Course]
    distances: dict[int, float]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[Any, int]] = field(default_factory=dict)
    #: With no open course found: how many closed or started ones match (else 0).
    other_states: int = 0
    #: The order applied: "distance" (nearest site first), "relevance" or "start".
    order: str = "relevance"
    #: The place distances are measured from, if any.
    place: Place | None = None
    #: With nothing found: the query with its misspelt words corrected, when that finds courses.
    suggestion: str | None = None

    @property
    def pages(self) -> int:
        """Number of pages (at least one)."""
        return max(1, math.ceil(self.total / self.per_page))


def squared_km(place: Place, latitude: Any, longitude: Any) -> Any:
    """Squared distance in km² from ``place`` to the point at two columns (equirectangular,
    fine within 100 km).

    Plain arithmetic, so SQLite needs no math functions and indexes stay usable.
    """
    kx = KM_PER_DEGREE_LON * math.cos(math.radians(place.latitude))
    dx = (longitude - place.longitude) * kx
    dy = (latitude - place.latitude) * KM_PER_DEGREE_LAT
    return dx * dx + dy * dy


def distance_squared(place: Place) -> ColumnElement[float]:
    """Squared distance in km² from ``place`` to a course site."""
    return squared_km(place, CourseSite.latitude, CourseSite.longitude)


def nearest_sites(place: Place) -> Any:
    """Each course's squared distance ``d2`` (km²) from ``place`` to its nearest site."""
    return (
        select(CourseSite.course_id, func.min(distance_squared(place)).label("d2"))
        .group_by(CourseSite.course_id).subquery("nearest")
    )


def _conditions(query: CourseQuery, skip: str | None = None) -> list[ColumnElement[bool]]:
    """WHERE conditions for every filter except the facet ``skip``."""
    conds: list[ColumnElement[bool]] = [Course.status == CourseStatus.ACTIVE]
    if query.kinds and skip != "kind":
        conds.append(Course.kind.in_(query.kinds))
    if query.areas and skip != "area":
        conds.append(Course.area.in_(query.areas))
    if query.eqf_levels and skip != "eqf_level":
        conds.append(Course.eqf_level.in_(query.eqf_levels))
    if query.language and skip != "language":
        conds.append(Course.language == query.language)
    if query.start_after:
        conds.append(Course.start_date >= query.start_after)
    if query.free_only and skip != "free":
        conds.append(Course.cost_cents == 0)
    if query.enrolment is not None:
        conds.append(Course.enrolment_in({query.enrolment}, query.today))
    return conds


@dataclass
class Filtered:
    """A filtered SELECT and the subqueries it joined (ranked matches, nearest site)."""

    stmt: Select[Any]
    matches: Any = None
    nearest: Any = None


def filtered(query: CourseQuery, columns: list[Any], skip: str | None = None,
             rank: bool = False) -> Filtered:
    """SELECT ``columns`` over the courses passing the filters (and near the place).

    Text matching is a plain condition unless ``rank`` asks for the scores to sort by.
    """
    result = Filtered(select(*columns).select_from(Course))
    backend = backend_for(db.engine.dialect.name)
    if rank:
        result.matches = backend.ranked(query.q)
    if result.matches is not None:
        result.stmt = result.stmt.join(result.matches, result.matches.c.course_id == Course.id)
    elif (matching := backend.condition(query.q)) is not None:
        result.stmt = result.stmt.where(matching)
    if query.place is not None:
        result.nearest = nearest_sites(query.place)
        result.stmt = result.stmt.join(result.nearest, result.nearest.c.course_id == Course.id)
        if query.km:
            result.stmt = result.stmt.where(result.nearest.c.d2 <= query.km * query.km)
    result.stmt = result.stmt.where(and_(*_conditions(query, skip)))
    return result


def order_of(query: CourseQuery) -> str:
    """The order a query's results come in: by distance only from a place."""
    if query.sort == "distance":
        return "distance" if query.place is not None else "relevance"
    return query.sort


#: Facet name -> the filter that facet sets in a CourseQuery.
ACTIVE_FILTER = {"kind": "kinds", "area": "areas", "eqf_level": "eqf_levels",
                 "language": "language", "free": "free_only"}


def facet_counts(query: CourseQuery) -> tuple[int, dict[str, dict[Any, int]]]:
    """The number of results and, per facet value, the count with the other filters applied.

    One grouped query over the results serves the total and every facet whose own filter is
    unset; each facet with a filter set gets one more query that leaves that filter out.
    """
    free = (Course.cost_cents == 0).label("free")
    dimensions = [Course.kind, Course.area, Course.eqf_level, Course.language, free]
    rows = db.session.execute(
        filtered(query, [*dimensions, func.count()]).stmt.group_by(*dimensions)).all()
    total = sum(row[-1] for row in rows)
    facets: dict[str, dict[Any, int]] = {}
    for position, name in enumerate((*FACETS, "free")):
        if getattr(query, ACTIVE_FILTER[name]):
            column = free if name == "free" else getattr(Course, name)
            stmt = filtered(query, [column, func.count()], skip=name).stmt.group_by(column)
            grouped: list[Any] = list(db.session.execute(stmt).all())
        else:
            grouped = [(row[position], row[-1]) for row in rows]
        counts: dict[Any, int] = {}
        for value, count in grouped:
            counts[value] = counts.get(value, 0) + count
        facets[name] = counts
    facets["free"] = {True: facets["free"].get(True, 0)}
    return total, facets


def load_courses(ids: list[int]) -> list[Course]:
    """Courses by id in the given order, with provider, sites and places loaded."""
    if not ids:
        return []
    found = db.session.scalars(
        select(Course).where(Course.id.in_(ids)).options(
            selectinload(Course.provider),
            selectinload(Course.sites).selectinload(CourseSite.place),
        )
    ).all()
    by_id = {course.id: course for course in found}
    return [by_id[i] for i in ids if i in by_id]


def course_or_404(course_id: int) -> Course:
    """A course with everything its page shows, or 404."""
    course = db.session.scalar(
        select(Course).where(Course.id == course_id).options(
            selectinload(Course.provider),
            selectinload(Course.sites).selectinload(CourseSite.place),
            selectinload(Course.occupations),
        )
    )
    if course is None or (course.status != CourseStatus.ACTIVE):
        raise NotFound(None)
    return course


def saved_course_ids(user_id: int, course_ids: list[int] | None = None) -> set[int]:
    """Ids of the courses the user saved (among ``course_ids`` when given)."""
    stmt = select(SavedCourse.course_id).where(SavedCourse.user_id == user_id)
    if course_ids is not None:
        stmt = stmt.where(SavedCourse.course_id.in_(course_ids))
    return set(db.session.scalars(stmt))


def saved_courses(user_id: int, limit: int | None = None) -> list[Course]:
    """The user's saved courses, newest first (archived ones included, marked by status); the
    first ``limit`` of them if given."""
    ids = list(db.session.scalars(
        select(SavedCourse.course_id).where(SavedCourse.user_id == user_id)
        .order_by(SavedCourse.created_at.desc(), SavedCourse.course_id).limit(limit)
    ))
    return load_courses(ids)


def places() -> list[Place]:
    """Every place, municipi of Milan first, then municipalities by name."""
    return list(db.session.scalars(select(Place).order_by(Place.kind.desc(), Place.name)))


def place_or_none(code: str | None) -> Place | None:
    """The place with this ISTAT code, or None."""
    return db.session.get(Place, code) if code else None


def query_from_form(form: Any) -> CourseQuery:
    """A CourseQuery from a validated CourseSearchForm (page from the URL, clamped)."""
    from orientamento.core.pagination import requested_page

    place = place_or_none(form.place.data)
    # No sort chosen ("Automatic"): nearest first when a place is chosen.
    sort = form.sort.data or ("distance" if place is not None else "relevance")
    if sort == "distance" and place is None:
        sort = "relevance"
    return CourseQuery(
        q=(form.q.data or "").strip(), kinds=tuple(form.kind.data or ()),
        areas=tuple(form.area.data or ()), eqf_levels=tuple(form.eqf.data or ()),
        language=form.language.data or "", place=place,
        km=form.km.data if place is not None else None,
        start_after=form.start_after.data, free_only=bool(form.free.data),
        enrolment=enrolment_filter(form.enrolment.data), sort=sort, page=requested_page(),
    )


def enrolment_filter(value: str | None) -> Enrolment | None:
    """The state an ``enrolment`` parameter asks for: open when absent, None for "any"."""
    if value == ANY_ENROLMENT:
        return None
    return Enrolment(value) if value else Enrolment.OPEN


def catalogue_modified(today: date) -> datetime | None:
    """When the published catalogue last changed: an edit, or a course closing or starting.

    States change at midnight in Milan without any row changing, so the instant the latest
    course closed (the day after its deadline) or started counts as a change too.
    """
    edited, started, closed = db.session.execute(select(
        func.max(Course.updated_at),
        func.max(case((Course.enrolment_in({Enrolment.STARTED}, today), Course.start_date))),
        func.max(case((Course.enrolment_in({Enrolment.CLOSED}, today),
                       Course.application_deadline))),
    )).one()
    changes = [edited] if edited is not None else []
    changes += [clock.start_of_day(started)] if started is not None else []
    changes += [clock.start_of_day(closed + timedelta(days=1))] if closed is not None else []
    return max(changes, default=None)


def occupation_choices(locale: str) -> list[tuple[str, str]]:
    """(CP2021 code, title) of every occupation, sorted by title, for select lists."""
    occupations = db.session.scalars(select(Occupation)).all()
    return sorted(((o.cp2021, f"{o.title(locale)} ({o.cp2021})") for o in occupations),
                  key=lambda pair: pair[1].casefold())


def occupation_with_courses_or_404(occupation_id: int) -> tuple[Occupation, list[Course]]:
    """An occupation and the active courses leading to it (by start date), or 404."""
    occupation = db.session.get(Occupation, occupation_id)
    if occupation is None:
        raise NotFound(None)
    ids = list(db.session.scalars(
        select(Course.id).join(course_occupations)
        .where(course_occupations.c.occupation_id == occupation_id,
               Course.status == CourseStatus.ACTIVE)
        .order_by(Course.start_date, Course.id).limit(100)))
    return occupation, load_courses(ids)


def provider_courses(provider_id: int | None) -> Pagination:
    """One page of a provider's courses, newest changes first."""
    from orientamento.core.pagination import paginate

    return paginate(
        select(Course).where(Course.provider_id == provider_id)
        .options(selectinload(Course.sites).selectinload(CourseSite.place))
        .order_by(Course.status, Course.updated_at.desc(), Course.id))


def courses_needing_dates(provider_id: int | None, today: date, limit: int = 10
                          ) -> tuple[int, list[Course]]:
    """A provider's listed courses with no start date or one already past, and how many."""
    condition = and_(Course.provider_id == provider_id, Course.status == CourseStatus.ACTIVE,
                     (Course.start_date.is_(None)) | (Course.start_date < today))
    total = db.session.scalar(select(func.count()).select_from(Course).where(condition)) or 0
    courses = list(db.session.scalars(
        select(Course).where(condition)
        .order_by(Course.start_date.is_not(None), Course.start_date, Course.id).limit(limit)))
    return total, courses


def occupations_page(page: int, per_page: int) -> tuple[int, list[Occupation], datetime | None]:
    """One page of the occupations by CP2021 code: how many there are, the page, and when the
    list last changed (the API's occupation list)."""
    total = db.session.scalar(select(func.count(Occupation.id))) or 0
    items = list(db.session.scalars(select(Occupation).order_by(Occupation.cp2021)
                                    .limit(per_page).offset((page - 1) * per_page)))
    return total, items, db.session.scalar(select(func.max(Occupation.updated_at)))


def providers_page(page: int, per_page: int
                   ) -> tuple[int, list[tuple[Provider, int]], datetime | None]:
    """One page of the providers by code, each with its number of active courses; how many
    providers there are, and when the list last changed (the API's provider list)."""
    total = db.session.scalar(select(func.count(Provider.id))) or 0
    counts = (select(Course.provider_id, func.count().label("n"))
              .where(Course.status == CourseStatus.ACTIVE)
              .group_by(Course.provider_id).subquery())
    rows = [(provider, int(n)) for provider, n in db.session.execute(
        select(Provider, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.provider_id == Provider.id)
        .order_by(Provider.code).limit(per_page).offset((page - 1) * per_page))]
    return total, rows, db.session.scalar(select(func.max(Provider.updated_at)))
