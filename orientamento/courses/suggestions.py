"""The suggestions page: a student's latest interests, entry rules, place, ranking, reasons.

What the page shows, and why:
- one card per programme: courses of the same kind and title (folded) are one programme,
  whoever offers them and wherever; the best-fitting is the card, the others are listed on
  it with their provider and places;
- variety: among the first ``COURSE_CARDS`` cards at most ``PER_AREA`` share an area (sector),
  unless too few areas are left to fill the list; ``BROADEN`` more lie outside the student's
  strongest interests;
- reasons made of what matched in the profile: the course's two strongest interest types
  with the student's scores in them, the jobs it leads to (saying which are also among the
  student's jobs to explore), and the distance from the chosen place;
- for a pupil who may not take the interests questionnaire yet (under 14, no parental
  consent, not assigned by the school), why and what to do instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from babel.lists import format_list
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from orientamento.auth.models import User
from orientamento.core import clock
from orientamento.courses import cache, signals
from orientamento.courses.models import (
    RIASEC,
    Course,
    CourseStatus,
    Enrolment,
    Occupation,
    Place,
    course_occupations,
)
from orientamento.courses.queries import load_courses, nearest_sites, place_or_none
from orientamento.courses.recommendations import (
    ELIGIBLE_KINDS,
    LETTER_LABELS,
    Candidate,
    Education,
    Suggestion,
    default_education,
    rank,
)
from orientamento.courses.search import fold
from orientamento.extensions import db

#: Course cards in the main list, and at most how many of them may share an area.
COURSE_CARDS, PER_AREA = 8, 2
#: Cards outside the student's strongest interests, after the main list.
BROADEN = 3
#: Jobs to explore.
JOBS = 6
#: Jobs a reason names at most.
REASON_JOBS = 2


def education_choices() -> dict[str, Any]:
    """Education options for the form."""
    return Education.labels()


@dataclass
class CourseSuggestion:
    """A suggested programme: its best-fitting course, the words explaining it, other offers."""

    course: Course
    suggestion: Suggestion
    reason: str
    others: list[Course] = field(default_factory=list)


@dataclass
class SuggestionsView:
    """Everything the suggestions page shows."""

    scores: dict[str, float] | None
    education: Education
    place: Place | None
    courses: list[CourseSuggestion] = field(default_factory=list)
    broaden: list[CourseSuggestion] = field(default_factory=list)
    occupations: list[tuple[Occupation, Suggestion, str]] = field(default_factory=list)
    #: What the interests result supports saying (the results page's own sentence).
    headline: str = ""
    #: The interests questionnaire is closed to the student for now (parental consent).
    locked: bool = False


def _names(items: Sequence[str]) -> str:
    return format_list(list(items), locale=get_locale() or "it")


def programme_key(kind: str, title: str) -> str:
    """Courses with the same key are one programme (offered at several sites or providers)."""
    return f"{kind}|{' '.join(fold(title).split())}"


def reason_for(suggestion: Suggestion, scores: Mapping[str, float],
               leads_to: Sequence[str] = (), also_suggested: Sequence[str] = (),
               distance_km: float | None = None, place: Place | None = None) -> str:
    """Plain words saying what in the profile matched: interest types, jobs, distance."""
    leads = suggestion.leads or (suggestion.lead,)
    first = leads[0]
    if suggestion.broadening:
        text = _("Mainly %(type)s activities (your score: %(score)d out of 100): not among "
                 "your strongest interests, but its overall profile is still close to yours.",
                 type=LETTER_LABELS[first], score=round(scores.get(first, 0.0)))
    elif len(leads) >= 2:
        second = leads[1]
        text = _("Mainly %(first)s and %(second)s activities: your scores there are "
                 "%(first_score)d and %(second_score)d out of 100.",
                 first=LETTER_LABELS[first], second=LETTER_LABELS[second],
                 first_score=round(scores.get(first, 0.0)),
                 second_score=round(scores.get(second, 0.0)))
    else:
        text = _("Its overall profile is close to yours.")
    return text + _details(leads_to, also_suggested, distance_km, place)


def job_reason(suggestion: Suggestion, courses: int) -> str:
    """Why a job is suggested: its main interest types, and how many courses lead there."""
    leads = suggestion.leads or (suggestion.lead,)
    text = (_("Mainly %(first)s and %(second)s activities.", first=LETTER_LABELS[leads[0]],
              second=LETTER_LABELS[leads[1]]) if len(leads) >= 2
            else _("Its overall profile is close to yours."))
    if courses:
        text += " " + ngettext("%(num)d course you can enter leads there.",
                               "%(num)d courses you can enter lead there.", courses)
    return text


def _details(leads_to: Sequence[str], also_suggested: Sequence[str],
             distance_km: float | None, place: Place | None) -> str:
    """The jobs and distance sentences of a course's reason (each after a space)."""
    text = ""
    if also_suggested:
        text += " " + _("It leads to %(jobs)s, also among your jobs to explore.",
                        jobs=_names(also_suggested))
    elif leads_to:
        text += " " + _("It leads to jobs such as %(jobs)s.", jobs=_names(leads_to))
    if distance_km is not None and place is not None:
        text += " " + _("%(km)d km from %(place)s.", km=max(1, math.ceil(distance_km)),
                        place=place.name)
    return text


