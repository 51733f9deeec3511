"""Import (all or nothing) and export of the catalogue, as HSDS JSON or as the spreadsheet."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from orientamento.core import imports
from orientamento.core.errors import Conflict
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.core.imports import FileProblem, decode_upload
from orientamento.extensions import db
from orientamento.support import openreferral, openreferral_export, services
from orientamento.support.models import (
    SupportLocation,
    SupportOrganisation,
    SupportService,
    SupportSite,
)
from orientamento.support.records import (
    Catalogue,
    record_of_location,
    record_of_organisation,
    record_of_service,
)
from orientamento.support.sheet import (
    KnownNames,
    catalogue_from_rows,
    read_sheet,
    sheet_of,
)

#: Largest file accepted (bytes) and most rows or objects: the city has a few hundred services.
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
FORMATS = ("hsds", "csv")


@dataclass
class ImportReport(imports.ImportReport):
    """A catalogue import's report, with the format the file was read as."""

    format: str = ""


def _decode(data: bytes) -> str:
    return decode_upload(data, MAX_IMPORT_BYTES)


# --- reading -------------------------------------------------------------------------------

def _known_names() -> KnownNames:
    """The stored catalogue's names, for the spreadsheet's rows without identifiers."""
    names = KnownNames()
    for location in db.session.scalars(select(SupportLocation).options(
            selectinload(SupportLocation.organisation))):
        names.organisations[location.organisation.name.casefold()] = location.organisation.uid
        names.locations[(location.organisation.uid, location.address.casefold(),
                         location.postal_code)] = location.uid
    for service in db.session.scalars(select(SupportService).options(
            selectinload(SupportService.organisation),
            selectinload(SupportService.sites).selectinload(SupportSite.location))):
        names.organisations[service.organisation.name.casefold()] = service.organisation.uid
        names.services[(service.organisation.uid, service.name.casefold())] = service.uid
        for site in service.sites:
            names.sites[(service.uid, site.location.uid)] = site.uid
    for organisation in db.session.scalars(select(SupportOrganisation)):
        names.organisations[organisation.name.casefold()] = organisation.uid
    return names


def _read_hsds(text: str, report: ImportReport) -> Catalogue:
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise FileProblem(_("The JSON cannot be read (%(problem)s).", problem=str(error))) \
            from None
    if not isinstance(document, dict) or not any(
            isinstance(document.get(k), list) for k in ("organizations", "locations",
                                                         "services")):
        raise FileProblem(_("The JSON must be an object with the lists \"organizations\", "
                            "\"locations\" and \"services\" of HSDS objects."))
    catalogue = Catalogue()
    readers: tuple[tuple[str, str, Any, dict[str, Any]], ...] = (
        ("organizations", "organization", openreferral.read_organization,
         catalogue.organisations),
        ("locations", "location", openreferral.read_location, catalogue.locations),
        ("services", "service", openreferral.read_service, catalogue.services))
    for key, kind, read, target in readers:
        for number, item in openreferral.items(document, key):
            report.rows += 1
            if report.rows > MAX_IMPORT_ROWS:
                raise FileProblem(_("The file has more than %(limit)d rows.",
                                    limit=MAX_IMPORT_ROWS))
            prefix = f"{key}[{number - 1}]"
            if not openreferral.validate(kind, number, prefix, item, report):
                continue
            record = read(number, item, report)
            if record is None:
                continue
            if record.uid in target:
                report.add_error(number, f"{prefix}.id", _(
                    "Another item of the list has the same id (row %(row)d).",
                    row=catalogue.origins[record.uid][0]))
                continue
            target[record.uid] = record
            catalogue.origins[record.uid] = (number, prefix)
    return catalogue


def _read_csv(text: str, report: ImportReport) -> Catalogue:
    catalogue, report.rows = catalogue_from_rows(read_sheet(text), _known_names(), report,
                                                 MAX_IMPORT_ROWS)
    return catalogue


def _where(catalogue: Catalogue, uid: str, csv_column: str, hsds_field: str,
           report: ImportReport) -> tuple[int, str]:
    row, prefix = catalogue.origins.get(uid, (0, ""))
    return (row, f"{prefix}.{hsds_field}") if report.format == "hsds" else (row, csv_column)


