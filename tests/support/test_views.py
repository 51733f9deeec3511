"""The public page (filters, 400s, empty state, Arabic), the admin pages, the CLI and the demo."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from orientamento.auth.models import Role, User
from orientamento.extensions import db
from orientamento.support.models import SupportOrganisation, SupportService, SupportSite
from tests.support.factories import SERVICE, small_catalogue, stored_ids, write


@pytest.fixture
def catalogue(app: Flask, reference_data: None) -> dict[str, int]:
    write(small_catalogue())
    return stored_ids()


def test_the_public_page_lists_services_for_anyone(client: FlaskClient,
                                                   catalogue: dict[str, int]) -> None:
    page = client.get("/support/", headers={"Accept-Language": "en"})
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Orientamento al lavoro" in body and "Via Prova 1, 20131 Milano" in body
    assert "Monday" in body and "09:00–12:30" in body and "Walk in" in body
    assert 'href="tel:0212340000"' in body and "Arabic" in body


@pytest.mark.parametrize(("query", "found"), [
    ("need=job_search", True), ("need=housing", False), ("language=ar", True),
    ("municipio=3", True), ("municipio=8", False), ("need=orientation&language=it&municipio=3",
                                                    True)])
def test_the_filters_narrow_the_list(client: FlaskClient, catalogue: dict[str, int],
                                     query: str, found: bool) -> None:
    write(small_catalogue())
    page = client.get(f"/support/?{query}", headers={"Accept-Language": "en"})
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert ("Orientamento al lavoro" in body) is found
    assert ("No service matches these filters" in body) is not found


@pytest.mark.parametrize("query", ["need=flying", "municipio=10", "municipio=0",
                                   "language=xx", "language=fr", "municipio=abc"])
def test_a_bad_filter_is_a_400_with_a_message(client: FlaskClient, catalogue: dict[str, int],
                                              query: str) -> None:
    page = client.get(f"/support/?{query}", headers={"Accept-Language": "en"})
    assert page.status_code == 400
    assert "Choose one of the options in the list." in page.get_data(as_text=True)


def test_services_for_other_ages_are_not_listed(client: FlaskClient, app: Flask,
                                                reference_data: None) -> None:
    write(small_catalogue(min_age=60, max_age=None))
    body = client.get("/support/").get_data(as_text=True)
    assert "Orientamento al lavoro" not in body


def test_the_arabic_page_isolates_addresses_and_names(client: FlaskClient,
                                                      catalogue: dict[str, int]) -> None:
    page = client.get("/support/", headers={"Accept-Language": "ar"})
    body = page.get_data(as_text=True)
    assert 'dir="rtl"' in body
    assert '<bdi dir="auto">Via Prova 1, 20131 Milano</bdi>' in body
    assert "<bdi>Orientamento al lavoro</bdi>" in body


def test_the_public_page_paginates(client: FlaskClient, app: Flask, reference_data: None) -> None:
    app.config["PAGE_SIZE"] = 1
    write(small_catalogue())
    write(small_catalogue(uid="33333333-3333-4333-8333-333333333334", name="Secondo servizio",
                          sites=()))
    first = client.get("/support/").get_data(as_text=True)
    second = client.get("/support/?page=2").get_data(as_text=True)
    assert "Orientamento al lavoro" in first and "Secondo servizio" in second
    assert 'rel="next"' in first


def test_the_home_page_links_to_the_public_page(client: FlaskClient) -> None:
    body = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'href="/support/"' in body


@pytest.fixture
def admin(as_role: Callable[..., User]) -> User:
    return as_role(Role.ADMIN)


def test_an_admin_builds_a_service_step_by_step(client: FlaskClient, admin: User,
                                                 reference_data: None) -> None:
    page = client.post("/support/admin/organisations/new", data={
        "organisation_name": "Hub Giovani", "organisation_kind": "youth_hub"})
    assert page.status_code == 302
    organisation = db.session.scalar(select(SupportOrganisation))
    assert organisation is not None
    base = f"/support/admin/organisations/{organisation.id}"
    assert client.post(f"{base}/locations/new", data={
        "address": "Via Hub 1", "postal_code": "20156", "municipio": "8",
        "place_code": "015146"}).status_code == 302
    assert client.post(f"{base}/services/new", data={
        "service_name": "Mentoring", "help": ["mentoring"], "access": "walk_in",
        "residence": "any", "languages": "it; ar", "min_age": "16",
        "max_age": "29"}).status_code == 302
    service = db.session.scalar(select(SupportService))
    assert service is not None and service.languages == ["ar", "it"]
    location_uid = organisation.locations[0].uid
    page = client.post(f"/support/admin/services/{service.id}/sites/new", data={
        "location_id": location_uid, "hours": "TU 15:00-19:00"})
    assert page.status_code == 302
    db.session.expire_all()
    assert [len(site.hours) for site in service.sites] == [1]
    assert client.get(f"/support/admin/services/{service.id}").status_code == 200


def test_the_admin_forms_refuse_what_an_import_refuses(client: FlaskClient, admin: User,
                                                       catalogue: dict[str, int]) -> None:
    page = client.post(f"/support/admin/services/{catalogue['service_id']}", data={
        "service_name": "X", "access": "walk_in", "residence": "any", "min_age": "40",
        "max_age": "20", "languages": "klingon"})
    body = page.get_data(as_text=True)
    assert page.status_code == 400 and "aria-invalid" in body
    page = client.post(f"/support/admin/sites/{catalogue['site_id']}", data={
        "location_id": "not-a-location", "hours": "MO 12:00-09:00"})
    assert page.status_code == 400
    page = client.post(f"/support/admin/organisations/{catalogue['organisation_id']}/"
                       "locations/new", data={"address": "Via X 1", "postal_code": "20100",
                                              "place_code": "999999"})
    assert page.status_code == 400
    assert db.session.scalar(select(SupportService.name)) == "Orientamento al lavoro"


def test_deleting_asks_first_then_deletes(client: FlaskClient, admin: User,
                                          catalogue: dict[str, int]) -> None:
    url = f"/support/admin/services/{catalogue['service_id']}/delete"
    confirm = client.get(url, headers={"Accept-Language": "en"})
    assert confirm.status_code == 200 and "This cannot be undone." in confirm.get_data(
        as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SupportService)) == 1
    assert client.post(url).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(SupportService)) == 0
    assert db.session.scalar(select(func.count()).select_from(SupportSite)) == 0
    org_url = f"/support/admin/organisations/{catalogue['organisation_id']}/delete"
    assert client.post(org_url).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(SupportOrganisation)) == 0


def test_the_admin_list_searches_and_the_exports_download(client: FlaskClient, admin: User,
                                                          catalogue: dict[str, int]) -> None:
    body = client.get("/support/admin?q=informa").get_data(as_text=True)
    assert "Informagiovani Test" in body
    assert "Informagiovani Test" not in client.get("/support/admin?q=zzz").get_data(
        as_text=True)
    hsds = client.get("/support/admin/export/hsds")
    assert hsds.mimetype == "application/json"
    assert json.loads(hsds.data)["services"][0]["id"] == SERVICE
    assert client.get("/support/admin/export/csv").mimetype == "text/csv"


def test_the_import_page_checks_then_imports(client: FlaskClient, admin: User,
                                             catalogue: dict[str, int]) -> None:
    from io import BytesIO

    document = client.get("/support/admin/export/hsds").data
    db.session.execute(SupportOrganisation.__table__.delete())
    db.session.commit()
    page = client.post("/support/admin/import", data={
        "file": (BytesIO(document), "c.json"), "dry_run": "y"},
        content_type="multipart/form-data", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Dry run" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SupportOrganisation)) == 0
    page = client.post("/support/admin/import", data={"file": (BytesIO(document), "c.json")},
                       content_type="multipart/form-data")
    assert page.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(SupportService)) == 1
    page = client.post("/support/admin/import", data={"file": (BytesIO(b"{}"), "c.json")},
                       content_type="multipart/form-data")
    assert page.status_code == 422


def test_the_cli_exports_and_imports(runner: FlaskCliRunner, catalogue: dict[str, int],
                                     tmp_path: Path) -> None:
    target = tmp_path / "catalogue.csv"
    result = runner.invoke(args=["support", "export", "--format", "csv", "--output",
                                 str(target)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["support", "import", str(target)])
    assert result.exit_code == 0 and "4 unchanged" in result.output, result.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"services": [{"id": "x"}]}', encoding="utf-8")
    result = runner.invoke(args=["support", "import", str(bad)])
    assert result.exit_code != 0 and "non è stato importato nulla" in result.output


def test_the_demo_seed_is_idempotent_and_marked(app: Flask, reference_data: None) -> None:
    from orientamento.demo.support import seed_support

    first = seed_support()
    db.session.commit()
    second = seed_support()
    assert first.created > 10 and (second.created, second.updated) == (0, 0)
    assert all(db.session.scalars(select(SupportService.is_demo)))
    assert all("(demo)" in name for name in db.session.scalars(select(SupportOrganisation.name)))
