"""Suggestions: correlation ranking, entry rules, broadening, reasons, and no gender."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date

import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from orientamento.assessments.models import Response
from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.courses import recommendations, suggestions
from orientamento.courses.models import Course
from orientamento.courses.recommendations import (
    Candidate,
    Education,
    correlation,
    default_education,
    rank,
    top_letters,
)
from orientamento.extensions import db

LETTERS = "RIASEC"
profiles = st.fixed_dictionaries({k: st.floats(0, 100, allow_nan=False) for k in LETTERS})


def _profile(*weights: float) -> dict[str, float]:
    return dict(zip(LETTERS, weights, strict=True))


def test_correlation_is_pearson() -> None:
    a = _profile(1, 2, 3, 4, 5, 6)
    assert correlation(a, a) == pytest.approx(1.0)
    assert correlation(a, _profile(6, 5, 4, 3, 2, 1)) == pytest.approx(-1.0)
    assert correlation(a, _profile(10, 20, 30, 40, 50, 60)) == pytest.approx(1.0)
    assert correlation(a, _profile(3, 3, 3, 3, 3, 3)) == 0.0


@given(profiles, profiles)
def test_correlation_is_symmetric_and_bounded(a: dict[str, float], b: dict[str, float]) -> None:
    value = correlation(a, b)
    assert -1.0 - 1e-9 <= value <= 1.0 + 1e-9
    assert value == pytest.approx(correlation(b, a))


def test_rank_orders_by_fit_and_explains_shared_letters() -> None:
    student = _profile(90, 80, 10, 20, 30, 40)  # R, I strongest
    candidates = [
        Candidate(1, _profile(0.9, 0.8, 0.1, 0.2, 0.3, 0.4)),  # same shape
        Candidate(2, _profile(0.2, 0.9, 0.1, 0.3, 0.2, 0.6)),  # I then C
        Candidate(3, _profile(0.1, 0.1, 0.9, 0.8, 0.2, 0.1)),  # A, S: opposite
    ]
    ranked = rank(student, candidates, limit=2, broaden=1)
    assert [s.id for s in ranked] == [1, 2, 3]
    # With room for every candidate, the broadening option is still set apart.
    assert [(s.id, s.broadening) for s in rank(student, candidates, limit=10, broaden=1)] == [
        (1, False), (2, False), (3, True)]
    assert ranked[0].shared == ("R", "I")
    assert ranked[1].shared == ("I",)
    assert ranked[2].broadening and not ranked[0].broadening
    assert ranked[0].fit > ranked[1].fit > ranked[2].fit


@given(profiles, st.lists(profiles, min_size=5, max_size=30))
def test_broadening_options_lie_outside_the_top_code(
        student: dict[str, float], candidate_profiles: list[dict[str, float]]) -> None:
    candidates = [Candidate(n, p) for n, p in enumerate(candidate_profiles)]
    ranked = rank(student, candidates, limit=3, broaden=3)
    best = [s for s in ranked if not s.broadening]
    wider = [s for s in ranked if s.broadening]
    assert len(best) == min(3, len(candidates) - len(wider))
    assert [s.fit for s in best] == sorted((s.fit for s in best), reverse=True)
    top = set(top_letters(student))
    by_id = {c.id: c.profile for c in candidates}
    for s in ranked:
        if s.broadening:
            assert top_letters(by_id[s.id], 1)[0] not in top
    assert len({s.id for s in ranked}) == len(ranked)


def test_ranking_cannot_receive_gender() -> None:
    for function in (rank, correlation, suggestions.suggestions_for, suggestions.reason_for):
        parameters = set(inspect.signature(function).parameters)
        assert not parameters & {"gender", "sex", "user_gender"}, function
    # The only personal input of the page is the student, and from it only the id and age
    # are read: the User model records no gender at all.
    assert not {"gender", "sex"} & set(User.__table__.columns.keys())


def test_entry_rules() -> None:
    kinds = recommendations.ELIGIBLE_KINDS
    assert {k.value for k in kinds[Education.LOWER_SECONDARY_IN_PROGRESS]} == {"iefp_qualifica"}
    assert {k.value for k in kinds[Education.IEFP_QUALIFICA]} == {"iefp_diploma"}
    assert {k.value for k in kinds[Education.DIPLOMA]} == {"its", "ifts"}
    assert default_education(13) == Education.LOWER_SECONDARY_IN_PROGRESS
    assert default_education(16) == Education.UPPER_SECONDARY_IN_PROGRESS
    assert default_education(22) == Education.DIPLOMA


def _interests(student: User, **percent: float) -> None:
    scores = {k: {"value": v / 25 + 1, "percent": v, "answered": 8, "items": 8, "band": "high"}
              for k, v in percent.items()}
    db.session.add(Response(student_id=student.id, questionnaire_id="interests", version=1,
                            status="submitted", answers={}, scores=scores,
                            submitted_at=clock.now()))
    db.session.commit()


@pytest.fixture
def catalogue(make_course: Callable[..., Course]) -> dict[str, Course]:
    return {
        "its_mech": make_course(title="ITS meccatronica", riasec_r="0.9", riasec_i="0.8",
                                riasec_a="0.1", riasec_s="0.2", riasec_e="0.3", riasec_c="0.4"),
        "its_social": make_course(title="ITS servizi", area="business_services",
                                  riasec_r="0.1", riasec_i="0.2", riasec_a="0.3",
                                  riasec_s="0.9", riasec_e="0.8", riasec_c="0.3"),
        "iefp": make_course(title="IeFP meccanica", kind="iefp_qualifica", eqf_level="3",
                            area="iefp_mechanics", hours="3000", semesters="6"),
        "far": make_course(title="ITS lontano", site_latitudes="45.60", site_longitudes="8.80"),
    }


def test_page_suggests_enterable_courses_with_reasons(
        client: FlaskClient, catalogue: dict[str, Course], as_role: Callable[..., User]) -> None:
    student = as_role(Role.STUDENT, date_of_birth=date(2000, 1, 1))
    _interests(student, R=90, I=85, A=10, S=20, E=30, C=40)
    page = client.get("/courses/suggestions?education=diploma&place=015146&km=10",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "ITS meccatronica" in page and "IeFP meccanica" not in page
    assert "ITS lontano" not in page
    assert ("Mainly Realistic and Investigative activities: your scores there are 90 and 85 "
            "out of 100.") in page
    assert "km from Milano" in page
    assert "Broaden your horizons" in page
    assert ("Mainly Social activities (your score: 20 out of 100): not among your strongest "
            "interests") in page
    assert page.index("ITS meccatronica") < page.index("ITS servizi")
    iefp = client.get("/courses/suggestions?education=lower_secondary").get_data(as_text=True)
    assert "IeFP meccanica" in iefp and "ITS meccatronica" not in iefp


def test_without_an_interests_result_the_page_says_what_to_do(
        client: FlaskClient, catalogue: dict[str, Course], as_role: Callable[..., User]) -> None:
    as_role(Role.STUDENT)
    page = client.get("/courses/suggestions", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Take it first" in page.get_data(as_text=True)


def test_identical_answers_give_identical_suggestions(
        client: FlaskClient, catalogue: dict[str, Course], make_user: Callable[..., User],
        login: Callable[..., User]) -> None:
    """Two students who differ in everything but their answers get the same page."""
    pages = []
    for name, born in (("Giulia Rossi", date(2001, 2, 3)), ("Ahmed Karim", date(2001, 9, 30))):
        student = make_user(Role.STUDENT, display_name=name, date_of_birth=born)
        _interests(student, R=60, I=70, A=20, S=50, E=30, C=45)
        client.post("/account/logout")
        login(student)
        page = client.get("/courses/suggestions?education=diploma").get_data(as_text=True)
        main = page[page.index('id="courses-title"'):page.index('class="small text-muted"',
                                                                 page.index("jobs-title"))]
        pages.append(main)
    assert pages[0] == pages[1]
