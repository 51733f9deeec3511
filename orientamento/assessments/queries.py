"""Read-side queries for assessments, scoped to what the acting user may see."""

from __future__ import annotations

from functools import cache

from flask import abort
from sqlalchemy import Select, and_, bindparam, distinct, func, select
from sqlalchemy.orm import defer

from orientamento.assessments.models import Assignment, Response, ResponseStatus
from orientamento.auth.models import Role, User
from orientamento.classes.models import ClassMembership, SchoolClass
from orientamento.extensions import db

#: The interests instrument (RIASEC), whose result the course suggestions rank by.
INTERESTS = "interests"


def own_response_or_404(student: User, response_id: int) -> Response:
    """A response of the acting student."""
    response = db.session.get(Response, response_id)
    if response is None or response.student_id != student.id:
        abort(404)
    return response


def visible_response_or_404(user: User, response_id: int) -> Response:
    """A submitted response the user may read: their own, or a pupil of their school's."""
    response = db.session.get(Response, response_id)
    if response is None or not response.is_submitted:
        abort(404)
    if user.role == Role.STUDENT and response.student_id == user.id:
        return response
    if user.role == Role.COUNSELLOR and user.school_id is not None:
        shared = db.session.scalar(
            select(ClassMembership.class_id)
            .join(SchoolClass)
            .where(ClassMembership.student_id == response.student_id,
                   SchoolClass.school_id == user.school_id)
            .limit(1)
        )
        if shared is not None:
            return response
    abort(404)


def history(student: User) -> list[Response]:
    """The student's submitted responses, newest first."""
    return list(db.session.scalars(
        select(Response)
        .where(Response.student_id == student.id,
               Response.status == ResponseStatus.SUBMITTED)
        .order_by(Response.submitted_at.desc())
    ))


def class_assignments(school_class: SchoolClass) -> list[Assignment]:
    """The instruments assigned to a class."""
    return list(db.session.scalars(
        select(Assignment).where(Assignment.class_id == school_class.id)
        .order_by(Assignment.created_at)
    ))


def class_responses(school_class: SchoolClass, questionnaire_id: str) -> dict[int, Response]:
    """Each pupil's latest response to an instrument (submitted first, else in progress).

    The database keeps one row per pupil (a window ranking), so the page reads as many
    responses as the class has pupils, however many attempts they made.
    """
    rows = db.session.scalars(_latest_of_class(), {"class_id": school_class.id,
                                                   "questionnaire_id": questionnaire_id})
    return {response.student_id: response for response in rows}


@cache
def _latest_of_class() -> Select[Response]:
    """``class_responses``' statement for the bound ``class_id`` and ``questionnaire_id``,
    built once (on first use, when the mappers are configured): building it took 0.4 ms and
    made its cache key slower to find, against 0.9 ms for the query itself."""
    rank = func.row_number().over(
        partition_by=Response.student_id,
        order_by=((Response.status == ResponseStatus.SUBMITTED).desc(),
                  Response.started_at.desc(), Response.id.desc()),
    ).label("rank")
    ranked = (
        select(Response.id, rank)
        .join(ClassMembership, and_(ClassMembership.student_id == Response.student_id,
                                    ClassMembership.class_id == bindparam("class_id")))
        .where(Response.questionnaire_id == bindparam("questionnaire_id"))
        .subquery()
    )
    # The pupils come with the class's roster; the answers are not shown (only the scores).
    return (select(Response)
            .join(ranked, and_(ranked.c.id == Response.id, ranked.c.rank == 1))
            .options(defer(Response.answers, raiseload=True)))


def latest_interests(student: User) -> Response | None:
    """The student's latest submitted interests result, whose scores the suggestions rank by."""
    return db.session.scalar(
        select(Response).where(
            Response.student_id == student.id, Response.questionnaire_id == INTERESTS,
            Response.status == ResponseStatus.SUBMITTED)
        .order_by(Response.submitted_at.desc(), Response.id.desc()).limit(1))


def assignment_completion(class_ids: list[int]) -> dict[int, list[tuple[Assignment, int]]]:
    """Per class, each assigned instrument with how many pupils have submitted it.

    Two grouped queries whatever the number of classes and pupils.
    """
    if not class_ids:
        return {}
    assignments = list(db.session.scalars(
        select(Assignment).where(Assignment.class_id.in_(class_ids))
        .order_by(Assignment.due_on.is_(None), Assignment.due_on, Assignment.created_at)))
    submitted = {key: count for key, count in db.session.execute(
        select(Assignment.id, func.count(distinct(Response.student_id)))
        .join(ClassMembership, ClassMembership.class_id == Assignment.class_id)
        .join(Response, and_(Response.student_id == ClassMembership.student_id,
                             Response.questionnaire_id == Assignment.questionnaire_id,
                             Response.status == ResponseStatus.SUBMITTED))
        .where(Assignment.class_id.in_(class_ids))
        .group_by(Assignment.id))}
    completion: dict[int, list[tuple[Assignment, int]]] = {}
    for assignment in assignments:
        completion.setdefault(assignment.class_id, []).append(
            (assignment, submitted.get(assignment.id, 0)))
    return completion
