"""Open Referral HSDS JSON: the export is valid against the published schemas, imports back
unchanged, and an invalid file is refused whole, with localized errors by item and field."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from orientamento.extensions import db
from orientamento.support import openreferral, openreferral_export
from orientamento.support.models import (
    AccessMode,
    OpeningHours,
    OrganisationKind,
    SupportLocation,
    SupportOrganisation,
    SupportService,
    SupportSite,
)
from orientamento.support.transfer import export_hsds, import_file
from tests.support.factories import LOC, LOC_2, ORG, SITE, small_catalogue, write

SUPPORT_MODELS = (SupportOrganisation, SupportLocation, SupportService, SupportSite,
                  OpeningHours)


@pytest.fixture
def en(app: Flask) -> Iterator[None]:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def _counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(m)) or 0
                 for m in SUPPORT_MODELS)


def _import(document: dict[str, Any], dry_run: bool = False) -> Any:
    report = import_file(json.dumps(document).encode(), "catalogue.json", dry_run=dry_run)
    if report.ok and not dry_run:
        db.session.commit()
    else:
        db.session.rollback()
    return report


@pytest.fixture
def document(en: None, reference_data: None) -> dict[str, Any]:
    write(small_catalogue())
    return dict(json.loads(export_hsds()))


def test_the_export_is_valid_against_the_hsds_schemas(document: dict[str, Any]) -> None:
    validators = openreferral._validators()
    for key, kind in (("organizations", "organization"), ("locations", "location"),
                      ("services", "service")):
        assert document[key]
        for item in document[key]:
            assert list(validators[kind].iter_errors(item)) == []


def test_the_export_maps_the_catalogue_to_hsds_fields(document: dict[str, Any]) -> None:
    organization, = document["organizations"]
    assert organization["id"] == ORG and organization["phones"][0]["number"] == "02 1234 5678"
    kind = organization["attributes"][0]
    assert (kind["link_type"], kind["taxonomy_term"]["code"]) == ("organisation_kind",
                                                                  "informagiovani")
    location = next(loc for loc in document["locations"] if loc["id"] == LOC)
    address, = location["addresses"]
    assert (address["address_1"], address["postal_code"], address["region"],
            address["country"]) == ("Via Prova 1", "20131", "Municipio 3", "IT")
    service, = document["services"]
    assert (service["minimum_age"], service["maximum_age"], service["status"]) == (16, 29,
                                                                                   "active")
    assert [lang["code"] for lang in service["languages"]] == ["ar", "it"]
    codes = {(a["link_type"], a["taxonomy_term"]["code"]) for a in service["attributes"]}
    assert codes == {("help", "job_search"), ("help", "orientation"),
                     ("eligible_status", "neet"), ("residence", "milan"),
                     ("access", "walk_in")}
    site, = service["service_at_locations"]
    assert (site["id"], site["location_id"]) == (SITE, LOC)
    assert [(s["byday"], s["opens_at"], s["closes_at"], s["freq"]) for s in site["schedules"]] \
        == [("MO", "09:00", "12:30", "WEEKLY"), ("WE", "14:00", "17:00", "WEEKLY")]


def test_an_export_imports_back_unchanged_and_rebuilds_an_empty_catalogue(
        document: dict[str, Any]) -> None:
    report = _import(document)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)
    before = _counts()
    db.session.execute(SupportOrganisation.__table__.delete())
    db.session.commit()
    assert _counts() == (0, 0, 0, 0, 0)
    report = _import(document)
    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    assert _counts() == before
    assert json.loads(export_hsds()) == document


def test_a_changed_file_updates_and_replaces_sites_and_hours(document: dict[str, Any]) -> None:
    changed = copy.deepcopy(document)
    service = changed["services"][0]
    service["name"] = "Orientamento e lavoro"
    site = service["service_at_locations"][0]
    site["location_id"] = LOC_2
    site["schedules"] = [{"id": "66666666-6666-4666-8666-666666666666", "freq": "WEEKLY",
                          "byday": "TU,TH", "opens_at": "10:00", "closes_at": "13:00:00",
                          "valid_from": "2027-01-01", "valid_to": "2027-06-30"}]
    report = _import(changed)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 1, 3)
    stored = db.session.scalar(select(SupportSite).where(SupportSite.uid == SITE))
    assert stored is not None and stored.location.uid == LOC_2
    assert [(h.weekday, h.opens.hour, h.closes.hour) for h in stored.hours] == [(1, 10, 13),
                                                                                 (3, 10, 13)]
    assert stored.hours_valid_to is not None and stored.hours_valid_to.month == 6


def test_a_dry_run_counts_and_writes_nothing(en: None, reference_data: None) -> None:
    report = _import(openreferral_export.document_of(small_catalogue()), dry_run=True)
    assert report.ok and (report.created, report.rows) == (4, 4)
    assert _counts() == (0, 0, 0, 0, 0)


def test_a_file_from_another_directory_is_read_with_defaults(en: None) -> None:
    """Plain HSDS without the platform's attributes: kind "other", access by booking."""
    org, service = "0c8b2c3e-6a1d-4d55-9b8e-3c3f5e9b1a01", "0c8b2c3e-6a1d-4d55-9b8e-3c3f5e9b1a02"
    report = _import({"organizations": [{"id": org, "name": "Caritas", "description": ""}],
                      "services": [{"id": service, "organization_id": org, "name": "Ascolto",
                                    "status": "active"}]})
    assert report.ok, report.errors
    stored = db.session.scalar(select(SupportService))
    assert stored is not None and stored.access == AccessMode.BOOKING
    assert stored.organisation.kind == OrganisationKind.OTHER


