"""A result leads somewhere: suggestions, close jobs, the counsellor; and it prints."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient

from orientamento.assessments.models import Response
from orientamento.assessments.scoring import score
from orientamento.assessments.services import registry
from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.extensions import db
from orientamento.orgs.models import School
from tests.conftest import log_in

ENGLISH = {"Accept-Language": "en"}
#: Hands-on and investigative interests: the closest jobs are technicians.
PERCENT = {"R": 90.0, "I": 85.0, "A": 10.0, "S": 20.0, "E": 30.0, "C": 40.0}


def _interests(student: User) -> Response:
    scores = {k: {"value": v / 25 + 1, "percent": v, "answered": 8, "items": 8, "band": "high"}
              for k, v in PERCENT.items()}
    response = Response(student_id=student.id, questionnaire_id="interests", version=1,
                        status="submitted", answers={}, scores=scores, submitted_at=clock.now())
    db.session.add(response)
    db.session.commit()
    return response


def _work_styles(student: User) -> Response:
    questionnaire = registry().latest("work_styles")
    assert questionnaire is not None
    answers = {item.id: 4 for item in questionnaire.items}
    response = Response(
        student_id=student.id, questionnaire_id="work_styles", version=questionnaire.version,
        status="submitted", answers=answers, submitted_at=clock.now(),
        scores={k: v.as_dict() for k, v in score(questionnaire, answers).items()})
    db.session.add(response)
    db.session.commit()
    return response


def _next_steps(page: str) -> str:
    start = page.find('id="next-title"')
    return page[start:page.index("</section>", start)] if start >= 0 else ""


def test_an_interests_result_leads_to_suggestions_jobs_and_the_counsellor(
        client: FlaskClient, reference_data: None, make_user: Callable[..., User],
        make_school: Callable[..., School], make_class: Callable[..., SchoolClass]) -> None:
    school = make_school(name="Istituto Galilei")
    counsellor = make_user(Role.COUNSELLOR, school=school)
    pupil = make_user(Role.STUDENT)
    make_class(counsellor, pupils=(pupil,), name="4B")
    response = _interests(pupil)
    log_in(client, pupil)
    page = client.get(f"/assessments/responses/{response.id}", headers=ENGLISH)
    steps = _next_steps(page.get_data(as_text=True))
    assert 'href="/courses/suggestions"' in steps
    jobs = re.findall(r'href="/courses/occupations/(\d+)"', steps)
    assert len(jobs) == 3
    assert "technician" in steps  # an R-I profile: the closest jobs are technicians
    assert "Talk about it with your counsellor" in steps
    assert "4B" in steps and "Istituto Galilei" in steps
    assert "/events" not in steps  # the events list has no filter by area to link to


def test_without_a_class_there_is_no_counsellor_to_talk_to(
        client: FlaskClient, reference_data: None, make_user: Callable[..., User]) -> None:
    pupil = make_user(Role.STUDENT)
    response = _interests(pupil)
    log_in(client, pupil)
    steps = _next_steps(client.get(f"/assessments/responses/{response.id}",
                                   headers=ENGLISH).get_data(as_text=True))
    assert 'href="/courses/suggestions"' in steps
    assert "counsellor" not in steps


def test_other_instruments_lead_to_the_counsellor_only(
        client: FlaskClient, make_user: Callable[..., User],
        make_class: Callable[..., SchoolClass]) -> None:
    pupil = make_user(Role.STUDENT)
    make_class(pupils=(pupil,))
    response = _work_styles(pupil)
    log_in(client, pupil)
    page = client.get(f"/assessments/responses/{response.id}", headers=ENGLISH).get_data(
        as_text=True)
    steps = _next_steps(page)
    assert "Talk about it with your counsellor" in steps
    assert "/courses/suggestions" not in steps
    assert "Your interest profile" not in page  # the headline is for interests only


def test_a_counsellor_reading_a_result_gets_no_pupil_next_steps_but_can_print(
        client: FlaskClient, reference_data: None, make_user: Callable[..., User],
        make_class: Callable[..., SchoolClass]) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    pupil = make_user(Role.STUDENT, display_name="Sara")
    make_class(counsellor, pupils=(pupil,))
    response = _interests(pupil)
    log_in(client, counsellor)
    page = client.get(f"/assessments/responses/{response.id}", headers=ENGLISH).get_data(
        as_text=True)
    assert 'id="next-title"' not in page
    assert f'href="/assessments/responses/{response.id}/print"' in page
    printout = client.get(f"/assessments/responses/{response.id}/print", headers=ENGLISH)
    assert printout.status_code == 200 and "Sara" in printout.get_data(as_text=True)