def check_references(catalogue: Catalogue, report: ImportReport) -> None:
    """Refuse what points at nothing: an organisation, a location or a place not in the file
    nor in the catalogue, a site at another organisation's location or moved between
    services, a service twice at one location."""
    stored_orgs = services.organisations_by_uid(
        {r.organisation_uid for r in catalogue.locations.values()}
        | {r.organisation_uid for r in catalogue.services.values()})
    organisations = set(catalogue.organisations) | set(stored_orgs)
    places = services.known_place_codes(
        {r.place_code for r in catalogue.locations.values() if r.place_code})
    for location in catalogue.locations.values():
        if location.organisation_uid not in organisations:
            report.add_error(*_where(catalogue, location.uid, "organisation_id",
                                     "organization_id", report),
                             _("No organisation in the file or the catalogue has this id."))
        if location.place_code and location.place_code not in places:
            report.add_error(*_where(catalogue, location.uid, "place_code",
                                     "external_identifier", report),
                             _("No municipality has this ISTAT code."))
    stored_locations = services.locations_by_uid(
        {site.location_uid for s in catalogue.services.values() for site in s.sites})
    location_owner = {uid: loc.organisation.uid for uid, loc in stored_locations.items()} | {
        uid: r.organisation_uid for uid, r in catalogue.locations.items()}
    owners = services.site_owners({site.uid for s in catalogue.services.values()
                                   for site in s.sites})
    for record in catalogue.services.values():
        where = _where(catalogue, record.uid, "service_id", "service_at_locations", report)
        if record.organisation_uid not in organisations:
            report.add_error(*_where(catalogue, record.uid, "organisation_id",
                                     "organization_id", report),
                             _("No organisation in the file or the catalogue has this id."))
        seen: set[str] = set()
        for site in record.sites:
            if site.location_uid not in location_owner:
                report.add_error(*where, _("No location in the file or the catalogue has the "
                                           "id %(id)s.", id=site.location_uid))
            elif location_owner[site.location_uid] != record.organisation_uid:
                report.add_error(*where, _("A service can be offered only at its own "
                                           "organisation's locations."))
            if site.location_uid in seen:
                report.add_error(*where, _("The service appears twice at the same location."))
            seen.add(site.location_uid)
            if owners.get(site.uid, record.uid) != record.uid:
                report.add_error(*where, _("The service at location %(id)s belongs to another "
                                           "service.", id=site.uid))


def import_file(data: bytes, filename: str = "", dry_run: bool = False) -> ImportReport:
    """Check an HSDS JSON or spreadsheet file and, unless ``dry_run``, apply it all or nothing.

    The caller commits when the report is ok and it was not a dry run (and rolls back
    otherwise): nothing is written when anything in the file is wrong.
    """
    report = ImportReport(dry_run=dry_run)
    try:
        text = _decode(data)
        report.format = "hsds" if filename.lower().endswith(".json") or \
            text.lstrip()[:1] in ("{", "[") else "csv"
        catalogue = (_read_hsds if report.format == "hsds" else _read_csv)(text, report)
    except FileProblem as problem:
        report.add_error(0, "", str(problem))
        return report
    if report.ok:
        check_references(catalogue, report)
    if report.ok and not (catalogue.organisations or catalogue.locations or catalogue.services):
        report.add_error(0, "", _("The file has no organisations, locations or services."))
    if not report.ok:
        return report
    try:
        with db.session.begin_nested():
            counts = services.apply_catalogue(catalogue)
            if dry_run:
                raise _DryRun(counts)
    except _DryRun as finished:
        counts = finished.counts
    except IntegrityError:
        # Another import wrote the same new rows between our reads and our writes
        # (PostgreSQL; SQLite serializes writers): the caller rolls back.
        raise Conflict(_l("Another import added some of these records at the same time, so "
                          "nothing was imported from this file. Import it again.")) from None
    report.created, report.updated, report.unchanged = (counts.created, counts.updated,
                                                        counts.unchanged)
    return report


class _DryRun(Exception):
    def __init__(self, counts: services.Counts) -> None:
        super().__init__("dry run")
        self.counts = counts


# --- exporting -----------------------------------------------------------------------------

def stored_catalogue() -> Catalogue:
    """Every organisation, location and service as records."""
    catalogue = Catalogue()
    for organisation in db.session.scalars(select(SupportOrganisation)):
        catalogue.organisations[organisation.uid] = record_of_organisation(organisation)
    for location in db.session.scalars(select(SupportLocation).options(
            selectinload(SupportLocation.organisation))):
        catalogue.locations[location.uid] = record_of_location(location)
    for service in services.services_by_uid(set(db.session.scalars(select(SupportService.uid)))
                                            ).values():
        catalogue.services[service.uid] = record_of_service(service)
    return catalogue


def export_hsds() -> str:
    """The whole catalogue as an HSDS JSON document (the import format)."""
    return json.dumps(openreferral_export.document_of(stored_catalogue()), ensure_ascii=False,
                      indent=1)


def export_csv() -> str:
    """The whole catalogue as the spreadsheet (the import format)."""
    return sheet_of(stored_catalogue())


def export(fmt: str) -> tuple[str, str, str]:
    """The export in ``fmt`` ("hsds" or "csv"): body, media type and file name."""
    if fmt == "hsds":
        return export_hsds(), "application/json", "support-services-hsds.json"
    return export_csv(), "text/csv", "support-services.csv"


