"""The spreadsheet: one row per service at a location, imported all or nothing."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from orientamento.extensions import db
from orientamento.support.fields import format_hours, parse_hours
from orientamento.support.models import SupportLocation, SupportOrganisation, SupportService
from orientamento.support.sheet import COLUMNS
from orientamento.support.transfer import export_csv, import_file
from tests.support.factories import small_catalogue, write

ROW = {
    "organisation_id": "", "organisation_name": "CPIA Test", "organisation_kind": "cpia",
    "organisation_website": "https://example.org/cpia", "organisation_email": "",
    "organisation_phone": "", "organisation_description": "Scuola per adulti.",
    "service_id": "", "service_name": "Italiano A1", "service_description": "",
    "help": "italian_language;training", "min_age": "16", "max_age": "", "statuses": "any",
    "residence": "any", "languages": "it;ar;EN", "access": "booking", "service_email": "",
    "service_phone": "02 1111 2222", "service_website": "",
    "location_id": "", "location_name": "Sede nord", "address": "Via Nord 1",
    "postal_code": "20127", "city": "Milano", "municipio": "2", "place_code": "",
    "latitude": "45,49", "longitude": "9.21", "site_id": "",
    "hours": "mo 18:00-20:30; WE 18.00-20.30", "hours_valid_from": "",
    "hours_valid_to": "",
}


@pytest.fixture
def en(app: Flask) -> Iterator[None]:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def _csv(*rows: dict[str, str], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _import(data: bytes) -> object:
    report = import_file(data, "catalogue.csv")
    if report.ok:
        db.session.commit()
    else:
        db.session.rollback()
    return report


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_rows_without_ids_make_one_organisation_and_one_service_at_two_locations(
        en: None) -> None:
    second = ROW | {"location_name": "Sede sud", "address": "Via Sud 2", "postal_code": "20141",
                    "municipio": "5", "latitude": "", "longitude": "", "hours": "TU 09:00-12:00"}
    report = _import(_csv(ROW, second, delimiter=";"))
    assert report.ok, report.errors  # type: ignore[attr-defined]
    assert (_count(SupportOrganisation), _count(SupportService), _count(SupportLocation)) == \
        (1, 1, 2)
    service = db.session.scalar(select(SupportService))
    assert service is not None
    assert service.languages == ["ar", "en", "it"]
    assert sorted(len(site.hours) for site in service.sites) == [1, 2]
    location = db.session.scalar(select(SupportLocation).where(
        SupportLocation.address == "Via Nord 1"))
    assert location is not None and location.latitude == 45.49
    again = _import(_csv(ROW, second))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)  # type: ignore[attr-defined]


def test_an_export_imports_back_unchanged(en: None, reference_data: None) -> None:
    write(small_catalogue())
    exported = export_csv()
    report = _import(exported.encode())
    assert report.ok, report.errors  # type: ignore[attr-defined]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)  # type: ignore[attr-defined]
    assert export_csv() == exported
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [r["hours"] for r in rows if r["site_id"]] == ["MO 09:00-12:30; WE 14:00-17:00"]
    assert any(not r["service_id"] and r["address"] == "Via Prova 2" for r in rows)


def test_a_bad_row_refuses_the_whole_file_with_rows_and_columns(en: None) -> None:
    bad = ROW | {"service_name": "Altro corso", "min_age": "30", "max_age": "20",
                 "hours": "XX 09:00-10:00", "postal_code": "201"}
    report = _import(_csv(ROW, bad))
    assert not report.ok  # type: ignore[attr-defined]
    found = {(e.row, e.column) for e in report.errors}  # type: ignore[attr-defined]
    assert {(3, "max_age"), (3, "postal_code")} <= found
    assert (_count(SupportOrganisation), _count(SupportService)) == (0, 0)


def test_rows_naming_the_same_thing_must_agree(en: None) -> None:
    other = ROW | {"organisation_kind": "youth_hub", "address": "Via Ovest 3"}
    report = _import(_csv(ROW, other))
    assert [(e.row, e.column) for e in report.errors] == [(3, "organisation_id")]  # type: ignore[attr-defined]


def test_a_formula_is_refused_and_an_escaped_one_kept(en: None) -> None:
    report = _import(_csv(ROW | {"service_name": "=HYPERLINK(1)"}))
    assert [e.column for e in report.errors] == ["service_name"]  # type: ignore[attr-defined]
    report = _import(_csv(ROW | {"service_name": "'=Lavoro"}))
    assert report.ok  # type: ignore[attr-defined]
    assert db.session.scalar(select(SupportService.name)) == "=Lavoro"


@pytest.mark.parametrize(("data", "words"), [
    (b"organisation_name\r\nX\r\n", "Missing columns"),
    (_csv() .replace(b"hours_valid_to", b"hours_valid_to,extra"), "Unknown columns"),
    (_csv(), "no organisations"),
])
def test_a_wrong_header_or_empty_file_is_refused(en: None, data: bytes, words: str) -> None:
    report = _import(data)
    assert not report.ok and words in report.errors[0].message  # type: ignore[attr-defined]


def test_hours_are_read_and_written_alike() -> None:
    hours = parse_hours("fr 14:00-18:00; mo 9.00-12.30;MO 14:00-16:00")
    assert format_hours(hours) == "MO 09:00-12:30; MO 14:00-16:00; FR 14:00-18:00"
    for bad in ("MO 09:00", "XY 09:00-10:00", "MO 10:00-09:00", "MO 09:00-11:00; MO 10:00-12:00",
                "MO 25:00-26:00"):
        with pytest.raises(ValueError):
            parse_hours(bad)
