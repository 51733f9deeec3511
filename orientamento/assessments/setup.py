"""Wiring assessments into the app: the questionnaire registry and template helpers."""

from __future__ import annotations

from functools import cache

from flask import Flask

from orientamento.assessments.loader import Registry, load_registry
from orientamento.assessments.presentation import localized
from orientamento.assessments.profiles import interest_profile
from orientamento.config import QUESTIONNAIRES_DIR
from orientamento.courses import signals as course_signals


@cache
def _registry(signature: tuple[tuple[str, float], ...]) -> Registry:
    return load_registry(QUESTIONNAIRES_DIR)


def shared_registry() -> Registry:
    """The registry, parsed once per set of file modification times."""
    signature = tuple(
        (str(path), path.stat().st_mtime) for path in sorted(QUESTIONNAIRES_DIR.glob("*/*"))
    )
    return _registry(signature)


def init_assessments(app: Flask) -> None:
    """Validate the questionnaires at start-up (an invalid file stops the app); give course
    suggestions the students' interest profiles."""
    course_signals.interest_profile.connect(interest_profile)
    registry = shared_registry()
    app.extensions["questionnaires"] = registry

    def questionnaire_title(questionnaire_id: str, locale: str, version: int | None = None
                            ) -> str:
        """The title of a version (the newest one without a version)."""
        questionnaire = (registry.get(questionnaire_id, version) if version
                         else registry.latest(questionnaire_id))
        return localized(questionnaire.title, locale) if questionnaire else questionnaire_id

    app.jinja_env.filters["loc"] = localized
    app.jinja_env.filters["questionnaire_title"] = questionnaire_title
