"""The suggestions page: a student's latest interests, entry rules, place, ranking, reasons."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from orientamento.auth.models import User
from orientamento.core import clock
from orientamento.courses import signals
from orientamento.courses.models import (
    RIASEC,
    Course,
    CourseStatus,
    Enrolment,
    Occupation,
    Place,
)
from orientamento.courses.queries import load_courses, nearest_sites, place_or_none
from orientamento.courses.recommendations import (
    EDUCATION_LABELS,
    ELIGIBLE_KINDS,
    LETTER_LABELS,
    Candidate,
    Education,
    Suggestion,
    default_education,
    rank,
)
from orientamento.extensions import db


def education_choices() -> dict[str, Any]:
    """Education options for the form."""
    return {e.value: label for e, label in EDUCATION_LABELS.items()}


@dataclass
class CourseSuggestion:
    """A suggested course with the words explaining it."""

    course: Course
    suggestion: Suggestion
    reason: str


@dataclass
class SuggestionsView:
    """Everything the suggestions page shows."""

    scores: dict[str, float] | None
    education: Education
    place: Place | None
    courses: list[CourseSuggestion] = field(default_factory=list)
    broaden: list[CourseSuggestion] = field(default_factory=list)
    occupations: list[tuple[Occupation, Suggestion, str]] = field(default_factory=list)


def _letter_names(letters: tuple[str, ...]) -> str:
    names = [str(LETTER_LABELS[k]) for k in letters]
    return _(" and ").join(names) if len(names) <= 2 else ", ".join(names)


def reason_for(suggestion: Suggestion, distance_km: float | None, place: Place | None) -> str:
    """Plain words saying why something is suggested."""
    if suggestion.broadening:
        text = _("Its main type, %(type)s, is not among your strongest interests, but its "
                 "profile is still close to yours.", type=_letter_names((suggestion.lead,)))
    elif len(suggestion.shared) >= 2:
        text = _("Matches your two strongest interests, %(types)s.",
                 types=_letter_names(suggestion.shared))
    elif suggestion.shared:
        text = _("Matches one of your two strongest interests, %(type)s.",
                 type=_letter_names(suggestion.shared))
    else:
        text = _("Its overall profile is close to yours.")
    if distance_km is not None and place is not None:
        text += " " + _("%(km)d km from %(place)s.", km=max(1, math.ceil(distance_km)),
                        place=place.name)
    return text


def _candidates(education: Education, place: Place | None, km: int | None,
                today: date) -> tuple[list[Candidate], dict[int, float]]:
    """Courses open for enrolment that the student can enter (near the place), with distances."""
    columns = [Course.id, *(getattr(Course, f"riasec_{k}") for k in RIASEC)]
    kinds = [k.value for k in ELIGIBLE_KINDS[education]]
    stmt = select(*columns).where(Course.status == CourseStatus.ACTIVE.value,
                                  Course.kind.in_(kinds),
                                  Course.enrolment_in({Enrolment.OPEN}, today))
    distances: dict[int, float] = {}
    if place is not None:
        nearest = nearest_sites(place)
        stmt = stmt.add_columns(nearest.c.d2).join(nearest, nearest.c.course_id == Course.id)
        if km:
            stmt = stmt.where(nearest.c.d2 <= km * km)
    candidates = []
    for row in db.session.execute(stmt):
        profile = {k.upper(): row[n + 1] for n, k in enumerate(RIASEC)}
        candidates.append(Candidate(row[0], profile))
        if place is not None:
            distances[row[0]] = math.sqrt(row[7])
    return candidates, distances


def suggestions_for(student: User, form: Any, locale: str) -> SuggestionsView:
    """Suggested courses and occupations for a student; gender is never read."""
    today = clock.today()
    education = Education(form.education.data or default_education(student.age(today)))
    place = place_or_none(form.place.data)
    view = SuggestionsView(scores=signals.interest_scores(student), education=education,
                           place=place)
    if view.scores is None:
        return view
    candidates, distances = _candidates(education, place, form.km.data, today)
    ranked = rank(view.scores, candidates, limit=8, broaden=3)
    courses = {c.id: c for c in load_courses([s.id for s in ranked])}
    for s in ranked:
        item = CourseSuggestion(courses[s.id], s, reason_for(s, distances.get(s.id), place))
        (view.broaden if s.broadening else view.courses).append(item)
    occupations = list(db.session.scalars(select(Occupation)))
    by_id = {o.id: o for o in occupations}
    jobs = rank(view.scores, [Candidate(o.id, {k.upper(): v for k, v in o.riasec.items()})
                              for o in occupations], limit=6, broaden=0)
    view.occupations = [(by_id[s.id], s, reason_for(s, None, None)) for s in jobs]
    return view

