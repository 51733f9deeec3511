"""Simulated assessment responses, so the psychometrics show real numbers in a demo.

Each simulated student has one latent trait per scale; Likert answers follow a
one-factor model (loading 0.75) and aptitude answers a two-parameter logistic
model with difficulties rising through each scale, so the statistics behave
like real data. Fixed seed: seeding twice gives the same data.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import select

from orientamento.assessments.definitions import Item, Questionnaire
from orientamento.assessments.loader import Registry
from orientamento.assessments.models import Response, ResponseStatus
from orientamento.assessments.scoring import score
from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.extensions import db

LOADING = 0.75
LEVEL_SHIFT = {"basic": 0.8, "intermediate": 0.0, "advanced": -0.8, None: 0.0}


def _likert(item: Item, trait: float, rng: np.random.Generator) -> int:
    latent = LOADING * trait + (1 - LOADING**2) ** 0.5 * rng.standard_normal()
    value = int(np.clip(round(3 + 1.2 * (latent + LEVEL_SHIFT[item.level])), 1, 5))
    return 6 - value if item.reverse else value


def _aptitude(item: Item, trait: float, difficulty: float, rng: np.random.Generator) -> str:
    chance = 1 / (1 + np.exp(-(1.3 * trait - difficulty)))
    if rng.random() < chance:
        return item.correct or ""
    wrong = [option.id for option in item.options if option.id != item.correct]
    return str(rng.choice(wrong))


def simulate_answers(questionnaire: Questionnaire, rng: np.random.Generator) -> dict[str, Any]:
    """One simulated respondent's answers to every item."""
    answers: dict[str, Any] = {}
    for scale in questionnaire.scales:
        trait = float(rng.standard_normal())
        items = questionnaire.items_of(scale.id)
        for position, item in enumerate(items):
            if questionnaire.kind == "aptitude":
                difficulty = -1.5 + 3.0 * position / max(len(items) - 1, 1)
                answers[item.id] = _aptitude(item, trait, difficulty, rng)
            else:
                answers[item.id] = _likert(item, trait, rng)
    return answers


def seed_simulated_responses(registry: Registry, students: int, today: date) -> int:
    """Create simulated students (who cannot log in) with submitted responses, once."""
    if db.session.scalar(select(User.id).where(User.username == "demo.sim001")) is not None:
        return 0
    rng = np.random.default_rng(2026)
    locales = ("it", "it", "it", "en", "ar")
    now = clock.now()
    created = 0
    for number in range(1, students + 1):
        age = int(rng.integers(11, 30))
        student = User(
            username=f"demo.sim{number:03d}", display_name=f"Demo {number:03d}",
            role=Role.STUDENT.value, is_demo=True,
            date_of_birth=today - timedelta(days=365 * age + int(rng.integers(0, 360))),
        )
        db.session.add(student)
        db.session.flush()
        locale = locales[number % len(locales)]
        for questionnaire in registry.current():
            answers = simulate_answers(questionnaire, rng)
            scores = {k: v.as_dict() for k, v in score(questionnaire, answers).items()}
            submitted = now - timedelta(days=int(rng.integers(1, 120)))
            db.session.add(Response(
                student_id=student.id, questionnaire_id=questionnaire.id,
                version=questionnaire.version, status=ResponseStatus.SUBMITTED,
                answers=answers, scores=scores, locale=locale, started_at=submitted,
                updated_at=submitted, submitted_at=submitted,
            ))
            created += 1
    db.session.flush()
    return created
