"""Writing the catalogue as one Open Referral HSDS 3.0 document (the export; reading and
validating one is in ``openreferral.py``). Every identifier HSDS needs beyond the platform's
own (phones, addresses, schedules, attributes, taxonomy terms) is derived from the record it
belongs to, so an export is the same file until the catalogue changes. The mapping is
described in docs/formats/support-hsds.md.
"""

from __future__ import annotations

from typing import Any

from babel import Locale

from orientamento.support.fields import DAY_CODES, HoursRecord
from orientamento.support.openreferral import HSDS_VERSION, TAXONOMIES, derived_uid
from orientamento.support.records import (
    Catalogue,
    LocationRecord,
    OrganisationRecord,
    ServiceRecord,
    SiteRecord,
)


def _attribute(link_type: str, link_id: str, entity: str, code: str) -> dict[str, Any]:
    taxonomy_name = TAXONOMIES[link_type][0]
    term_id = derived_uid("term", link_type, code)
    return {
        "id": derived_uid("attribute", link_id, link_type, code), "link_id": link_id,
        "link_type": link_type, "link_entity": entity, "taxonomy_term_id": term_id,
        "taxonomy_term": {
            "id": term_id, "code": code, "name": code.replace("_", " ").capitalize(),
            "description": f"{taxonomy_name}: {code}", "taxonomy": taxonomy_name,
            "taxonomy_id": derived_uid("taxonomy", link_type)},
    }


def _phones(owner_key: str, owner_uid: str, number: str | None) -> list[dict[str, Any]]:
    if not number:
        return []
    return [{"id": derived_uid("phone", owner_uid), owner_key: owner_uid, "number": number}]


def _present(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def organization_json(record: OrganisationRecord) -> dict[str, Any]:
    """An organisation as an HSDS organization."""
    return _present(
        id=record.uid, name=record.name, description=record.description,
        email=record.email, website=record.website,
        phones=_phones("organization_id", record.uid, record.phone),
        attributes=[_attribute("organisation_kind", record.uid, "organization", record.kind)])


def location_json(record: LocationRecord) -> dict[str, Any]:
    """A location as an HSDS location with one physical address."""
    address = _present(
        id=derived_uid("address", record.uid), location_id=record.uid,
        address_1=record.address, city=record.city,
        region=f"Municipio {record.municipio}" if record.municipio else None,
        state_province="MI", postal_code=record.postal_code, country="IT",
        address_type="physical")
    return _present(
        id=record.uid, location_type="physical", organization_id=record.organisation_uid,
        name=record.name or None, latitude=record.latitude, longitude=record.longitude,
        external_identifier=record.place_code,
        external_identifier_type="ISTAT" if record.place_code else None,
        addresses=[address])


def _schedule(site: SiteRecord, hours: HoursRecord) -> dict[str, Any]:
    return _present(
        id=derived_uid("schedule", site.uid, hours.weekday, hours.opens.isoformat()),
        service_at_location_id=site.uid, freq="WEEKLY", byday=DAY_CODES[hours.weekday],
        opens_at=f"{hours.opens:%H:%M}", closes_at=f"{hours.closes:%H:%M}",
        valid_from=site.valid_from.isoformat() if site.valid_from else None,
        valid_to=site.valid_to.isoformat() if site.valid_to else None,
        notes="Europe/Rome local time")


def service_json(record: ServiceRecord) -> dict[str, Any]:
    """A service as an HSDS service, its sites and opening hours nested."""
    attributes = [_attribute("help", record.uid, "service", k) for k in record.help_kinds]
    attributes += [_attribute("eligible_status", record.uid, "service", s)
                   for s in record.statuses]
    attributes.append(_attribute("residence", record.uid, "service", record.residence))
    attributes.append(_attribute("access", record.uid, "service", record.access))
    english = Locale("en").languages
    return _present(
        id=record.uid, organization_id=record.organisation_uid, name=record.name,
        description=record.description, url=record.website, email=record.email,
        status="active", minimum_age=record.min_age, maximum_age=record.max_age,
        phones=_phones("service_id", record.uid, record.phone),
        languages=[{"id": derived_uid("language", record.uid, code), "service_id": record.uid,
                    "name": english.get(code, code), "code": code}
                   for code in record.languages],
        service_at_locations=[{
            "id": site.uid, "service_id": record.uid, "location_id": site.location_uid,
            "schedules": [_schedule(site, hours) for hours in site.hours]}
            for site in record.sites],
        attributes=attributes)


def document_of(catalogue: Catalogue) -> dict[str, Any]:
    """The whole catalogue as one HSDS document."""
    return {
        "hsds_version": HSDS_VERSION,
        "organizations": [organization_json(o) for o in sorted(
            catalogue.organisations.values(), key=lambda o: (o.name.casefold(), o.uid))],
        "locations": [location_json(loc) for loc in sorted(
            catalogue.locations.values(), key=lambda loc: loc.uid)],
        "services": [service_json(s) for s in sorted(
            catalogue.services.values(), key=lambda s: (s.name.casefold(), s.uid))],
    }
