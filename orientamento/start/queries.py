"""What each role's start page shows, read from the features' own queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from orientamento.assessments import queries as assessment_queries
from orientamento.assessments import services as assessments
from orientamento.assessments.analysis import latest_run
from orientamento.assessments.definitions import Questionnaire
from orientamento.assessments.models import Assignment, PsychometricRun, Response
from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.classes.queries import classes_of_school
from orientamento.courses import cache as catalogue_cache
from orientamento.courses import queries as course_queries
from orientamento.courses.models import Course
from orientamento.events import hours as orientation_hours
from orientamento.events import queries as event_queries
from orientamento.events.models import Event, Registration
from orientamento.extensions import db
from orientamento.outbox.queries import Backlog, backlog
from orientamento.outreach.models import Trigger
from orientamento.outreach.queries import WorkerSummary, worker_summary
from orientamento.outreach.referrals.queries import needs_attention, operator_summary
from orientamento.risk import queries as risk_queries
from orientamento.risk.models import ModelVersion, RiskSnapshot
from orientamento.visits.models import VisitRequest
from orientamento.visits.queries import visits_awaiting

#: How many rows a panel lists before its "see all" link.
PANEL_ROWS = 5


@dataclass(frozen=True)
class ToDo:
    """A questionnaire the student is asked to take or has started."""

    questionnaire: Questionnaire
    assignment: Assignment | None
    in_progress: Response | None
    allowed: bool

    def sort_key(self, today: date) -> tuple[int, date, str]:
        """Overdue first, then by due date, then those started without a due date."""
        due = self.assignment.due_on if self.assignment else None
        overdue = bool(self.assignment and self.assignment.is_overdue(today))
        return (0 if overdue else 1, due or date.max, self.questionnaire.id)


@dataclass
class StudentStart:
    """A student's page: what to take, what came out, where to go next."""

    todo: list[ToDo]
    results: list[Response]
    saved: list[Course]
    registrations: list[Registration]
    first_step: Questionnaire | None  # a new student's suggested first questionnaire
    first_step_allowed: bool = False


def student_start(student: User, today: date, now: datetime) -> StudentStart:
    """Assigned and unfinished questionnaires, latest results, saved courses, tickets."""
    assigned = assessments.assignments_for(student)
    unfinished = assessments.responses_in_progress(student)
    history = assessment_queries.history(student)
    done = {response.questionnaire_id for response in history}
    todo = [
        ToDo(questionnaire, assigned.get(questionnaire.id), unfinished.get(questionnaire.id),
             assessments.may_take(student, questionnaire.id, today, assigned))
        for questionnaire in assessments.registry().current()
        if questionnaire.id in unfinished
        or (questionnaire.id in assigned and questionnaire.id not in done)
    ]
    todo.sort(key=lambda item: item.sort_key(today))
    first_step = None
    if not history and not unfinished:
        first_step = assessments.registry().latest(assessment_queries.INTERESTS)
    return StudentStart(
        todo=todo, results=history[:3],
        saved=course_queries.saved_courses(student.id, PANEL_ROWS),
        registrations=event_queries.next_registrations(student, now, PANEL_ROWS),
        first_step=first_step,
        first_step_allowed=bool(first_step and assessments.may_take(
            student, first_step.id, today, assigned)))


@dataclass
class ClassRow:
    """A class with its roster size, assigned questionnaires' completion and hours done."""

    school_class: SchoolClass
    pupils: int
    completion: list[tuple[Assignment, int]] = field(default_factory=list)
    hours: float | None = None


@dataclass
class CounsellorStart:
    """A counsellor's page: classes, visit answers waiting, what is coming to the school."""

    classes: list[ClassRow]
    awaiting: list[VisitRequest]
    upcoming: list[Event]
    hours_due: float


def counsellor_start(counsellor: User, now: datetime, school_year: str) -> CounsellorStart:
    """The school's classes of this school year first, with completion and hours."""
    school_id = counsellor.school_id or 0
    rows = [ClassRow(school_class, pupils) for school_class, pupils in
            db.session.execute(classes_of_school(school_id))
            if school_class.school_year == school_year]
    ids = [r.school_class.id for r in rows]
    completion = assessment_queries.assignment_completion(ids)
    hours = orientation_hours.class_hours(ids)
    for row in rows:
        row.completion = completion.get(row.school_class.id, [])
        row.hours = hours.get(row.school_class.id, 0.0)
    return CounsellorStart(classes=rows, awaiting=visits_awaiting(counsellor, now),
                           upcoming=event_queries.school_events(school_id, now),
                           hours_due=orientation_hours.HOURS_PER_YEAR)


@dataclass
class ProviderStart:
    """A provider's page: requests to answer, events coming, courses to update."""

    awaiting: list[VisitRequest]
    events: list[Event]
    events_total: int
    stale_total: int
    stale_courses: list[Course]


def provider_start(staff: User, today: date, now: datetime) -> ProviderStart:
    """New visit requests, the next events with seats left, courses with missing dates."""
    events_total, events = event_queries.next_managed_events(staff, now, PANEL_ROWS)
    stale_total, stale = course_queries.courses_needing_dates(staff.provider_id, today,
                                                              PANEL_ROWS)
    return ProviderStart(awaiting=visits_awaiting(staff, now),
                         events=events, events_total=events_total,
                         stale_total=stale_total, stale_courses=stale)


@dataclass
class AdminStart:
    """An admin's page: the models in use, the last imports, mail waiting, health."""

    versions: list[ModelVersion]
    snapshot: RiskSnapshot | None
    catalogue_changed: datetime | None
    outbox: Backlog
    psychometrics: PsychometricRun | None


def admin_start(today: date) -> AdminStart:
    """Active model versions, last risk import and catalogue change, outbox backlog.

    The catalogue's last change is kept per catalogue version and Milan day (reading it
    visits every course: with 20,000 of them, most of the page's time).
    """
    changed = catalogue_cache.cached(
        ("catalogue modified", catalogue_cache.catalogue_version(), today),
        lambda: course_queries.catalogue_modified(today))
    return AdminStart(versions=risk_queries.active_versions(),
                      snapshot=risk_queries.latest_snapshot(),
                      catalogue_changed=changed,
                      outbox=backlog(), psychometrics=latest_run(with_results=False))


def start_context(user: User, today: date, now: datetime, school_year: str) -> dict[str, Any]:
    """The template context of the user's start page, by role."""
    role = Role(user.role)
    if role == Role.STUDENT:
        return {"start": student_start(user, today, now)}
    if role == Role.COUNSELLOR:
        return {"start": counsellor_start(user, now, school_year)}
    if role == Role.PROVIDER:
        return {"start": provider_start(user, today, now)}
    if role == Role.AMBASSADOR:
        return {"events": event_queries.staffed_events(user, now)}
    if role == Role.OUTREACH:
        summary: WorkerSummary = worker_summary(user, today)
        return {"start": summary, "triggers": list(Trigger),
                "referrals_back": needs_attention(user, today)}
    if role == Role.SERVICE_OPERATOR:
        return {"start": operator_summary(user, today)}
    return {"start": admin_start(today)}
