"""Courses in time: the enrolment state on Milan dates, the same in Python and in SQL, and
where it shows (course page, cards, search, facets, API, suggestions)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from itertools import combinations
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import format_date
from sqlalchemy import select
from werkzeug.http import http_date

from orientamento.assessments.models import Response
from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.courses.models import Course, Enrolment
from orientamento.courses.queries import CourseQuery
from orientamento.courses.results import search_courses
from orientamento.demo.catalogue import demo_course_rows
from orientamento.extensions import db
from orientamento.orgs.models import Provider
from tests.courses.days import in_days

pytestmark = pytest.mark.calendar

MakeCourse = Callable[..., Course]
API = "/api/v1"
DAY = timedelta(days=1)
TODAY = date(2027, 5, 12)
OPEN, CLOSED, STARTED = Enrolment.OPEN, Enrolment.CLOSED, Enrolment.STARTED
#: Day offsets from today for the start and the deadline (None: not given).
OFFSETS = (None, -2, -1, 0, 1, 2)


def offset_date(today: date, offset: int | None) -> date | None:
    """``today`` moved by ``offset`` days, or None."""
    return None if offset is None else today + timedelta(days=offset)


def date_pairs() -> list[tuple[int | None, int | None]]:
    """Every (start, deadline) offset pair the catalogue allows (deadline not after start)."""
    return [(start, deadline) for start in OFFSETS for deadline in OFFSETS
            if start is None or deadline is None or deadline <= start]


# --- the rule -----------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "deadline", "expected"), [
    (None, None, OPEN),  # no dates at all: the catalogue does not know, so not hidden
    (None, TODAY, OPEN),  # the deadline day itself is still open
    (None, TODAY + DAY, OPEN),
    (None, TODAY - DAY, CLOSED),  # the day after the deadline
    (TODAY + DAY, None, OPEN),
    (TODAY + DAY, TODAY, OPEN),
    (TODAY + DAY, TODAY - DAY, CLOSED),
    (TODAY, None, STARTED),  # the start day itself
    (TODAY - DAY, None, STARTED),
    (TODAY, TODAY, STARTED),  # starting today wins over a deadline of today
    (TODAY - DAY, TODAY - 2 * DAY, STARTED),  # started wins over closed
])
def test_the_state_at_the_boundaries(start: date | None, deadline: date | None,
                                     expected: Enrolment) -> None:
    course = Course(start_date=start, application_deadline=deadline)
    assert course.enrolment_on(TODAY) == expected


@pytest.mark.parametrize(("start", "deadline"), date_pairs())
def test_a_state_begins_on_its_since_date(start: int | None, deadline: int | None) -> None:
    course = Course(start_date=offset_date(TODAY, start),
                    application_deadline=offset_date(TODAY, deadline))
    state, since = course.enrolment_on(TODAY), course.enrolment_since(TODAY)
    if state == OPEN:
        assert since is None
        return
    assert since is not None and since <= TODAY
    assert course.enrolment_on(since) == state
    assert course.enrolment_on(since - DAY) != state


def test_python_and_sql_apply_the_same_rule(make_course: MakeCourse,
                                            make_provider: Callable[..., Provider]) -> None:
    provider, today = make_provider(), clock.today()
    courses = [make_course(provider=provider, start_date=_iso(offset_date(today, start)),
                           application_deadline=_iso(offset_date(today, deadline)))
               for start, deadline in date_pairs()]
    # Around the dates too, so that every comparison is seen on both sides of its boundary.
    for day in (today + timedelta(days=n) for n in range(-3, 4)):
        states = {course.id: course.enrolment_on(day) for course in courses}
        assert set(states.values()) == set(Enrolment) or day != today
        for size in range(len(Enrolment) + 1):
            for wanted in combinations(Enrolment, size):
                in_sql = set(db.session.scalars(
                    select(Course.id).where(Course.enrolment_in(wanted, day))))
                assert in_sql == {i for i, s in states.items() if s in wanted}, (day, wanted)


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def test_the_factory_makes_courses_open_at_any_instant(make_course: MakeCourse) -> None:
    course = make_course()
    assert course.enrolment == OPEN
    assert course.application_deadline is not None and course.start_date is not None
    assert course.application_deadline > clock.today() + timedelta(days=90)


# --- Milan dates, not UTC ones ------------------------------------------------------------

@pytest.mark.parametrize(("moment", "milan_day", "utc_day"), [
    ("2027-05-12T00:30:00+02:00", date(2027, 5, 12), date(2027, 5, 11)),
    ("2027-01-01T00:30:00+01:00", date(2027, 1, 1), date(2026, 12, 31)),
    ("2026-12-31T23:30:00+01:00", date(2026, 12, 31), date(2026, 12, 31)),
])
def test_the_state_follows_the_milan_date(client: FlaskClient, make_course: MakeCourse,
                                         moment: str, milan_day: date, utc_day: date) -> None:
    with time_machine.travel(datetime.fromisoformat(moment), tick=False):
        # Where UTC is still on the day before, a UTC date would get every state below wrong.
        assert clock.today() == milan_day and datetime.now(UTC).date() == utc_day
        yesterday, later = (milan_day - DAY).isoformat(), (milan_day + 20 * DAY).isoformat()
        make_course(title="Scade oggi", application_deadline=milan_day.isoformat(),
                    start_date=later)
        make_course(title="Scaduto ieri", application_deadline=yesterday, start_date=later)
        make_course(title="Inizia oggi", start_date=milan_day.isoformat(),
                    application_deadline="")
        body = client.get(f"{API}/courses?enrolment=any").get_json()
        assert {item["title"]: item["enrolment"] for item in body["items"]} == {
            "Scade oggi": "open", "Scaduto ieri": "closed", "Inizia oggi": "started"}
        assert titles(client.get(f"{API}/courses").get_json()) == ["Scade oggi"]
        page = client.get("/courses/").get_data(as_text=True)
        assert "Scade oggi" in page and "Scaduto ieri" not in page and "Inizia oggi" not in page
        assert card_states(client.get("/courses/?enrolment=any").get_data(as_text=True)) == {
            "Scade oggi": "open", "Scaduto ieri": "closed", "Inizia oggi": "started"}


def card_states(html: str) -> dict[str, str]:
    """Title -> the enrolment badge's state, for each result card of a page."""
    states = {}
    for card in re.findall(r"<article .*?</article>", html, re.S):
        title = re.search(r'<a href="[^"]+">([^<]+)</a>', card)
        state = re.search(r'class="badge [^"]*enrolment-(\w+)"', card)
        assert title and state, card
        states[title[1]] = state[1]
    return states


