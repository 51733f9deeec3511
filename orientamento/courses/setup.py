"""Directory set-up: CORS for the open API and the full-text index beside the courses table."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_cors import CORS
from sqlalchemy import Connection, event

from orientamento.courses.models import Course
from orientamento.courses.search import backend_for


def _install_search(target: Any, connection: Connection, **kwargs: Any) -> None:
    backend_for(connection.dialect.name).install(connection)


def init_courses(app: Flask) -> None:
    """Allow cross-origin GETs on the API and index courses whenever their table is created."""
    CORS(app, resources={r"/api/v1/*": {"origins": "*", "methods": ["GET"]}},
         supports_credentials=False, send_wildcard=True)
    if not event.contains(Course.__table__, "after_create", _install_search):
        event.listen(Course.__table__, "after_create", _install_search)
