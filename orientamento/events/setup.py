"""Events set-up: the overlap guards beside the staff and class tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask

from orientamento.courses import signals as course_signals
from orientamento.events.models import EventClass, EventStaff
from orientamento.events.overlap import install_overlap_guards
from orientamento.events.queries import course_events


def course_page_events(course_id: int, *, now: datetime, **_: Any) -> dict[str, Any]:
    """The course's upcoming events, for its page (courses never imports events)."""
    return {"events": course_events(course_id, now)}


def init_events(app: Flask) -> None:
    """Install the database overlap guards; put upcoming events on course pages."""
    course_signals.course_page.connect(course_page_events)
    install_overlap_guards({"event_staff": EventStaff.__table__,  # type: ignore[dict-item]
                            "event_classes": EventClass.__table__})  # type: ignore[dict-item]
