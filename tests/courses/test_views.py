"""Directory pages: search page states, course page, saving, provider management."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from orientamento.auth.models import Role, User
from orientamento.courses.models import Course, CourseStatus, Occupation, SavedCourse
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


def test_arabic_course_page_names_things_in_arabic_and_keeps_italian_text_in_its_direction(
        client: FlaskClient, make_course: MakeCourse) -> None:
    course = make_course(title="Tecnico delle energie", language="it",
                         occupation_codes="2.1.1.3.2")
    page = client.get(f"/courses/{course.id}", headers={"Accept-Language": "ar"}).get_data(
        as_text=True)
    assert re.search(r"<dd[^>]*>الإيطالية</dd>", page)  # the teaching language, in Arabic
    # The Italian description, title and admission text carry their language and direction.
    assert re.search(r'class="mb-4 course-description" lang="it" dir="auto"', page)
    assert re.search(r'<span lang="it" dir="auto">Tecnico delle energie</span>', page)
    assert '<span lang="it" dir="auto">Diploma di scuola' in page
    # Digits and addresses keep their order: the phone dials, the e-mail reads left to right.
    assert '<a href="tel:0212345678" dir="ltr">02 1234 5678</a>' in page
    assert '<a href="mailto:info@example.org" dir="ltr">' in page
    occupation = db.session.scalars(select(Occupation).where(
        Occupation.cp2021 == "2.1.1.3.2")).one()
    assert occupation.title("ar") in page and occupation.title("ar") != occupation.title_en


def test_a_course_in_english_is_marked_as_english_where_translated(
        client: FlaskClient, make_course: MakeCourse) -> None:
    course = make_course(title="Tecnico delle energie", title_en="Energy technician")
    page = client.get(f"/courses/{course.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    assert '<span lang="en" dir="auto">Energy technician</span>' in page
    assert re.search(r"<dd[^>]*>Italian</dd>", page)  # the teaching language, in English


@pytest.mark.parametrize("phone, uri", [("02 1234 5678", "tel:0212345678"),
                                        ("+39 02-1234.5678", "tel:+390212345678"),
                                        ("ask at the desk", None), ("12 34", None)])
def test_phone_links_dial_only_what_can_be_dialled(phone: str, uri: str | None) -> None:
    assert Course(contact_phone=phone).phone_uri == uri


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


def test_search_results_have_numbered_pages_that_keep_the_filters(
        client: FlaskClient, make_course: MakeCourse) -> None:
    for n in range(21):
        make_course(title=f"Corso {n:02d}")
    html = client.get("/courses/?kind=its&kind=ifts&page=2",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert re.findall(r'aria-current="page"[^>]*>([^<]+)<', html) == ["2"]
    pages = dict((text, href.replace("&amp;", "&")) for href, text in re.findall(
        r'<a class="page-link"[^>]*href="([^"]+)"[^>]*>([^<]+)</a>', html))
    assert set(pages) == {"Previous", "1", "2"}
    assert parse_qs(urlsplit(pages["1"]).query) == {"kind": ["its", "ifts"], "page": ["1"]}


def test_course_links_from_the_results_lead_back_to_the_same_search(
        client: FlaskClient, make_course: MakeCourse) -> None:
    course = make_course(title="Tecnico meccatronico")
    search = "/courses/?q=meccatronico&kind=its"
    html = client.get(search).get_data(as_text=True)
    link = re.search(rf'href="(/courses/{course.id}\?back=[^"]+)"', html)
    assert link is not None
    course_url = link[1].replace("&amp;", "&")
    assert parse_qs(urlsplit(course_url).query)["back"] == [search]
    page = client.get(course_url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    back = re.search(r'<a href="([^"]+)" id="back-to-results">Search results</a>', page)
    assert back is not None and back[1].replace("&amp;", "&") == search
    # The htmx fragment's links carry the same search.
    fragment = client.get(search, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert link[1] in fragment


@pytest.mark.parametrize("back", [
    "https://example.com/courses/?q=x", "//example.com/courses/?q=x", "/\\example.com",
    "/admin/users?q=x", "javascript:alert(1)", "/courses/", "",
])
def test_a_back_link_elsewhere_than_a_search_is_ignored(
        client: FlaskClient, make_course: MakeCourse, back: str) -> None:
    course = make_course()
    page = client.get(f"/courses/{course.id}", query_string={"back": back},
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'id="back-to-results"' not in page
    assert '<a href="/courses/">Find a course</a>' in page
    assert not re.search(r'href="[^"]*(example\.com|javascript:)', page)


def test_saving_a_course_keeps_the_way_back_to_the_search(
        client: FlaskClient, make_course: MakeCourse, as_role: Callable[..., User]) -> None:
    course = make_course()
    as_role(Role.STUDENT)
    back = "/courses/?q=automazione"
    page = client.get(f"/courses/{course.id}", query_string={"back": back}).get_data(
        as_text=True)
    assert f'<form method="post" action="/courses/{course.id}/save"' in page
    hidden = re.search(r'<input type="hidden" name="search" value="([^"]+)">', page)
    assert hidden is not None and hidden[1] == back
    response = client.post(f"/courses/{course.id}/save", data={"search": hidden[1]})
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.location).query)["back"] == [back]
    # The course page shown after saving still leads back to the search.
    page = client.get(response.location, headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    assert 'id="back-to-results"' in page


def test_each_site_has_a_geo_link_for_the_map_app(client: FlaskClient,
                                                 make_course: MakeCourse) -> None:
    course = make_course(site_addresses="Via Demo 1|Piazza Città 2",
                         site_place_codes="015146|015209", site_latitudes="45.4642|45.535",
                         site_longitudes="9.19|9.237")
    html = client.get(f"/courses/{course.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    links = re.findall(r'<a href="(geo:[^"]+)" class="map-link" aria-describedby="([^"]+)">'
                       r'Open in the map app</a>', html)
    assert [uri for uri, _ in links] == [
        "geo:45.464200,9.190000?q=45.464200,9.190000(Via%20Demo%201%2C%20Milano)",
        "geo:45.535000,9.237000?q=45.535000,9.237000"
        "(Piazza%20Citt%C3%A0%202%2C%20Sesto%20San%20Giovanni)",
    ]
    for _uri, described_by in links:
        assert f'id="{described_by}"' in html
    # Nothing on the page loads from another host (no map tiles, scripts or frames).
    sources = re.findall(r'(?:src|href)="(https?:)?//([^/"]+)', html)
    assert all(host in ("localhost", "example.org") for _scheme, host in sources), sources
