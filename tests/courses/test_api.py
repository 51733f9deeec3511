"""The open JSON API: listing, filters, detail, reference lists, caching, CORS, rate limit,
query count, and the OpenAPI contract (checked by hand and with schemathesis)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import jsonschema_rs
import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from sqlalchemy import func, select
from werkzeug.http import http_date
from werkzeug.test import TestResponse

from orientamento.courses.models import Course, CourseStatus, Occupation, Place
from orientamento.courses.records import format_record, parse_row, record_of
from orientamento.courses.services import set_course_status, update_course
from orientamento.extensions import db
from orientamento.orgs.models import Provider
from tests.courses.days import in_days

MakeCourse = Callable[..., Course]
API = "/api/v1"
#: Base URI under which the OpenAPI document is registered for ``$ref`` resolution.
DOCUMENT_URI = "urn:orientamento:openapi"
COURSE_FIELDS = {
    "id", "provider", "course_code", "kind", "area", "eqf_level", "title", "description",
    "translations", "hours", "semesters", "start_date", "application_deadline", "cost_eur",
    "free", "admission", "language", "seats", "sites", "occupation_codes", "occupations",
    "riasec", "contact_email", "contact_phone", "web_url", "updated_at", "distance_km",
    "enrolment",
}
OCCUPATION_FIELDS = {"id", "cp2021", "isco08", "title_it", "title_en", "description_it",
                     "description_en", "riasec"}
PAGE_FIELDS = {"total", "page", "per_page", "pages", "items"}


# --- helpers ------------------------------------------------------------------------------

def get_json(client: FlaskClient, url: str, status: int = 200, **kwargs: Any) -> Any:
    """GET ``url``, check the status and the JSON content type, return the body."""
    response = client.get(url, **kwargs)
    assert response.status_code == status, (url, response.get_data(as_text=True)[:500])
    assert response.mimetype == "application/json", (url, response.content_type)
    return response.get_json()


def titles(body: dict[str, Any]) -> list[str]:
    """Titles of a course page's items, in order."""
    return [item["title"] for item in body["items"]]


def first_occupation() -> Occupation:
    """The occupation with the lowest CP2021 code (the first one in the table)."""
    occupation = db.session.scalars(select(Occupation).order_by(Occupation.cp2021)).first()
    assert occupation is not None, "the reference data holds no occupation"
    return occupation


def place(code: str) -> Place:
    """A place of the reference table."""
    found = db.session.get(Place, code)
    assert found is not None, code
    return found


def edit(course: Course, **cells: str) -> None:
    """Change a course through the service the provider pages use, and commit."""
    record, errors = parse_row(format_record(record_of(course)) | cells)
    assert record is not None, errors
    update_course(course, record)
    db.session.commit()


def archive(course: Course) -> None:
    """Archive a course and commit."""
    set_course_status(course, CourseStatus.ARCHIVED)
    db.session.commit()


def api_document(client: FlaskClient) -> dict[str, Any]:
    """The OpenAPI document the API serves."""
    document: dict[str, Any] = get_json(client, f"{API}/openapi.json")
    return document


def schema_validator(document: dict[str, Any], name: str) -> jsonschema_rs.Validator:
    """A Draft 2020-12 validator for ``#/components/schemas/<name>`` of ``document``."""
    registry = jsonschema_rs.Registry([(DOCUMENT_URI, document)],
                                      draft=jsonschema_rs.Draft202012)
    return jsonschema_rs.Draft202012Validator(
        {"$ref": f"{DOCUMENT_URI}#/components/schemas/{name}"},
        registry=registry, validate_formats=True)


def assert_valid(document: dict[str, Any], name: str, instance: Any) -> None:
    """``instance`` validates against the component schema ``name``."""
    errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}"
              for e in schema_validator(document, name).iter_errors(instance)]
    assert errors == [], (name, errors)


