"""The catalogue as a spreadsheet: one row per service at a location (docs/formats/support-csv.md).

A row repeats its organisation and location; rows that name the same organisation, service or
location must describe it alike. An empty identifier means "new": the row is matched by name
(organisation), by organisation and name (service) or by organisation, address and postal code
(location) to one earlier in the file or already in the catalogue, else it gets a new one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import gettext as _

from orientamento.core.imports import ErrorList, FileProblem, csv_rows
from orientamento.core.spreadsheet import csv_text, unescape_cell
from orientamento.support.fields import new_uid, parse_cells
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
    location_cells,
    location_from,
    organisation_cells,
    organisation_from,
    service_cells,
    service_from,
    site_cells,
    site_from,
)

COLUMNS = ORGANISATION_COLUMNS + SERVICE_COLUMNS + LOCATION_COLUMNS + SITE_COLUMNS


@dataclass
class KnownNames:
    """Identifiers by the names an empty identifier is matched on (the catalogue's, then the
    file's own as rows are read)."""

    organisations: dict[str, str] = field(default_factory=dict)
    services: dict[tuple[str, str], str] = field(default_factory=dict)
    locations: dict[tuple[str, str, str], str] = field(default_factory=dict)
    sites: dict[tuple[str, str], str] = field(default_factory=dict)

    def organisation(self, name: str) -> str:
        """The uid of the organisation called ``name`` (a new one if none is)."""
        return self.organisations.setdefault(name.casefold(), new_uid())

    def service(self, organisation_uid: str, name: str) -> str:
        """The uid of the organisation's service called ``name``."""
        return self.services.setdefault((organisation_uid, name.casefold()), new_uid())

    def location(self, organisation_uid: str, address: str, postal_code: str) -> str:
        """The uid of the organisation's location at ``address``."""
        return self.locations.setdefault(
            (organisation_uid, address.casefold(), postal_code), new_uid())

    def site(self, service_uid: str, location_uid: str) -> str:
        """The uid of the service at the location."""
        return self.sites.setdefault((service_uid, location_uid), new_uid())


def read_sheet(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of the spreadsheet as (line number, cells as written); FileProblem if the header
    is wrong or the CSV is malformed."""
    return csv_rows(text, COLUMNS, COLUMNS)


class _Rows:
    """Builds a catalogue from rows, checking that repeated things are described alike."""

    def __init__(self, names: KnownNames, report: ErrorList) -> None:
        self.names, self.report = names, report
        self.catalogue = Catalogue()
        self.first_row: dict[str, int] = {}
        self.sites: dict[str, list[SiteRecord]] = {}
        self.site_rows: dict[tuple[str, str], int] = {}

    def _same(self, number: int, uid: str, record: Any, earlier: Any, column: str) -> bool:
        if earlier is None:
            self.first_row[uid] = number
            self.catalogue.origins.setdefault(uid, (number, ""))
            return True
        if earlier != record:
            self.report.add_error(number, column, _(
                "This is described differently on row %(row)d: rows naming the same thing "
                "must agree.", row=self.first_row[uid]))
            return False
        return True

    def add(self, number: int, cells: dict[str, str]) -> None:
        """Read one row."""
        clean: dict[str, str] = {}
        for column in COLUMNS:
            try:
                clean[column] = unescape_cell(cells.get(column, ""))
            except ValueError as error:
                self.report.add_error(number, column, str(error))
                return
        organisation = self._organisation(number, clean)
        if organisation is None:
            return
        service = self._service(number, clean, organisation)
        location = self._location(number, clean, organisation)
        if service == "" or location == "":
            return  # its errors are reported
        if service is None or location is None:
            if any(clean[c] for c in SITE_COLUMNS):
                self.report.add_error(number, "hours", _(
                    "Opening hours need both a service and a location on the row."))
            return
        self._site(number, clean, service, location)

    def _organisation(self, number: int, clean: dict[str, str]) -> OrganisationRecord | None:
        values, errors = parse_cells(clean, ORGANISATION_COLUMNS)
        for column, message in errors.items():
            self.report.add_error(number, column, message)
        if errors:
            return None
        uid = values["organisation_id"] or self.names.organisation(values["organisation_name"])
        self.names.organisations.setdefault(values["organisation_name"].casefold(), uid)
        record = organisation_from(values, uid)
        earlier = self.catalogue.organisations.get(uid)
        if not self._same(number, uid, record, earlier, "organisation_id"):
            return None
        self.catalogue.organisations[uid] = record
        return record

    def _service(self, number: int, clean: dict[str, str],
                 organisation: OrganisationRecord) -> ServiceRecord | str | None:
        if not any(clean[c] for c in SERVICE_COLUMNS):
            return None
        values, errors = parse_cells(clean, SERVICE_COLUMNS)
        record = None
        if not errors:
            uid = values["service_id"] or self.names.service(organisation.uid,
                                                             values["service_name"])
            self.names.services.setdefault((organisation.uid, values["service_name"].casefold()),
                                           uid)
            record = service_from(values, uid, organisation.uid, errors)
        for column, message in errors.items():
            self.report.add_error(number, column, message)
        if record is None:
            return ""
        earlier = self.catalogue.services.get(record.uid)
        if not self._same(number, record.uid, record, earlier, "service_id"):
            return ""
        self.catalogue.services[record.uid] = record
        self.sites.setdefault(record.uid, [])
        return record

    def _location(self, number: int, clean: dict[str, str],
                  organisation: OrganisationRecord) -> LocationRecord | str | None:
        if not any(clean[c] for c in LOCATION_COLUMNS):
            return None
        values, errors = parse_cells(clean, LOCATION_COLUMNS)
        record = None
        if not errors:
            uid = values["location_id"] or self.names.location(
                organisation.uid, values["address"], values["postal_code"])
            record = location_from(values, uid, organisation.uid, errors)
        for column, message in errors.items():
            self.report.add_error(number, column, message)
        if record is None:
            return ""
        earlier = self.catalogue.locations.get(record.uid)
        if not self._same(number, record.uid, record, earlier, "location_id"):
            return ""
        self.catalogue.locations[record.uid] = record
        return record

    def _site(self, number: int, clean: dict[str, str], service: Any, location: Any) -> None:
        values, errors = parse_cells(clean, SITE_COLUMNS)
        record = None
        if not errors:
            uid = values["site_id"] or self.names.site(service.uid, location.uid)
            record = site_from(values, uid, location.uid, errors)
        for column, message in errors.items():
            self.report.add_error(number, column, message)
        if record is None:
            return
        key = (service.uid, location.uid)
        if key in self.site_rows:
            self.report.add_error(number, "location_id", _(
                "The same service at the same location is already on row %(row)d.",
                row=self.site_rows[key]))
            return
        self.site_rows[key] = number
        self.sites[service.uid].append(record)

    def finish(self) -> Catalogue:
        """The catalogue, each service with the sites its rows gave."""
        for uid, sites in self.sites.items():
            self.catalogue.services[uid] = replace(
                self.catalogue.services[uid], sites=tuple(sorted(sites, key=lambda s: s.uid)))
        return self.catalogue


def catalogue_from_rows(rows: Iterable[tuple[int, dict[str, str]]], names: KnownNames,
                        report: ErrorList, max_rows: int) -> tuple[Catalogue, int]:
    """The catalogue the rows describe and how many rows there were; errors go to ``report``."""
    reader = _Rows(names, report)
    count = 0
    for number, cells in rows:
        count += 1
        if count > max_rows:
            raise FileProblem(_("The file has more than %(limit)d rows.", limit=max_rows))
        reader.add(number, cells)
    return reader.finish(), count


def sheet_of(catalogue: Catalogue) -> str:
    """The catalogue as the spreadsheet: organisations by name, their services by name, one row
    per site; a service at no location and an organisation without services get a row too."""
    rows: list[list[Any]] = []
    services_of: dict[str, list[ServiceRecord]] = {}
    for service in catalogue.services.values():
        services_of.setdefault(service.organisation_uid, []).append(service)
    used_locations = {site.location_uid for s in catalogue.services.values() for site in s.sites}
    for organisation in sorted(catalogue.organisations.values(),
                               key=lambda o: (o.name.casefold(), o.uid)):
        base = organisation_cells(organisation)
        blank_service = dict.fromkeys(SERVICE_COLUMNS, "")
        blank_location = dict.fromkeys(LOCATION_COLUMNS, "")
        cells_rows: list[dict[str, str]] = []
        for service in sorted(services_of.get(organisation.uid, []),
                              key=lambda s: (s.name.casefold(), s.uid)):
            sites: list[SiteRecord | None] = [*sorted(service.sites, key=lambda s: (
                catalogue.locations[s.location_uid].address.casefold(), s.uid))]
            for site in sites or [None]:
                location = catalogue.locations[site.location_uid] if site else None
                cells_rows.append(base | service_cells(service) | (
                    location_cells(location) if location else blank_location) | site_cells(site))
        for location in sorted(catalogue.locations.values(), key=lambda loc: loc.uid):
            if location.organisation_uid == organisation.uid and \
                    location.uid not in used_locations:
                cells_rows.append(base | blank_service | location_cells(location)
                                  | site_cells(None))
        rows.extend([cells[c] for c in COLUMNS] for cells in cells_rows or [
            base | blank_service | blank_location | site_cells(None)])
    return csv_text(COLUMNS, rows)
