"""Class-level views of results: completion, profile per scale, CSV export."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import mean

from orientamento.assessments.definitions import Questionnaire
from orientamento.assessments.models import Response
from orientamento.assessments.presentation import localized
from orientamento.classes.models import SchoolClass
from orientamento.core import clock
from orientamento.core.spreadsheet import STANDARD_CSV, Cell, CsvFlavour, csv_text


@dataclass(frozen=True)
class ScaleProfile:
    """A class's results on one scale."""

    name: str
    responses: int
    mean_percent: float | None
    bands: dict[str, int] = field(default_factory=dict)


def class_profile(questionnaire: Questionnaire, responses: list[Response],
                  locale: str) -> list[ScaleProfile]:
    """Average and band distribution per scale over submitted responses."""
    submitted = [r for r in responses if r.is_submitted and r.scores]
    profiles = []
    for scale in questionnaire.scales:
        results = [r.scores[scale.id] for r in submitted if r.scores and scale.id in r.scores]
        percents = [s["percent"] for s in results if s.get("percent") is not None]
        bands = {band: sum(1 for s in results if s.get("band") == band)
                 for band in ("low", "medium", "high")}
        profiles.append(ScaleProfile(
            name=localized(scale.name, locale), responses=len(percents),
            mean_percent=round(mean(percents), 1) if percents else None, bands=bands,
        ))
    return profiles


def results_csv(school_class: SchoolClass, questionnaire: Questionnaire,
                responses: dict[int, Response], locale: str,
                flavour: CsvFlavour = STANDARD_CSV) -> str:
    """One row per pupil with status and score per scale (0-100)."""
    scales = questionnaire.scales
    header = ["class", "pupil", "username", "questionnaire", "version", "status",
              "submitted_at", *[f"{s.id} ({localized(s.name, locale)})" for s in scales]]
    rows: list[list[Cell]] = []
    for membership in sorted(school_class.memberships, key=lambda m: m.student.display_name):
        pupil = membership.student
        response = responses.get(pupil.id)
        scores = (response.scores or {}) if response and response.is_submitted else {}
        rows.append([
            school_class.name, pupil.display_name, pupil.username or pupil.email,
            questionnaire.id, response.version if response else "",
            response.status if response else "not_started",
            clock.iso_local(response.submitted_at) if response and response.submitted_at else "",
            *[(scores.get(s.id) or {}).get("percent", "") for s in scales],
        ])
    return csv_text(header, rows, flavour)
