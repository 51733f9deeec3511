"""Builders for risk and outreach tests: people, versions, scores and flags, committed.

``SAMPLE_METRICS`` has the shape ``risk.training`` writes (docs/risk-model.md), with made-up
numbers, for tests of pages that only display a version.
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import date
from typing import Any

from orientamento.core import clock
from orientamento.extensions import db
from orientamento.outreach.models import Flag
from orientamento.risk.models import (
    ModelVersion,
    ProtectedAttributes,
    RiskPerson,
    RiskRecord,
    RiskScore,
    RiskSnapshot,
    band_of,
)
from orientamento.risk.spec import SPECS_DIR, sha256_text

_numbers = itertools.count(1)

_GROUP = {"count": 120, "selection_rate": 0.1, "recall": 0.4, "false_positive_rate": 0.05,
          "precision": 0.5, "ece": 0.02, "mean_predicted": 0.13, "observed_rate": 0.14,
          "suppressed": False}

SAMPLE_METRICS: dict[str, Any] = {
    "algorithm": "logistic_regression",
    "candidates": {"logistic_regression": {"roc_auc": 0.81},
                   "gradient_boosting": {"roc_auc": 0.80}},
    "rows": {"train": 3000, "holdout": 1000},
    "holdout": {"column": "as_of", "from": "2024-09-30"},
    "base_rate": {"train": 0.13, "holdout": 0.14},
    "roc_auc": {"value": 0.81, "low": 0.78, "high": 0.84},
    "pr_auc": {"value": 0.45, "low": 0.40, "high": 0.50},
    "brier": 0.09, "brier_base_rate": 0.12, "ece": 0.015,
    "capacity": {"share": 0.1, "k": 100, "recall": 0.35, "precision": 0.49},
    "baseline": {"roc_auc": 0.70, "pr_auc": 0.28, "recall": 0.22, "precision": 0.31},
    "reliability": [{"bin": i, "predicted": (i + 0.5) / 10, "observed": (i + 0.4) / 10,
                     "count": 100} for i in range(10)],
    "fairness": {
        "gender": {"groups": [dict(_GROUP, group="F"), dict(_GROUP, group="M"),
                              {"group": "X", "count": 12, "suppressed": True}],
                   "ratios": {"selection_rate": 0.9, "recall": 0.85,
                              "false_positive_rate": 0.8, "precision": 0.95}},
    },
    "proxies": [{"feature": "education", "attribute": "citizenship_group", "roc_auc": 0.58,
                 "flagged": False}],
    "seconds": 1.5,
}


def neet_spec_source() -> str:
    """The shipped NEET spec's YAML."""
    return (SPECS_DIR / "neet.yaml").read_text(encoding="utf-8")


def make_version(status: str = "draft", metrics: dict[str, Any] | None = None,
                 **fields: Any) -> ModelVersion:
    """A model version with the NEET spec and a placeholder model file, committed."""
    source = neet_spec_source()
    blob = fields.pop("model_file", b"not a model")
    version = ModelVersion(
        spec_name="neet", algorithm="logistic_regression", status=status, spec_yaml=source,
        spec_sha256=sha256_text(source), data_sha256="0" * 64, model_file=blob,
        model_sha256=hashlib.sha256(blob).hexdigest(), metrics=metrics or SAMPLE_METRICS,
        card_markdown="# Model card\n", activated_at=clock.now() if status == "active" else None,
        **fields)
    db.session.add(version)
    db.session.commit()
    return version


def make_person(municipio: int = 1, *, values: dict[str, Any] | None = None,
                gender: str = "F", citizenship_group: str = "italian",
                snapshot: RiskSnapshot | None = None) -> RiskPerson:
    """A person with one record (in a new or given snapshot), committed."""
    number = next(_numbers)
    if snapshot is None:
        snapshot = RiskSnapshot(as_of=date(2025, 9, 30), filename=f"s{number}.csv",
                                sha256=f"{number:064x}", rows=1)
        db.session.add(snapshot)
    person = RiskPerson(pseudonym=f"{number:064x}", municipio=municipio, birth_year=2004)
    person.protected = ProtectedAttributes(gender=gender, citizenship_group=citizenship_group,
                                           disability=False)
    person.records.append(RiskRecord(snapshot=snapshot, values=values or {
        "education": "lower_secondary", "enrolled": False, "months_since_enrolment": 14,
        "attendance_rate": None, "repetitions": 1, "early_leaver": True,
        "months_since_contract_end": 3, "contracts_24m": 1, "employment_centre": False,
        "age": 21}))
    db.session.add(person)
    db.session.commit()
    return person


def make_score(person: RiskPerson, version: ModelVersion, probability: float = 0.42,
               reasons: list[dict[str, Any]] | None = None) -> RiskScore:
    """A score of the person's latest record, committed."""
    score = RiskScore(
        person_id=person.id, record_id=person.records[-1].id, version_id=version.id,
        probability=probability, band=band_of(probability).value,
        reasons=reasons if reasons is not None else [
            {"feature": "early_leaver", "contribution": 0.8, "direction": "up"},
            {"feature": "enrolled", "contribution": 0.6, "direction": "up"},
            {"feature": "repetitions", "contribution": -0.1, "direction": "down"}])
    db.session.add(score)
    db.session.commit()
    return score


def make_flag(person: RiskPerson, score: RiskScore | None = None,
              trigger: str = "model", **fields: Any) -> Flag:
    """An open flag for the person (a model flag needs a score), committed."""
    flag = Flag(person_id=person.id, municipio=person.municipio, trigger=trigger,
                priority=score.probability if score and score.probability else 1.03,
                score_id=score.id if score else None,
                version_id=score.version_id if score else None,
                months_since_contract=None if trigger == "model" else 3,
                as_of=fields.pop("as_of", date(2025, 9, 30)), **fields)
    db.session.add(flag)
    db.session.commit()
    return flag
