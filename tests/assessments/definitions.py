"""Small questionnaire definitions built in code, for tests that must not depend on content."""

from __future__ import annotations

from typing import Any

from orientamento.assessments.definitions import Questionnaire

LOCALES = ("it", "en", "ar")


def text(label: str) -> dict[str, str]:
    """The same label in every test locale."""
    return {locale: f"{label} [{locale}]" for locale in LOCALES}


def scale(scale_id: str) -> dict[str, Any]:
    """A scale with all its texts."""
    return {"id": scale_id, "name": text(scale_id), "description": text("d"),
            "low": text("l"), "medium": text("m"), "high": text("h")}


def likert_data(scales: tuple[str, ...] = ("R", "I", "A", "S"), per_scale: int = 3,
                kind: str = "likert", reverse_every: int = 0) -> dict[str, Any]:
    """Raw data of a likert questionnaire with ``per_scale`` items per scale."""
    items = []
    for scale_id in scales:
        for number in range(1, per_scale + 1):
            item: dict[str, Any] = {"id": f"{scale_id}{number:02d}", "type": "likert5",
                                    "scale": scale_id, "text": text("item")}
            if reverse_every and number % reverse_every == 0:
                item["reverse"] = True
            if kind == "digital":
                item["level"] = ("basic", "intermediate", "advanced")[(number - 1) % 3]
            items.append(item)
    return {
        "id": "interests" if kind == "likert" else "digital_skills", "version": 1, "kind": kind,
        "framework": "A framework used only in tests", "locales": list(LOCALES), "minutes": 5,
        "title": text("title"), "intro": text("intro"),
        "response_labels": [text(str(n)) for n in range(1, 6)],
        "scales": [scale(s) for s in scales],
        "sections": [{"id": "part1", "title": text("p1"), "items": items[: len(items) // 2]},
                     {"id": "part2", "title": text("p2"), "items": items[len(items) // 2:]}],
    }


def aptitude_data(per_scale: int = 3) -> dict[str, Any]:
    """Raw data of an aptitude questionnaire whose correct answer is always option b."""
    items = [
        {"id": f"{scale_id}{n}", "type": "single_choice_correct", "scale": scale_id,
         "text": text("q"), "correct": "b",
         "options": [{"id": o, "text": text(o)} for o in ("a", "b", "c", "d")]}
        for scale_id in ("numerical", "verbal") for n in range(1, per_scale + 1)
    ]
    return {
        "id": "reasoning", "version": 1, "kind": "aptitude",
        "framework": "A framework used only in tests", "locales": list(LOCALES), "minutes": 5,
        "title": text("title"), "intro": text("intro"),
        "scales": [scale("numerical"), scale("verbal")],
        "sections": [{"id": "all", "title": text("all"), "items": items}],
    }


def build(data: dict[str, Any]) -> Questionnaire:
    """Validate raw data into a definition."""
    return Questionnaire.model_validate(data)
