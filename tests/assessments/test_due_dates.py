"""Due dates are whole days in Milan: due today is not late until Milan's midnight."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
import time_machine
from flask.testing import FlaskClient

from orientamento.assessments.models import Assignment, Response
from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.extensions import db
from tests.conftest import log_in

pytestmark = pytest.mark.calendar


def _assigned(make_user: Callable[..., User], make_class: Callable[..., SchoolClass],
              due_on: date) -> tuple[User, User, SchoolClass]:
    counsellor, pupil = make_user(Role.COUNSELLOR), make_user(Role.STUDENT)
    school_class = make_class(counsellor, pupils=(pupil,))
    db.session.add(Assignment(class_id=school_class.id, questionnaire_id="interests",
                              due_on=due_on))
    db.session.commit()
    return counsellor, pupil, school_class


@pytest.mark.parametrize(("instant", "overdue"), [
    ("2027-03-10T23:59:00+01:00", False),  # the last minute of the due day
    ("2027-03-11T00:30:00+01:00", True),  # 23:30 on the due day in UTC, the next day in Milan
])
def test_a_due_date_passes_at_midnight_in_milan(
        client: FlaskClient, make_user: Callable[..., User],
        make_class: Callable[..., SchoolClass], instant: str, overdue: bool) -> None:
    _, pupil, _ = _assigned(make_user, make_class, date(2027, 3, 10))
    with time_machine.travel(datetime.fromisoformat(instant), tick=False):
        log_in(client, pupil)
        page = client.get("/assessments/", headers={"Accept-Language": "en"}
                          ).get_data(as_text=True)
    assert ("Overdue" in page) is overdue
    assert ("Due by" in page) is not overdue


def test_a_due_date_must_be_ahead_and_within_two_years(
        client: FlaskClient, make_user: Callable[..., User],
        make_class: Callable[..., SchoolClass]) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    school_class = make_class(counsellor)
    log_in(client, counsellor)
    url = f"/assessments/classes/{school_class.id}/assign"
    today = clock.today()
    for day in (today - timedelta(days=1), today + timedelta(days=731)):
        answer = client.post(url, data={"questionnaire_id": "interests",
                                        "due_on": day.isoformat()})
        assert answer.status_code == 400, day
        assert db.session.scalar(db.select(Assignment)) is None
    assert client.post(url, data={"questionnaire_id": "interests",
                                  "due_on": today.isoformat()}).status_code == 302
    assert db.session.scalar(db.select(Assignment.due_on)) == today


@pytest.mark.parametrize(("submitted", "written"), [
    ("2027-03-10T15:30:59+00:00", "2027-03-10T16:30:59+01:00"),
    ("2027-07-01T22:15:00+00:00", "2027-07-02T00:15:00+02:00"),
])
def test_the_class_results_csv_writes_milan_time_with_the_offset(
        client: FlaskClient, make_user: Callable[..., User],
        make_class: Callable[..., SchoolClass], submitted: str, written: str) -> None:
    counsellor, pupil, school_class = _assigned(make_user, make_class, clock.today())
    db.session.add(Response(student_id=pupil.id, questionnaire_id="interests", version=1,
                            status="submitted", answers={}, scores={},
                            submitted_at=datetime.fromisoformat(submitted)))
    db.session.commit()
    log_in(client, counsellor)
    body = client.get(f"/assessments/classes/{school_class.id}/results/interests.csv")
    rows = list(csv.DictReader(io.StringIO(body.get_data(as_text=True))))
    assert rows[0]["submitted_at"] == written
