"""The catalogue as plain records, and the one parser of their fields.

The spreadsheet import, the Open Referral (HSDS) import and the admin forms all turn their
input into text cells named as the spreadsheet's columns and parse them here, so a value is
accepted or refused, with the same message, whatever way it came in. ``record_of_*`` give the
records of stored rows: an import compares them to tell "unchanged" from "updated".
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum
from typing import Any, TypeVar

from babel import Locale
from flask_babel import gettext as _

from orientamento.core.text import has_control_characters
from orientamento.support.models import (
    MAX_AGE,
    MIN_AGE,
    AccessMode,
    EligibleStatus,
    HelpKind,
    OrganisationKind,
    Residence,
    SupportLocation,
    SupportOrganisation,
    SupportService,
    SupportSite,
)

ORGANISATION_COLUMNS = ("organisation_id", "organisation_name", "organisation_kind",
                        "organisation_website", "organisation_email", "organisation_phone",
                        "organisation_description")
SERVICE_COLUMNS = ("service_id", "service_name", "service_description", "help", "min_age",
                   "max_age", "statuses", "residence", "languages", "access", "service_email",
                   "service_phone", "service_website")
LOCATION_COLUMNS = ("location_id", "location_name", "address", "postal_code", "city",
                    "municipio", "place_code", "latitude", "longitude")
SITE_COLUMNS = ("site_id", "hours", "hours_valid_from", "hours_valid_to")
#: Separates the values of a list cell ("orientation;job_search", "it;en;ar").
LIST_SEPARATOR = ";"
#: RFC 5545 day codes, Monday first (as ``date.weekday()``), used by the hours and by HSDS.
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL_PATTERN = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ./()-]{3,38}$")
UUID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
HOURS_ENTRY = re.compile(r"^([A-Za-z]{2})\s+(\d{1,2}[:.]\d{2})\s*-\s*(\d{1,2}[:.]\d{2})$")
#: ISO 639-1 codes Babel knows (two letters), e.g. "it", "ar", "uk".
ISO_639_1 = frozenset(str(code) for code in Locale("en").languages
                      if re.fullmatch("[a-z]{2}", str(code)))


@dataclass(frozen=True, order=True)
class HoursRecord:
    """One opening: a weekday (0 is Monday) from ``opens`` to ``closes``, Milan time."""

    weekday: int
    opens: time
    closes: time


@dataclass(frozen=True)
class OrganisationRecord:
    """An organisation's fields."""

    uid: str
    name: str
    kind: OrganisationKind
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    description: str = ""


@dataclass(frozen=True)
class LocationRecord:
    """A location's fields; ``organisation_uid`` names its organisation."""

    uid: str
    organisation_uid: str
    address: str
    postal_code: str
    name: str = ""
    city: str = "Milano"
    municipio: int | None = None
    place_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class SiteRecord:
    """A service at a location with its opening hours (sorted) and their validity."""

    uid: str
    location_uid: str
    hours: tuple[HoursRecord, ...] = ()
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True)
class ServiceRecord:
    """A service's fields; lists are sorted tuples, sites sorted by uid."""

    uid: str
    organisation_uid: str
    name: str
    access: AccessMode
    description: str = ""
    help_kinds: tuple[HelpKind, ...] = ()
    min_age: int | None = None
    max_age: int | None = None
    statuses: tuple[EligibleStatus, ...] = ()
    residence: Residence = Residence.ANY
    languages: tuple[str, ...] = ()
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    sites: tuple[SiteRecord, ...] = ()


@dataclass
class Catalogue:
    """What a file holds: organisations, locations and services by uid."""

    organisations: dict[str, OrganisationRecord] = field(default_factory=dict)
    locations: dict[str, LocationRecord] = field(default_factory=dict)
    services: dict[str, ServiceRecord] = field(default_factory=dict)
    #: Where each uid first appears: (row or position, path prefix in an HSDS document).
    origins: dict[str, tuple[int, str]] = field(default_factory=dict)


# --- cell parsers -------------------------------------------------------------------------

Parser = Callable[[str], Any]


def new_uid() -> str:
    """A fresh identifier for a new organisation, service, location or site."""
    return str(uuid.uuid4())


def _uid(value: str) -> str | None:
    """A UUID in canonical lower-case form, or None for an empty cell (a new thing)."""
    value = value.strip().lower()
    if not value:
        return None
    if not UUID_PATTERN.match(value):
        raise ValueError(_("Write an identifier such as 3f2b8c1e-5d4a-4b7e-9c61-2a0d8e4f7b13, "
                           "or leave it empty for a new one."))
    return value


