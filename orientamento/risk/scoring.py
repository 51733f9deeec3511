"""Scoring records with a version: probability, band and top reasons, in bounded chunks.

``score_frame`` is the pure part (a table in, arrays out), shared with the benchmark;
``score_snapshot`` reads a stored snapshot chunk by chunk (memory bounded by the chunk, not by
the snapshot), stores one score per record, and leaves records already scored by the version
alone, so it can be re-run after an interruption.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import insert, select

from orientamento.auth.audit import record
from orientamento.auth.models import AuditAction, User
from orientamento.extensions import db
from orientamento.risk.explain import contributions, top_reasons
from orientamento.risk.frames import missing_required, prepare
from orientamento.risk.models import (
    ModelVersion,
    RiskPerson,
    RiskRecord,
    RiskScore,
    RiskSnapshot,
    band_of,
)
from orientamento.risk.reasons import version_spec
from orientamento.risk.spec import Spec
from orientamento.risk.versions import load_artefact

CHUNK = 20_000


@dataclass(frozen=True)
class Scored:
    """Scores of a table's rows: NaN probability where inputs were missing."""

    probabilities: np.ndarray
    reasons: list[list[dict[str, Any]]]
    missing: list[str | None]


def score_frame(spec: Spec, artefact: dict[str, Any], frame: pd.DataFrame) -> Scored:
    """Score every complete row of a raw table; say which inputs the others lack."""
    inputs = prepare(spec, frame)
    missing = missing_required(spec, inputs).tolist()
    complete = np.array([m is None for m in missing])
    probabilities = np.full(len(frame), np.nan)
    reasons: list[list[dict[str, Any]]] = [[] for _ in range(len(frame))]
    if complete.any():
        rows = inputs[complete]
        probabilities[complete] = artefact["model"].predict_proba(rows)[:, 1]
        explained = top_reasons(list(inputs.columns), contributions(artefact, rows))
        for index, row_reasons in zip(np.flatnonzero(complete), explained, strict=True):
            reasons[index] = row_reasons
    return Scored(probabilities, reasons, missing)


def _chunk_frame(spec: Spec, snapshot: RiskSnapshot,
                 rows: list[tuple[int, int, int, dict[str, Any]]]) -> pd.DataFrame:
    table = pd.DataFrame([values for _r, _p, _b, values in rows])
    table["birth_year"] = [birth for _r, _p, birth, _v in rows]
    if spec.time:
        table[spec.time] = snapshot.as_of.isoformat()
    return table


def score_snapshot(version: ModelVersion, snapshot: RiskSnapshot, actor: User | None = None,
                   chunk: int = CHUNK) -> dict[str, int]:
    """Score a snapshot's records not yet scored by ``version``; returns counts (flushes)."""
    spec = version_spec(version)
    artefact = load_artefact(version)
    done = select(RiskScore.record_id).where(RiskScore.version_id == version.id)
    counts = {"scored": 0, "unscored": 0}
    last_id = 0
    while True:
        rows = db.session.execute(
            select(RiskRecord.id, RiskRecord.person_id, RiskPerson.birth_year, RiskRecord.values)
            .join(RiskPerson, RiskPerson.id == RiskRecord.person_id)
            .where(RiskRecord.snapshot_id == snapshot.id, RiskRecord.id > last_id,
                   RiskRecord.id.not_in(done))
            .order_by(RiskRecord.id).limit(chunk)).all()
        if not rows:
            break
        last_id = rows[-1][0]
        scored = score_frame(spec, artefact, _chunk_frame(spec, snapshot, list(rows)))
        payload = []
        for (record_id, person_id, _birth, _values), p, why, gap in zip(
                rows, scored.probabilities, scored.reasons, scored.missing, strict=True):
            complete = gap is None
            payload.append({
                "person_id": person_id, "record_id": record_id, "version_id": version.id,
                "probability": round(float(p), 6) if complete else None,
                "band": band_of(float(p)).value if complete else None,
                "reasons": why, "missing": None if complete else str(gap)[:300]})
            counts["scored" if complete else "unscored"] += 1
        db.session.execute(insert(RiskScore), payload)
    record(AuditAction.RISK_SCORED, actor=actor, version_id=version.id,
           snapshot_id=snapshot.id, scored=counts["scored"], unscored=counts["unscored"])
    return counts
