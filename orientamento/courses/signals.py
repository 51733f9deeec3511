"""What the course directory announces, so that features above it can add to its pages.

Courses never imports events or assessments: events connects a receiver at start-up
(``events.setup``) that puts a course's upcoming events on its page, and assessments one
(``assessments.setup``) that gives a student's interest profile to the suggestions.
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace

from orientamento.auth.models import User
from orientamento.courses.models import Course

_signals = Namespace()

#: A course page is being shown (sender: the ``Course``, keyword ``now``). Receivers return
#: template values to add: ``{name: value}``.
course_page = _signals.signal("course-page")


#: Suggestions need a student's interests (sender: the student ``User``). A receiver returns
#: the six RIASEC scores in percent (``{"R": 62.5, ...}``) or None.
interest_profile = _signals.signal("interest-profile")


def interest_scores(student: User) -> dict[str, float] | None:
    """The student's interest profile, from whichever feature keeps it (None if none)."""
    for _receiver, scores in interest_profile.send(student):
        if scores is not None:
            return dict(scores)
    return None


def course_page_values(course: Course, **values: Any) -> dict[str, Any]:
    """Ask the receivers of ``course_page`` what to add to the course's page."""
    added: dict[str, Any] = {}
    for _receiver, section in course_page.send(course, **values):
        added.update(section)
    return added