def _text(limit: int, required: bool = True, lines: bool = False) -> Parser:
    def parse(value: str) -> str:
        value = value.strip()
        if required and not value:
            raise ValueError(_("This value is required."))
        if len(value) > limit:
            raise ValueError(_("At most %(limit)d characters.", limit=limit))
        single = value.replace("\r\n", "\n").replace("\n", " ").replace("\t", " ") \
            if lines else value
        if has_control_characters(single):
            raise ValueError(_("Remove the control or text-direction characters."))
        return value.replace("\r\n", "\n") if lines else value
    return parse


def _optional(parse: Parser) -> Parser:
    def optional(value: str) -> Any:
        return parse(value) if value.strip() else None
    return optional


def _integer(low: int, high: int) -> Parser:
    def parse(value: str) -> int | None:
        value = value.strip()
        if not value:
            return None
        try:
            number = int(value)
        except ValueError:
            raise ValueError(_("Write a whole number.")) from None
        if not low <= number <= high:
            raise ValueError(_("Write a number from %(low)d to %(high)d.", low=low, high=high))
        return number
    return parse


def _decimal(low: float, high: float) -> Parser:
    def parse(value: str) -> float | None:
        value = value.strip().replace(",", ".")
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            raise ValueError(_("Write a decimal number from %(low)s to %(high)s.",
                               low=low, high=high)) from None
        if not low <= number <= high:  # NaN fails too
            raise ValueError(_("Write a decimal number from %(low)s to %(high)s.",
                               low=low, high=high))
        return round(number, 6)
    return parse


