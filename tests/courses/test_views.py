"""Directory pages: search page states, course page, saving, provider management."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from orientamento.auth.models import Role, User
from orientamento.courses.models import Course, CourseStatus, SavedCourse
from orientamento.extensions import db
from tests.conftest import COURSE_CELLS

MakeCourse = Callable[..., Course]


def test_search_page_lists_filters_and_empty_state(client: FlaskClient,
                                                  make_course: MakeCourse) -> None:
    make_course(title="Tecnico superiore meccatronica")
    page = client.get("/courses/?q=meccatronico").get_data(as_text=True)
    assert "Tecnico superiore meccatronica" in page
    assert 'id="facet-kind-its"' in page
    empty = client.get("/courses/?q=astronautica&km=5&place=015146")
    text = empty.get_data(as_text=True)
    assert empty.status_code == 200 and 'id="no-results"' in text
    assert "?q=astronautica" in text  # the "keep only the words" link


def test_htmx_gets_a_fragment_with_out_of_band_counts(client: FlaskClient,
                                                     make_course: MakeCourse) -> None:
    make_course(title="Corso uno")
    response = client.get("/courses/?kind=its", headers={"HX-Request": "true"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<!doctype html>" not in text.lower()
    assert 'id="facet-kind-its" class="badge bg-light text-dark ms-1" data-hx-swap-oob="true">1<' \
        in text
    assert "HX-Request" in response.headers.get("Vary", "")


def test_bad_filters_are_a_localized_400(client: FlaskClient, reference_data: None) -> None:
    for query in ("kind=spaceship", "eqf=9", "km=500&place=015146", "start_after=31-12-2026",
                  "place=999999", "sort=price", f"q={'x' * 300}"):
        response = client.get(f"/courses/?{query}", headers={"Accept-Language": "it"})
        assert response.status_code == 400, query
        assert "alert-danger" in response.get_data(as_text=True)


def test_course_page_shows_every_field(client: FlaskClient, make_course: MakeCourse) -> None:
    course = make_course(title="Tecnico delle energie", cost_eur="150.00", seats="22",
                         title_en="Energy technician", language="it")
    italian = client.get(f"/courses/{course.id}").get_data(as_text=True)
    for text in ("Tecnico delle energie", "Via Demo 1", "Milano", "2000", "22",
                 "info@example.org", "https://example.org/corso", "150,00"):
        assert text in italian, text
    english = client.get(f"/courses/{course.id}", headers={"Accept-Language": "en"})
    assert "Energy technician" in english.get_data(as_text=True)


def test_archived_and_missing_courses_are_404(client: FlaskClient, make_course: MakeCourse,
                                              ) -> None:
    course = make_course(status="archived")
    assert client.get(f"/courses/{course.id}").status_code == 404
    assert client.get("/courses/999999").status_code == 404


def test_student_saves_once_and_finds_it_in_the_list(
        client: FlaskClient, make_course: MakeCourse, as_role: Callable[..., User]) -> None:
    course = make_course(title="Da salvare")
    student = as_role(Role.STUDENT)
    for _ in range(2):  # a double click
        assert client.post(f"/courses/{course.id}/save").status_code == 302
    count = db.session.scalar(select(func.count()).select_from(SavedCourse)
                              .where(SavedCourse.user_id == student.id))
    assert count == 1
    assert "Da salvare" in client.get("/courses/saved").get_data(as_text=True)
    assert "Remove from saved courses" in client.get(
        f"/courses/{course.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    client.post(f"/courses/{course.id}/unsave", data={"back": "saved"})
    assert "Da salvare" not in client.get("/courses/saved").get_data(as_text=True)


def test_archived_course_cannot_be_saved(client: FlaskClient, make_course: MakeCourse,
                                         as_role: Callable[..., User]) -> None:
    course = make_course(status="archived")
    as_role(Role.STUDENT)
    assert client.post(f"/courses/{course.id}/save").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(SavedCourse)) == 0


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {k: v for k, v in COURSE_CELLS.items()
                            if not k.startswith("site_") and k not in ("status",
                                                                       "occupation_codes")}
    data |= {"course_code": "new-1", "site_address_1": "Via Nuova 3", "site_place_1": "015209"}
    return data | overrides


def test_provider_creates_edits_archives_and_restores(
        client: FlaskClient, make_provider: Callable[..., Any], reference_data: None,
        as_role: Callable[..., User]) -> None:
    provider = make_provider()
    as_role(Role.PROVIDER, provider_id=provider.id)
    response = client.post("/courses/manage/new", data=_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    course = db.session.scalar(select(Course).where(Course.code == "NEW-1"))
    assert course is not None and course.provider_id == provider.id
    assert course.sites[0].place_code == "015209" and course.sites[0].latitude > 45
    response = client.post(f"/courses/manage/{course.id}/edit",
                           data=_form(title="Titolo cambiato", site_address_2="Via B 2",
                                      site_place_2="015146"))
    assert response.status_code == 302
    db.session.refresh(course)
    assert course.title == "Titolo cambiato" and len(course.sites) == 2
    client.post(f"/courses/manage/{course.id}/status", data={"status": "archived"})
    db.session.refresh(course)
    assert course.status == CourseStatus.ARCHIVED
    client.post(f"/courses/manage/{course.id}/status", data={"status": "active"})
    db.session.refresh(course)
    assert course.status == CourseStatus.ACTIVE


def test_invalid_course_form_names_the_fields_and_writes_nothing(
        client: FlaskClient, make_provider: Callable[..., Any], reference_data: None,
        as_role: Callable[..., User]) -> None:
    as_role(Role.PROVIDER, provider_id=make_provider().id)
    response = client.post("/courses/manage/new", headers={"Accept-Language": "en"},
                           data=_form(eqf_level="3", hours="lots", site_place_1=""))
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This kind of course has EQF level 5 / 6." in text
    assert "Write a whole number." in text
    assert db.session.scalar(select(func.count()).select_from(Course)) == 0


def test_duplicate_code_is_refused(client: FlaskClient, make_course: MakeCourse,
                                   as_role: Callable[..., User]) -> None:
    course = make_course(course_code="DUP-1")
    as_role(Role.PROVIDER, provider_id=course.provider_id)
    response = client.post("/courses/manage/new", data=_form(course_code="DUP-1"))
    assert response.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Course)) == 1


def test_providers_never_touch_another_providers_courses(
        client: FlaskClient, make_course: MakeCourse, make_provider: Callable[..., Any],
        as_role: Callable[..., User]) -> None:
    theirs = make_course(title="Non mio")
    as_role(Role.PROVIDER, provider_id=make_provider().id)
    assert client.get(f"/courses/manage/{theirs.id}/edit").status_code == 404
    assert client.post(f"/courses/manage/{theirs.id}/edit", data=_form()).status_code == 404
    assert client.post(f"/courses/manage/{theirs.id}/status",
                       data={"status": "archived"}).status_code == 404
    db.session.refresh(theirs)
    assert theirs.title == "Non mio" and theirs.status == CourseStatus.ACTIVE
    assert "Non mio" not in client.get("/courses/manage").get_data(as_text=True)


def test_occupation_page_lists_its_courses(client: FlaskClient, make_course: MakeCourse,
                                           app: Flask) -> None:
    from orientamento.courses.models import Occupation

    occupation = db.session.scalars(select(Occupation).order_by(Occupation.cp2021)).first()
    assert occupation is not None
    make_course(title="Porta al lavoro", occupation_codes=occupation.cp2021)
    make_course(title="Non porta")
    page = client.get(f"/courses/occupations/{occupation.id}").get_data(as_text=True)
    assert occupation.title_it in page and "Porta al lavoro" in page
    assert "Non porta" not in page
    assert client.get("/courses/occupations/999999").status_code == 404


def test_deleting_a_provider_with_courses_is_refused(
        client: FlaskClient, make_course: MakeCourse, as_role: Callable[..., User]) -> None:
    course = make_course()
    as_role(Role.ADMIN)
    response = client.post(f"/admin/organisations/providers/{course.provider_id}/delete")
    assert response.status_code in (302, 409)
    assert db.session.get(Course, course.id) is not None
