"""The catalogue in Open Referral's Human Services Data Specification (HSDS 3.0), as JSON:
validating and reading a document (writing one is ``openreferral_export.py``).

A document is an object with three lists: ``organizations``, ``locations`` and ``services``
(with their ``service_at_locations`` and ``schedules`` nested), each item valid against the
HSDS schema of its kind (vendored in ``hsds/``). What HSDS has no field for (the kind of
organisation, the kinds of help, whom a service is for, how to get to it) travels as
``attributes`` with taxonomy terms of the platform's own taxonomies. The mapping is described
in docs/formats/support-hsds.md.
"""

from __future__ import annotations

import itertools
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, time
from functools import cache
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from orientamento.core.imports import ErrorList
from orientamento.support.fields import DAY_CODES, LIST_SEPARATOR, HoursRecord, parse_cells
from orientamento.support.models import (
    AccessMode,
    EligibleStatus,
    HelpKind,
    OrganisationKind,
    Residence,
)
from orientamento.support.records import (
    LocationRecord,
    OrganisationRecord,
    ServiceRecord,
    SiteRecord,
    location_from,
    organisation_from,
    service_from,
)

SCHEMA_DIR = Path(__file__).parent / "hsds"
HSDS_VERSION = "3.0"
#: The namespace of the identifiers the export derives (phones, addresses, attributes...).
NAMESPACE = uuid.UUID("6b1f6c52-3f7e-4d0b-9a53-2f1b7c8e0d41")
#: The platform's taxonomies: attribute link_type -> (what the codes are, the enum).
TAXONOMIES: dict[str, tuple[str, type[Any]]] = {
    "organisation_kind": ("Orientamento Milano: kinds of organisation", OrganisationKind),
    "help": ("Orientamento Milano: kinds of help", HelpKind),
    "eligible_status": ("Orientamento Milano: whom a service is for", EligibleStatus),
    "residence": ("Orientamento Milano: where people must live", Residence),
    "access": ("Orientamento Milano: how to get to a service", AccessMode),
}
MUNICIPIO_REGION = re.compile(r"^Municipio ([1-9])$")
TIME_VALUE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(:00)?$")
#: Columns of the shared parser -> where the value sits in an HSDS object.
ORGANISATION_PATHS = {"organisation_name": "name", "organisation_description": "description",
                      "organisation_website": "website", "organisation_email": "email",
                      "organisation_phone": "phones", "organisation_kind": "attributes"}
SERVICE_PATHS = {"service_name": "name", "service_description": "description",
                 "service_website": "url", "service_email": "email", "service_phone": "phones",
                 "min_age": "minimum_age", "max_age": "maximum_age", "languages": "languages",
                 "help": "attributes", "statuses": "attributes", "residence": "attributes",
                 "access": "attributes"}
LOCATION_PATHS = {"location_name": "name", "address": "addresses[0].address_1",
                  "postal_code": "addresses[0].postal_code", "city": "addresses[0].city",
                  "municipio": "addresses[0].region", "place_code": "external_identifier",
                  "latitude": "latitude", "longitude": "longitude"}


def derived_uid(*parts: object) -> str:
    """A stable identifier for something the export derives from its parts."""
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


# --- validation against the published schemas ---------------------------------------------

@cache
def _validators() -> dict[str, Draft202012Validator]:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], DRAFT202012.create_resource(schema)))
    registry: Registry[Any] = Registry().with_resources(resources)
    validators = {}
    for kind in ("organization", "location", "service"):
        schema = json.loads((SCHEMA_DIR / f"{kind}.json").read_text(encoding="utf-8"))
        validators[kind] = Draft202012Validator(schema, registry=registry,
                                                format_checker=FormatChecker())
    return validators


def _path(prefix: str, error: ValidationError) -> str:
    path = prefix
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _message(error: ValidationError) -> str:
    """A localized message for a schema error."""
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return _("A field HSDS requires is missing: %(field)s.", field=missing)
    if error.validator == "type":
        return _("HSDS expects a value of type %(type)s here.", type=str(error.validator_value))
    if error.validator == "format":
        return _("Not a valid %(format)s.", format=str(error.validator_value))
    if error.validator == "enum":
        return _("Use one of: %(options)s.", options=", ".join(map(str, error.validator_value)))
    return _("Not valid under the HSDS schema (%(problem)s).", problem=error.message[:200])


