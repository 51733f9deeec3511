"""Shapes of the JSON API's responses (pydantic) and the OpenAPI 3.1 document built from them."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from orientamento.core.pagination import MAX_PAGE
from orientamento.courses.areas import AREA_LABELS, CourseKind
from orientamento.courses.models import Course, Enrolment, Occupation
from orientamento.courses.queries import ENROLMENT_FILTERS, SearchResult
from orientamento.orgs.models import Provider


class BadParameter(Exception):
    """A query parameter is invalid; ``fields`` maps parameter -> messages."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__("invalid parameters")
        self.fields = fields


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(_Out):
    """An error: a short code and, for bad parameters, messages per parameter."""

    error: str
    fields: dict[str, list[str]]


class ProviderRef(_Out):
    """The provider of a course."""

    id: int
    code: str
    name: str


class SiteOut(_Out):
    """A teaching site."""

    address: str
    place_code: str
    place_name: str
    latitude: float
    longitude: float


class OccupationOut(_Out):
    """An occupation with its classification codes and RIASEC profile."""

    id: int
    cp2021: str
    isco08: str
    title_it: str
    title_en: str
    description_it: str
    description_en: str
    riasec: dict[str, float]


class CourseOut(_Out):
    """A course as the API publishes it."""

    id: int
    provider: ProviderRef
    course_code: str
    kind: CourseKind
    area: str
    eqf_level: int
    title: str
    description: str
    translations: dict[str, dict[str, str]]
    hours: int
    semesters: int
    start_date: date | None
    application_deadline: date | None
    cost_eur: str
    free: bool
    admission: str
    language: str
    seats: int | None
    sites: list[SiteOut]
    occupation_codes: list[str] | None
    occupations: list[OccupationOut] | None
    riasec: dict[str, float]
    contact_email: str | None
    contact_phone: str | None
    web_url: str | None
    updated_at: datetime
    distance_km: float | None
    #: open, closed (deadline passed) or started, on today's date in Milan.
    enrolment: Enrolment


class _Page(_Out):
    total: int
    page: int
    per_page: int
    pages: int


class CoursePage(_Page):
    """A page of courses and the facet counts of the whole result."""

    items: list[CourseOut]
    facets: dict[str, dict[str, int]]


class OccupationPage(_Page):
    """A page of occupations."""

    items: list[OccupationOut]


class ProviderOut(_Out):
    """A training provider and its number of active courses."""

    id: int
    code: str
    name: str
    kind: str
    municipality: str
    website: str | None
    active_courses: int


class ProviderPage(_Page):
    """A page of providers."""

    items: list[ProviderOut]


def is_number(value: str) -> bool:
    """True for a plain ASCII whole number ("²" is a digit to Python, not to ``int``)."""
    return re.fullmatch(r"[0-9]{1,9}", value) is not None


def page_number(value: str | None) -> int:
    """The page parameter: a positive integer (default 1)."""
    if value is None:
        return 1
    if not is_number(value) or not 1 <= int(value) <= MAX_PAGE:
        raise BadParameter({"page": [f"an integer from 1 to {MAX_PAGE}"]})
    return int(value)


def page_fields(total: int, page: int, per_page: int) -> dict[str, int]:
    """The paging fields of a page response."""
    return {"total": total, "page": page, "per_page": per_page,
            "pages": max(1, math.ceil(total / per_page))}


def occupation_out(occupation: Occupation) -> OccupationOut:
    """An occupation as the API shows it."""
    return OccupationOut(
        id=occupation.id, cp2021=occupation.cp2021, isco08=occupation.isco08,
        title_it=occupation.title_it, title_en=occupation.title_en,
        description_it=occupation.description_it, description_en=occupation.description_en,
        riasec={k.upper(): v for k, v in occupation.riasec.items()})


def course_out(course: Course, distance: float | None, today: date,
               with_occupations: bool = False) -> CourseOut:
    """A course as the API shows it (occupations in full on the single-course endpoint)."""
    return CourseOut(
        id=course.id,
        provider=ProviderRef(id=course.provider.id, code=course.provider.code,
                             name=course.provider.name),
        course_code=course.code, kind=course.kind, area=course.area,
        eqf_level=course.eqf_level, title=course.title, description=course.description,
        translations=course.translations or {}, hours=course.hours,
        semesters=course.semesters, start_date=course.start_date,
        application_deadline=course.application_deadline,
        cost_eur=f"{Decimal(course.cost_cents) / 100:.2f}", free=course.is_free,
        admission=course.admission, language=course.language, seats=course.seats,
        sites=[SiteOut(address=s.address, place_code=s.place_code, place_name=s.place.name,
                       latitude=s.latitude, longitude=s.longitude) for s in course.sites],
        occupation_codes=[o.cp2021 for o in course.occupations] if with_occupations else None,
        occupations=[occupation_out(o) for o in course.occupations] if with_occupations
        else None,
        riasec={k.upper(): v for k, v in course.riasec.items()},
        contact_email=course.contact_email, contact_phone=course.contact_phone,
        web_url=course.web_url, updated_at=course.updated_at,
        distance_km=None if distance is None else round(distance, 2),
        enrolment=course.enrolment_on(today),
    )


def course_page(result: SearchResult, today: date) -> CoursePage:
    """A search result as an API page, enrolment states taken on ``today``."""
    facets = {name: {str(k).lower() if isinstance(k, bool) else str(k): v
                     for k, v in counts.items()} for name, counts in result.facets.items()}
    return CoursePage(
        items=[course_out(c, result.distances.get(c.id), today) for c in result.courses],
        facets=facets, **page_fields(result.total, result.page, result.per_page))


