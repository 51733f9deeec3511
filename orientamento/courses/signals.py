"""What the course directory announces, so that features above it can add to its pages.

Courses never imports events: events connects a receiver at start-up (``events.setup``)
that puts a course's upcoming events on its page.
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace

from orientamento.courses.models import Course

_signals = Namespace()

#: A course page is being shown (sender: the ``Course``, keyword ``now``). Receivers return
#: template values to add: ``{name: value}``.
course_page = _signals.signal("course-page")


def course_page_values(course: Course, **values: Any) -> dict[str, Any]:
    """Ask the receivers of ``course_page`` what to add to the course's page."""
    added: dict[str, Any] = {}
    for _receiver, section in course_page.send(course, **values):
        added.update(section)
    return added
