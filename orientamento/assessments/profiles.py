"""A student's interest profile as the features above the course directory see it.

The course suggestions ask for it through ``courses.signals.interest_profile`` (connected in
``setup.py``): the scores of the latest interests result, the headline every page shows
about them (``headline.py``), and whether the student may take the questionnaire now.
"""

from __future__ import annotations

from typing import Any

from orientamento.assessments import queries, services
from orientamento.assessments.analysis import latest_run_key, live_interest_sem
from orientamento.assessments.headline import headline_of_scores
from orientamento.assessments.scoring import DEFAULT_INTEREST_SEM
from orientamento.auth.models import User
from orientamento.core import clock
from orientamento.courses.recommendations import RIASEC_LETTERS
from orientamento.courses.signals import InterestProfile


def interest_profile(student: User, **_: Any) -> InterestProfile:
    """The student's latest interests result and its headline, or why there is none."""
    can_take = services.may_take(student, queries.INTERESTS, clock.today())
    response = queries.latest_interests(student)
    stored = (response.scores or {}) if response is not None else {}
    percents = {k: (stored.get(k) or {}).get("percent") for k in RIASEC_LETTERS}
    if response is None or any(value is None for value in percents.values()):
        return InterestProfile(None, can_take=can_take)
    questionnaire = services.registry().get(queries.INTERESTS, response.version)
    sem = (live_interest_sem(questionnaire, latest_run_key()) if questionnaire is not None
           else DEFAULT_INTEREST_SEM)
    headline = headline_of_scores(stored, sem)
    scores = {k: float(v) for k, v in percents.items() if v is not None}
    return InterestProfile(scores, headline.areas, headline.text, can_take)
