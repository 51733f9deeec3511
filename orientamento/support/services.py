"""Writing the catalogue: records applied to rows (by the imports, the admin pages and the demo),
and deletions. Functions flush, never commit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from orientamento.core import clock
from orientamento.core.errors import Conflict, DomainError
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.courses.models import Place
from orientamento.extensions import db
from orientamento.support.fields import new_uid, parse_cells
from orientamento.support.models import (
    OpeningHours,
    ServiceHelp,
    ServiceLanguage,
    ServiceStatus,
    SupportLocation,
    SupportOrganisation,
    SupportService,
    SupportSite,
)
from orientamento.support.records import (
    LOCATION_COLUMNS,
    ORGANISATION_COLUMNS,
    SERVICE_COLUMNS,
    SITE_COLUMNS,
    Catalogue,
    LocationRecord,
    OrganisationRecord,
    ServiceRecord,
    SiteRecord,
    location_from,
    organisation_from,
    record_of_location,
    record_of_organisation,
    record_of_service,
    service_from,
    site_from,
)

Outcome = Literal["created", "updated", "unchanged"]
T = TypeVar("T")


@dataclass
class Counts:
    """How many records an application created, updated and left unchanged."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, outcome: Outcome) -> None:
        """Count one outcome."""
        setattr(self, outcome, getattr(self, outcome) + 1)


# --- looking up ----------------------------------------------------------------------------

def organisations_by_uid(uids: set[str]) -> dict[str, SupportOrganisation]:
    """The stored organisations among ``uids``."""
    if not uids:
        return {}
    return {o.uid: o for o in db.session.scalars(
        select(SupportOrganisation).where(SupportOrganisation.uid.in_(uids)))}


def locations_by_uid(uids: set[str]) -> dict[str, SupportLocation]:
    """The stored locations among ``uids``, with their organisation."""
    if not uids:
        return {}
    return {loc.uid: loc for loc in db.session.scalars(
        select(SupportLocation).where(SupportLocation.uid.in_(uids))
        .options(selectinload(SupportLocation.organisation)))}


def services_by_uid(uids: set[str]) -> dict[str, SupportService]:
    """The stored services among ``uids``, with everything their record holds."""
    if not uids:
        return {}
    return {s.uid: s for s in db.session.scalars(
        select(SupportService).where(SupportService.uid.in_(uids)).options(
            selectinload(SupportService.organisation), selectinload(SupportService.help_rows),
            selectinload(SupportService.status_rows),
            selectinload(SupportService.language_rows),
            selectinload(SupportService.sites).selectinload(SupportSite.hours),
            selectinload(SupportService.sites).selectinload(SupportSite.location)
            .selectinload(SupportLocation.organisation)))}


def site_owners(uids: set[str]) -> dict[str, str]:
    """The uid of the service each stored site among ``uids`` belongs to."""
    if not uids:
        return {}
    rows = db.session.execute(select(SupportSite.uid, SupportService.uid).join(
        SupportService, SupportSite.service_id == SupportService.id).where(
        SupportSite.uid.in_(uids)))
    return {site: service for site, service in rows}


def known_place_codes(codes: set[str]) -> set[str]:
    """The ISTAT place codes among ``codes`` that the reference table knows."""
    if not codes:
        return set()
    return set(db.session.scalars(select(Place.code).where(Place.code.in_(codes))))


# --- applying records ----------------------------------------------------------------------

def _target(existing: T | None, record: object, record_of: Callable[[T], object],
            new: Callable[[], T]) -> tuple[T, Outcome]:
    """What a record is written to: ``existing`` ("unchanged" when it already matches the
    record, else "updated"), or ``new()`` added to the session ("created")."""
    if existing is not None:
        return existing, "unchanged" if record_of(existing) == record else "updated"
    created = new()
    db.session.add(created)
    return created, "created"


def apply_organisation(record: OrganisationRecord, existing: SupportOrganisation | None,
                       demo: bool = False) -> tuple[SupportOrganisation, Outcome]:
    """Create the organisation or bring it in line with ``record``."""
    organisation, outcome = _target(existing, record, record_of_organisation,
                                    lambda: SupportOrganisation(uid=record.uid, is_demo=demo))
    if outcome == "unchanged":
        return organisation, outcome
    organisation.name, organisation.kind = record.name, record.kind
    organisation.website, organisation.email = record.website, record.email
    organisation.phone, organisation.description = record.phone, record.description
    organisation.updated_at = clock.now()
    return organisation, outcome


