"""Full-text search, filters, facets, distance and paging, on the configured database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from orientamento.courses.models import Course, CourseStatus, Place
from orientamento.courses.queries import CourseQuery
from orientamento.courses.results import search_courses
from orientamento.courses.search import fold, stems, terms
from orientamento.courses.services import set_course_status
from orientamento.extensions import db
from tests.courses.days import in_days

MakeCourse = Callable[..., Course]


def found(q: str = "", **filters: Any) -> list[str]:
    """Titles of the courses a query finds, in result order."""
    result = search_courses(CourseQuery(q=q, **filters))
    return [c.title for c in result.courses]


def test_fold_strips_accents_and_case() -> None:
    assert fold("Attività TURISTICHE à è") == "attivita turistiche a e"
    assert terms("  Meccatronica, e-commerce!! ") == ["meccatronica", "e", "commerce"]


def test_italian_stems_join_singular_plural_and_gender() -> None:
    assert stems(["meccatronico"]) == stems(["meccatronica"])
    assert stems(["tecnici"]) == stems(["tecnico"])


@pytest.mark.parametrize(("title", "query"), [
    ("Tecnico superiore meccatronica", "meccatronico"),
    ("Tecnico superiore meccatronica", "MECCATRONICI"),
    ("Operatore delle attività turistiche", "attivita"),
    ("Operatore delle attività turistiche", "turistico"),
    ("Tecnico dell'informatica gestionale", "informatico"),
    ("Tecnico superiore per la logistica", "logist"),
])
def test_word_forms_and_accents_match(make_course: MakeCourse, title: str, query: str) -> None:
    make_course(title=title)
    make_course(title="Operatore del benessere", area="business_services")
    assert found(query) == [title]


def test_words_in_provider_occupation_and_area_are_found(
        make_course: MakeCourse, make_provider: Callable[..., Any]) -> None:
    provider = make_provider(name="Fondazione Volta Aerospazio")
    make_course(provider=provider, title="Corso A")
    make_course(title="Corso B", area="energy", kind="its")
    make_course(title="Corso C", occupation_codes=_first_occupation_code())
    assert found("aerospazio") == ["Corso A"]
    assert "Corso B" in found("energia")
    occupation_title = _first_occupation_title()
    assert "Corso C" in found(occupation_title.split()[0])


def _first_occupation_code() -> str:
    from sqlalchemy import select

    from orientamento.courses.models import Occupation

    return db.session.scalars(select(Occupation.cp2021).order_by(Occupation.cp2021)).first() or ""


def _first_occupation_title() -> str:
    from sqlalchemy import select

    from orientamento.courses.models import Occupation

    return db.session.scalars(
        select(Occupation.title_it).order_by(Occupation.cp2021)).first() or ""


def test_all_words_must_match_and_ranking_prefers_more_hits(make_course: MakeCourse) -> None:
    make_course(title="Cucina e ristorazione", description="Cucina, cucina e ancora cucina.")
    make_course(title="Sala bar", description="Un modulo di cucina.")
    make_course(title="Meccanica", description="Nulla a che vedere.")
    assert found("cucina") == ["Cucina e ristorazione", "Sala bar"]
    assert found("cucina sala") == ["Sala bar"]
    assert found("cucina robotica") == []


def test_query_syntax_is_inert(make_course: MakeCourse) -> None:
    make_course(title="Tecnico meccatronico")
    for query in ('"', "mecc*", "NOT mecc", "mecc OR x", "a & b | !c", "')--", "NEAR(x y)",
                  ":*", "\\", "%_"):
        result = search_courses(CourseQuery(q=query))
        assert isinstance(result.total, int)
    assert found("mecc") == ["Tecnico meccatronico"]


def test_archived_courses_leave_search(make_course: MakeCourse) -> None:
    course = make_course(title="Corso archiviato")
    assert found("archiviato") == ["Corso archiviato"]
    set_course_status(course, CourseStatus.ARCHIVED)
    db.session.commit()
    assert found("archiviato") == []


def test_edits_are_reindexed(make_course: MakeCourse) -> None:
    from orientamento.courses.records import format_record, parse_row, record_of
    from orientamento.courses.services import update_course

    course = make_course(title="Titolo vecchio")
    cells = format_record(record_of(course)) | {"title": "Pasticceria artigianale"}
    record, errors = parse_row(cells)
    assert record is not None, errors
    update_course(course, record)
    db.session.commit()
    assert found("vecchio") == []
    assert found("pasticceria") == ["Pasticceria artigianale"]


def test_filters_combine_and_facets_ignore_their_own_filter(make_course: MakeCourse) -> None:
    make_course(title="A", kind="its", eqf_level="5", area="energy", cost_eur="0")
    make_course(title="B", kind="its", eqf_level="6", area="energy", cost_eur="200.00",
                language="en")
    make_course(title="C", kind="iefp_qualifica", eqf_level="3", area="iefp_food")
    make_course(title="D", kind="ifts", eqf_level="4", area="ict_data",
                start_date=in_days(1000), application_deadline="")
    assert sorted(found(kinds=("its",))) == ["A", "B"]
    assert found(kinds=("its",), eqf_levels=(6,)) == ["B"]
    assert found(kinds=("its",), free_only=True) == ["A"]
    assert found(language="en") == ["B"]
    assert found(areas=("iefp_food",)) == ["C"]
    assert found(start_after=date.fromisoformat(in_days(900))) == ["D"]
    result = search_courses(CourseQuery(kinds=("its",)))
    # The kind facet counts every kind (its own filter ignored); others count ITS only.
    assert result.facets["kind"] == {"its": 2, "iefp_qualifica": 1, "ifts": 1}
    assert result.facets["eqf_level"] == {5: 1, 6: 1}
    assert result.facets["free"] == {True: 1}
    assert result.total == 2


def test_distance_filter_and_sort(make_course: MakeCourse) -> None:
    milano = db.session.get(Place, "015146")
    sesto = db.session.get(Place, "015209")
    assert milano is not None and sesto is not None
    make_course(title="In Milano", site_place_codes="015146",
                site_latitudes=str(milano.latitude), site_longitudes=str(milano.longitude))
    make_course(title="A Sesto", site_place_codes="015209",
                site_latitudes=str(sesto.latitude), site_longitudes=str(sesto.longitude))
    far = "Lontano"
    make_course(title=far, site_place_codes="015146", site_latitudes="45.80",
                site_longitudes="9.90")
    result = search_courses(CourseQuery(place=sesto, sort="distance"))
    assert [c.title for c in result.courses] == ["A Sesto", "In Milano", far]
    assert result.distances[result.courses[0].id] < 0.5
    # Milano-Sesto San Giovanni is about 8 km between the town centres.
    assert 5 < result.distances[result.courses[1].id] < 12
    assert [c.title for c in search_courses(CourseQuery(place=sesto, km=3)).courses] == ["A Sesto"]
    assert sorted(found(place=sesto, km=20)) == ["A Sesto", "In Milano"]


def _three_places(make_course: MakeCourse) -> Place:
    """Courses in Sesto, Milano and far away, starting in another order; returns Sesto."""
    milano = db.session.get(Place, "015146")
    sesto = db.session.get(Place, "015209")
    assert milano is not None and sesto is not None
    make_course(title="In Milano", site_place_codes="015146", site_latitudes=str(milano.latitude),
                site_longitudes=str(milano.longitude), start_date=in_days(100),
                application_deadline="")
    make_course(title="A Sesto", site_place_codes="015209", site_latitudes=str(sesto.latitude),
                site_longitudes=str(sesto.longitude), start_date=in_days(190),
                application_deadline="")
    make_course(title="Lontano", site_place_codes="015146", site_latitudes="45.80",
                site_longitudes="9.90", start_date=in_days(130), application_deadline="")
    return sesto


def test_choosing_a_place_sorts_by_distance_unless_another_sort_is_chosen(
        client: FlaskClient, make_course: MakeCourse) -> None:
    _three_places(make_course)

    def order(query: str) -> tuple[list[str], str]:
        page = client.get(f"/courses/?{query}", headers={"HX-Request": "true",
                                                         "Accept-Language": "en"})
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        titles = ("In Milano", "A Sesto", "Lontano")
        return sorted((t for t in titles if t in html), key=html.index), html

    nearest_first = ["A Sesto", "In Milano", "Lontano"]
    by_start = ["In Milano", "Lontano", "A Sesto"]
    titles, html = order("place=015209")
    assert titles == nearest_first
    assert "Sorted by distance from Sesto San Giovanni" in html
    assert order("place=015209&sort=")[0] == nearest_first  # "Automatic" sent by the form
    assert order("place=015209&sort=distance")[0] == nearest_first
    titles, html = order("place=015209&sort=start")
    assert titles == by_start and "Sorted by distance" not in html
    # Without a place: the order of before (upcoming first when there are no words).
    titles, html = order("")
    assert titles == by_start and "Sorted by distance" not in html
    assert order("sort=distance")[0] == by_start


def test_courses_at_the_same_distance_come_by_relevance_then_title(
        make_course: MakeCourse) -> None:
    sesto = db.session.get(Place, "015209")
    assert sesto is not None
    at_sesto = {"site_place_codes": "015209", "site_latitudes": str(sesto.latitude),
                "site_longitudes": str(sesto.longitude)}
    make_course(title="Alfa", description="Un modulo di cucina.", **at_sesto)
    make_course(title="Beta", description="Cucina, cucina e ancora cucina.", **at_sesto)
    make_course(title="Gamma", description="Cucina, cucina, cucina, cucina e cucina.")
    near = {"place": sesto, "sort": "distance"}
    assert found("cucina", **near) == ["Beta", "Alfa", "Gamma"]
    assert found(**near) == ["Alfa", "Beta", "Gamma"]
    # Relevance alone, as before: the most relevant first wherever it is.
    assert found("cucina")[0] == "Gamma"


def test_a_course_with_two_sites_counts_its_nearest(make_course: MakeCourse) -> None:
    sesto = db.session.get(Place, "015209")
    assert sesto is not None
    make_course(title="Due sedi", site_addresses="Via A 1|Via B 2",
                site_place_codes="015146|015209", site_latitudes=f"45.80|{sesto.latitude}",
                site_longitudes=f"9.90|{sesto.longitude}")
    result = search_courses(CourseQuery(place=sesto, km=2))
    assert [c.title for c in result.courses] == ["Due sedi"]
    assert result.total == 1


def test_pages_do_not_overlap_and_count_everything(make_course: MakeCourse) -> None:
    for n in range(25):
        make_course(title=f"Corso {n:02d}", start_date=in_days(30 + n),
                    application_deadline="")
    first = search_courses(CourseQuery(page=1, per_page=10))
    third = search_courses(CourseQuery(page=3, per_page=10))
    assert first.total == 25 and first.pages == 3
    assert [c.title for c in first.courses] == [f"Corso {n:02d}" for n in range(10)]
    assert [c.title for c in third.courses] == [f"Corso {n:02d}" for n in range(20, 25)]
    assert search_courses(CourseQuery(page=9, per_page=10)).courses == []


def test_sort_by_start_puts_undated_last(make_course: MakeCourse) -> None:
    make_course(title="Senza data", start_date="", application_deadline="")
    make_course(title="Tardi", start_date=in_days(700), application_deadline="")
    make_course(title="Presto", start_date=in_days(10), application_deadline="")
    assert found(sort="start") == ["Presto", "Tardi", "Senza data"]


def test_query_count_does_not_grow_with_the_catalogue(
        app: Flask, make_course: MakeCourse, queries: list[str]) -> None:
    client = app.test_client()
    make_course(title="Meccatronica 0")
    url = "/courses/?q=meccatronica&kind=its&place=015146&km=50&sort=distance"
    # The requests share the test's session: start each from an empty identity map, as a
    # request does in production, or whether a place is still in it depends on the garbage
    # collector's timing.
    db.session.expunge_all()
    queries.clear()
    assert client.get(url).status_code == 200
    small = len(queries)
    for n in range(1, 30):
        make_course(title=f"Meccatronica {n}",
                    site_addresses="Via A 1|Via B 2", site_place_codes="015146|015209",
                    site_latitudes="45.46|45.53", site_longitudes="9.19|9.23",
                    occupation_codes=_first_occupation_code())
    db.session.expunge_all()
    queries.clear()
    assert client.get(url).status_code == 200
    assert len(queries) == small
    queries.clear()
    course_id = db.session.scalars(db.select(Course.id)).first()
    assert client.get(f"/courses/{course_id}").status_code == 200
    assert len(queries) <= 8
