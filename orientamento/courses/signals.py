"""What the course directory announces, so that features above it can add to its pages.

Courses never imports events or assessments: events connects a receiver at start-up
(``events.setup``) that puts a course's upcoming events on its page, and assessments one
(``assessments.setup``) that gives a student's interest profile to the suggestions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from blinker import Namespace

from orientamento.auth.models import User

_signals = Namespace()

#: A course page is being shown (sender: the course's id, keyword ``now``). Receivers return
#: template values to add: ``{name: value}``.
course_page = _signals.signal("course-page")


#: Suggestions need a student's interests (sender: the student ``User``). A receiver returns
#: an ``InterestProfile`` or None.
interest_profile = _signals.signal("interest-profile")


@dataclass(frozen=True)
class InterestProfile:
    """What the suggestions know of a student's interests, as the feature keeping them says."""

    #: The six RIASEC scores in percent of the latest result (``{"R": 62.5, ...}``), or None.
    scores: dict[str, float] | None
    #: The areas standing clear of the others (letters, strongest first); empty when broad.
    standout: tuple[str, ...] = ()
    #: The sentence the result page shows about them, in the reader's language.
    headline: str = ""
    #: Whether the student may take the interests questionnaire now (False: it is locked,
    #: under 14 without parental consent and not assigned by the school).
    can_take: bool = True


def interest_profile_of(student: User) -> InterestProfile | None:
    """The student's interest profile, from whichever feature keeps it (None if none does)."""
    for _receiver, profile in interest_profile.send(student):
        if profile is not None:
            return profile
    return None


def interest_scores(student: User) -> dict[str, float] | None:
    """The six interest scores of the student's latest result (None without one)."""
    profile = interest_profile_of(student)
    return dict(profile.scores) if profile is not None and profile.scores is not None else None


def course_page_values(course_id: int, **values: Any) -> dict[str, Any]:
    """Ask the receivers of ``course_page`` what to add to the page of course ``course_id``."""
    added: dict[str, Any] = {}
    for _receiver, section in course_page.send(course_id, **values):
        added.update(section)
    return added