def validate(kind: str, number: int, prefix: str, item: Any, report: ErrorList) -> bool:
    """Check one organization, location or service against its schema; errors to ``report``."""
    found = False
    for error in sorted(_validators()[kind].iter_errors(item), key=lambda e: list(e.path)):
        report.add_error(number, _path(prefix, error), _message(error))
        found = True
    return not found


# --- reading --------------------------------------------------------------------------------

def _attributes(item: dict[str, Any]) -> dict[str, list[str]]:
    """The platform's taxonomy codes among an object's attributes, by taxonomy."""
    codes: dict[str, list[str]] = {}
    for attribute in item.get("attributes") or []:
        link_type = attribute.get("link_type")
        term = attribute.get("taxonomy_term") or {}
        code = term.get("code")
        if link_type in TAXONOMIES and isinstance(code, str):
            codes.setdefault(link_type, []).append(code)
    return codes


def _first_phone(item: dict[str, Any]) -> str:
    phones = item.get("phones") or []
    return str(phones[0].get("number", "")) if phones else ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _report(number: int, prefix: str, paths: dict[str, str], errors: dict[str, str],
            report: ErrorList) -> None:
    for column, message in errors.items():
        report.add_error(number, f"{prefix}.{paths.get(column, column)}", message)


def read_organization(number: int, item: dict[str, Any], report: ErrorList
                      ) -> OrganisationRecord | None:
    """An organisation record from an HSDS organization (already schema-valid)."""
    prefix = f"organizations[{number - 1}]"
    kinds = _attributes(item).get("organisation_kind", [])
    cells = {"organisation_name": _text(item.get("name")),
             "organisation_description": _text(item.get("description")),
             "organisation_website": _text(item.get("website")),
             "organisation_email": _text(item.get("email")),
             "organisation_phone": _first_phone(item),
             "organisation_kind": kinds[0] if kinds else OrganisationKind.OTHER.value}
    values, errors = parse_cells(cells, tuple(ORGANISATION_PATHS))
    _report(number, prefix, ORGANISATION_PATHS, errors, report)
    return None if errors else organisation_from(values, item["id"].lower())


def read_location(number: int, item: dict[str, Any], report: ErrorList
                  ) -> LocationRecord | None:
    """A location record from an HSDS location with a physical address."""
    prefix = f"locations[{number - 1}]"
    addresses = [a for a in item.get("addresses") or [] if a.get("address_type") == "physical"]
    if not item.get("organization_id") or not addresses:
        report.add_error(number, prefix, _(
            "A location needs an organization_id and a physical address."))
        return None
    address = addresses[0]
    region = MUNICIPIO_REGION.match(_text(address.get("region")))
    place = _text(item.get("external_identifier")) \
        if item.get("external_identifier_type") == "ISTAT" else ""
    cells = {"location_name": _text(item.get("name")), "address": _text(address["address_1"]),
             "postal_code": _text(address["postal_code"]), "city": _text(address["city"]),
             "municipio": region.group(1) if region else "", "place_code": place,
             "latitude": _text(item.get("latitude")), "longitude": _text(item.get("longitude"))}
    values, errors = parse_cells(cells, tuple(LOCATION_PATHS))
    record = None if errors else location_from(
        values, item["id"].lower(), item["organization_id"].lower(), errors)
    _report(number, prefix, LOCATION_PATHS, errors, report)
    return record