def _broken(document: dict[str, Any], change: Any) -> dict[str, Any]:
    broken = copy.deepcopy(document)
    change(broken)
    return broken


BREAKAGES = {
    "service without a name": (lambda d: d["services"][0].pop("name"), "services[0]",
                               "name"),
    "id not a uuid": (lambda d: d["organizations"][0].update(id="CPI-1"),
                      "organizations[0].id", "uuid"),
    "unknown organisation": (lambda d: d["services"][0].update(
        organization_id="99999999-9999-4999-8999-999999999999"),
        "services[0].organization_id", "No organisation"),
    "monthly schedule": (lambda d: d["services"][0]["service_at_locations"][0]["schedules"][0]
                         .update(freq="MONTHLY"),
                         "services[0].service_at_locations[0].schedules[0]", "weekly"),
    "age out of range": (lambda d: d["services"][0].update(minimum_age=200),
                         "services[0].minimum_age", "0 to 120"),
    "location without address": (lambda d: d["locations"][0].update(addresses=[]),
                                 "locations[0]", "physical address"),
    "bad postal code": (lambda d: d["locations"][0]["addresses"][0].update(
        postal_code="MI-1"), "locations[0].addresses[0].postal_code", "postal code"),
    "unknown language": (lambda d: d["services"][0]["languages"][0].update(code="xx"),
                         "services[0].languages", "ISO 639-1"),
    "wrong type": (lambda d: d["services"][0].update(maximum_age="old"),
                   "services[0].maximum_age", "type"),
}


@pytest.mark.parametrize("breakage", BREAKAGES, ids=list(BREAKAGES))
def test_an_invalid_file_is_refused_whole_with_the_place_of_each_error(
        document: dict[str, Any], breakage: str) -> None:
    change, where, words = BREAKAGES[breakage]
    db.session.execute(SupportOrganisation.__table__.delete())  # import into an empty catalogue
    db.session.commit()
    broken = _broken(document, change)
    broken["organizations"].append({"id": "77777777-7777-4777-8777-777777777777",
                                    "name": "Valid one", "description": "fine"})
    report = _import(broken)
    assert not report.ok
    assert any(e.column.startswith(where) and words.lower() in e.message.lower()
               for e in report.errors), report.errors
    assert all(e.row >= 1 for e in report.errors)
    assert _counts() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b'{"services": 3}',
                                     b"\xff\xfe", b"x" * (6 * 1024 * 1024)])
def test_an_unreadable_file_is_refused(en: None, content: bytes) -> None:
    report = import_file(content, "catalogue.json")
    assert not report.ok and report.errors[0].row == 0
    db.session.rollback()
    assert _counts() == (0, 0, 0, 0, 0)


def test_errors_are_in_the_readers_language(app: Flask, document: dict[str, Any]) -> None:
    broken = _broken(document, lambda d: d["services"][0].update(minimum_age=200))
    with app.test_request_context(headers={"Accept-Language": "it"}):
        report = import_file(json.dumps(broken).encode(), "c.json")
    db.session.rollback()
    message = next(e.message for e in report.errors if e.column.endswith("minimum_age"))
    assert "Scrivi" in message or "numero" in message, message