def refs_in(node: Any) -> Iterator[str]:
    """Every ``$ref`` value anywhere inside a JSON value."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs_in(value)


def resolve_pointer(document: dict[str, Any], ref: str) -> Any:
    """Follow a local JSON pointer (``#/a/b``) inside ``document``; KeyError if it dangles."""
    assert ref.startswith("#/"), f"only local references are expected: {ref}"
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


# --- list ---------------------------------------------------------------------------------

def test_list_pages_totals_and_facets(client: FlaskClient, make_course: MakeCourse) -> None:
    make_course(title="Corso Alfa", kind="its", eqf_level="5", start_date=in_days(100),
                application_deadline="")
    make_course(title="Corso Beta", kind="its", eqf_level="6", start_date=in_days(130),
                cost_eur="300.00", language="en")
    make_course(title="Corso Gamma", kind="ifts", eqf_level="4", area="ict_data",
                start_date=in_days(160), application_deadline="")
    archive(make_course(title="Corso Archiviato", start_date=in_days(70), application_deadline=""))

    first = get_json(client, f"{API}/courses?per_page=2&sort=start")
    assert set(first) == PAGE_FIELDS | {"facets"}
    assert (first["total"], first["page"], first["per_page"], first["pages"]) == (3, 1, 2, 2)
    assert titles(first) == ["Corso Alfa", "Corso Beta"]
    assert all(set(item) == COURSE_FIELDS for item in first["items"])
    # The list leaves the occupations to the single-course endpoint.
    assert all(item["occupations"] is None and item["occupation_codes"] is None
               for item in first["items"])
    assert first["facets"] == {
        "kind": {"its": 2, "ifts": 1},
        "area": {"mechatronics": 2, "ict_data": 1},
        "eqf_level": {"4": 1, "5": 1, "6": 1},
        "language": {"it": 2, "en": 1},
        "free": {"true": 2},
    }

    second = get_json(client, f"{API}/courses?per_page=2&page=2&sort=start")
    assert (second["total"], second["page"], second["pages"]) == (3, 2, 2)
    assert titles(second) == ["Corso Gamma"]

    beyond = get_json(client, f"{API}/courses?per_page=2&page=9")
    assert beyond["items"] == [] and beyond["total"] == 3 and beyond["page"] == 9

    everything = get_json(client, f"{API}/courses")
    assert everything["per_page"] == 20 and everything["pages"] == 1
    assert "Corso Archiviato" not in titles(everything)


def test_per_page_bounds_are_inclusive(client: FlaskClient, make_course: MakeCourse) -> None:
    make_course(title="Corso Uno")
    make_course(title="Corso Due")
    assert len(get_json(client, f"{API}/courses?per_page=1")["items"]) == 1
    body = get_json(client, f"{API}/courses?per_page=100")
    assert body["per_page"] == 100 and len(body["items"]) == 2


@pytest.fixture
def catalogue(make_course: MakeCourse) -> None:
    """Five active courses that the filters tell apart, and an archived one."""
    make_course(title="Corso Alfa", kind="its", eqf_level="5", area="energy", cost_eur="0",
                start_date=in_days(100), application_deadline="")
    make_course(title="Corso Beta", kind="its", eqf_level="6", area="energy",
                cost_eur="200.00", language="en", start_date=in_days(130))
    make_course(title="Corso Gamma", kind="iefp_qualifica", eqf_level="3", area="iefp_food",
                start_date=in_days(114), application_deadline="")
    make_course(title="Corso Delta", kind="ifts", eqf_level="4", area="ict_data",
                start_date=in_days(1000), application_deadline="")
    make_course(title="Corso Epsilon", kind="iefp_diploma", eqf_level="4", area="iefp_food",
                cost_eur="50.00", start_date=in_days(330), application_deadline="")
    archive(make_course(title="Corso Archiviato", kind="its", eqf_level="5", area="energy",
                        start_date=in_days(100), application_deadline=""))


ALL_TITLES = ("Corso Alfa", "Corso Beta", "Corso Gamma", "Corso Delta", "Corso Epsilon",
              "Corso Archiviato")
#: Stands for a date 300 days from today (after every start but Epsilon's and Delta's).
LATER = "later"


@pytest.mark.parametrize(("params", "expected"), [
    ([("kind", "its")], ["Corso Alfa", "Corso Beta"]),
    ([("kind", "its"), ("kind", "ifts")], ["Corso Alfa", "Corso Beta", "Corso Delta"]),
    ([("eqf", "4")], ["Corso Epsilon", "Corso Delta"]),
    ([("eqf", "3"), ("eqf", "6")], ["Corso Gamma", "Corso Beta"]),
    ([("area", "iefp_food")], ["Corso Gamma", "Corso Epsilon"]),
    ([("area", "energy"), ("area", "ict_data")], ["Corso Alfa", "Corso Beta", "Corso Delta"]),
    ([("free", "true")], ["Corso Alfa", "Corso Gamma", "Corso Delta"]),
    ([("kind", "its"), ("free", "true")], ["Corso Alfa"]),
    ([("language", "en")], ["Corso Beta"]),
    ([("start_after", LATER)], ["Corso Epsilon", "Corso Delta"]),
    ([("kind", "its"), ("eqf", "6")], ["Corso Beta"]),
    ([("kind", "ifts"), ("eqf", "3")], []),
])
def test_filters_mirror_the_search_page(
        client: FlaskClient, catalogue: None, params: list[tuple[str, str]],
        expected: list[str]) -> None:
    params = [(k, in_days(300) if v == LATER else v) for k, v in params]
    query = urlencode([*params, ("sort", "start")])
    body = get_json(client, f"{API}/courses?{query}")
    found = titles(body)
    assert sorted(found) == sorted(expected)
    assert body["total"] == len(expected)
    # Same query string on the HTML search page: the same courses in the same order.
    page = client.get(f"/courses/?{query}", headers={"HX-Request": "true"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    on_page = sorted((t for t in ALL_TITLES if t in html), key=html.index)
    assert on_page == found


def test_sort_by_start_date(client: FlaskClient, catalogue: None) -> None:
    body = get_json(client, f"{API}/courses?sort=start")
    assert titles(body) == ["Corso Alfa", "Corso Gamma", "Corso Beta", "Corso Epsilon",
                            "Corso Delta"]


def test_facets_count_with_the_other_filters(client: FlaskClient, catalogue: None) -> None:
    body = get_json(client, f"{API}/courses?kind=its")
    # The kind facet ignores its own filter; the others count ITS courses only.
    assert body["facets"]["kind"] == {"its": 2, "iefp_qualifica": 1, "ifts": 1,
                                      "iefp_diploma": 1}
    assert body["facets"]["eqf_level"] == {"5": 1, "6": 1}
    assert body["facets"]["free"] == {"true": 1}
    assert body["facets"]["language"] == {"it": 1, "en": 1}


def test_words_are_searched_with_italian_stemming(
        client: FlaskClient, make_course: MakeCourse) -> None:
    make_course(title="Tecnico superiore per la meccatronica industriale")
    make_course(title="Operatore del benessere", area="business_services")
    body = get_json(client, f"{API}/courses?q=meccatronico")
    assert titles(body) == ["Tecnico superiore per la meccatronica industriale"]
    assert body["total"] == 1
    assert titles(get_json(client, f"{API}/courses?q=BENESSERE")) == ["Operatore del benessere"]
    assert get_json(client, f"{API}/courses?q=pasticceria")["items"] == []


def test_place_and_km_filter_by_distance_and_sort_nearest_first(
        client: FlaskClient, make_course: MakeCourse) -> None:
    milano, sesto = place("015146"), place("015209")
    make_course(title="In Milano", site_place_codes="015146",
                site_latitudes=str(milano.latitude), site_longitudes=str(milano.longitude),
                start_date=in_days(100), application_deadline="")
    make_course(title="A Sesto", site_place_codes="015209",
                site_latitudes=str(sesto.latitude), site_longitudes=str(sesto.longitude),
                start_date=in_days(190))
    make_course(title="Lontano", site_place_codes="015146", site_latitudes="45.80",
                site_longitudes="9.90", start_date=in_days(130))

    body = get_json(client, f"{API}/courses?place=015209&sort=distance")
    assert titles(body) == ["A Sesto", "In Milano", "Lontano"]
    distances = [item["distance_km"] for item in body["items"]]
    assert all(isinstance(d, float | int) for d in distances)
    assert distances == sorted(distances)
    assert distances[0] < 0.5
    # Milano-Sesto San Giovanni is about 8 km between the town centres.
    assert 5 < distances[1] < 12
    assert distances[2] > 40

    # A place without a sort sorts by distance too; another sort chosen wins.
    assert titles(get_json(client, f"{API}/courses?place=015209")) == titles(body)
    assert titles(get_json(client, f"{API}/courses?place=015209&sort=start")) == [
        "In Milano", "Lontano", "A Sesto"]
    assert titles(get_json(client, f"{API}/courses?place=015209&km=3")) == ["A Sesto"]
    near = get_json(client, f"{API}/courses?place=015209&km=20&sort=distance")
    assert titles(near) == ["A Sesto", "In Milano"] and near["total"] == 2
    # A municipio of Milan is a place too.
    assert get_json(client, f"{API}/courses?place=015146-1&km=5")["total"] == 1
    # Without a place there is no distance, and sort=distance falls back.
    plain = get_json(client, f"{API}/courses?sort=distance")
    assert plain["total"] == 3
    assert all(item["distance_km"] is None for item in plain["items"])


@pytest.mark.parametrize(("query", "parameter"), [
    ("per_page=0", "per_page"),
    ("page=0", "page"),
    ("page=x", "page"),
    ("per_page=101", "per_page"),
    ("per_page=x", "per_page"),
    ("per_page=-5", "per_page"),
    ("per_page=", "per_page"),
    ("kind=university", "kind"),
    ("kind=its&kind=nope", "kind"),
    ("eqf=7", "eqf"),
    ("eqf=x", "eqf"),
    ("area=astrology", "area"),
    ("start_after=2027-13-01", "start_after"),
    ("start_after=yesterday", "start_after"),
    ("place=999999", "place"),
    ("place=Milano", "place"),
    ("km=0", "km"),
    ("km=500", "km"),
    ("language=fr", "language"),
    ("sort=random", "sort"),
])
def test_bad_parameters_are_refused_by_name(
        client: FlaskClient, reference_data: None, query: str, parameter: str) -> None:
    body = get_json(client, f"{API}/courses?{query}", status=400)
    assert body["error"] == "invalid parameters"
    assert parameter in body["fields"], body
    messages = body["fields"][parameter]
    assert messages and all(isinstance(m, str) and m for m in messages)


@pytest.mark.parametrize("endpoint", ["occupations", "providers"])
@pytest.mark.parametrize(("query", "parameter"), [
    ("per_page=0", "per_page"), ("per_page=101", "per_page"), ("per_page=x", "per_page"),
    ("page=0", "page"), ("page=x", "page"), ("page=100001", "page"),
])
def test_reference_lists_refuse_bad_paging(
        client: FlaskClient, reference_data: None, endpoint: str, query: str,
        parameter: str) -> None:
    body = get_json(client, f"{API}/{endpoint}?{query}", status=400)
    assert body["error"] == "invalid parameters"
    assert list(body["fields"]) == [parameter]


@pytest.mark.parametrize("url", [
    f"{API}/courses?per_page=%C2%B2",
    f"{API}/occupations?page=%C2%B2",
    f"{API}/providers?per_page=%C2%B3",
])
def test_unicode_digits_are_refused_not_crashing(
        client: FlaskClient, reference_data: None, url: str) -> None:
    body = get_json(client, url, status=400)
    assert body["error"] == "invalid parameters"


# --- detail -------------------------------------------------------------------------------

def test_detail_has_every_field_consistent_with_the_course(
        client: FlaskClient, make_course: MakeCourse, make_provider: Callable[..., Provider],
        app: Flask) -> None:
    provider = make_provider(code="FOND-VOLTA", name="Fondazione Volta")
    occupation = first_occupation()
    sesto = place("015209")
    course = make_course(
        provider=provider, title="Tecnico superiore meccatronico",
        title_en="Mechatronics technician", description_en="Robots and sensors.",
        site_addresses="Via Demo 1|Viale Italia 5", site_place_codes="015146|015209",
        site_latitudes=f"45.4642|{sesto.latitude}", site_longitudes=f"9.19|{sesto.longitude}",
        occupation_codes=occupation.cp2021, start_date=in_days(200),
        application_deadline=in_days(180))

    body = get_json(client, f"{API}/courses/{course.id}")
    assert set(body) == COURSE_FIELDS
    assert body["id"] == course.id
    assert body["provider"] == {"id": provider.id, "code": "FOND-VOLTA",
                                "name": "Fondazione Volta"}
    assert body["course_code"] == course.code
    assert (body["kind"], body["area"], body["eqf_level"]) == ("its", "mechatronics", 5)
    assert body["title"] == "Tecnico superiore meccatronico"
    assert body["description"] == "Robot, sensori e linee di produzione."
    assert body["translations"] == {"en": {"title": "Mechatronics technician",
                                           "description": "Robots and sensors."}}
    assert (body["hours"], body["semesters"], body["seats"]) == (2000, 4, 25)
    assert body["start_date"] == in_days(200)
    assert body["application_deadline"] == in_days(180)
    assert body["enrolment"] == "open"
    assert body["cost_eur"] == "0.00" and body["free"] is True
    assert body["admission"] == "Diploma di scuola secondaria superiore."
    assert body["language"] == "it"
    assert body["sites"] == [
        {"address": "Via Demo 1", "place_code": "015146", "place_name": "Milano",
         "latitude": 45.4642, "longitude": 9.19},
        {"address": "Viale Italia 5", "place_code": "015209",
         "place_name": "Sesto San Giovanni", "latitude": sesto.latitude,
         "longitude": sesto.longitude},
    ]
    assert body["occupation_codes"] == [occupation.cp2021]
    assert body["occupations"] == [{
        "id": occupation.id, "cp2021": occupation.cp2021, "isco08": occupation.isco08,
        "title_it": occupation.title_it, "title_en": occupation.title_en,
        "description_it": occupation.description_it,
        "description_en": occupation.description_en,
        "riasec": {k.upper(): v for k, v in occupation.riasec.items()},
    }]
    assert set(body["occupations"][0]["riasec"]) == set("RIASEC")
    assert body["riasec"] == {"R": 0.9, "I": 0.7, "A": 0.1, "S": 0.2, "E": 0.3, "C": 0.5}
    assert body["contact_email"] == "info@example.org"
    assert body["contact_phone"] == "02 1234 5678"
    assert body["web_url"] == "https://example.org/corso"
    assert datetime.fromisoformat(body["updated_at"]) == course.updated_at
    assert body["distance_km"] is None


def test_detail_of_a_paid_course_with_empty_optional_fields(
        client: FlaskClient, make_course: MakeCourse) -> None:
    course = make_course(cost_eur="150.5", seats="", application_deadline="",
                         contact_email="", contact_phone="", web_url="")
    body = get_json(client, f"{API}/courses/{course.id}")
    assert body["cost_eur"] == "150.50" and body["free"] is False
    assert body["seats"] is None and body["application_deadline"] is None
    assert (body["contact_email"], body["contact_phone"], body["web_url"]) == (None, None, None)
    assert body["translations"] == {}
    assert body["occupation_codes"] == [] and body["occupations"] == []


def test_list_items_match_the_detail(client: FlaskClient, make_course: MakeCourse) -> None:
    course = make_course(title="Corso Confronto", cost_eur="99.90")
    item = get_json(client, f"{API}/courses")["items"][0]
    detail = get_json(client, f"{API}/courses/{course.id}")
    skip = {"occupations", "occupation_codes"}
    assert {k: v for k, v in item.items() if k not in skip} == {
        k: v for k, v in detail.items() if k not in skip}
    assert item["cost_eur"] == "99.90" and item["free"] is False


def test_archived_course_is_a_json_404(client: FlaskClient, make_course: MakeCourse) -> None:
    course = make_course()
    assert get_json(client, f"{API}/courses/{course.id}")["id"] == course.id
    archive(course)
    body = get_json(client, f"{API}/courses/{course.id}", status=404)
    assert body["error"] and set(body) == {"error", "fields"}


@pytest.mark.parametrize("course_id", [0, 999_999, 2**31 - 1])
def test_missing_course_is_a_json_404(
        client: FlaskClient, make_course: MakeCourse, course_id: int) -> None:
    make_course()
    body = get_json(client, f"{API}/courses/{course_id}", status=404)
    assert body["error"] and set(body) == {"error", "fields"}


def test_archived_or_missing_course_is_404(client: FlaskClient, make_course: MakeCourse) -> None:
    # The status part of the contract, which holds today whatever the body's format.
    course = make_course()
    archive(course)
    assert client.get(f"{API}/courses/{course.id}").status_code == 404
    assert client.get(f"{API}/courses/999999").status_code == 404
    assert client.get(f"{API}/courses/{2**40}").status_code == 404


# --- occupations and providers ------------------------------------------------------------

def test_occupations_are_paged_by_code(client: FlaskClient, reference_data: None) -> None:
    codes = list(db.session.scalars(select(Occupation.cp2021).order_by(Occupation.cp2021)))
    assert codes, "the reference data holds no occupation"
    body = get_json(client, f"{API}/occupations?per_page=100")
    assert set(body) == PAGE_FIELDS
    assert body["total"] == len(codes)
    assert body["pages"] == max(1, -(-len(codes) // 100))
    assert [o["cp2021"] for o in body["items"]] == codes[:100]
    first = first_occupation()
    item = body["items"][0]
    assert set(item) == OCCUPATION_FIELDS
    assert item["id"] == first.id and item["isco08"] == first.isco08
    assert item["title_it"] == first.title_it and item["title_en"] == first.title_en
    assert item["riasec"] == {k.upper(): v for k, v in first.riasec.items()}

    one = get_json(client, f"{API}/occupations?per_page=1&page=1")
    assert [o["cp2021"] for o in one["items"]] == codes[:1]
    assert (one["per_page"], one["pages"]) == (1, len(codes))
    if len(codes) > 1:
        second = get_json(client, f"{API}/occupations?per_page=1&page=2")
        assert [o["cp2021"] for o in second["items"]] == codes[1:2]
    beyond = get_json(client, f"{API}/occupations?per_page=1&page={len(codes) + 1}")
    assert beyond["items"] == [] and beyond["total"] == len(codes)


def test_providers_count_only_active_courses(
        client: FlaskClient, make_course: MakeCourse,
        make_provider: Callable[..., Provider]) -> None:
    busy = make_provider(code="AAA-BUSY", name="Fondazione Attiva", website="https://a.example")
    idle = make_provider(code="BBB-IDLE", name="Centro Fermo", municipality="Rho")
    make_course(provider=busy)
    make_course(provider=busy)
    archive(make_course(provider=busy))
    archive(make_course(provider=idle))

    body = get_json(client, f"{API}/providers")
    assert set(body) == PAGE_FIELDS
    assert (body["total"], body["page"], body["pages"]) == (2, 1, 1)
    assert body["items"] == [
        {"id": busy.id, "code": "AAA-BUSY", "name": "Fondazione Attiva",
         "kind": "training_centre", "municipality": "Milano", "website": "https://a.example",
         "active_courses": 2},
        {"id": idle.id, "code": "BBB-IDLE", "name": "Centro Fermo", "kind": "training_centre",
         "municipality": "Rho", "website": None, "active_courses": 0},
    ]
    second = get_json(client, f"{API}/providers?per_page=1&page=2")
    assert [p["code"] for p in second["items"]] == ["BBB-IDLE"]
    assert (second["total"], second["pages"]) == (2, 2)
    assert get_json(client, f"{API}/providers?page=3&per_page=1")["items"] == []


# --- caching ------------------------------------------------------------------------------

def conditional_get(client: FlaskClient, url: str, **headers: str) -> TestResponse:
    """GET ``url`` with conditional request headers."""
    return client.get(url, headers={k.replace("_", "-"): v for k, v in headers.items()})


def test_every_endpoint_answers_if_none_match_with_304(
        client: FlaskClient, make_course: MakeCourse) -> None:
    course = make_course()
    for url in (f"{API}/courses", f"{API}/courses/{course.id}", f"{API}/occupations",
                f"{API}/providers"):
        first = client.get(url)
        assert first.status_code == 200
        etag = first.headers.get("ETag")
        assert etag and etag.startswith('"') and not etag.startswith("W/"), (url, etag)
        assert first.headers["Last-Modified"], url
        again = conditional_get(client, url, If_None_Match=etag)
        assert again.status_code == 304, url
        assert again.data == b""
        assert again.headers["ETag"] == etag
        other = conditional_get(client, url, If_None_Match='"something-else"')
        assert other.status_code == 200 and other.data == first.data


def test_etag_changes_when_a_course_changes(client: FlaskClient, make_course: MakeCourse) -> None:
    course = make_course(title="Titolo vecchio")
    other = make_course(title="Altro corso")
    list_url, detail_url = f"{API}/courses", f"{API}/courses/{course.id}"
    list_etag = client.get(list_url).headers["ETag"]
    detail_etag = client.get(detail_url).headers["ETag"]

    edit(course, title="Titolo nuovo")
    fresh = conditional_get(client, list_url, If_None_Match=list_etag)
    assert fresh.status_code == 200
    assert "Titolo nuovo" in titles(fresh.get_json())
    assert fresh.headers["ETag"] != list_etag
    fresh_detail = conditional_get(client, detail_url, If_None_Match=detail_etag)
    assert fresh_detail.status_code == 200
    assert fresh_detail.get_json()["title"] == "Titolo nuovo"
    assert fresh_detail.headers["ETag"] != detail_etag

    list_etag = fresh.headers["ETag"]
    archive(other)
    after_archive = conditional_get(client, list_url, If_None_Match=list_etag)
    assert after_archive.status_code == 200
    assert after_archive.headers["ETag"] != list_etag
    assert titles(after_archive.get_json()) == ["Titolo nuovo"]


def test_last_modified_is_the_newest_course_change(
        client: FlaskClient, make_course: MakeCourse) -> None:
    make_course(title="Corso Primo")
    second = make_course(title="Corso Secondo")
    make_course(title="Corso Terzo")
    edit(second, title="Corso Secondo rivisto")
    newest = db.session.scalar(select(func.max(Course.updated_at)))
    assert newest is not None and newest == second.updated_at

    response = client.get(f"{API}/courses")
    assert response.last_modified == newest.replace(microsecond=0)
    assert response.headers["Last-Modified"] == http_date(newest)

    later = http_date(newest + timedelta(seconds=5))
    assert conditional_get(client, f"{API}/courses", If_Modified_Since=later).status_code == 304
    same = http_date(newest)
    assert conditional_get(client, f"{API}/courses", If_Modified_Since=same).status_code == 304
    earlier = http_date(newest - timedelta(minutes=5))
    stale = conditional_get(client, f"{API}/courses", If_Modified_Since=earlier)
    assert stale.status_code == 200 and stale.get_json()["total"] == 3

    detail = client.get(f"{API}/courses/{second.id}")
    assert detail.last_modified == second.updated_at.replace(microsecond=0)


def test_last_modified_moves_when_a_course_is_archived(
        client: FlaskClient, make_course: MakeCourse) -> None:
    course = make_course()
    course.updated_at = datetime.now(UTC) - timedelta(hours=1)
    db.session.commit()
    old = client.get(f"{API}/courses").last_modified
    assert old == course.updated_at.replace(microsecond=0)
    archive(course)
    after = conditional_get(client, f"{API}/courses",
                            If_Modified_Since=http_date(old + timedelta(seconds=1)))
    assert after.status_code == 200
    assert after.last_modified is not None and after.last_modified > old


# --- CORS ---------------------------------------------------------------------------------

def test_cross_origin_gets_are_allowed_on_the_api_only(
        client: FlaskClient, make_course: MakeCourse) -> None:
    course = make_course()
    origin = {"Origin": "https://example.org"}
    for url in (f"{API}/courses", f"{API}/courses/{course.id}", f"{API}/occupations",
                f"{API}/providers", f"{API}/openapi.json"):
        response = client.get(url, headers=origin)
        assert response.status_code == 200
        assert response.headers.get("Access-Control-Allow-Origin") in ("*",
                                                                       "https://example.org")
        assert "Access-Control-Allow-Credentials" not in response.headers
    page = client.get("/courses/", headers=origin)
    assert page.status_code == 200
    assert "Access-Control-Allow-Origin" not in page.headers
    assert "Access-Control-Allow-Origin" not in client.get(
        f"/courses/{course.id}", headers=origin).headers


def test_cross_origin_gets_receive_the_wildcard(client: FlaskClient, reference_data: None
                                                ) -> None:
    response = client.get(f"{API}/courses", headers={"Origin": "https://example.org"})
    assert response.headers.get("Access-Control-Allow-Origin") == "*"


# --- rate limit ---------------------------------------------------------------------------

@pytest.mark.parametrize("app_config", [
    {"RATELIMIT_ENABLED": True, "API_RATE_LIMIT": "3 per minute"}])
def test_the_api_is_rate_limited(client: FlaskClient, reference_data: None) -> None:
    for _ in range(3):
        assert client.get(f"{API}/courses").status_code == 200
    response = client.get(f"{API}/courses")
    assert response.status_code == 429
    assert response.mimetype == "application/json"
    assert response.get_json() == {"error": "too many requests", "fields": {}}
    assert response.headers["Retry-After"]


# --- query count --------------------------------------------------------------------------

def test_query_count_does_not_grow_with_the_page(
        client: FlaskClient, make_course: MakeCourse, queries: list[str]) -> None:
    code = first_occupation().cp2021

    def add(n: int) -> None:
        make_course(title=f"Meccatronica {n}", site_addresses="Via A 1|Via B 2",
                    site_place_codes="015146|015209", site_latitudes="45.46|45.53",
                    site_longitudes="9.19|9.23", occupation_codes=code)

    for n in range(3):
        add(n)
    url = f"{API}/courses?per_page=50&place=015146&km=50&sort=distance"
    queries.clear()
    assert len(get_json(client, url)["items"]) == 3
    small = len(queries)
    for n in range(3, 40):
        add(n)
    queries.clear()
    assert len(get_json(client, url)["items"]) == 40
    assert len(queries) == small
    queries.clear()
    assert len(get_json(client, f"{API}/courses?per_page=50")["items"]) == 40
    assert len(queries) <= small


# --- OpenAPI ------------------------------------------------------------------------------

def test_openapi_document_is_valid_3_1(client: FlaskClient, app: Flask) -> None:
    from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

    document = api_document(client)
    assert document["openapi"] == "3.1.0"
    errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}"
              for e in OPENAPI_31_VALIDATOR.iter_errors(document)]
    assert errors == []
    assert document["servers"][0]["url"].endswith("/api/v1")

    # Every reference resolves, both by pointer and through a JSON Schema registry.
    refs = set(refs_in(document))
    assert "#/components/schemas/CourseOut" in refs
    registry = jsonschema_rs.Registry([(DOCUMENT_URI, document)], draft=jsonschema_rs.Draft202012)
    resolver = registry.resolver(DOCUMENT_URI)
    for ref in sorted(refs):
        assert resolve_pointer(document, ref) is not None
        assert resolver.lookup(ref).contents is not None
    # Each response schema compiles as Draft 2020-12.
    for name in document["components"]["schemas"]:
        schema_validator(document, name)

    # The documented paths are exactly the API's routes (besides the document itself).
    routes = {rule.rule.removeprefix(API).replace("<int:course_id>", "{course_id}")
              for rule in app.url_map.iter_rules() if rule.rule.startswith(API + "/")}
    assert set(document["paths"]) == routes - {"/openapi.json"}
    for path, item in document["paths"].items():
        operation = item["get"]
        assert set(item) == {"get"}, path
        assert operation["operationId"]
        for status, response in operation["responses"].items():
            schema = response["content"]["application/json"]["schema"]
            assert resolve_pointer(document, schema["$ref"]), (path, status)
        assert operation["responses"]["200"]["headers"].keys() >= {"ETag", "Last-Modified"}
        assert "400" in operation["responses"] and "429" in operation["responses"]


def test_real_responses_validate_against_their_schemas(
        client: FlaskClient, make_course: MakeCourse, make_provider: Callable[..., Provider]
        ) -> None:
    document = api_document(client)
    code = first_occupation().cp2021
    course = make_course(title="Corso con tutto", occupation_codes=code, title_en="All in",
                         site_addresses="Via A 1|Via B 2", site_place_codes="015146|015209",
                         site_latitudes="45.46|45.53", site_longitudes="9.19|9.23")
    make_course(title="Corso a pagamento", cost_eur="1200.00", seats="", start_date="",
                application_deadline="", contact_email="", web_url="", contact_phone="",
                kind="ifts", eqf_level="4", area="ict_data")
    make_provider()

    for url in (f"{API}/courses", f"{API}/courses?place=015209&sort=distance&q=corso",
                f"{API}/courses?page=5"):
        body = get_json(client, url)
        assert_valid(document, "CoursePage", body)
    assert_valid(document, "CourseOut", get_json(client, f"{API}/courses/{course.id}"))
    assert_valid(document, "OccupationPage", get_json(client, f"{API}/occupations"))
    assert_valid(document, "ProviderPage", get_json(client, f"{API}/providers"))
    assert_valid(document, "ErrorOut", get_json(client, f"{API}/courses?kind=x", status=400))

    # The validators are not vacuous: a broken item is refused.
    broken = get_json(client, f"{API}/courses/{course.id}")
    broken["cost_eur"] = 0
    assert not schema_validator(document, "CourseOut").is_valid(broken)
    del broken["cost_eur"]
    assert not schema_validator(document, "CourseOut").is_valid(broken)
    assert not schema_validator(document, "CoursePage").is_valid({"items": []})


# --- schemathesis -------------------------------------------------------------------------

@pytest.fixture
def seeded(make_course: MakeCourse, make_provider: Callable[..., Provider]) -> list[int]:
    """A few courses of every kind (one archived, one with occupations) for the fuzzing."""
    code = first_occupation().cp2021
    provider = make_provider()
    courses = [
        make_course(provider=provider, occupation_codes=code, title_en="Automation"),
        make_course(provider=provider, kind="ifts", eqf_level="4", area="ict_data",
                    cost_eur="350.00", language="en", site_place_codes="015209",
                    site_latitudes="45.535", site_longitudes="9.237"),
        make_course(kind="iefp_qualifica", eqf_level="3", area="iefp_food", start_date="",
                    application_deadline="", seats=""),
        make_course(kind="iefp_diploma", eqf_level="4", area="iefp_food", cost_eur="10.00"),
    ]
    archive(make_course(title="Archiviato"))
    return [c.id for c in courses]


def run_operation(app: Flask, operation_id: str, max_examples: int = 30,
                  course_ids: list[int] | None = None) -> int:
    """Fuzz one operation with schemathesis' positive data; return the number of calls.

    With ``course_ids``, generated course ids are replaced by one of them.
    """
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", app)
    operations = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        operations[operation.definition.raw["operationId"]] = operation
    operation = operations[operation_id]
    # The document describes ``place`` by its pattern and says unknown codes are refused
    # (a documented 400); positive data must be accepted, so draw places from the table.
    known = sorted(db.session.scalars(select(Place.code)))

    def use_known_values(case: Any) -> Any:
        if case.query and case.query.get("place"):
            case.query["place"] = known[int(case.query["place"][:6]) % len(known)]
        if course_ids and case.path_parameters:
            case.path_parameters["course_id"] = course_ids[
                case.path_parameters["course_id"] % len(course_ids)]
        return case

    calls = 0

    @given(case=operation.as_strategy().map(use_known_values))
    @settings(max_examples=max_examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case: Any) -> None:
        nonlocal calls
        calls += 1
        case.call_and_validate()

    check()
    return calls


@pytest.mark.parametrize("operation_id", ["listCourses", "listOccupations", "listProviders"])
def test_schemathesis_finds_no_contract_violation(
        app: Flask, seeded: list[int], operation_id: str) -> None:
    assert run_operation(app, operation_id) > 0


def test_schemathesis_finds_no_contract_violation_on_get_course(
        app: Flask, seeded: list[int]) -> None:
    assert run_operation(app, "getCourse") > 0


def test_schemathesis_finds_no_contract_violation_on_existing_courses(
        app: Flask, seeded: list[int]) -> None:
    assert run_operation(app, "getCourse", max_examples=10, course_ids=seeded) > 0
