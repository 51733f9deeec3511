"""Live psychometrics over the stored responses, and the last run's figures.

Responses are streamed in chunks and grouped per instrument version and scale,
overall, per locale and per age band (marginal groups: crossing locale and age
would leave most cells too small to say anything).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import numpy as np
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import defer

from orientamento.assessments.definitions import Questionnaire
from orientamento.assessments.loader import Registry
from orientamento.assessments.models import PsychometricRun, Response, ResponseStatus
from orientamento.assessments.psychometrics import describe_scale
from orientamento.assessments.scoring import DEFAULT_INTEREST_SEM, item_value
from orientamento.auth.models import User, age_on
from orientamento.core import clock
from orientamento.extensions import db

AGE_BANDS = ((11, 13), (14, 16), (17, 19), (20, 24), (25, 29))
CHUNK = 1000

Row = list[float]


def age_band(born: date | None, on: date) -> str | None:
    """The age band ("14-16") of someone on a date, or None outside 11-29."""
    if born is None:
        return None
    age = age_on(born, on)
    return next((f"{low}-{high}" for low, high in AGE_BANDS if low <= age <= high), None)


def _item_row(questionnaire: Questionnaire, scale_id: str, answers: dict[str, Any]) -> Row:
    values = []
    for item in questionnaire.items_of(scale_id):
        value = item_value(item, answers.get(item.id))
        values.append(math.nan if value is None else value)
    return values


def _stream(registry: Registry) -> Iterable[tuple[Questionnaire, str, str | None, dict[str, Any]]]:
    query = (
        select(Response.questionnaire_id, Response.version, Response.locale, Response.answers,
               Response.submitted_at, User.date_of_birth)
        .join(User, User.id == Response.student_id)
        .where(Response.status == ResponseStatus.SUBMITTED)
        .execution_options(yield_per=CHUNK)
    )
    for qid, version, locale, answers, submitted_at, born in db.session.execute(query):
        questionnaire = registry.get(qid, version)
        if questionnaire is not None:
            when = (clock.milan_date(submitted_at) if isinstance(submitted_at, datetime)
                    else clock.today())
            yield questionnaire, locale, age_band(born, when), answers or {}


def compute(registry: Registry) -> dict[str, Any]:
    """Statistics per instrument version, scale and group."""
    matrices: dict[tuple[str, int, str, str], list[Row]] = defaultdict(list)
    kinds: dict[tuple[str, int], str] = {}
    for questionnaire, locale, band, answers in _stream(registry):
        kinds[(questionnaire.id, questionnaire.version)] = questionnaire.kind
        groups = ["all", f"locale:{locale}"] + ([f"age:{band}"] if band else [])
        for scale in questionnaire.scales:
            row = _item_row(questionnaire, scale.id, answers)
            for group in groups:
                matrices[(questionnaire.id, questionnaire.version, scale.id, group)].append(row)
    results: dict[str, Any] = {}
    for (qid, version, scale_id, group), rows in sorted(matrices.items()):
        statistics = describe_scale(np.array(rows, dtype=np.float64),
                                    dichotomous=kinds[(qid, version)] == "aptitude")
        key = f"{qid}@{version}"
        results.setdefault(key, {}).setdefault(scale_id, {})[group] = statistics.as_dict()
    return results


def record_run(registry: Registry, now: datetime) -> PsychometricRun:
    """Compute and store a run (flushed, not committed)."""
    results = compute(registry)
    responses = db.session.scalar(
        select(db.func.count()).select_from(Response)
        .where(Response.status == ResponseStatus.SUBMITTED)
    ) or 0
    run = PsychometricRun(computed_at=now, responses=responses, results=results)
    db.session.add(run)
    db.session.flush()
    return run


def latest_run(with_results: bool = True) -> PsychometricRun | None:
    """The most recent run (``with_results=False``: its results not read, for pages that only
    say when it was computed)."""
    query = select(PsychometricRun).order_by(PsychometricRun.computed_at.desc()).limit(1)
    if not with_results:
        query = query.options(defer(PsychometricRun.results))
    return db.session.scalar(query)


#: A run as ``live_interest_sem`` keys it: id and time (a restored backup may reuse an id).
RunKey = tuple[int, datetime]
_SEMS = "assessments_interest_sems"


def latest_run_key() -> RunKey | None:
    """The most recent run's id and time, without its results."""
    row = db.session.execute(select(PsychometricRun.id, PsychometricRun.computed_at)
                             .order_by(PsychometricRun.computed_at.desc()).limit(1)).first()
    return (row.id, row.computed_at) if row is not None else None


def live_interest_sem(questionnaire: Questionnaire, run: RunKey | None) -> float:
    """``interest_sem`` of run ``run`` (the latest: ``latest_run_key()``), kept per run in the
    application.

    A run never changes once stored, and its results are large (54 KB of JSON on the demo
    data): decoding them for every result and class page cost more than the pages' SQL.
    """
    if run is None:
        return interest_sem(questionnaire, None)
    kept: dict[tuple[RunKey, str, int], float] = current_app.extensions.setdefault(_SEMS, {})
    key = (run, questionnaire.id, questionnaire.version)
    if key not in kept:
        if len(kept) > 256:  # runs come weekly or so; a bound all the same
            kept.clear()
        kept[key] = interest_sem(questionnaire, db.session.get(PsychometricRun, run[0]))
    return kept[key]


def interest_sem(questionnaire: Questionnaire, run: PsychometricRun | None) -> float:
    """SEM for the interests headline rule: the live mean over the six scales, else the default."""
    if run is None:
        return DEFAULT_INTEREST_SEM
    scales = run.results.get(f"{questionnaire.id}@{questionnaire.version}", {})
    sems = [group["sem"] for scale in scales.values() if (group := scale.get("all"))
            and not group.get("provisional") and group.get("sem") is not None]
    return sum(sems) / len(sems) if len(sems) == len(questionnaire.scales) else DEFAULT_INTEREST_SEM