def apply_location(record: LocationRecord, existing: SupportLocation | None,
                   organisation: SupportOrganisation, demo: bool = False
                   ) -> tuple[SupportLocation, Outcome]:
    """Create the location or bring it in line with ``record``."""
    location, outcome = _target(existing, record, record_of_location,
                                lambda: SupportLocation(uid=record.uid, is_demo=demo))
    if outcome == "unchanged":
        return location, outcome
    location.organisation = organisation
    location.name, location.address = record.name, record.address
    location.postal_code, location.city = record.postal_code, record.city
    location.municipio, location.place_code = record.municipio, record.place_code
    location.latitude, location.longitude = record.latitude, record.longitude
    return location, outcome


def _sync_rows(rows: list[Any], wanted: tuple[Any, ...], key: str, make: type) -> None:
    """Make a service's rows of one kind hold exactly ``wanted`` (removing, then adding)."""
    have = {getattr(row, key) for row in rows}
    for row in [r for r in rows if getattr(r, key) not in wanted]:
        rows.remove(row)
    rows.extend(make(**{key: value}) for value in wanted if value not in have)


def _apply_hours(site: SupportSite, record: SiteRecord) -> None:
    wanted = {(h.weekday, h.opens): h.closes for h in record.hours}
    for row in list(site.hours):
        if (row.weekday, row.opens) not in wanted:
            site.hours.remove(row)
    db.session.flush()  # the unique (site, weekday, opens) row is gone before a new one comes
    have = {(row.weekday, row.opens): row for row in site.hours}
    for (weekday, opens), closes in wanted.items():
        if (weekday, opens) in have:
            have[(weekday, opens)].closes = closes
        else:
            site.hours.append(OpeningHours(weekday=weekday, opens=opens, closes=closes))


def apply_sites(service: SupportService, records: tuple[SiteRecord, ...],
                locations: dict[str, SupportLocation]) -> None:
    """Make the service's sites and their hours those of ``records``."""
    wanted = {r.uid: r for r in records}
    for site in [s for s in service.sites if s.uid not in wanted]:
        service.sites.remove(site)
    db.session.flush()  # a removed site frees its (service, location) before another takes it
    current = {s.uid: s for s in service.sites}
    for record in records:
        site = current.get(record.uid) or SupportSite(uid=record.uid)
        if site not in service.sites:
            service.sites.append(site)
        site.location = locations[record.location_uid]
        site.hours_valid_from, site.hours_valid_to = record.valid_from, record.valid_to
        _apply_hours(site, record)


def apply_service(record: ServiceRecord, existing: SupportService | None,
                  organisation: SupportOrganisation, locations: dict[str, SupportLocation],
                  demo: bool = False) -> tuple[SupportService, Outcome]:
    """Create the service or bring it, its sites and hours in line with ``record``."""
    service, outcome = _target(existing, record, record_of_service, lambda: SupportService(
        uid=record.uid, is_demo=demo, help_rows=[], status_rows=[], language_rows=[], sites=[]))
    if outcome == "unchanged":
        return service, outcome
    service.organisation = organisation
    service.name, service.description = record.name, record.description
    service.min_age, service.max_age = record.min_age, record.max_age
    service.residence, service.access = record.residence, record.access
    service.email, service.phone, service.website = record.email, record.phone, record.website
    _sync_rows(service.help_rows, record.help_kinds, "kind", ServiceHelp)
    _sync_rows(service.status_rows, record.statuses, "status", ServiceStatus)
    _sync_rows(service.language_rows, record.languages, "code", ServiceLanguage)
    service.updated_at = clock.now()
    db.session.flush()
    apply_sites(service, record.sites, locations)
    return service, outcome


def apply_catalogue(catalogue: Catalogue, demo: bool = False) -> Counts:
    """Write a checked catalogue (see ``transfer.check_references``): organisations, then
    locations, then services with their sites; rows not in the catalogue stay as they are."""
    counts = Counts()
    organisations = organisations_by_uid(
        set(catalogue.organisations) | {r.organisation_uid for r in catalogue.locations.values()}
        | {r.organisation_uid for r in catalogue.services.values()})
    for organisation_record in catalogue.organisations.values():
        organisation, outcome = apply_organisation(
            organisation_record, organisations.get(organisation_record.uid), demo)
        organisations[organisation_record.uid] = organisation
        counts.add(outcome)
    db.session.flush()
    locations = locations_by_uid(set(catalogue.locations) | {
        site.location_uid for s in catalogue.services.values() for site in s.sites})
    for location_record in catalogue.locations.values():
        location, outcome = apply_location(
            location_record, locations.get(location_record.uid),
            organisations[location_record.organisation_uid], demo)
        locations[location_record.uid] = location
        counts.add(outcome)
    db.session.flush()
    services = services_by_uid(set(catalogue.services))
    for record in catalogue.services.values():
        _service, outcome = apply_service(record, services.get(record.uid),
                                          organisations[record.organisation_uid], locations,
                                          demo)
        counts.add(outcome)
    db.session.flush()
    return counts


