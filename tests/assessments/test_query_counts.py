"""The assessment pages' number of SQL queries does not grow with the data they show."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask

from orientamento.assessments.models import Assignment, Response
from orientamento.assessments.scoring import score
from orientamento.assessments.services import registry
from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.extensions import db
from tests.core.routes import act_as


def _count(app: Flask, user_id: int, path: str, seen: list[str]) -> int:
    """Queries of one GET of ``path`` as the user, starting from an empty session.

    In production every request starts with an empty identity map; the tests keep one
    app context (and so one session) for every request, so empty it first.
    """
    db.session.remove()
    client = app.test_client()
    act_as(client, db.session.get(User, user_id))
    db.session.remove()
    seen.clear()
    answered = client.get(path)
    assert answered.status_code == 200, answered.get_data(as_text=True)[:500]
    return len(seen)


def _submit(student: User, questionnaire_id: str = "interests", value: int = 4,
            days_ago: int = 0) -> Response:
    """A scored, submitted response of ``student`` (every item answered ``value``)."""
    questionnaire = registry().latest(questionnaire_id)
    assert questionnaire is not None
    answers: dict[str, Any] = {}
    for item in questionnaire.items:
        answers[item.id] = value if item.type == "likert5" else item.correct
    scores = {key: s.as_dict() for key, s in score(questionnaire, answers).items()}
    when = clock.now() - timedelta(days=days_ago)
    response = Response(student_id=student.id, questionnaire_id=questionnaire_id,
                        version=questionnaire.version, status="submitted", answers=answers,
                        scores=scores, started_at=when, updated_at=when, submitted_at=when)
    db.session.add(response)
    db.session.commit()
    return response


def _history(student: User, count: int) -> list[Response]:
    """``count`` submitted responses of ``student`` over every questionnaire."""
    ids = [q.id for q in registry().current()]
    return [_submit(student, ids[n % len(ids)], 1 + n % 5, days_ago=n) for n in range(count)]


def _assigned_class(counsellor: User, make_user: Callable[..., User],
                    make_class: Callable[..., SchoolClass], submitted: int,
                    in_progress: int = 0, not_started: int = 0) -> SchoolClass:
    """A class assigned interests: pupils who submitted it, are answering or did not start."""
    members = tuple(make_user(Role.STUDENT) for _ in range(submitted + in_progress + not_started))
    school_class = make_class(counsellor, pupils=members)
    db.session.add(Assignment(class_id=school_class.id, questionnaire_id="interests",
                              assigned_by_id=counsellor.id))
    db.session.commit()
    for number, pupil in enumerate(members[:submitted]):
        _submit(pupil, value=1 + number % 5)
    for pupil in members[submitted:submitted + in_progress]:
        db.session.add(Response(student_id=pupil.id, questionnaire_id="interests", version=1,
                                answers={"R01": 3}))
    db.session.commit()
    return school_class


def test_student_index_queries_do_not_grow_with_history(
    app: Flask, make_user: Callable[..., User], make_class: Callable[..., SchoolClass],
    queries: list[str],
) -> None:
    student = make_user(Role.STUDENT)
    counsellor = make_user(Role.COUNSELLOR)
    school_class = make_class(counsellor, pupils=(student,))
    db.session.add(Assignment(class_id=school_class.id, questionnaire_id="interests"))
    db.session.commit()
    student_id = student.id
    _history(student, 1)
    few = _count(app, student_id, "/assessments/", queries)
    _history(db.session.get(User, student_id), 19)
    many = _count(app, student_id, "/assessments/", queries)
    assert many == few, f"1 response: {few} queries, 20 responses: {many}"


def test_results_page_queries_do_not_grow_with_data(
    app: Flask, make_user: Callable[..., User], make_class: Callable[..., SchoolClass],
    queries: list[str],
) -> None:
    student = make_user(Role.STUDENT)
    counsellor = make_user(Role.COUNSELLOR)
    make_class(counsellor, pupils=(student,))
    student_id, counsellor_id = student.id, counsellor.id
    path = f"/assessments/responses/{_submit(student).id}"
    _count(app, student_id, path, queries)  # the first view keeps the occupations' profiles
    few = {"student": _count(app, student_id, path, queries),
           "counsellor": _count(app, counsellor_id, path, queries)}
    student = db.session.get(User, student_id)
    _history(student, 19)
    for _ in range(3):  # more classes of the school, with pupils and results
        pupils = tuple(make_user(Role.STUDENT) for _ in range(5))
        make_class(db.session.get(User, counsellor_id), pupils=pupils)
        for pupil in pupils:
            _submit(pupil)
    many = {"student": _count(app, student_id, path, queries),
            "counsellor": _count(app, counsellor_id, path, queries)}
    assert many == few, f"1 response: {few} queries, 20 and more: {many}"


def test_class_assessments_queries_do_not_grow_with_pupils(
    app: Flask, make_user: Callable[..., User], make_class: Callable[..., SchoolClass],
    queries: list[str],
) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    small = _assigned_class(counsellor, make_user, make_class, 2)
    large = _assigned_class(counsellor, make_user, make_class, 25, in_progress=3, not_started=4)
    counsellor_id, small_id, large_id = counsellor.id, small.id, large.id
    few = _count(app, counsellor_id, f"/assessments/classes/{small_id}", queries)
    many = _count(app, counsellor_id, f"/assessments/classes/{large_id}", queries)
    assert many == few, f"2 pupils: {few} queries, 32 pupils: {many}"
