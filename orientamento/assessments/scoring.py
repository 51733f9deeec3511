"""Scoring: pure functions from a definition and answers to scale scores.

Likert scales are scored as the mean item value (1-5, reverse-keyed items
flipped) and shown as 0-100; aptitude scales as the share of correct answers;
digital-skills areas also get the highest DigComp level reached.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orientamento.assessments.definitions import Item, Questionnaire

LIKERT_MIN, LIKERT_MAX = 1, 5
#: "On my own" on the digital-skills response scale: a level counts as reached from here.
DIGITAL_REACHED = 4
LEVELS = ("basic", "intermediate", "advanced")
#: Standard error of measurement of an interest scale mean (1-5 units) used until the live
#: psychometrics have at least 200 responses: 0.9 SD x sqrt(1 - 0.85 alpha), typical of
#: 8-item interest scales. The interests headline rule (headline.py) rests on it.
DEFAULT_INTEREST_SEM = 0.35

Answers = Mapping[str, Any]


@dataclass(frozen=True)
class ScaleScore:
    """The result on one scale."""

    scale: str
    value: float | None  # mean 1-5 (likert, digital) or share correct 0-1 (aptitude)
    percent: float | None  # 0-100, for charts and tables
    answered: int
    items: int
    band: str | None  # low, medium, high
    level: str | None = None  # digital skills: none, basic, intermediate, advanced

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form, stored with the response."""
        return {
            "value": self.value, "percent": self.percent, "answered": self.answered,
            "items": self.items, "band": self.band, "level": self.level,
        }


def item_value(item: Item, answer: Any) -> float | None:
    """The scored value of one answer, or None when unanswered or invalid."""
    if answer is None or answer == "" or answer == []:
        return None
    if item.type == "likert5":
        try:
            value = int(answer)
        except (TypeError, ValueError):
            return None
        if not LIKERT_MIN <= value <= LIKERT_MAX:
            return None
        return float(LIKERT_MAX + LIKERT_MIN - value if item.reverse else value)
    options = {option.id: option for option in item.options}
    if item.type == "single_choice_correct":
        return (1.0 if answer == item.correct else 0.0) if answer in options else None
    chosen = [answer] if item.type == "single_choice" else answer
    if not isinstance(chosen, list) or not chosen or any(c not in options for c in chosen):
        return None
    return sum(options[c].scores.get(item.scale, 0.0) for c in chosen)


def _band(percent: float) -> str:
    if percent < 37.5:
        return "low"
    if percent <= 62.5:
        return "medium"
    return "high"


def _aptitude_band(share: float) -> str:
    if share < 0.4:
        return "low"
    if share < 0.7:
        return "medium"
    return "high"


def _digital_level(items: list[Item], answers: Answers) -> str:
    reached = "none"
    for level in LEVELS:
        values = [item_value(item, answers.get(item.id)) for item in items if item.level == level]
        known = [v for v in values if v is not None]
        if not known or sum(known) / len(known) < DIGITAL_REACHED:
            break
        reached = level
    return reached


def score_scale(questionnaire: Questionnaire, scale_id: str, answers: Answers) -> ScaleScore:
    """Score one scale."""
    items = questionnaire.items_of(scale_id)
    values = [v for v in (item_value(item, answers.get(item.id)) for item in items)
              if v is not None]
    if not values:
        return ScaleScore(scale_id, None, None, 0, len(items), None)
    if questionnaire.kind == "aptitude":
        share = sum(values) / len(items)  # unanswered counts as not correct
        return ScaleScore(scale_id, share, round(100 * share, 1), len(values), len(items),
                          _aptitude_band(share))
    mean = sum(values) / len(values)
    percent = round(100 * (mean - LIKERT_MIN) / (LIKERT_MAX - LIKERT_MIN), 1)
    level = _digital_level(items, answers) if questionnaire.kind == "digital" else None
    return ScaleScore(scale_id, round(mean, 3), percent, len(values), len(items),
                      _band(percent), level)


def score(questionnaire: Questionnaire, answers: Answers) -> dict[str, ScaleScore]:
    """Score every scale of a questionnaire."""
    return {scale.id: score_scale(questionnaire, scale.id, answers)
            for scale in questionnaire.scales}