def _hours(prefix: str, number: int, site: dict[str, Any], report: ErrorList
           ) -> tuple[tuple[HoursRecord, ...], date | None, date | None] | None:
    """Opening hours from a service at location's weekly schedules."""
    hours: set[HoursRecord] = set()
    validity: set[tuple[str, str]] = set()
    ok = True
    for index, schedule in enumerate(site.get("schedules") or []):
        where = f"{prefix}.schedules[{index}]"
        days = [d.strip() for d in _text(schedule.get("byday")).split(",") if d.strip()]
        opens = TIME_VALUE.match(_text(schedule.get("opens_at")))
        closes = TIME_VALUE.match(_text(schedule.get("closes_at")))
        if schedule.get("freq", "WEEKLY") != "WEEKLY" or not days or any(
                d not in DAY_CODES for d in days) or schedule.get("interval", 1) != 1:
            report.add_error(number, where, _(
                "Only weekly schedules are read: freq WEEKLY, byday with days such as MO,WE."))
            ok = False
            continue
        if not opens or not closes or opens.group(0)[:5] >= closes.group(0)[:5]:
            report.add_error(number, f"{where}.opens_at", _(
                "Give opens_at and closes_at as Milan times HH:MM, closing after opening."))
            ok = False
            continue
        for day in days:
            hours.add(HoursRecord(DAY_CODES.index(day), time(int(opens[1]), int(opens[2])),
                                  time(int(closes[1]), int(closes[2]))))
        validity.add((_text(schedule.get("valid_from")), _text(schedule.get("valid_to"))))
    if len(validity) > 1:
        report.add_error(number, f"{prefix}.schedules", _(
            "The schedules of one service at a location must share valid_from and valid_to."))
        return None
    if not ok:
        return None
    start, end = validity.pop() if validity else ("", "")
    values, errors = parse_cells({"hours_valid_from": start, "hours_valid_to": end},
                                 ("hours_valid_from", "hours_valid_to"))
    for column, message in errors.items():
        report.add_error(number, f"{prefix}.schedules[0].{column[6:]}", message)
    if not errors and start and end and values["hours_valid_from"] > values["hours_valid_to"]:
        report.add_error(number, f"{prefix}.schedules[0].valid_to", _(
            "The hours cannot stop being valid before they start."))
        return None
    if errors:
        return None
    ordered = tuple(sorted(hours))
    for earlier, later in itertools.pairwise(ordered):
        if earlier.weekday == later.weekday and later.opens < earlier.closes:
            report.add_error(number, f"{prefix}.schedules", _("Two openings on the same day "
                                                              "overlap."))
            return None
    return ordered, values["hours_valid_from"], values["hours_valid_to"]


def read_service(number: int, item: dict[str, Any], report: ErrorList) -> ServiceRecord | None:
    """A service record, with its sites, from an HSDS service."""
    prefix = f"services[{number - 1}]"
    if not item.get("organization_id"):
        report.add_error(number, f"{prefix}.organization_id", _(
            "A service needs the organization_id of its organisation."))
        return None
    codes = _attributes(item)
    access = codes.get("access", [AccessMode.BOOKING.value])
    languages = [_text(lang.get("code")) for lang in item.get("languages") or []]
    cells = {"service_name": _text(item.get("name")),
             "service_description": _text(item.get("description")),
             "service_website": _text(item.get("url")), "service_email": _text(item.get("email")),
             "service_phone": _first_phone(item), "min_age": _text(item.get("minimum_age")),
             "max_age": _text(item.get("maximum_age")),
             "languages": LIST_SEPARATOR.join(languages),
             "help": LIST_SEPARATOR.join(codes.get("help", [])),
             "statuses": LIST_SEPARATOR.join(codes.get("eligible_status", [])),
             "residence": LIST_SEPARATOR.join(codes.get("residence", [])),
             "access": access[0] if len(access) == 1 else LIST_SEPARATOR.join(access)}
    values, errors = parse_cells(cells, tuple(SERVICE_PATHS))
    record = None if errors else service_from(
        values, item["id"].lower(), item["organization_id"].lower(), errors)
    _report(number, prefix, SERVICE_PATHS, errors, report)
    sites = []
    for index, site in enumerate(item.get("service_at_locations") or []):
        where = f"{prefix}.service_at_locations[{index}]"
        if not site.get("location_id"):
            report.add_error(number, f"{where}.location_id", _(
                "A service at a location needs the location_id of its location."))
            continue
        hours = _hours(where, number, site, report)
        if hours is not None:
            sites.append(SiteRecord(uid=site["id"].lower(),
                                    location_uid=site["location_id"].lower(), hours=hours[0],
                                    valid_from=hours[1], valid_to=hours[2]))
    if record is None:
        return None
    return replace(record, sites=tuple(sorted(sites, key=lambda s: s.uid)))


def items(document: Any, key: str) -> Iterator[tuple[int, Any]]:
    """The numbered items of one of the document's lists."""
    listed = document.get(key) or []
    yield from enumerate(listed if isinstance(listed, list) else [], start=1)
