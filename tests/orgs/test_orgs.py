"""Admins manage schools and training providers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from orientamento.auth.models import Role, User
from orientamento.extensions import db
from orientamento.orgs.models import Provider, School
from tests.conftest import log_in


@pytest.fixture(autouse=True)
def admin(client: FlaskClient, make_user: Callable[..., User]) -> User:
    user = make_user(Role.ADMIN)
    log_in(client, user)
    return user


def test_create_a_school_normalizing_the_code(client: FlaskClient) -> None:
    response = client.post("/admin/organisations/schools/new", data={
        "code": " miis01200x ", "name": "IIS Galilei", "municipality": "Milano", "municipio": "4",
    })
    assert response.status_code == 302
    school = db.session.scalar(select(School))
    assert school is not None and school.code == "MIIS01200X" and school.municipio == 4
    assert school.address is None and school.full_address == "Milano"


def test_a_schools_street_address_is_kept_for_visiting_providers(client: FlaskClient) -> None:
    response = client.post("/admin/organisations/schools/new", data={
        "code": "MIIS01200X", "name": "IIS Galilei", "address": "  Via Pacini 71 ",
        "municipality": "Milano"})
    assert response.status_code == 302
    school = db.session.scalar(select(School))
    assert school is not None and school.address == "Via Pacini 71"
    assert school.full_address == "Via Pacini 71, Milano"
    page = client.get(f"/admin/organisations/schools/{school.id}").get_data(as_text=True)
    assert 'value="Via Pacini 71"' in page
    data = {"code": "MIIS01200X", "name": "IIS Galilei", "municipality": "Milano"}
    assert client.post("/admin/organisations/schools/new",
                       data={**data, "code": "MIIS01300X", "address": "V" * 201}).status_code == 400


@pytest.mark.parametrize("data", [
    {"code": "MI12", "name": "X", "municipality": "Milano"},
    {"code": "1234567890", "name": "X", "municipality": "Milano"},
    {"code": "MIIS01200X", "name": "", "municipality": "Milano"},
    {"code": "MIIS01200X", "name": "X", "municipality": "Milano", "municipio": "10"},
])
def test_invalid_schools_are_refused(client: FlaskClient, data: dict[str, str]) -> None:
    response = client.post("/admin/organisations/schools/new", data=data)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(School)) == 0


def test_school_codes_are_unique(client: FlaskClient, make_school: Callable[..., School]) -> None:
    make_school(code="MIPS00100A")
    response = client.post("/admin/organisations/schools/new", data={
        "code": "MIPS00100A", "name": "Duplicate", "municipality": "Milano",
    })
    assert response.status_code == 400
    assert "MIPS00100A" in response.get_data(as_text=True)


def test_edit_and_list_providers(client: FlaskClient, make_provider: Callable[..., Provider]) -> None:
    provider = make_provider(name="Ente Vecchio")
    response = client.post(f"/admin/organisations/providers/{provider.id}", data={
        "code": provider.code, "name": "Ente Nuovo", "kind": "its_foundation",
        "municipality": "Sesto San Giovanni", "website": "https://ente.example.org",
    })
    assert response.status_code == 302
    db.session.refresh(provider)
    assert provider.name == "Ente Nuovo" and provider.kind == "its_foundation"
    page = client.get("/admin/organisations/providers?q=nuovo").get_data(as_text=True)
    assert "Ente Nuovo" in page
    bad = client.post(f"/admin/organisations/providers/{provider.id}", data={
        "code": provider.code, "name": "X", "kind": "university", "municipality": "Milano",
    })
    assert bad.status_code == 400


def test_an_organisation_with_staff_cannot_be_deleted(
    client: FlaskClient, make_user: Callable[..., User], make_school: Callable[..., School]
) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    response = client.post(f"/admin/organisations/schools/{counsellor.school_id}/delete")
    assert response.status_code == 409
    assert db.session.get(School, counsellor.school_id) is not None
    empty = make_school()
    assert client.post(f"/admin/organisations/schools/{empty.id}/delete").status_code == 302
    assert db.session.get(School, empty.id) is None


def test_a_provider_with_courses_or_events_cannot_be_deleted(
    client: FlaskClient, make_user: Callable[..., User], make_provider: Callable[..., Provider],
    make_course: Callable[..., object],
) -> None:
    with_course, with_event, empty = make_provider(), make_provider(), make_provider()
    make_course(with_course)
    staff = make_user(Role.PROVIDER, provider=with_event)
    from tests.events.factories import open_day

    open_day(staff)
    db.session.delete(staff)  # the event stays, its organiser's account goes
    db.session.commit()
    for provider in (with_course, with_event):
        response = client.post(f"/admin/organisations/providers/{provider.id}/delete",
                               headers={"Accept-Language": "en"})
        assert response.status_code == 409, provider.code
        assert "still has courses or events" in response.get_data(as_text=True)
        db.session.expire_all()
        assert db.session.get(Provider, provider.id) is not None
    assert client.post(f"/admin/organisations/providers/{empty.id}/delete").status_code == 302
    assert db.session.get(Provider, empty.id) is None
