"""Events set-up: the overlap guards beside the staff and class tables."""

from __future__ import annotations

from flask import Flask

from orientamento.events.models import EventClass, EventStaff
from orientamento.events.overlap import install_overlap_guards


def init_events(app: Flask) -> None:
    """Install the database overlap guards whenever their tables are created."""
    install_overlap_guards({"event_staff": EventStaff.__table__,  # type: ignore[dict-item]
                            "event_classes": EventClass.__table__})  # type: ignore[dict-item]
