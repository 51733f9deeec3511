"""The search cache (``courses.cache``): kept per catalogue version, dropped by every write."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import insert, select, text, update

from orientamento.courses import cache
from orientamento.courses.models import Course, CourseSite, CourseStatus, Place
from orientamento.courses.queries import CourseQuery
from orientamento.courses.results import search_courses
from orientamento.courses.services import reindex, set_course_status
from orientamento.extensions import db
from tests.conftest import COURSE_CELLS, is_postgres, make_app
from tests.courses.test_transfer import csv_bytes, row

MakeCourse = Callable[..., Course]
API = "/api/v1/courses?q=meccatronica"


def titles(client: Any, path: str = API) -> list[str]:
    """Titles the API lists for ``path``."""
    response = client.get(path)
    assert response.status_code == 200, response.data
    return [item["title"] for item in json.loads(response.data)["items"]]


def test_every_catalogue_table_write_bumps_the_version(make_course: MakeCourse) -> None:
    course = make_course(title="Meccatronica")
    seen = [cache.catalogue_version()]

    def bumped() -> bool:
        db.session.commit()
        seen.append(cache.catalogue_version())
        return seen[-1] > seen[-2]

    set_course_status(course, CourseStatus.ARCHIVED)
    assert bumped()
    db.session.execute(update(CourseSite).values(address="Via Nuova 1"))
    assert bumped()
    db.session.execute(update(Place).where(Place.code == "015146").values(name="Milano"))
    assert bumped()
    course.provider.name = "Fondazione rinominata"  # shown on the kept cards
    assert bumped()
    # A bulk insert bypassing the ORM (like the benchmark's seeding, or a console) counts too.
    db.session.execute(insert(Course.__table__).values(
        {**{c.name: getattr(course, c.key) for c in Course.__table__.columns if c.name != "id"},
         "code": "BULK-1"}))
    assert bumped()
    db.session.execute(text("DELETE FROM course_sites"))
    assert bumped()


def test_a_write_changes_the_next_search_and_its_facets(
        client: Any, make_course: MakeCourse) -> None:
    first = make_course(title="Meccatronica uno", kind="its")
    assert titles(client) == ["Meccatronica uno"]
    page = client.get("/courses/?q=meccatronica").get_data(as_text=True)
    assert "Meccatronica uno" in page
    second = make_course(title="Meccatronica due", kind="its")  # created
    assert sorted(titles(client)) == ["Meccatronica due", "Meccatronica uno"]
    page = client.get("/courses/?q=meccatronica").get_data(as_text=True)
    assert "Meccatronica due" in page
    set_course_status(first, CourseStatus.ARCHIVED)  # archived
    db.session.commit()
    assert titles(client) == ["Meccatronica due"]
    second.title = "Robotica due"  # updated (search document too)
    reindex([second])
    db.session.commit()
    assert titles(client) == ["Robotica due"]
    body = json.loads(client.get("/api/v1/courses?q=robotica").data)
    assert body["total"] == 1
    assert body["facets"]["kind"] == {"its": 1}


def test_an_import_changes_the_next_search(client: Any, make_course: MakeCourse,
                                           make_provider: Callable[..., Any]) -> None:
    from orientamento.courses.transfer import import_catalogue

    make_provider(code="ENTE-A", name="Fondazione A")
    assert titles(client) == []
    report = import_catalogue(csv_bytes(row("ENTE-A", "IMP-1", title="Meccatronica importata")),
                              "cat.csv", dry_run=False)
    assert report.ok, report.errors
    db.session.commit()
    assert titles(client) == ["Meccatronica importata"]


def test_filters_and_locales_are_kept_apart(client: Any, make_course: MakeCourse) -> None:
    make_course(title="Meccatronica ITS", kind="its")
    make_course(title="Meccatronica IeFP", kind="iefp_qualifica", area="iefp_mechanics",
                eqf_level="3")
    assert titles(client, API + "&kind=its") == ["Meccatronica ITS"]
    assert titles(client, API + "&kind=iefp_qualifica") == ["Meccatronica IeFP"]
    italian = client.get("/courses/?q=meccatronica", headers={"Accept-Language": "it"})
    english = client.get("/courses/?q=meccatronica", headers={"Accept-Language": "en"})
    assert "Trova un corso" in italian.get_data(as_text=True)
    assert "Find a course" in english.get_data(as_text=True)
    assert "Trova un corso" not in english.get_data(as_text=True)


def test_a_repeated_search_reads_only_the_version(
        client: Any, make_course: MakeCourse, queries: list[str]) -> None:
    for n in range(3):
        make_course(title=f"Meccatronica {n}")
    url = "/courses/?q=meccatronica&kind=its"
    assert client.get(url).status_code == 200
    queries.clear()
    assert client.get(url).status_code == 200
    assert queries and all("catalogue_versions" in statement for statement in queries)
    for n in range(3, 30):
        make_course(title=f"Meccatronica {n}")
    assert client.get(url).status_code == 200
    queries.clear()
    assert client.get(url).status_code == 200
    assert queries and all("catalogue_versions" in statement for statement in queries)


def test_a_search_after_an_uncommitted_write_is_not_kept(make_course: MakeCourse) -> None:
    course = make_course(title="Meccatronica")
    query = CourseQuery(q="meccatronica")
    set_course_status(course, CourseStatus.ARCHIVED)  # flushed (version + 1), rolled back
    assert search_courses(query).total == 0
    db.session.rollback()
    # A committed write of one row: the version number the rolled-back one had, again.
    db.session.execute(update(Place).where(Place.code == "015146").values(name="Milano"))
    db.session.commit()
    assert search_courses(query).total == 1


@pytest.fixture
def shared_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A database two app instances can share: the test database on PostgreSQL, a file on
    SQLite (an in-memory database belongs to one connection)."""
    yield database_url if is_postgres() else f"sqlite:///{tmp_path / 'shared.sqlite'}"


def test_two_app_instances_see_each_others_writes(
        app: Flask, shared_url: str, make_course: MakeCourse) -> None:
    other = make_app(shared_url) if not is_postgres() else None
    if other is not None:  # SQLite: this test's own schema and data in the file
        first = make_app(shared_url)
        with first.app_context():
            db.create_all()
        apps = (first, other)
    else:
        apps = (app, make_app(shared_url))
    writer, reader = apps
    with writer.app_context():
        from orientamento.courses.services import load_reference_data

        if not db.session.scalar(select(Place.code).limit(1)):
            load_reference_data()
            db.session.commit()
    with reader.app_context():
        assert titles(reader.test_client()) == []  # kept by the reader
    with writer.app_context():
        _write_course(writer, "Meccatronica altrove")
    with reader.app_context():
        assert titles(reader.test_client()) == ["Meccatronica altrove"]


def _write_course(app: Flask, title: str) -> None:
    """Create a course through the writer app's service, as a provider's form would."""
    from orientamento.courses.records import parse_row
    from orientamento.courses.services import create_course
    from orientamento.orgs.models import Provider, ProviderKind

    provider = Provider(code="ENTE-X", name="Ente X", kind=ProviderKind.ITS_FOUNDATION)
    db.session.add(provider)
    db.session.flush()
    record, errors = parse_row(COURSE_CELLS | {"course_code": "X-1", "title": title,
                                               "provider_code": "ENTE-X",
                                               "application_deadline": "", "start_date": ""})
    assert record is not None, errors
    create_course(provider, record)
    db.session.commit()
