"""Turning scores into what a results page shows, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from orientamento.assessments.definitions import Localized, Questionnaire
from orientamento.assessments.headline import Headline, headline_of_scores
from orientamento.core.i18n import lazy_gettext as _l

LEVEL_LABELS = {
    "none": _l("Starting out"),
    "basic": _l("Basic"),
    "intermediate": _l("Intermediate"),
    "advanced": _l("Advanced"),
}
APTITUDE_BANDS = {
    "low": _l("Emerging"),
    "medium": _l("Developing"),
    "high": _l("Strong"),
}


def localized(text: Localized, locale: str) -> str:
    """The text in ``locale``, falling back to Italian, then to any language."""
    return text.get(locale) or text.get("it") or next(iter(text.values()), "")


@dataclass(frozen=True)
class ResultRow:
    """One scale as the results page shows it."""

    scale_id: str
    name: str
    description: str
    explanation: str
    percent: float
    detail: str  # band or level label, or the mean on 1-5


def result_rows(
    questionnaire: Questionnaire, scores: dict[str, Any], locale: str
) -> list[ResultRow]:
    """Rows for the chart, the table and the explanations, in questionnaire order."""
    rows = []
    for scale in questionnaire.scales:
        data = scores.get(scale.id) or {}
        band = data.get("band") or "medium"
        if questionnaire.kind == "digital":
            detail = str(LEVEL_LABELS.get(data.get("level") or "none", ""))
        elif questionnaire.kind == "aptitude":
            detail = str(APTITUDE_BANDS.get(band, ""))
        else:
            detail = f"{data.get('value') or 0:.1f} / 5"
        rows.append(ResultRow(
            scale_id=scale.id,
            name=localized(scale.name, locale),
            description=localized(scale.description, locale),
            explanation=localized(getattr(scale, band), locale),
            percent=float(data.get("percent") or 0.0),
            detail=detail,
        ))
    return rows



def result_headline(questionnaire: Questionnaire, scores: dict[str, Any],
                    sem: float) -> Headline | None:
    """The headline of an interests result (None for the other instruments)."""
    if questionnaire.id != "interests":
        return None
    return headline_of_scores(scores, sem)