def provider_out(provider: Provider, active_courses: int) -> ProviderOut:
    """A provider as the API shows it."""
    return ProviderOut(id=provider.id, code=provider.code, name=provider.name,
                       kind=provider.kind, municipality=provider.municipality,
                       website=provider.website, active_courses=active_courses)


# --- OpenAPI ------------------------------------------------------------------------------

def _parameter(name: str, schema: dict[str, Any], description: str,
               explode: bool = False) -> dict[str, Any]:
    parameter = {"name": name, "in": "query", "required": False, "schema": schema,
                 "description": description}
    if explode:
        parameter |= {"style": "form", "explode": True}
    return parameter


PAGING = [
    _parameter("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, "Page number."),
    _parameter("per_page", {"type": "integer", "minimum": 1, "maximum": 100},
               "Items per page (default 20)."),
]
COURSE_FILTERS = [
    _parameter("q", {"type": "string", "maxLength": 200},
               "Words searched in title, description, area, provider and occupations "
               "(Italian stemming, accents ignored)."),
    _parameter("kind", {"type": "array", "items": {"enum": [str(k) for k in CourseKind]}},
               "Kinds of course (repeat the parameter for several).", explode=True),
    _parameter("area", {"type": "array", "items": {"enum": list(AREA_LABELS)}},
               "ITS areas or IeFP sectors.", explode=True),
    _parameter("eqf", {"type": "array", "items": {"type": "integer", "enum": [3, 4, 5, 6]}},
               "EQF levels.", explode=True),
    _parameter("language", {"enum": ["", "it", "en"]}, "Language of teaching."),
    _parameter("place", {"type": "string", "pattern": "^[0-9]{6}(-[1-9])?$"},
               "ISTAT code of a municipality of the Città Metropolitana di Milano, or "
               "015146-N for Milan's municipio N (see docs). Unknown codes are refused."),
    _parameter("km", {"type": "integer", "minimum": 1, "maximum": 100},
               "With place: only courses with a site within this many km."),
    _parameter("start_after", {"type": "string", "format": "date",
                                "pattern": r"^(19|20)\d{2}-\d{2}-\d{2}$"},
               "Only courses starting on or after this date (1900-01-01 to 2099-12-31)."),
    _parameter("free", {"type": "boolean"}, "Only free courses."),
    _parameter("enrolment", {"enum": list(ENROLMENT_FILTERS), "default": "open"},
               "Enrolment state on today's date in Milan: `open` (the default, as on the "
               "search page: the application deadline is today or later, or there is none, "
               "and the course has not started), `closed` (the deadline has passed), "
               "`started` (the start date is today or earlier) or `any`. The facet counts "
               "follow the same filter."),
    _parameter("sort", {"enum": ["", "relevance", "start", "distance"]},
               "Order of results (distance needs place). Empty or absent: by distance "
               "(nearest site first) when place is given, else by relevance."),
]


def _ok(ref: str) -> dict[str, Any]:
    return {
        "description": "OK",
        "headers": {
            "ETag": {"schema": {"type": "string"}},
            "Last-Modified": {"schema": {"type": "string"}},
        },
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}


ERRORS = {"400": _error("Invalid parameters"), "429": _error("Too many requests")}


def openapi_document(server_url: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document, with schemas generated from the response models."""
    schemas: dict[str, Any] = {}
    for model in (CoursePage, CourseOut, OccupationPage, ProviderPage, ErrorOut):
        generated = model.model_json_schema(ref_template="#/components/schemas/{model}",
                                            mode="serialization")
        schemas.update(generated.pop("$defs", {}))
        schemas[model.__name__] = generated
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Orientamento Milano course directory API",
            "version": "1.1.0",
            "description": "Read-only open data: ITS Academy, IFTS and IeFP courses in the "
                           "Milan metropolitan area, the occupations they lead to, and providers."
                           " Since 1.1.0 every course has an `enrolment` state, and the course "
                           "list holds those open for enrolment unless `enrolment` asks for "
                           "others (`any` for the whole catalogue), as the search page does.",
            "license": {"name": "CC BY 4.0", "identifier": "CC-BY-4.0"},
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/courses": {"get": {
                "operationId": "listCourses",
                "summary": "Search active courses (open for enrolment unless asked otherwise)",
                "parameters": COURSE_FILTERS + PAGING,
                "responses": {"200": _ok("CoursePage"), **ERRORS}}},
            "/courses/{course_id}": {"get": {
                "operationId": "getCourse", "summary": "One active course",
                "parameters": [{"name": "course_id", "in": "path", "required": True,
                                "schema": {"type": "integer", "minimum": 1,
                                           "maximum": 2**31 - 1}}],
                "responses": {"200": _ok("CourseOut"), "404": _error("No such active course"),
                              **ERRORS}}},
            "/occupations": {"get": {
                "operationId": "listOccupations", "summary": "Occupation reference list",
                "parameters": PAGING, "responses": {"200": _ok("OccupationPage"), **ERRORS}}},
            "/providers": {"get": {
                "operationId": "listProviders", "summary": "Training providers",
                "parameters": PAGING, "responses": {"200": _ok("ProviderPage"), **ERRORS}}},
        },
        "components": {"schemas": schemas},
    }
