"""The open-data course record: one row per course, parsed from and formatted to text.

This is the single definition of the catalogue format (docs/formats/course-catalogue.md):
imports, exports, the JSON API's writer and the provider form all go through
``CourseRecord``. Parsers raise ``ValueError`` with a translated message saying what is wrong.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _

from orientamento.core.cells import (
    date_cell,
    email_cell,
    integer_cell,
    member_cell,
    text_cell,
    url_cell,
)
from orientamento.core.forms import FIRST_DAY, LAST_DAY
from orientamento.core.spreadsheet import escape_cell, unescape_cell
from orientamento.core.text import has_control_characters
from orientamento.courses.areas import AREA_LABELS, KIND_EQF_LEVELS, CourseKind, areas_for_kind
from orientamento.courses.models import RIASEC, Course, CourseStatus

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,39}$")
LIST_SEPARATOR = "|"
TRANSLATED_LOCALES = ("en", "ar")
MAX_SITES = 10


@dataclass(frozen=True)
class SiteRecord:
    """One teaching site: address, ISTAT place code and coordinates."""

    address: str
    place_code: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class CourseRecord:
    """Every field of a course as the catalogue format carries it."""

    provider_code: str
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
    cost_cents: int
    admission: str
    language: str
    seats: int | None
    sites: tuple[SiteRecord, ...]
    occupation_codes: tuple[str, ...]
    riasec: dict[str, float]
    contact_email: str | None
    contact_phone: str | None
    web_url: str | None
    status: CourseStatus = CourseStatus.ACTIVE


# --- cell parsers -------------------------------------------------------------------------

def _code(value: str) -> str:
    value = value.strip()
    if not CODE_PATTERN.match(value):
        raise ValueError(_("Use 1 to 40 capital letters, digits, dots, hyphens or underscores."))
    return value


def _date(value: str) -> date | None:
    day = date_cell(value)
    # Year 1 or 9999: a typing mistake, as on the forms.
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(_("Give a date between %(first)s and %(last)s.",
                           first=format_date(FIRST_DAY, "long"),
                           last=format_date(LAST_DAY, "long")))
    return day


def _decimal_text(value: str) -> str:
    """Accept the Italian decimal comma ("0,5") as well as the point."""
    value = value.strip()
    return value.replace(",", ".") if value.count(",") == 1 and "." not in value else value


def _cost(value: str) -> int:
    value = _decimal_text(value) or "0"
    try:
        euros = Decimal(value)
    except InvalidOperation:
        raise ValueError(_("Write an amount in euros, such as 150.00 (0 for free).")) from None
    if not euros.is_finite() or euros < 0 or euros > 100_000 or euros != euros.quantize(
            Decimal("0.01")):
        raise ValueError(_("Write an amount in euros, such as 150.00 (0 for free)."))
    return int(euros * 100)


def _weight(value: str) -> float:
    try:
        number = float(_decimal_text(value))
    except ValueError:
        raise ValueError(_("Write a decimal number from 0 to 1.")) from None
    if not 0.0 <= number <= 1.0:
        raise ValueError(_("Write a decimal number from 0 to 1."))
    return round(number, 2)


def _choice(options: Mapping[str, object]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        value = value.strip()
        if value not in options:
            raise ValueError(_("Use one of: %(options)s.", options=", ".join(options)))
        return value
    return parse


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(LIST_SEPARATOR)] if value.strip() else []


LANGUAGES = {"it": "it", "en": "en"}

#: Column name -> parser, in the order of the format's header.
SCALAR_COLUMNS: dict[str, Callable[[str], Any]] = {
    "provider_code": _code,
    "course_code": _code,
    "kind": member_cell(CourseKind),
    "area": _choice(AREA_LABELS),
    "eqf_level": integer_cell(3, 6),
    "title": text_cell(200),
    "description": text_cell(4000, required=False, lines=True),
    "title_en": text_cell(200, required=False),
    "description_en": text_cell(4000, required=False, lines=True),
    "title_ar": text_cell(200, required=False),
    "description_ar": text_cell(4000, required=False, lines=True),
    "hours": integer_cell(1, 10_000),
    "semesters": integer_cell(1, 12),
    "start_date": _date,
    "application_deadline": _date,
    "cost_eur": _cost,
    "admission": text_cell(2000, required=False, lines=True),
    "language": _choice(LANGUAGES),
    "seats": integer_cell(1, 10_000, required=False),
}
SITE_COLUMNS = ("site_addresses", "site_place_codes", "site_latitudes", "site_longitudes")
TAIL_COLUMNS: dict[str, Callable[[str], Any]] = {
    "occupation_codes": text_cell(2000, required=False),
    **{f"riasec_{k}": _weight for k in RIASEC},
    "contact_email": email_cell,
    "contact_phone": text_cell(40, required=False),
    "web_url": url_cell,
    "status": member_cell(CourseStatus),
}
COLUMNS = (*SCALAR_COLUMNS, *SITE_COLUMNS, *TAIL_COLUMNS)
REQUIRED_COLUMNS = ("provider_code", "course_code", "kind", "area", "eqf_level", "title",
                    "hours", "semesters", "language", "status", *SITE_COLUMNS,
                    *(f"riasec_{k}" for k in RIASEC))


def _coordinate(value: str, limit: float, column: str, errors: dict[str, str]) -> float | None:
    try:
        number = float(_decimal_text(value))
    except ValueError:
        number = math.nan
    if not -limit <= number <= limit:
        errors[column] = _("Write coordinates as decimal degrees, such as 45.4642.")
        return None
    return number


def _sites(cells: dict[str, str], errors: dict[str, str]) -> tuple[SiteRecord, ...]:
    addresses, codes, lats, lons = (_list(cells.get(c, "")) for c in SITE_COLUMNS)
    if not addresses:
        errors["site_addresses"] = _("Give at least one site.")
        return ()
    if len(addresses) > MAX_SITES:
        errors["site_addresses"] = _("At most %(limit)d sites.", limit=MAX_SITES)
        return ()
    if not len(addresses) == len(codes) == len(lats) == len(lons):
        errors["site_place_codes"] = _(
            "Give as many place codes and coordinates as addresses, separated by |.")
        return ()
    sites = []
    for address, code, lat, lon in zip(addresses, codes, lats, lons, strict=True):
        latitude = _coordinate(lat, 90, "site_latitudes", errors)
        longitude = _coordinate(lon, 180, "site_longitudes", errors)
        if latitude is None or longitude is None:
            return ()
        if not address or len(address) > 200:
            errors["site_addresses"] = _("Each address needs 1 to 200 characters.")
            return ()
        if has_control_characters(address):
            errors["site_addresses"] = _(
                "Use plain text: no control characters or text-direction marks.")
            return ()
        sites.append(SiteRecord(address, code, round(latitude, 6), round(longitude, 6)))
    return tuple(sites)


def _cross_checks(values: dict[str, Any], errors: dict[str, str]) -> None:
    """Checks that involve several columns."""
    if "kind" in values and "eqf_level" in values:
        kind = values["kind"]
        if values["eqf_level"] not in KIND_EQF_LEVELS[kind]:
            errors["eqf_level"] = _("This kind of course has EQF level %(levels)s.",
                                    levels=" / ".join(map(str, KIND_EQF_LEVELS[kind])))
        if "area" in values and values["area"] not in areas_for_kind(kind):
            errors["area"] = _("This area does not apply to this kind of course.")
    start, deadline = values.get("start_date"), values.get("application_deadline")
    if start and deadline and deadline > start:
        errors["application_deadline"] = _("The application deadline must not be after the start.")


def parse_row(cells: Mapping[str, str]) -> tuple[CourseRecord | None, dict[str, str]]:
    """Parse one row of cells into a record, or return the errors per column."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    clean: dict[str, str] = {}
    for column in COLUMNS:
        try:
            clean[column] = unescape_cell(cells.get(column) or "")
        except ValueError as error:
            errors[column] = str(error)
    for column, parser in (SCALAR_COLUMNS | TAIL_COLUMNS).items():
        if column in errors:
            continue
        try:
            values[column] = parser(clean.get(column, ""))
        except ValueError as error:
            errors[column] = str(error)
    sites = () if errors.keys() & set(SITE_COLUMNS) else _sites(clean, errors)
    _cross_checks(values, errors)
    if errors:
        return None, errors
    translations = {
        locale: {k: values[f"{k}_{locale}"] for k in ("title", "description")
                 if values[f"{k}_{locale}"]}
        for locale in TRANSLATED_LOCALES
    }
    return CourseRecord(
        provider_code=values["provider_code"], course_code=values["course_code"],
        kind=values["kind"], area=values["area"], eqf_level=values["eqf_level"],
        title=values["title"], description=values["description"],
        translations={k: v for k, v in translations.items() if v},
        hours=values["hours"], semesters=values["semesters"], start_date=values["start_date"],
        application_deadline=values["application_deadline"], cost_cents=values["cost_eur"],
        admission=values["admission"], language=values["language"], seats=values["seats"],
        sites=sites, occupation_codes=tuple(sorted(set(_list(values["occupation_codes"])))),
        riasec={k: values[f"riasec_{k}"] for k in RIASEC},
        contact_email=values["contact_email"], contact_phone=values["contact_phone"] or None,
        web_url=values["web_url"], status=values["status"],
    ), {}


