"""The catalogue as a spreadsheet: one row per service at a location (docs/formats/support-csv.md).

A row repeats its organisation and location; rows that name the same organisation, service or
location must describe it alike. An empty identifier means "new": the row is matched by name
(organisation), by organisation and name (service) or by organisation, address and postal code
(location) to one earlier in the file or already in the catalogue, else it gets a new one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

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
T = TypeVar("T")


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

    def _read(self, number: int, clean: dict[str, str], columns: tuple[str, ...],
              build: Callable[[dict[str, Any], dict[str, str]], T | None],
              kept: dict[str, T]) -> T | None:
        """The record of the row's ``columns`` (see ``_parsed``), kept in ``kept`` by its uid;
        None when it has errors or an earlier row described the same thing differently (an
        error on the identifier, the first of ``columns``)."""
        record: Any = self._parsed(number, clean, columns, build)
        if record is None:
            return None
        earlier = kept.get(record.uid)
        if earlier is None:
            self.first_row[record.uid] = number
            self.catalogue.origins.setdefault(record.uid, (number, ""))
        elif earlier != record:
            self.report.add_error(number, columns[0], _(
                "This is described differently on row %(row)d: rows naming the same thing "
                "must agree.", row=self.first_row[record.uid]))
            return None
        kept[record.uid] = record
        return record

    def _parsed(self, number: int, clean: dict[str, str], columns: tuple[str, ...],
                build: Callable[[dict[str, Any], dict[str, str]], T | None]) -> T | None:
        """The record ``build(values, errors)`` makes of the row's ``columns`` when they parse
        (it may add errors and give None), every error reported."""
        values, errors = parse_cells(clean, columns)
        record = None if errors else build(values, errors)
        for column, message in errors.items():
            self.report.add_error(number, column, message)
        return record

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
        def build(values: dict[str, Any], errors: dict[str, str]) -> OrganisationRecord:
            name = values["organisation_name"]
            uid = values["organisation_id"] or self.names.organisation(name)
            self.names.organisations.setdefault(name.casefold(), uid)
            return organisation_from(values, uid)

        return self._read(number, clean, ORGANISATION_COLUMNS, build,
                          self.catalogue.organisations)

    def _service(self, number: int, clean: dict[str, str],
                 organisation: OrganisationRecord) -> ServiceRecord | str | None:
        if not any(clean[c] for c in SERVICE_COLUMNS):
            return None

        def build(values: dict[str, Any], errors: dict[str, str]) -> ServiceRecord | None:
            name = values["service_name"]
            uid = values["service_id"] or self.names.service(organisation.uid, name)
            self.names.services.setdefault((organisation.uid, name.casefold()), uid)
            return service_from(values, uid, organisation.uid, errors)

        record = self._read(number, clean, SERVICE_COLUMNS, build, self.catalogue.services)
        if record is None:
            return ""
        self.sites.setdefault(record.uid, [])
        return record

    def _location(self, number: int, clean: dict[str, str],
                  organisation: OrganisationRecord) -> LocationRecord | str | None:
        if not any(clean[c] for c in LOCATION_COLUMNS):
            return None

        def build(values: dict[str, Any], errors: dict[str, str]) -> LocationRecord | None:
            uid = values["location_id"] or self.names.location(
                organisation.uid, values["address"], values["postal_code"])
            return location_from(values, uid, organisation.uid, errors)

        return self._read(number, clean, LOCATION_COLUMNS, build, self.catalogue.locations) or ""

    def _site(self, number: int, clean: dict[str, str], service: Any, location: Any) -> None:
        def build(values: dict[str, Any], errors: dict[str, str]) -> SiteRecord | None:
            uid = values["site_id"] or self.names.site(service.uid, location.uid)
            return site_from(values, uid, location.uid, errors)

        record = self._parsed(number, clean, SITE_COLUMNS, build)
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