# --- deleting ------------------------------------------------------------------------------

def _delete(row: object, refusal: object) -> None:
    try:
        with db.session.begin_nested():
            db.session.delete(row)
            db.session.flush()
    except IntegrityError:
        # Later features (referrals) will hold services through RESTRICT foreign keys.
        raise Conflict(refusal) from None


def delete_organisation(organisation: SupportOrganisation) -> None:
    """Delete an organisation with its services, locations and opening hours."""
    _delete(organisation, _l("This organisation is still referred to elsewhere, so it cannot "
                             "be deleted."))


def delete_service(service: SupportService) -> None:
    """Delete a service with its sites and opening hours."""
    _delete(service, _l("This service is still referred to elsewhere, so it cannot be "
                        "deleted."))


def delete_location(location: SupportLocation) -> None:
    """Delete a location; the services offered there lose that site and its hours."""
    _delete(location, _l("This location is still referred to elsewhere, so it cannot be "
                         "deleted."))


def delete_site(site: SupportSite) -> None:
    """Stop offering a service at a location (its opening hours go too)."""
    db.session.delete(site)
    db.session.flush()


# --- the admin forms' use cases ------------------------------------------------------------

class InvalidRecord(DomainError):
    """A form's values do not make a valid record; ``errors`` has a message per column."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(_l("Please correct the following:"))
        self.errors = errors


def save_organisation(organisation: SupportOrganisation | None, cells: dict[str, str]
                      ) -> SupportOrganisation:
    """Create or change an organisation from a form's cells."""
    values, errors = parse_cells(cells, ORGANISATION_COLUMNS[1:])
    if errors:
        raise InvalidRecord(errors)
    record = organisation_from(values, organisation.uid if organisation else new_uid())
    organisation, _outcome = apply_organisation(record, organisation)
    db.session.flush()
    return organisation


def _current_locations(organisation: SupportOrganisation) -> dict[str, SupportLocation]:
    return {location.uid: location for location in organisation.locations}


def save_service(organisation: SupportOrganisation, service: SupportService | None,
                 cells: dict[str, str]) -> SupportService:
    """Create or change a service of ``organisation`` from a form's cells (sites unchanged)."""
    values, errors = parse_cells(cells, SERVICE_COLUMNS[1:])
    record = None if errors else service_from(
        values, service.uid if service else new_uid(), organisation.uid, errors)
    if record is None:
        raise InvalidRecord(errors)
    if service is not None:
        record = replace(record, sites=record_of_service(service).sites)
    service, _outcome = apply_service(record, service, organisation,
                                      _current_locations(organisation))
    return service


def save_location(organisation: SupportOrganisation, location: SupportLocation | None,
                  cells: dict[str, str]) -> SupportLocation:
    """Create or change a location of ``organisation`` from a form's cells."""
    values, errors = parse_cells(cells, LOCATION_COLUMNS[1:])
    record = None if errors else location_from(
        values, location.uid if location else new_uid(), organisation.uid, errors)
    if record is not None and record.place_code and not known_place_codes({record.place_code}):
        errors["place_code"] = str(_l("No municipality has this ISTAT code."))
    if record is None or errors:
        raise InvalidRecord(errors)
    location, _outcome = apply_location(record, location, organisation)
    db.session.flush()
    return location


def save_site(service: SupportService, site: SupportSite | None, cells: dict[str, str]
              ) -> SupportSite:
    """Offer ``service`` at one of its organisation's locations, or change where and when."""
    values, errors = parse_cells(cells, SITE_COLUMNS[1:])
    locations = _current_locations(service.organisation)
    location_uid = cells.get("location_id", "")
    if location_uid not in locations:
        errors["location_id"] = str(_l("Choose one of the options in the list."))
    taken = {s.location.uid for s in service.sites if s is not site}
    if location_uid in taken:
        errors["location_id"] = str(_l("The service is already offered at this location."))
    uid = site.uid if site else new_uid()
    record = None if errors else site_from(values, uid, location_uid, errors)
    if record is None:
        raise InvalidRecord(errors)
    current = record_of_service(service)
    sites = tuple(sorted((*(s for s in current.sites if s.uid != uid), record),
                         key=lambda s: s.uid))
    apply_service(replace(current, sites=sites), service, service.organisation, locations)
    db.session.flush()
    return next(s for s in service.sites if s.uid == uid)
