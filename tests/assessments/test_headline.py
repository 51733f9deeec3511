"""The interests headline says what the measurement supports, and the same on every page."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from hypothesis import given
from hypothesis import strategies as st

from orientamento.assessments.headline import (
    headline_of_scores,
    interest_headline,
    margin,
    standing_out,
)
from orientamento.assessments.models import Response
from orientamento.assessments.scoring import DEFAULT_INTEREST_SEM
from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.courses.recommendations import LETTER_LABELS
from orientamento.extensions import db
from tests.conftest import log_in

LETTERS = "RIASEC"
#: The issue's case: two areas far above four close ones.
ISSUE_CASE = {"I": 91.0, "R": 84.0, "A": 34.0, "S": 40.0, "E": 53.0, "C": 48.0}
BROAD = interest_headline({k: 50.0 for k in LETTERS}).text

#: Scores as stored (0-100, one decimal), and SEMs from none to far above any real scale's.
stored = st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 1))
vectors = st.fixed_dictionaries({k: stored for k in LETTERS})
sems = st.floats(0, 1.2, allow_nan=False)


def _chart(value: float) -> int:
    """What the chart and the table print for a score (Jinja's round | int: Python's round)."""
    return round(value)


def _clear_after(scores: dict[str, float], gap: float) -> list[int]:
    """Every k in 1..5 such that the k highest scores are above the rest by more than gap."""
    ordered = sorted(scores.values(), reverse=True)
    return [k for k in range(1, len(ordered)) if ordered[k - 1] - ordered[k] > gap]


def test_the_issue_case_names_the_two_areas_the_chart_shows_on_top() -> None:
    headline = interest_headline(ISSUE_CASE)
    assert headline.areas == ("I", "R")
    assert not headline.is_broad
    assert headline.text.startswith("Two areas clearly stand out from the others: Investigative")
    assert "Realistic" in headline.text and "broad" not in headline.text
    # 91 - 84 = 7 is within the error (12.4 points): Investigative alone is not claimed.
    assert headline.gap == pytest.approx(DEFAULT_INTEREST_SEM * math.sqrt(2) * 25)
    assert 7 < headline.gap < 84 - 53
    # The live SEM of the demo data (0.28) says the same.
    assert interest_headline(ISSUE_CASE, sem=0.28).areas == ("I", "R")


def test_one_two_three_or_none() -> None:
    assert standing_out({"R": 91, "I": 60, "A": 53, "S": 50, "E": 45, "C": 40}, 12.4) == ("R",)
    assert standing_out({"R": 90, "I": 85, "A": 80, "S": 50, "E": 45, "C": 40},
                        12.4) == ("R", "I", "A")
    assert standing_out({"R": 60, "I": 55, "A": 50, "S": 45, "E": 40, "C": 35}, 12.4) == ()
    # The fourth standing clear is still not a code: at most three are named.
    assert standing_out({"R": 90, "I": 88, "A": 86, "S": 84, "E": 20, "C": 10}, 12.4) == ()
    # Exactly the margin is not beyond it.
    assert standing_out({"R": 62.5, "I": 50, "A": 50, "S": 50, "E": 50, "C": 50}, 12.5) == ()
    # Unscored areas are left out, and a single score has nothing to stand out from.
    assert standing_out({"R": 90, "I": None, "A": 20}, 12.4) == ("R",)
    assert standing_out({"R": 90}, 12.4) == ()


def test_the_largest_group_that_stands_clear_is_named() -> None:
    """One area far ahead and a second well above the rest: both are named, strongest first."""
    scores = {"I": 95.0, "R": 70.0, "A": 20.0, "S": 25.0, "E": 30.0, "C": 22.0}
    assert interest_headline(scores).areas == ("I", "R")


def test_a_larger_error_makes_the_same_scores_broad() -> None:
    assert interest_headline(ISSUE_CASE, sem=0.35).areas == ("I", "R")
    assert interest_headline(ISSUE_CASE, sem=1.0).is_broad  # margin 35 points > 31
    assert margin(1.0) == pytest.approx(35.36, abs=0.01)


@given(vectors, sems)
def test_the_headline_never_names_an_area_shown_below_an_unnamed_one(
        scores: dict[str, float], sem: float) -> None:
    headline = interest_headline(scores, sem)
    named = [scores[k] for k in headline.areas]
    unnamed = [scores[k] for k in LETTERS if k not in headline.areas]
    assert len(headline.areas) <= 3
    if named:
        assert min(named) - max(unnamed) > margin(sem)
        assert min(_chart(v) for v in named) >= max(_chart(v) for v in unnamed)
        assert named == sorted(named, reverse=True)  # strongest first, as the chart shows
    for letter in LETTERS:  # the sentence names exactly the areas it picked
        assert (str(LETTER_LABELS[letter]) in headline.text) == (letter in headline.areas)


@given(vectors, sems)
def test_broad_only_when_no_area_stands_clear(scores: dict[str, float], sem: float) -> None:
    headline = interest_headline(scores, sem)
    clear = _clear_after(scores, margin(sem))
    if any(k in clear for k in (1, 2)):  # one or two areas stand clear
        assert not headline.is_broad and headline.text != BROAD
        assert len(headline.areas) in clear
    if 3 in clear:
        assert len(headline.areas) == 3
    if not any(k in clear for k in (1, 2, 3)):
        assert headline.is_broad and headline.text == BROAD
    assert headline.is_broad == (headline.text == BROAD)


def _issue_result(student: User, **fields: object) -> Response:
    scores = {k: {"value": round(v / 25 + 1, 3), "percent": v, "answered": 8, "items": 8,
                  "band": "high" if v > 62.5 else "medium" if v >= 37.5 else "low"}
              for k, v in ISSUE_CASE.items()}
    response = Response(student_id=student.id, questionnaire_id="interests", version=1,
                        status="submitted", answers={}, scores=scores,
                        submitted_at=fields.pop("submitted_at", clock.now()))
    db.session.add(response)
    db.session.commit()
    return response


def test_result_class_page_and_suggestions_say_the_same(
        client: FlaskClient, make_user: Callable[..., User],
        make_class: Callable[..., SchoolClass], make_course: Callable[..., object]) -> None:
    make_course()
    counsellor = make_user(Role.COUNSELLOR)
    pupil = make_user(Role.STUDENT, display_name="Ilaria")
    school_class = make_class(counsellor, pupils=(pupil,))
    response = _issue_result(pupil)
    english = {"Accept-Language": "en"}
    sentence = "Two areas clearly stand out from the others: Investigative and Realistic."

    log_in(client, pupil)
    result = client.get(f"/assessments/responses/{response.id}", headers=english)
    assert result.status_code == 200
    page = result.get_data(as_text=True)
    assert sentence in page and "broad profile" not in page
    suggestions = client.get("/courses/suggestions", headers=english).get_data(as_text=True)
    assert sentence in suggestions
    printout = client.get(f"/assessments/responses/{response.id}/print", headers=english)
    assert sentence in printout.get_data(as_text=True)

    client.post("/account/logout")
    log_in(client, counsellor)
    client.post(f"/assessments/classes/{school_class.id}/assign",
                data={"questionnaire_id": "interests"})
    overview = client.get(f"/assessments/classes/{school_class.id}", headers=english)
    assert "Standing out: Investigative and Realistic" in overview.get_data(as_text=True)
    assert sentence in client.get(f"/assessments/responses/{response.id}",
                                  headers=english).get_data(as_text=True)


def test_a_broad_profile_is_said_everywhere_too(
        client: FlaskClient, make_user: Callable[..., User],
        make_class: Callable[..., SchoolClass]) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    pupil = make_user(Role.STUDENT)
    school_class = make_class(counsellor, pupils=(pupil,))
    flat = {k: {"value": 3.0, "percent": 50.0 + n, "answered": 8, "items": 8, "band": "medium"}
            for n, k in enumerate(LETTERS)}
    db.session.add(Response(student_id=pupil.id, questionnaire_id="interests", version=1,
                            status="submitted", answers={}, scores=flat,
                            submitted_at=clock.now()))
    db.session.commit()
    log_in(client, counsellor)
    client.post(f"/assessments/classes/{school_class.id}/assign",
                data={"questionnaire_id": "interests"})
    overview = client.get(f"/assessments/classes/{school_class.id}",
                          headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Broad profile: no area clearly stands out" in overview


def test_the_printout_has_name_milan_date_and_version_and_no_demo_banner(
        client: FlaskClient, make_user: Callable[..., User]) -> None:
    pupil = make_user(Role.STUDENT, display_name="Giulia Demo", is_demo=True)
    # 23:30 UTC on 31 December is already New Year's Day in Milan.
    response = _issue_result(pupil, submitted_at=datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    log_in(client, pupil)
    english = {"Accept-Language": "en"}
    result = client.get(f"/assessments/responses/{response.id}",
                        headers=english).get_data(as_text=True)
    assert "You are using a demo account" in result  # the normal page keeps the banner
    assert f"/assessments/responses/{response.id}/print" in result
    printout = client.get(f"/assessments/responses/{response.id}/print", headers=english)
    assert printout.status_code == 200
    page = printout.get_data(as_text=True)
    assert "Giulia Demo" in page
    assert "Jan 1, 2027, 12:30\u202fAM, Milan time" in page
    assert "What do you like doing? · version 1" in page
    assert "You are using a demo account" not in page
    assert 'class="it-header-wrapper"' not in page and "<h1>" in page
    assert '<html lang="en"' in page


def test_only_the_pupil_and_their_counsellors_see_the_printout(
        client: FlaskClient, make_user: Callable[..., User],
        make_class: Callable[..., SchoolClass]) -> None:
    pupil = make_user(Role.STUDENT, display_name="Marta")
    counsellor = make_user(Role.COUNSELLOR)
    make_class(counsellor, pupils=(pupil,))
    stranger = make_user(Role.STUDENT)
    other_school = make_user(Role.COUNSELLOR)
    response = _issue_result(pupil)
    address = f"/assessments/responses/{response.id}/print"
    for user, status in ((stranger, 404), (other_school, 404), (counsellor, 200)):
        log_in(client, user)
        assert client.get(address).status_code == status, user.role
        client.post("/account/logout")


def test_a_kept_headline_is_never_given_in_another_language(app: Flask) -> None:
    scores = {"R": {"percent": 84.0}, "I": {"percent": 91.0}, "A": {"percent": 40.0},
              "S": {"percent": 53.0}, "E": {"percent": 34.0}, "C": {"percent": 45.0}}
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "it"}):
        italian = headline_of_scores(scores, DEFAULT_INTEREST_SEM)
        with force_locale("en"):
            english = headline_of_scores(scores, DEFAULT_INTEREST_SEM)
        again = headline_of_scores(scores, DEFAULT_INTEREST_SEM)
    assert english.text.startswith("Two areas clearly stand out") and italian.text != english.text
    assert again == italian
    assert english.areas == italian.areas == ("I", "R")
    changed = scores | {"R": {"percent": 60.0}}  # other scores, another headline
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert headline_of_scores(changed, DEFAULT_INTEREST_SEM).areas == ("I",)
