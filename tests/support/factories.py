"""A small catalogue of services for tests: records to write, and a writer."""

from __future__ import annotations

from dataclasses import replace
from datetime import time
from typing import Any

from orientamento.extensions import db
from orientamento.support import services
from orientamento.support.fields import HoursRecord
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
from orientamento.support.records import (
    Catalogue,
    LocationRecord,
    OrganisationRecord,
    ServiceRecord,
    SiteRecord,
)

ORG = "11111111-1111-4111-8111-111111111111"
LOC = "22222222-2222-4222-8222-222222222222"
LOC_2 = "22222222-2222-4222-8222-222222222223"
SERVICE = "33333333-3333-4333-8333-333333333333"
SITE = "44444444-4444-4444-8444-444444444444"


def small_catalogue(**service_changes: Any) -> Catalogue:
    """One organisation with two locations (municipi 3 and 8) and one service at the first."""
    catalogue = Catalogue()
    catalogue.organisations[ORG] = OrganisationRecord(
        uid=ORG, name="Informagiovani Test", kind=OrganisationKind.INFORMAGIOVANI,
        website="https://example.org", email="info@example.org", phone="02 1234 5678",
        description="Per i giovani.")
    catalogue.locations[LOC] = LocationRecord(
        uid=LOC, organisation_uid=ORG, address="Via Prova 1", postal_code="20131", municipio=3,
        place_code=None, latitude=45.48, longitude=9.23)
    catalogue.locations[LOC_2] = LocationRecord(
        uid=LOC_2, organisation_uid=ORG, address="Via Prova 2", postal_code="20156",
        municipio=8)
    service = ServiceRecord(
        uid=SERVICE, organisation_uid=ORG, name="Orientamento al lavoro",
        access=AccessMode.WALK_IN, description="Un colloquio per capire cosa fare.",
        help_kinds=(HelpKind.JOB_SEARCH, HelpKind.ORIENTATION), min_age=16, max_age=29,
        statuses=(EligibleStatus.NEET,), residence=Residence.MILAN, languages=("ar", "it"),
        email="lavoro@example.org", phone="02 1234 0000", website="https://example.org/lavoro",
        sites=(SiteRecord(uid=SITE, location_uid=LOC, hours=(
            HoursRecord(0, time(9), time(12, 30)), HoursRecord(2, time(14), time(17))
        )),))
    catalogue.services[SERVICE] = replace(service, **service_changes)
    return catalogue


def write(catalogue: Catalogue) -> services.Counts:
    """Apply a catalogue and commit."""
    counts = services.apply_catalogue(catalogue)
    db.session.commit()
    return counts


def stored_ids() -> dict[str, int]:
    """The database ids of the small catalogue's rows (after ``write``)."""
    def id_of(model: Any, uid: str) -> int:
        return int(db.session.scalar(db.select(model.id).where(model.uid == uid)))

    return {"organisation_id": id_of(SupportOrganisation, ORG),
            "location_id": id_of(SupportLocation, LOC),
            "service_id": id_of(SupportService, SERVICE), "site_id": id_of(SupportSite, SITE)}