def test_a_deadline_closes_at_midnight_in_milan(client: FlaskClient,
                                                make_course: MakeCourse) -> None:
    with time_machine.travel(datetime.fromisoformat("2027-05-11T23:59:00+02:00"), tick=False):
        course = make_course(title="Ultimo giorno", application_deadline="2027-05-11",
                             start_date="2027-06-01")
        assert titles(client.get(f"{API}/courses").get_json()) == ["Ultimo giorno"]
    with time_machine.travel(datetime.fromisoformat("2027-05-12T00:01:00+02:00"), tick=False):
        assert titles(client.get(f"{API}/courses").get_json()) == []
        assert client.get(f"{API}/courses/{course.id}").get_json()["enrolment"] == "closed"


# --- search ---------------------------------------------------------------------------------

@pytest.fixture
def timeline(make_course: MakeCourse) -> dict[str, Course]:
    """One course in each state, and one with no dates at all."""
    return {
        "open": make_course(title="Corso aperto", kind="its",
                            application_deadline=in_days(30), start_date=in_days(60)),
        "undated": make_course(title="Corso senza date", kind="ifts", eqf_level="4",
                               area="ict_data", application_deadline="", start_date=""),
        "closed": make_course(title="Corso chiuso", kind="its",
                              application_deadline=in_days(-1), start_date=in_days(20)),
        "started": make_course(title="Corso iniziato", kind="iefp_qualifica", eqf_level="3",
                               area="iefp_food", application_deadline=in_days(-40),
                               start_date=in_days(0)),
    }


def found(**filters: Any) -> set[str]:
    """Titles a search finds."""
    return {course.title for course in search_courses(CourseQuery(**filters)).courses}


