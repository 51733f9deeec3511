"""A student takes an instrument: pages, autosave, resume, submit once, results."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from orientamento.assessments.models import Response
from orientamento.assessments.services import registry
from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.extensions import db
from tests.conftest import log_in
from tests.core.routes import act_as


def _start(client: FlaskClient, questionnaire_id: str = "interests") -> str:
    response = client.post(f"/assessments/{questionnaire_id}/start")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response.headers["Location"]


def _page_answers(app: Flask, number: int, value: int = 4) -> dict[str, str]:
    with app.app_context():
        questionnaire = registry().latest("interests")
    assert questionnaire is not None
    return {item.id: str(value) for item in questionnaire.sections[number].items}


@pytest.fixture
def student(client: FlaskClient, make_user: Callable[..., User]) -> User:
    user = make_user(Role.STUDENT)
    log_in(client, user)
    return user


def test_the_list_shows_every_instrument_with_minutes(client: FlaskClient, student: User) -> None:
    page = client.get("/assessments/").get_data(as_text=True)
    for questionnaire in registry().current():
        assert questionnaire.title["it"] in page


def test_start_resume_and_autosave(app: Flask, client: FlaskClient, student: User) -> None:
    first = _start(client)
    assert first.endswith("/sections/0")
    answers = _page_answers(app, 0)
    some = dict(list(answers.items())[:3])
    saved = client.post(first, data={**some, "autosave": "1"}, headers={"HX-Request": "true"})
    assert saved.status_code == 200 and "<html" not in saved.get_data(as_text=True)
    response = db.session.scalar(select(Response))
    assert response is not None and response.answers == {k: int(v) for k, v in some.items()}
    # Starting again resumes the same response, on the page where the student was.
    assert _start(client) == first
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    page = client.get(first).get_data(as_text=True)
    for item_id, value in some.items():
        assert f'name="{item_id}" id="{item_id}-{value}" value="{value}" checked' in page


def test_a_page_with_missing_answers_is_refused_but_keeps_what_was_given(
    app: Flask, client: FlaskClient, student: User
) -> None:
    url = _start(client)
    answers = _page_answers(app, 0)
    first_id = next(iter(answers))
    response = client.post(url, data={first_id: "5", "move": "next"})
    assert response.status_code == 400
    assert 'id="form-errors"' in response.get_data(as_text=True)
    stored = db.session.scalar(select(Response))
    assert stored is not None and stored.answers == {first_id: 5}


def test_out_of_range_values_are_not_stored(app: Flask, client: FlaskClient, student: User) -> None:
    url = _start(client)
    item_id = next(iter(_page_answers(app, 0)))
    client.post(url, data={item_id: "9", "autosave": "1"})
    client.post(url, data={item_id: "=1+1", "autosave": "1"})
    stored = db.session.scalar(select(Response))
    assert stored is not None and stored.answers == {}


def _complete(app: Flask, client: FlaskClient, url: str) -> str:
    with app.app_context():
        questionnaire = registry().latest("interests")
    assert questionnaire is not None
    base = url.rsplit("/", 1)[0]
    last = None
    for number in range(len(questionnaire.sections)):
        # alternate values so the scales differ
        answers = {item.id: str(1 + (i + number) % 5)
                   for i, item in enumerate(questionnaire.sections[number].items)}
        last = client.post(f"{base}/{number}", data={**answers, "move": "next"})
        assert last.status_code == 302
    assert last is not None and last.headers["Location"].endswith("/review")
    return last.headers["Location"]


def test_submit_scores_once_and_shows_chart_and_table(
    app: Flask, client: FlaskClient, student: User
) -> None:
    review = _complete(app, client, _start(client))
    assert "Invia" in client.get(review).get_data(as_text=True) or \
        "submit" in client.get(review).get_data(as_text=True)
    response_id = review.split("/")[-2]
    first = client.post(f"/assessments/responses/{response_id}/submit")
    second = client.post(f"/assessments/responses/{response_id}/submit")  # double click
    assert first.status_code == second.status_code == 302
    stored = db.session.scalar(select(Response))
    assert stored is not None and stored.is_submitted and stored.submitted_at is not None
    assert set(stored.scores or {}) == {"R", "I", "A", "S", "E", "C"}
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    page = client.get(f"/assessments/responses/{response_id}").get_data(as_text=True)
    assert "<svg" in page and "<table" in page
    for scale_id, value in (stored.scores or {}).items():
        shown = str(round(value["percent"]))
        assert page.count(f">{shown}<") >= 2, (scale_id, shown)  # chart and table agree
    # A new start after submitting begins a new response; history keeps the old one.
    _start(client)
    assert db.session.scalar(select(func.count()).select_from(Response)) == 2
    assert f"/assessments/responses/{response_id}" in client.get("/assessments/").get_data(as_text=True)


def test_another_students_response_is_not_found(
    app: Flask, client: FlaskClient, student: User, make_user: Callable[..., User]
) -> None:
    url = _start(client)
    other = app.test_client()
    log_in(other, make_user(Role.STUDENT))
    assert other.get(url).status_code == 404
    assert other.post(url, data={"autosave": "1"}).status_code == 404


def test_under_14_without_consent_only_takes_assigned_instruments(
    client: FlaskClient, make_user: Callable[..., User], make_class: Callable[..., SchoolClass],
) -> None:
    young = make_user(Role.STUDENT, date_of_birth=date(clock.today().year - 12, 1, 1))
    counsellor = make_user(Role.COUNSELLOR)
    school_class = make_class(counsellor, pupils=(young,))
    log_in(client, young)
    assert client.post("/assessments/interests/start").status_code == 403
    teacher = client.application.test_client()
    log_in(teacher, counsellor)
    assert teacher.post(f"/assessments/classes/{school_class.id}/assign",
                        data={"questionnaire_id": "interests"}).status_code == 302
    assert client.post("/assessments/interests/start").status_code == 302
    assert client.post("/assessments/reasoning/start").status_code == 403


@settings(max_examples=30, deadline=None,
          phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_garbage_answers_never_cause_a_server_error(
    app: Flask, make_user: Callable[..., User], data: st.DataObject
) -> None:
    client = app.test_client()
    act_as(client, make_user(Role.STUDENT))
    for questionnaire_id in ("interests", "reasoning"):
        url = _start(client, questionnaire_id)
        questionnaire = registry().latest(questionnaire_id)
        assert questionnaire is not None
        form = {item.id: data.draw(st.one_of(st.text(max_size=20), st.sampled_from(
            ["1", "5", "0", "6", "a", "b", "=1", "99999999999999999999", " 3 "])))
            for item in questionnaire.sections[0].items}
        form["move"] = data.draw(st.sampled_from(["next", "back", "stay", "x", ""]))
        assert client.post(url, data=form).status_code < 500
        number = data.draw(st.integers(0, 20))
        base = url.rsplit("/", 1)[0]
        assert client.get(f"{base}/{number}").status_code in (200, 302, 404)
    stored = db.session.scalars(select(Response)).all()
    for response in stored:
        questionnaire = registry().get(response.questionnaire_id, response.version)
        assert questionnaire is not None
        valid = {item.id for item in questionnaire.items}
        assert set(response.answers) <= valid


def test_resume_opens_the_page_moved_to_and_finish_later_is_not_an_error(
    app: Flask, client: FlaskClient, student: User
) -> None:
    url = _start(client)
    answers = _page_answers(app, 0)
    moved = client.post(url, data={**answers, "move": "next"})
    assert moved.headers["Location"].endswith("/sections/1")
    assert _start(client).endswith("/sections/1")
    later = client.post(moved.headers["Location"], data={"move": "stay"})
    assert later.status_code == 200 and 'id="form-errors"' not in later.get_data(as_text=True)
    # an autosave sending only one item keeps the others
    one = next(iter(answers))
    client.post(url, data={one: "2", "autosave": "1"})
    stored = db.session.scalar(select(Response))
    assert stored is not None and len(stored.answers) == len(answers) and stored.answers[one] == 2