def _number(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def format_record(record: CourseRecord) -> dict[str, str]:
    """The record as catalogue cells (strings, formula-escaped), the inverse of ``parse_row``."""
    cells = {
        "provider_code": record.provider_code, "course_code": record.course_code,
        "kind": str(record.kind), "area": record.area, "eqf_level": str(record.eqf_level),
        "title": record.title, "description": record.description,
        "hours": str(record.hours), "semesters": str(record.semesters),
        "start_date": record.start_date.isoformat() if record.start_date else "",
        "application_deadline": (record.application_deadline.isoformat()
                                 if record.application_deadline else ""),
        "cost_eur": f"{Decimal(record.cost_cents) / 100:.2f}",
        "admission": record.admission, "language": record.language,
        "seats": "" if record.seats is None else str(record.seats),
        "site_addresses": LIST_SEPARATOR.join(s.address for s in record.sites),
        "site_place_codes": LIST_SEPARATOR.join(s.place_code for s in record.sites),
        "site_latitudes": LIST_SEPARATOR.join(_number(s.latitude) for s in record.sites),
        "site_longitudes": LIST_SEPARATOR.join(_number(s.longitude) for s in record.sites),
        "occupation_codes": LIST_SEPARATOR.join(record.occupation_codes),
        **{f"riasec_{k}": f"{record.riasec[k]:.2f}" for k in RIASEC},
        "contact_email": record.contact_email or "", "contact_phone": record.contact_phone or "",
        "web_url": record.web_url or "", "status": str(record.status),
    }
    for locale in TRANSLATED_LOCALES:
        for key in ("title", "description"):
            cells[f"{key}_{locale}"] = record.translations.get(locale, {}).get(key, "")
    return {column: escape_cell(cells[column]) for column in COLUMNS}


def record_of(course: Course) -> CourseRecord:
    """The record describing a stored course (provider, sites and occupations loaded)."""
    return CourseRecord(
        provider_code=course.provider.code, course_code=course.code, kind=course.kind,
        area=course.area, eqf_level=course.eqf_level, title=course.title,
        description=course.description,
        translations={k: dict(v) for k, v in (course.translations or {}).items() if v},
        hours=course.hours, semesters=course.semesters, start_date=course.start_date,
        application_deadline=course.application_deadline, cost_cents=course.cost_cents,
        admission=course.admission, language=course.language, seats=course.seats,
        sites=tuple(SiteRecord(s.address, s.place_code, s.latitude, s.longitude)
                    for s in course.sites),
        occupation_codes=tuple(sorted(o.cp2021 for o in course.occupations)),
        riasec={k: round(v, 2) for k, v in course.riasec.items()},
        contact_email=course.contact_email, contact_phone=course.contact_phone,
        web_url=course.web_url, status=course.status,
    )