def _date(value: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError(_("Write a date as YYYY-MM-DD.")) from None
    if not 1900 <= day.year <= 2099:
        raise ValueError(_("Write a date as YYYY-MM-DD."))
    return day


E = TypeVar("E", bound=StrEnum)


def _member(enum: type[E]) -> Parser:
    def parse(value: str) -> E:
        try:
            return enum(value.strip().lower())
        except ValueError:
            raise ValueError(_("Use one of: %(options)s.", options=", ".join(enum))) from None
    return parse


def _members(enum: type[E]) -> Parser:
    def parse(value: str) -> tuple[E, ...]:
        found = set()
        for part in split_list(value):
            try:
                found.add(enum(part.lower()))
            except ValueError:
                raise ValueError(_("Use one or more of: %(options)s, separated by "
                                   "semicolons.", options=", ".join(enum))) from None
        return tuple(sorted(found))
    return parse


def _languages(value: str) -> tuple[str, ...]:
    codes = {part.lower() for part in split_list(value)}
    unknown = sorted(code for code in codes if code not in ISO_639_1)
    if unknown:
        raise ValueError(_("Not ISO 639-1 language codes: %(codes)s. Use two letters, "
                           "such as it, en, ar.", codes=", ".join(unknown)))
    return tuple(sorted(codes))


def _email(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if len(value) > 254 or not EMAIL_PATTERN.match(value):
        raise ValueError(_("Write an e-mail address such as name@example.org."))
    return value


def _url(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if len(value) > 300 or not URL_PATTERN.match(value):
        raise ValueError(_("Write a web address starting with https://."))
    return value


def _phone(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if not PHONE_PATTERN.match(value):
        raise ValueError(_("Write a phone number with digits, spaces and an optional +, "
                           "such as 02 8846 1234."))
    return value


def _postal_code(value: str) -> str:
    value = value.strip()
    if not re.fullmatch(r"\d{5}", value):
        raise ValueError(_("Write the five-digit postal code (CAP), such as 20121."))
    return value


def _place_code(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if not re.fullmatch(r"\d{6}(-[1-9])?", value):
        raise ValueError(_("Write the ISTAT code of the municipality, such as 015146 for "
                           "Milano."))
    return value


def _clock(text: str) -> time:
    hours, minutes = (int(part) for part in re.split("[:.]", text))
    if hours > 23 or minutes > 59:
        raise ValueError(text)
    return time(hours, minutes)


def parse_hours(value: str) -> tuple[HoursRecord, ...]:
    """Opening hours written as "MO 09:00-12:30; WE 14:00-17:00" (RFC 5545 day codes)."""
    found: set[HoursRecord] = set()
    for part in split_list(value):
        match = HOURS_ENTRY.match(part)
        day = match.group(1).upper() if match else ""
        try:
            if not match or day not in DAY_CODES:
                raise ValueError(part)
            entry = HoursRecord(DAY_CODES.index(day), _clock(match.group(2)),
                                _clock(match.group(3)))
        except ValueError:
            raise ValueError(_("Write each opening as a day and two times, such as "
                               "\"MO 09:00-12:30; WE 14:00-17:00\" (days: %(days)s).",
                               days=" ".join(DAY_CODES))) from None
        if entry.opens >= entry.closes:
            raise ValueError(_("An opening must close after it opens (%(entry)s).",
                               entry=part))
        found.add(entry)
    hours = tuple(sorted(found))
    for earlier, later in itertools.pairwise(hours):
        if earlier.weekday == later.weekday and later.opens < earlier.closes:
            raise ValueError(_("Two openings on the same day overlap."))
    return hours


def format_hours(hours: tuple[HoursRecord, ...]) -> str:
    """Opening hours in the form ``parse_hours`` reads."""
    return f"{LIST_SEPARATOR} ".join(
        f"{DAY_CODES[h.weekday]} {h.opens:%H:%M}-{h.closes:%H:%M}" for h in hours)


def split_list(value: str) -> list[str]:
    """The non-empty parts of a list cell."""
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]


PARSERS: dict[str, Parser] = {
    "organisation_id": _uid,
    "organisation_name": _text(200),
    "organisation_kind": _member(OrganisationKind),
    "organisation_website": _url,
    "organisation_email": _email,
    "organisation_phone": _phone,
    "organisation_description": _text(4000, required=False, lines=True),
    "service_id": _uid,
    "service_name": _text(200),
    "service_description": _text(4000, required=False, lines=True),
    "help": _members(HelpKind),
    "min_age": _integer(MIN_AGE, MAX_AGE),
    "max_age": _integer(MIN_AGE, MAX_AGE),
    "statuses": _members(EligibleStatus),
    "residence": _optional(_member(Residence)),
    "languages": _languages,
    "access": _member(AccessMode),
    "service_email": _email,
    "service_phone": _phone,
    "service_website": _url,
    "location_id": _uid,
    "location_name": _text(200, required=False),
    "address": _text(200),
    "postal_code": _postal_code,
    "city": _optional(_text(100)),
    "municipio": _integer(1, 9),
    "place_code": _place_code,
    "latitude": _decimal(-90, 90),
    "longitude": _decimal(-180, 180),
    "site_id": _uid,
    "hours": parse_hours,
    "hours_valid_from": _date,
    "hours_valid_to": _date,
}


def parse_cells(cells: Mapping[str, str], columns: tuple[str, ...]
                ) -> tuple[dict[str, Any], dict[str, str]]:
    """Parse the ``columns`` of ``cells``: the values, and an error message per column."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for column in columns:
        try:
            values[column] = PARSERS[column](cells.get(column) or "")
        except ValueError as error:
            errors[column] = str(error)
    return values, errors


def organisation_from(values: dict[str, Any], uid: str) -> OrganisationRecord:
    """An organisation record from parsed values."""
    return OrganisationRecord(
        uid=uid, name=values["organisation_name"], kind=values["organisation_kind"],
        website=values["organisation_website"], email=values["organisation_email"],
        phone=values["organisation_phone"], description=values["organisation_description"])


def service_from(values: dict[str, Any], uid: str, organisation_uid: str,
                 errors: dict[str, str]) -> ServiceRecord | None:
    """A service record from parsed values, or None after adding its cross-field errors."""
    low, high = values.get("min_age"), values.get("max_age")
    if low is not None and high is not None and low > high:
        errors["max_age"] = _("The maximum age must not be below the minimum age.")
        return None
    return ServiceRecord(
        uid=uid, organisation_uid=organisation_uid, name=values["service_name"],
        description=values["service_description"], help_kinds=values["help"],
        min_age=low, max_age=high, statuses=values["statuses"],
        residence=values["residence"] or Residence.ANY, languages=values["languages"],
        access=values["access"], email=values["service_email"],
        phone=values["service_phone"], website=values["service_website"])


def location_from(values: dict[str, Any], uid: str, organisation_uid: str,
                  errors: dict[str, str]) -> LocationRecord | None:
    """A location record from parsed values, or None after adding its cross-field errors."""
    if (values["latitude"] is None) != (values["longitude"] is None):
        errors["longitude" if values["longitude"] is None else "latitude"] = _(
            "Give both the latitude and the longitude, or neither.")
        return None
    return LocationRecord(
        uid=uid, organisation_uid=organisation_uid, name=values["location_name"],
        address=values["address"], postal_code=values["postal_code"],
        city=values["city"] or "Milano", municipio=values["municipio"],
        place_code=values["place_code"], latitude=values["latitude"],
        longitude=values["longitude"])


def site_from(values: dict[str, Any], uid: str, location_uid: str,
              errors: dict[str, str]) -> SiteRecord | None:
    """A site record from parsed values, or None after adding its cross-field errors."""
    start, end = values["hours_valid_from"], values["hours_valid_to"]
    if start and end and start > end:
        errors["hours_valid_to"] = _("The hours cannot stop being valid before they start.")
        return None
    return SiteRecord(uid=uid, location_uid=location_uid, hours=values["hours"],
                      valid_from=start, valid_to=end)


# --- records of stored rows and cells of records ------------------------------------------

def record_of_organisation(organisation: SupportOrganisation) -> OrganisationRecord:
    """The record an export writes for a stored organisation."""
    return OrganisationRecord(
        uid=organisation.uid, name=organisation.name, kind=organisation.kind,
        website=organisation.website, email=organisation.email, phone=organisation.phone,
        description=organisation.description or "")


def record_of_location(location: SupportLocation) -> LocationRecord:
    """The record an export writes for a stored location."""
    return LocationRecord(
        uid=location.uid, organisation_uid=location.organisation.uid, name=location.name or "",
        address=location.address, postal_code=location.postal_code, city=location.city,
        municipio=location.municipio, place_code=location.place_code,
        latitude=location.latitude, longitude=location.longitude)


def record_of_site(site: SupportSite) -> SiteRecord:
    """The record of a service at a location."""
    return SiteRecord(
        uid=site.uid, location_uid=site.location.uid,
        hours=tuple(sorted(HoursRecord(h.weekday, h.opens, h.closes) for h in site.hours)),
        valid_from=site.hours_valid_from, valid_to=site.hours_valid_to)


def record_of_service(service: SupportService) -> ServiceRecord:
    """The record an export writes for a stored service."""
    return ServiceRecord(
        uid=service.uid, organisation_uid=service.organisation.uid, name=service.name,
        description=service.description or "", help_kinds=tuple(service.help_kinds),
        min_age=service.min_age, max_age=service.max_age,
        statuses=tuple(service.statuses), residence=service.residence,
        languages=tuple(service.languages), access=service.access, email=service.email,
        phone=service.phone, website=service.website,
        sites=tuple(sorted((record_of_site(s) for s in service.sites), key=lambda s: s.uid)))


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}".rstrip("0").rstrip(".")


def organisation_cells(record: OrganisationRecord) -> dict[str, str]:
    """An organisation as the spreadsheet's cells (unescaped text)."""
    return {"organisation_id": record.uid, "organisation_name": record.name,
            "organisation_kind": str(record.kind),
            "organisation_website": record.website or "",
            "organisation_email": record.email or "", "organisation_phone": record.phone or "",
            "organisation_description": record.description}


def service_cells(record: ServiceRecord) -> dict[str, str]:
    """A service as the spreadsheet's cells."""
    return {"service_id": record.uid, "service_name": record.name,
            "service_description": record.description,
            "help": LIST_SEPARATOR.join(record.help_kinds),
            "min_age": "" if record.min_age is None else str(record.min_age),
            "max_age": "" if record.max_age is None else str(record.max_age),
            "statuses": LIST_SEPARATOR.join(record.statuses),
            "residence": str(record.residence), "languages": LIST_SEPARATOR.join(record.languages),
            "access": str(record.access), "service_email": record.email or "",
            "service_phone": record.phone or "", "service_website": record.website or ""}


def location_cells(record: LocationRecord) -> dict[str, str]:
    """A location as the spreadsheet's cells."""
    return {"location_id": record.uid, "location_name": record.name,
            "address": record.address, "postal_code": record.postal_code, "city": record.city,
            "municipio": "" if record.municipio is None else str(record.municipio),
            "place_code": record.place_code or "", "latitude": _number(record.latitude),
            "longitude": _number(record.longitude)}


def site_cells(record: SiteRecord | None) -> dict[str, str]:
    """A service at a location as the spreadsheet's cells (empty for a service nowhere)."""
    if record is None:
        return dict.fromkeys(SITE_COLUMNS, "")
    return {"site_id": record.uid, "hours": format_hours(record.hours),
            "hours_valid_from": record.valid_from.isoformat() if record.valid_from else "",
            "hours_valid_to": record.valid_to.isoformat() if record.valid_to else ""}