def titles(body: dict[str, Any]) -> list[str]:
    """Titles of an API page's items."""
    return [item["title"] for item in body["items"]]


def test_search_shows_courses_open_for_enrolment_by_default(timeline: dict[str, Course]) -> None:
    assert found() == {"Corso aperto", "Corso senza date"}
    assert found(enrolment=None) == {c.title for c in timeline.values()}
    assert found(enrolment=CLOSED) == {"Corso chiuso"}
    assert found(enrolment=STARTED) == {"Corso iniziato"}
    assert found(q="corso chiuso") == set()
    assert found(q="corso chiuso", enrolment=None) == {"Corso chiuso"}


def test_facets_follow_the_enrolment_filter(timeline: dict[str, Course]) -> None:
    default = search_courses(CourseQuery())
    assert default.total == 2
    assert default.facets["kind"] == {"its": 1, "ifts": 1}
    widened = search_courses(CourseQuery(enrolment=None))
    assert widened.total == 4
    assert widened.facets["kind"] == {"its": 2, "ifts": 1, "iefp_qualifica": 1}
    # A facet ignores its own filter, never the enrolment one.
    its = search_courses(CourseQuery(kinds=("its",)))
    assert its.total == 1 and its.facets["kind"] == {"its": 1, "ifts": 1}


