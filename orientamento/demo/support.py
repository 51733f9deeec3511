"""Demo catalogue of services: a few Milan services for young people, all marked demo.

The organisations are modelled on real kinds of Milan services (an employment centre, the
Informagiovani, an adult school, a youth hub...), but names carry "(demo)" and the addresses
are fictional ("Via Esempio"), so nobody mistakes them for the real offices.
"""

from __future__ import annotations

import json
from datetime import time
from pathlib import Path
from typing import Any

from orientamento.support.fields import HoursRecord
from orientamento.support.models import AccessMode, EligibleStatus, HelpKind, OrganisationKind
from orientamento.support.models import Residence as R
from orientamento.support.openreferral import derived_uid
from orientamento.support.records import (
    Catalogue,
    LocationRecord,
    OrganisationRecord,
    ServiceRecord,
    SiteRecord,
)
from orientamento.support.services import Counts, apply_catalogue

MILANO = "015146"


#: The demo organisations, their locations and their services, with opening hours.
DEMO_DATA = json.loads((Path(__file__).parent / "data" / "support.json").read_text("utf-8"))


def _hours(site: dict[str, Any]) -> tuple[HoursRecord, ...]:
    """A site's opening hours: each entry opens on some weekdays (0 = Monday), sorted."""
    return tuple(sorted(HoursRecord(day, time.fromisoformat(entry["opens"]),
                                    time.fromisoformat(entry["closes"]))
                        for entry in site["hours"] for day in entry["days"]))


def _uid(kind: str, key: str) -> str:
    return derived_uid("demo", kind, key)


def demo_catalogue() -> Catalogue:
    """The demo organisations, locations and services as records, with stable identifiers."""
    catalogue = Catalogue()
    for row in DEMO_DATA["organisations"]:
        catalogue.organisations[_uid("organisation", row["key"])] = OrganisationRecord(
            uid=_uid("organisation", row["key"]), name=row["name"],
            kind=OrganisationKind(row["kind"]), website=row["website"], email=row["email"],
            phone=row["phone"], description=row["description"])
    for row in DEMO_DATA["locations"]:
        catalogue.locations[_uid("location", row["key"])] = LocationRecord(
            uid=_uid("location", row["key"]),
            organisation_uid=_uid("organisation", row["organisation"]), address=row["address"],
            postal_code=row["postal_code"], municipio=row["municipio"], place_code=MILANO,
            latitude=row["latitude"], longitude=row["longitude"])
    for row in DEMO_DATA["services"]:
        key, organisation = row["key"], catalogue.organisations[
            _uid("organisation", row["organisation"])]
        catalogue.services[_uid("service", key)] = ServiceRecord(
            uid=_uid("service", key), organisation_uid=organisation.uid, name=row["name"],
            access=AccessMode(row["access"]), description=row["description"],
            help_kinds=tuple(sorted(HelpKind(kind) for kind in row["help"])),
            min_age=row["min_age"], max_age=row["max_age"],
            statuses=tuple(sorted(EligibleStatus(status) for status in row["statuses"])),
            residence=R(row["residence"]), languages=tuple(sorted(row["languages"])),
            email=organisation.email, phone=organisation.phone, website=organisation.website,
            sites=tuple(sorted((SiteRecord(uid=_uid("site", f"{key}/{site['location']}"),
                                           location_uid=_uid("location", site["location"]),
                                           hours=_hours(site))
                                for site in row["sites"]), key=lambda s: s.uid)))
    return catalogue


def seed_support() -> Counts:
    """Create or refresh the demo catalogue of services (seeding twice changes nothing).

    Needs the places reference table (the course demo loads it first); flushes, the caller
    commits.
    """
    return apply_catalogue(demo_catalogue(), demo=True)
