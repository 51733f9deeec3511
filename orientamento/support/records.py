"""The catalogue as plain records: what a file or a form holds (``*_from`` parsed values),
what is stored (``record_of_*``: an import compares them to tell "unchanged" from "updated"),
and the spreadsheet's cells of each (``*_cells``). The cells are parsed in ``fields.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _

from orientamento.support.fields import LIST_SEPARATOR, HoursRecord, format_hours
from orientamento.support.models import (
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
