"""Events set-up: the overlap guards beside the staff and class tables."""

from __future__ import annotations

from flask import Flask
from flask_babel import format_decimal

from orientamento.events.models import EventClass, EventStaff
from orientamento.events.overlap import install_overlap_guards


def init_events(app: Flask) -> None:
    """Install the database overlap guards; add the ``decimal`` filter (1,5 in Italian)."""
    app.jinja_env.filters["decimal"] = lambda value: format_decimal(value, format="#,##0.##")
    install_overlap_guards({"event_staff": EventStaff.__table__,  # type: ignore[dict-item]
                            "event_classes": EventClass.__table__})  # type: ignore[dict-item]