def _candidates(education: Education, place: Place | None, km: int | None,
                today: date) -> tuple[list[Candidate], dict[int, float]]:
    """Courses open for enrolment that the student can enter (near the place), with distances."""
    riasec = [getattr(Course, f"riasec_{k}") for k in RIASEC]
    stmt = select(Course.id, Course.kind, Course.title, Course.area, *riasec).where(
        Course.status == CourseStatus.ACTIVE,
        Course.kind.in_(sorted(ELIGIBLE_KINDS[education])),
        Course.enrolment_in({Enrolment.OPEN}, today))
    distances: dict[int, float] = {}
    if place is not None:
        nearest = nearest_sites(place)
        stmt = stmt.add_columns(nearest.c.d2).join(nearest, nearest.c.course_id == Course.id)
        if km:
            stmt = stmt.where(nearest.c.d2 <= km * km)
    candidates = []
    for row in db.session.execute(stmt):
        profile = {k.upper(): getattr(row, f"riasec_{k}") for k in RIASEC}
        candidates.append(Candidate(row.id, profile, programme_key(row.kind, row.title),
                                    row.area))
        if place is not None:
            distances[row.id] = math.sqrt(row.d2)
    return candidates, distances


def occupation_suggestions(scores: Mapping[str, float], limit: int = JOBS,
                           occupations: Sequence[Occupation] | None = None,
                           ) -> list[tuple[Occupation, Suggestion]]:
    """The occupations whose profile is closest to the scores, best first.

    Without ``occupations``, every occupation's profile comes from the catalogue cache (the
    result page asks on every view: reading and decoding the whole table cost more than half
    of the page) and only the ``limit`` best are read.
    """
    if occupations is None:
        ranked = rank(scores, cache.cached(("occupation profiles", cache.catalogue_version()),
                                           _occupation_candidates), limit=limit, broaden=0)
        found = {o.id: o for o in db.session.scalars(
            select(Occupation).where(Occupation.id.in_([s.id for s in ranked])))}
        return [(found[s.id], s) for s in ranked if s.id in found]
    by_id = {o.id: o for o in occupations}
    ranked = rank(scores, [Candidate(o.id, {k.upper(): v for k, v in o.riasec.items()})
                           for o in occupations], limit=limit, broaden=0)
    return [(by_id[s.id], s) for s in ranked]


def _occupation_candidates() -> tuple[Candidate, ...]:
    """Every occupation as a ranking candidate: its id and RIASEC profile."""
    return tuple(Candidate(occupation_id, {k.upper(): v for k, v in riasec.items()})
                 for occupation_id, riasec in db.session.execute(
                     select(Occupation.id, Occupation.riasec).order_by(Occupation.id)))


def _occupations_of(course_ids: list[int]) -> dict[int, list[int]]:
    """The occupation ids each course leads to."""
    found: dict[int, list[int]] = {}
    if course_ids:
        rows = db.session.execute(
            select(course_occupations.c.course_id, course_occupations.c.occupation_id)
            .where(course_occupations.c.course_id.in_(course_ids)))
        for course_id, occupation_id in rows:
            found.setdefault(course_id, []).append(occupation_id)
    return found


def suggestions_for(student: User, form: Any, locale: str) -> SuggestionsView:
    """Suggested courses and occupations for a student; gender is never read."""
    today = clock.today()
    education = Education(form.education.data or default_education(student.age(today)))
    place = place_or_none(form.place.data)
    profile = signals.interest_profile_of(student)
    view = SuggestionsView(scores=profile.scores if profile else None, education=education,
                           place=place, headline=profile.headline if profile else "",
                           locked=profile is not None and profile.scores is None
                           and not profile.can_take)
    if view.scores is None:
        return view
    occupations = list(db.session.scalars(select(Occupation)))
    by_id = {o.id: o for o in occupations}
    jobs = occupation_suggestions(view.scores, JOBS, occupations)
    suggested_jobs = {o.id for o, _s in jobs}
    candidates, distances = _candidates(education, place, form.km.data, today)
    ranked = rank(view.scores, candidates, limit=COURSE_CARDS, broaden=BROADEN,
                  per_area=PER_AREA)
    courses = {c.id: c for c in load_courses([i for s in ranked for i in (s.id, *s.others)])}
    leads_to = _occupations_of([c.id for c in candidates])
    for s in ranked:
        jobs_of = sorted((by_id[i] for i in leads_to.get(s.id, []) if i in by_id),
                         key=lambda o: (o.id not in suggested_jobs, o.title(locale)))
        matched = [o.title(locale) for o in jobs_of if o.id in suggested_jobs]
        other = [o.title(locale) for o in jobs_of if o.id not in suggested_jobs]
        reason = reason_for(s, view.scores, other[:REASON_JOBS], matched[:REASON_JOBS],
                            distances.get(s.id), place)
        item = CourseSuggestion(courses[s.id], s, reason,
                                [courses[i] for i in s.others if i in courses])
        (view.broaden if s.broadening else view.courses).append(item)
    reachable: dict[int, int] = {}
    for occupation_ids in leads_to.values():
        for occupation_id in occupation_ids:
            reachable[occupation_id] = reachable.get(occupation_id, 0) + 1
    view.occupations = [(o, s, job_reason(s, reachable.get(o.id, 0))) for o, s in jobs]
    return view