def test_the_page_has_one_control_kept_in_the_url(client: FlaskClient,
                                                  timeline: dict[str, Course]) -> None:
    page = client.get("/courses/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    control = re.search(r'<input[^>]*name="enrolment"[^>]*>', page)
    assert control is not None and 'type="checkbox"' in control[0]
    assert 'value="any"' in control[0] and "checked" not in control[0]
    assert "Include courses closed for enrolment" in page
    assert "Corso aperto" in page and "Corso chiuso" not in page
    assert "2 courses found" in page

    shared = client.get("/courses/?enrolment=any", headers={"Accept-Language": "en"})
    text = shared.get_data(as_text=True)
    control = re.search(r'<input[^>]*name="enrolment"[^>]*>', text)
    assert control is not None and "checked" in control[0]
    assert all(course.title in text for course in timeline.values())
    assert "4 courses found" in text
    assert 'id="facet-kind-its" class="badge bg-light text-dark ms-1">2<' in text


def test_the_htmx_fragment_behaves_like_the_page(client: FlaskClient,
                                                timeline: dict[str, Course]) -> None:
    htmx = {"HX-Request": "true", "Accept-Language": "en"}
    default = client.get("/courses/", headers=htmx).get_data(as_text=True)
    widened = client.get("/courses/?enrolment=any", headers=htmx).get_data(as_text=True)
    assert "Corso chiuso" not in default and "Corso chiuso" in widened
    assert 'id="facet-kind-its" class="badge bg-light text-dark ms-1" data-hx-swap-oob="true">1<' \
        in default
    assert 'id="facet-kind-its" class="badge bg-light text-dark ms-1" data-hx-swap-oob="true">2<' \
        in widened
    assert "2 courses found" in default and "4 courses found" in widened


@pytest.mark.parametrize("htmx", [False, True])
def test_empty_state_points_to_matching_closed_courses(
        client: FlaskClient, timeline: dict[str, Course], htmx: bool) -> None:
    headers = {"Accept-Language": "en"} | ({"HX-Request": "true"} if htmx else {})
    text = client.get("/courses/?q=iniziato&kind=iefp_qualifica",
                      headers=headers).get_data(as_text=True)
    assert 'id="no-results"' in text and "Corso iniziato" not in text
    assert "No course open for enrolment matches" in text
    assert "1 course matches but is closed for enrolment or has already started." in text
    link = re.search(r'<p id="closed-matches">.*?<a href="([^"]+)"', text, re.S)
    assert link is not None
    target = link[1].replace("&amp;", "&")
    assert "enrolment=any" in target and "q=iniziato" in target and "kind=iefp_qualifica" in target
    shown = client.get(target, headers=headers).get_data(as_text=True)
    assert "Corso iniziato" in shown and 'id="no-results"' not in shown
    # With nothing to find in any state, the plain empty state.
    nothing = client.get("/courses/?q=astronautica", headers=headers).get_data(as_text=True)
    assert "No course matches" in nothing and 'id="closed-matches"' not in nothing
    # Asking for closed courses only, an open one that matches is not "closed or started".
    only_closed = client.get("/courses/?q=aperto&enrolment=closed", headers=headers)
    text = only_closed.get_data(as_text=True)
    assert 'id="no-results"' in text and 'id="closed-matches"' not in text


def test_a_bad_enrolment_value_is_a_400_on_the_page(client: FlaskClient,
                                                     reference_data: None) -> None:
    response = client.get("/courses/?enrolment=everything", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "alert-danger" in text and "Choose one of: open, closed, started, any." in text


# --- where the state shows ----------------------------------------------------------------

def long_date(app: Flask, day: date | None, language: str = "en") -> str:
    """A date as the pages write it in ``language``."""
    assert day is not None
    with app.test_request_context(headers={"Accept-Language": language}):
        return format_date(day, "long")


def test_cards_and_the_course_page_say_the_state_with_its_date(
        app: Flask, client: FlaskClient, timeline: dict[str, Course]) -> None:
    en = {"Accept-Language": "en"}
    cards = client.get("/courses/?enrolment=any", headers=en).get_data(as_text=True)
    open_, closed, started = timeline["open"], timeline["closed"], timeline["started"]
    expected = {
        "open": f"Enrolment open until {long_date(app, open_.application_deadline)}",
        "undated": "Enrolment open<",
        "closed": f"Enrolment closed on {long_date(app, closed.application_deadline)}",
        "started": f"Started on {long_date(app, started.start_date)}",
    }
    for key, words in expected.items():
        assert words in cards, key
        page = client.get(f"/courses/{timeline[key].id}", headers=en).get_data(as_text=True)
        assert words in page, key
    italian = client.get(f"/courses/{closed.id}", headers={"Accept-Language": "it"})
    assert long_date(app, closed.application_deadline, "it") in italian.get_data(as_text=True)


def test_saved_courses_show_that_one_has_closed(
        client: FlaskClient, timeline: dict[str, Course], as_role: Callable[..., User]) -> None:
    as_role(Role.STUDENT)
    client.post(f"/courses/{timeline['closed'].id}/save")
    page = client.get("/courses/saved", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Corso chiuso" in page and "Enrolment closed on" in page


# --- API ------------------------------------------------------------------------------------

def test_api_items_carry_the_state_and_the_list_filters_on_it(
        client: FlaskClient, timeline: dict[str, Course]) -> None:
    default = client.get(f"{API}/courses").get_json()
    assert sorted(titles(default)) == ["Corso aperto", "Corso senza date"]
    assert {item["enrolment"] for item in default["items"]} == {"open"}
    assert default["facets"]["kind"] == {"its": 1, "ifts": 1}
    everything = client.get(f"{API}/courses?enrolment=any").get_json()
    assert {item["title"]: item["enrolment"] for item in everything["items"]} == {
        "Corso aperto": "open", "Corso senza date": "open", "Corso chiuso": "closed",
        "Corso iniziato": "started"}
    assert everything["facets"]["kind"] == {"its": 2, "ifts": 1, "iefp_qualifica": 1}
    assert titles(client.get(f"{API}/courses?enrolment=open").get_json()) == titles(default)
    assert titles(client.get(f"{API}/courses?enrolment=closed").get_json()) == ["Corso chiuso"]
    started = client.get(f"{API}/courses?enrolment=started").get_json()
    assert titles(started) == ["Corso iniziato"] and started["total"] == 1
    # A course page stays reachable whatever its state.
    detail = client.get(f"{API}/courses/{timeline['started'].id}")
    assert detail.status_code == 200 and detail.get_json()["enrolment"] == "started"


@pytest.mark.parametrize("value", ["OPEN", "", "all", "closed,started", "aperto", "\u202e"])
def test_api_refuses_a_bad_enrolment_value(client: FlaskClient, reference_data: None,
                                           value: str) -> None:
    response = client.get(f"{API}/courses", query_string={"enrolment": value},
                          headers={"Accept-Language": "en"})
    assert response.status_code == 400 and response.mimetype == "application/json"
    assert response.get_json() == {"error": "invalid parameters", "fields": {
        "enrolment": ["Choose one of: open, closed, started, any."]}}


def test_the_openapi_document_describes_field_and_filter(client: FlaskClient) -> None:
    document = client.get(f"{API}/openapi.json").get_json()
    parameters = {p["name"]: p for p in document["paths"]["/courses"]["get"]["parameters"]}
    schema = parameters["enrolment"]["schema"]
    assert schema["enum"] == ["open", "closed", "started", "any"]
    assert schema["default"] == "open"
    assert "Milan" in parameters["enrolment"]["description"]
    course = document["components"]["schemas"]["CourseOut"]
    assert "enrolment" in course["required"]
    reference = course["properties"]["enrolment"]["$ref"].rsplit("/", 1)[-1]
    assert document["components"]["schemas"][reference]["enum"] == ["open", "closed", "started"]


def test_last_modified_moves_when_a_course_closes_at_midnight(
        client: FlaskClient, make_course: MakeCourse) -> None:
    with time_machine.travel(datetime.fromisoformat("2027-05-11T12:00:00+02:00"), tick=False):
        course = make_course(application_deadline="2027-05-11", start_date="2027-06-01")
        list_before = client.get(f"{API}/courses?enrolment=any")
        detail_before = client.get(f"{API}/courses/{course.id}")
        assert list_before.last_modified == detail_before.last_modified == \
            course.updated_at.replace(microsecond=0)
    midnight = datetime.fromisoformat("2027-05-12T00:00:00+02:00")
    with time_machine.travel(midnight + timedelta(minutes=30), tick=False):
        since = http_date(course.updated_at + timedelta(seconds=1))
        for url in (f"{API}/courses?enrolment=any", f"{API}/courses/{course.id}"):
            response = client.get(url, headers={"If-Modified-Since": since})
            assert response.status_code == 200, url
            assert response.last_modified == midnight
            assert response.get_json() is not None


# --- suggestions ----------------------------------------------------------------------------

def test_suggestions_skip_closed_and_started_courses(
        client: FlaskClient, make_course: MakeCourse, as_role: Callable[..., User]) -> None:
    profile = {"riasec_r": "0.9", "riasec_i": "0.8", "riasec_a": "0.1", "riasec_s": "0.2",
               "riasec_e": "0.3", "riasec_c": "0.4"}
    make_course(title="Perfetto ma chiuso", application_deadline=in_days(-1),
                start_date=in_days(10), **profile)
    make_course(title="Perfetto ma iniziato", start_date=in_days(-3), application_deadline="",
                **profile)
    make_course(title="Perfetto e aperto", application_deadline=in_days(0),
                start_date=in_days(10), **profile)
    make_course(title="Aperto, meno vicino", riasec_r="0.2", riasec_s="0.9")
    student = as_role(Role.STUDENT, date_of_birth=date(2000, 1, 1))
    scores = {k: {"value": v / 25 + 1, "percent": v, "answered": 8, "items": 8, "band": "high"}
              for k, v in {"R": 90, "I": 85, "A": 10, "S": 20, "E": 30, "C": 40}.items()}
    db.session.add(Response(student_id=student.id, questionnaire_id="interests", version=1,
                            status="submitted", answers={}, scores=scores,
                            submitted_at=clock.now()))
    db.session.commit()
    page = client.get("/courses/suggestions?education=diploma").get_data(as_text=True)
    assert "Perfetto e aperto" in page and "Aperto, meno vicino" in page
    assert "Perfetto ma chiuso" not in page and "Perfetto ma iniziato" not in page


# --- demo data ------------------------------------------------------------------------------

def test_the_demo_catalogue_shows_every_state_and_is_mostly_open() -> None:
    rows = demo_course_rows({}, {"015146": ("Milano", 45.4642, 9.19)}, TODAY)
    states = [Course(start_date=date.fromisoformat(row["start_date"]),
                     application_deadline=date.fromisoformat(row["application_deadline"])
                     if row["application_deadline"] else None).enrolment_on(TODAY)
              for row in rows if row["status"] == "active"]
    counts = {state: states.count(state) for state in Enrolment}
    assert counts[CLOSED] > 0 and counts[STARTED] > 0
    assert counts[OPEN] > len(states) * 2 // 3, counts
