"""A service operator edits their own organisation's entries in the catalogue, and no other's.

Admins edit every organisation (tests/support/test_views.py); an organisation's own staff
keep its services, locations and opening hours up to date, but cannot create or delete
organisations, list them or import. Another organisation's pages answer 404, as if they did
not exist, for reading and for writing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from orientamento.auth.models import Role, User
from orientamento.extensions import db
from orientamento.support.models import (
    AccessMode,
    SupportLocation,
    SupportOrganisation,
    SupportService,
    SupportSite,
)
from tests.conftest import log_in
from tests.support.factories import small_catalogue, stored_ids, write


@pytest.fixture
def own(app: Flask, reference_data: None) -> dict[str, int]:
    write(small_catalogue())
    return stored_ids()


@pytest.fixture
def other(own: dict[str, int]) -> dict[str, int]:
    """Another organisation with a location, a service and a site."""
    organisation = SupportOrganisation(uid=str(uuid.uuid4()), name="CPIA Altrove", kind="cpia")
    location = SupportLocation(uid=str(uuid.uuid4()), organisation=organisation,
                               address="Via Altrove 2", postal_code="20100",
                               place_code="015146", municipio=4)
    service = SupportService(uid=str(uuid.uuid4()), organisation=organisation,
                             name="Italiano per tutti", access=AccessMode.WALK_IN)
    site = SupportSite(uid=str(uuid.uuid4()), service=service, location=location)
    db.session.add_all([organisation, location, service, site])
    db.session.commit()
    return {"organisation_id": organisation.id, "location_id": location.id,
            "service_id": service.id, "site_id": site.id}


@pytest.fixture
def operator(client: FlaskClient, make_user: Callable[..., User], own: dict[str, int]) -> User:
    user = make_user(Role.SERVICE_OPERATOR, support_organisation_id=own["organisation_id"],
                     locale="en")
    log_in(client, user)
    return user


def pages(ids: dict[str, int]) -> list[str]:
    """Every editing page of one organisation's entries."""
    return [
        f"/support/admin/organisations/{ids['organisation_id']}",
        f"/support/admin/organisations/{ids['organisation_id']}/services/new",
        f"/support/admin/organisations/{ids['organisation_id']}/locations/new",
        f"/support/admin/services/{ids['service_id']}",
        f"/support/admin/services/{ids['service_id']}/sites/new",
        f"/support/admin/services/{ids['service_id']}/delete",
        f"/support/admin/locations/{ids['location_id']}",
        f"/support/admin/locations/{ids['location_id']}/delete",
        f"/support/admin/sites/{ids['site_id']}",
        f"/support/admin/sites/{ids['site_id']}/delete",
    ]


def test_an_operator_opens_every_page_of_their_organisation_and_none_of_another(
        client: FlaskClient, operator: User, own: dict[str, int],
        other: dict[str, int]) -> None:
    for url in pages(own):
        assert client.get(url).status_code == 200, url
    for url in pages(other):
        assert client.get(url).status_code == 404, url
        assert client.post(url, data={"service_name": "Preso", "organisation_name": "Preso",
                                      "access": "walk_in"}).status_code == 404, url
    db.session.expire_all()
    assert db.session.get(SupportOrganisation, other["organisation_id"]).name == "CPIA Altrove"
    assert db.session.scalar(select(func.count()).select_from(SupportService)) == 2


def test_an_operator_cannot_list_create_delete_organisations_or_import(
        client: FlaskClient, operator: User, own: dict[str, int]) -> None:
    assert client.get("/support/admin").status_code == 403
    for url in ("/support/admin/organisations/new",
                f"/support/admin/organisations/{own['organisation_id']}/delete",
                "/support/admin/import"):
        assert client.get(url).status_code == 403, url
        assert client.post(url).status_code == 403, url
    page = client.get(f"/support/admin/organisations/{own['organisation_id']}")
    body = page.get_data(as_text=True)
    assert "Delete this organisation" not in body
    assert 'href="/support/admin"' not in body and 'href="/support/admin/import"' not in body


def test_an_operator_updates_a_service_and_adds_one(
        client: FlaskClient, operator: User, own: dict[str, int]) -> None:
    page = client.post(f"/support/admin/services/{own['service_id']}", data={
        "service_name": "Orientamento e lavoro", "help": ["job_search"], "access": "booking",
        "residence": "any", "languages": "it; en", "min_age": "16", "max_age": "29"})
    assert page.status_code == 302
    page = client.post(f"/support/admin/organisations/{own['organisation_id']}/services/new",
                       data={"service_name": "Mentoring", "help": ["mentoring"],
                             "access": "walk_in", "residence": "any", "languages": "it"})
    assert page.status_code == 302
    db.session.expire_all()
    names = set(db.session.scalars(select(SupportService.name)))
    assert names == {"Orientamento e lavoro", "Mentoring"}


def test_the_operators_start_page_links_to_their_organisation(
        client: FlaskClient, operator: User, own: dict[str, int]) -> None:
    body = client.get("/start/").get_data(as_text=True)
    assert f'href="/support/admin/organisations/{own["organisation_id"]}"' in body
