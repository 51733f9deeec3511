"""Assessment use cases: what a student may take, answering, submitting, assigning."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from orientamento.assessments.definitions import Item, Questionnaire, Section
from orientamento.assessments.loader import Registry
from orientamento.assessments.models import Assignment, Response, ResponseStatus
from orientamento.assessments.scoring import item_value, score
from orientamento.auth.models import Role, User
from orientamento.classes.models import ClassMembership, SchoolClass
from orientamento.core import clock
from orientamento.core.errors import Conflict, DomainError, NotAllowed, NotFound
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.extensions import db


def registry() -> Registry:
    """The questionnaires loaded at start-up."""
    found: Registry = current_app.extensions["questionnaires"]
    return found


def definition_of(response: Response) -> Questionnaire:
    """The exact version a response was taken with."""
    questionnaire = registry().get(response.questionnaire_id, response.version)
    if questionnaire is None:
        raise DomainError(_l("This questionnaire version is no longer available."))
    return questionnaire


def assignments_for(student: User) -> dict[str, Assignment]:
    """Instruments assigned to the student's classes, by questionnaire id."""
    rows = db.session.scalars(
        select(Assignment)
        .join(ClassMembership, ClassMembership.class_id == Assignment.class_id)
        .where(ClassMembership.student_id == student.id)
        .order_by(Assignment.due_on.is_(None), Assignment.due_on)
    )
    found: dict[str, Assignment] = {}
    for assignment in rows:
        found.setdefault(assignment.questionnaire_id, assignment)
    return found


def may_take(student: User, questionnaire_id: str, today: date,
             assigned: dict[str, Assignment] | None = None) -> bool:
    """Under 14 without parental consent, only instruments the school assigned."""
    if student.role != Role.STUDENT:
        return False
    if student.needs_parental_consent(today):
        return questionnaire_id in (assignments_for(student) if assigned is None else assigned)
    return True


def responses_in_progress(student: User) -> dict[str, Response]:
    """The student's unfinished responses, by questionnaire id."""
    rows = db.session.scalars(select(Response).where(
        Response.student_id == student.id, Response.status == ResponseStatus.IN_PROGRESS))
    return {response.questionnaire_id: response for response in rows}


def start_or_resume(student: User, questionnaire_id: str, locale: str, today: date) -> Response:
    """Return the student's response in progress, or start one on the newest version."""
    questionnaire = registry().latest(questionnaire_id)
    if questionnaire is None:
        raise NotFound(_l("This questionnaire does not exist."))
    assigned = assignments_for(student)
    if not may_take(student, questionnaire_id, today, assigned):
        raise NotAllowed(_l("Under 14, you can take questionnaires your school assigns you, "
                            "or any of them once your school records your parents' consent."))
    existing = responses_in_progress(student).get(questionnaire_id)
    if existing is not None:
        return existing
    assignment = assigned.get(questionnaire_id)
    response = Response(
        student_id=student.id, questionnaire_id=questionnaire_id,
        version=questionnaire.version, locale=locale,
        assignment_id=assignment.id if assignment else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(response)
    except IntegrityError:  # a parallel request started it first: use that one
        found = responses_in_progress(student).get(questionnaire_id)
        if found is None:
            raise
        return found
    return response


#: What a page of items sends: each field's values, by field name.
Submitted = Mapping[str, Sequence[str]]


def parse_answer(item: Item, submitted: Submitted) -> Any:
    """Read one item's answer from a page's values (None when missing or invalid)."""
    values = submitted.get(item.id, ())
    if item.type == "multiple_choice":
        answer: Any = sorted(set(values))
    else:
        raw = (values[0] if values else "").strip()
        answer = int(raw) if item.type == "likert5" and raw.isascii() and raw.isdigit() else raw
    return answer if item_value(item, answer) is not None else None


def save_section(response: Response, section: Section, submitted: Submitted) -> list[str]:
    """Store the answers given on one page; return the ids of items still unanswered.

    Items absent from the request keep their stored answer, so a late autosave of an
    older state cannot erase newer answers; unticking every box of a multiple-choice
    item clears it (the page sends a ``<id>__present`` marker for those).
    """
    if response.is_submitted:
        raise Conflict(_l("This questionnaire has already been submitted."))
    answers = dict(response.answers or {})
    missing = []
    for item in section.items:
        answer = parse_answer(item, submitted)
        if answer is not None:
            answers[item.id] = answer
        elif item.type == "multiple_choice" and f"{item.id}__present" in submitted:
            answers.pop(item.id, None)
        if item.id not in answers:
            missing.append(item.id)
    response.answers = answers
    response.updated_at = clock.now()
    return missing


def destination(questionnaire: Questionnaire, number: int, move: str,
                missing: list[str]) -> int | None:
    """The page to show after saving page ``number`` (None: the review page)."""
    if move == "back":
        return max(number - 1, 0)
    if move == "next" and not missing:
        return number + 1 if number + 1 < len(questionnaire.sections) else None
    return number


def unanswered(questionnaire: Questionnaire, response: Response) -> list[str]:
    """Items without a valid answer."""
    answers = response.answers or {}
    return [item.id for item in questionnaire.items
            if item_value(item, answers.get(item.id)) is None]


def submit(response: Response) -> None:
    """Score and hand in a complete response, exactly once."""
    questionnaire = definition_of(response)
    if unanswered(questionnaire, response):
        raise DomainError(_l("Some questions are still unanswered."))
    scores = {key: value.as_dict() for key, value in score(questionnaire, response.answers).items()}
    now = clock.now()
    done = db.session.execute(
        update(Response)
        .where(Response.id == response.id, Response.status == ResponseStatus.IN_PROGRESS)
        .values(status=ResponseStatus.SUBMITTED, scores=scores, submitted_at=now,
                updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(_l("This questionnaire has already been submitted."))
    db.session.refresh(response)


def assign(counsellor: User, school_class: SchoolClass, questionnaire_id: str,
           due_on: date | None) -> Assignment:
    """Assign an instrument to a class (or change the due date of an existing assignment)."""
    if registry().latest(questionnaire_id) is None:
        raise NotFound(_l("This questionnaire does not exist."))
    assignment = db.session.scalar(select(Assignment).where(
        Assignment.class_id == school_class.id, Assignment.questionnaire_id == questionnaire_id))
    if assignment is None:
        assignment = Assignment(class_id=school_class.id, questionnaire_id=questionnaire_id,
                                assigned_by_id=counsellor.id)
        db.session.add(assignment)
    assignment.due_on = due_on
    db.session.flush()
    return assignment


def unassign(assignment: Assignment) -> None:
    """Withdraw an assignment (responses already given stay with the students)."""
    db.session.delete(assignment)
