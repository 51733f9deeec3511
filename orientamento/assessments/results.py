"""What a result page and its printout show: the scores, the interests headline, next steps.

From an interests result a pupil is one step from the courses and jobs suggested for the
profile (the suggestions page, and the closest jobs listed on the page); a pupil in a class
is told to talk it over with the school's orientation teacher (text only: the platform keeps
no contact a pupil may use). Events are not linked: the events list has no filter by area.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from orientamento.assessments import services
from orientamento.assessments.analysis import latest_run_key, live_interest_sem
from orientamento.assessments.definitions import Questionnaire
from orientamento.assessments.headline import Headline
from orientamento.assessments.models import Response
from orientamento.assessments.presentation import result_headline, result_rows
from orientamento.assessments.queries import INTERESTS
from orientamento.auth.models import User
from orientamento.classes.models import SchoolClass
from orientamento.classes.queries import classes_of_student
from orientamento.courses.models import Occupation
from orientamento.courses.recommendations import RIASEC_LETTERS
from orientamento.courses.suggestions import occupation_suggestions

#: Jobs listed on an interests result page (the suggestions page lists more).
RESULT_JOBS = 3


@dataclass(frozen=True)
class NextSteps:
    """Where a pupil can go from one of their results."""

    suggestions: bool = False  # link to the suggested courses and jobs
    jobs: list[Occupation] = field(default_factory=list)
    school_class: SchoolClass | None = None  # talk about it with the class's counsellor


def headline_for(questionnaire: Questionnaire, response: Response) -> Headline | None:
    """The interests headline of a response, with the live SEM of its version."""
    if questionnaire.id != INTERESTS:
        return None
    return result_headline(questionnaire, response.scores or {},
                           live_interest_sem(questionnaire, latest_run_key()))


def class_headlines(responses: dict[int, Response]) -> dict[int, Headline]:
    """The interests headline of each pupil's submitted response, by pupil id (one query)."""
    run = latest_run_key()
    found: dict[int, Headline] = {}
    for student_id, response in responses.items():
        questionnaire = services.registry().get(response.questionnaire_id, response.version)
        if not response.is_submitted or questionnaire is None:
            continue
        headline = result_headline(questionnaire, response.scores or {},
                                   live_interest_sem(questionnaire, run))
        if headline is not None:
            found[student_id] = headline
    return found


def next_steps(questionnaire: Questionnaire, response: Response, viewer: User) -> NextSteps:
    """The pupil's next steps from this result (none when someone else reads it)."""
    if viewer.id != response.student_id:
        return NextSteps()
    classes = classes_of_student(viewer)
    school_class = classes[0] if classes else None
    if questionnaire.id != INTERESTS:
        return NextSteps(school_class=school_class)
    scores = response.scores or {}
    percents = {k: (scores.get(k) or {}).get("percent") for k in RIASEC_LETTERS}
    jobs = ([o for o, _s in occupation_suggestions(
        {k: float(v) for k, v in percents.items() if v is not None}, RESULT_JOBS)]
        if all(v is not None for v in percents.values()) else [])
    return NextSteps(suggestions=True, jobs=jobs, school_class=school_class)


def result_context(questionnaire: Questionnaire, response: Response,
                   locale: str) -> dict[str, Any]:
    """Template values shared by the result page and its printout."""
    return {
        "response": response, "questionnaire": questionnaire, "locale": locale,
        "rows": result_rows(questionnaire, response.scores or {}, locale),
        "headline": headline_for(questionnaire, response),
    }
