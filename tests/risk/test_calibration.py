"""Calibration under drift: the ECE and its interval, the intercept-only recalibration, and
``calibration: latest`` on synthetic data whose base rate rises in the latest periods."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.special import expit, logit
from sklearn.calibration import _SigmoidCalibration

from orientamento.risk import frames, training
from orientamento.risk.calibration import ece_equal_mass, ece_interval, shift_intercept
from orientamento.risk.evaluation import calibration_error
from orientamento.risk.frames import Dataset
from orientamento.risk.spec import Spec, parse_spec
from orientamento.risk.training import Trained

TEXTS = {"it": "testo", "en": "text", "ar": "نص"}
REASONS = {"up": TEXTS, "down": TEXTS}
#: Per period: rows and the intercept of the true log-odds (the base rate rises in 2022).
PERIODS = {"2019": (900, -1.9), "2020": (900, -1.9), "2021": (900, -1.9),
           "2022": (900, -0.5), "2023": (900, -0.5)}


def drift_spec(calibration: str) -> Spec:
    raw: dict[str, Any] = {
        "name": "drift", "title": TEXTS, "description": TEXTS, "intended_use": TEXTS,
        "out_of_scope": TEXTS, "id": "pid", "time": "period", "holdout_from": "2023",
        "label": {"column": "y", "positive": ["1"]}, "protected": ["gender"], "seed": 11,
        "audit": [{"name": "gender", "column": "gender"}], "calibration": calibration,
        "features": [{"name": n, "type": "numeric", "reasons": REASONS}
                     for n in ("signal", "noise")],
    }
    return parse_spec(yaml.safe_dump(raw, allow_unicode=True))


def drift_table(seed: int = 3) -> pd.DataFrame:
    """The label depends on ``signal`` the same way every year; only the base rate moves."""
    rng = np.random.default_rng(seed)
    parts = []
    for period, (rows, intercept) in PERIODS.items():
        signal = rng.normal(0, 1, rows)
        label = rng.random(rows) < expit(intercept + 1.2 * signal)
        parts.append(pd.DataFrame({
            "pid": [f"{period}-{i}" for i in range(rows)], "period": period,
            "y": np.where(label, "1", "0"), "signal": [f"{v:.4f}" for v in signal],
            "noise": [f"{v:.4f}" for v in rng.normal(0, 1, rows)],
            "gender": rng.choice(np.array(["F", "M"]), rows)}))
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def drifted() -> tuple[Dataset, Trained, Trained]:
    """The drifted data, trained with the default calibration and with ``latest``."""
    table = drift_table()
    data = frames.dataset(drift_spec("latest"), table)
    return (data, training.train(drift_spec("cross_validated"), data),
            training.train(drift_spec("latest"), data))


def test_recalibrating_on_the_latest_period_removes_the_base_rate_gap(
        drifted: tuple[Dataset, Trained, Trained]) -> None:
    _data, plain, latest = drifted
    report, m = latest.metrics["recalibration"], latest.metrics
    assert report["period"] == "2022" and report["rows"] == 900
    assert report["method"] == "intercept"
    # Before: the calibration learnt on mostly low-rate years under-predicts 2023 badly.
    assert report["ece_before"] == plain.metrics["ece"] > 0.08
    assert report["ece_before_interval"]["low"] > 0.05
    # After: within the noise of the estimate, and the gap is gone from the mean too.
    assert m["ece"] < 0.05 and m["ece"] < report["ece_before"] / 2
    assert m["ece_interval"]["low"] <= m["ece"] <= m["ece_interval"]["high"]
    assert abs(m["mean_predicted"] - m["base_rate"]["holdout"]) < 0.03
    assert m["brier"] < report["brier_before"]
    # The ranking is untouched: the same ROC-AUC before and after.
    assert m["roc_auc"]["value"] == pytest.approx(report["roc_auc_before"], abs=1e-4)
    assert m["roc_auc"]["value"] == pytest.approx(plain.metrics["roc_auc"]["value"], abs=1e-4)


def test_only_the_intercept_moves_and_it_matches_the_latest_rate(
        drifted: tuple[Dataset, Trained, Trained]) -> None:
    _data, plain, latest = drifted
    before = plain.model.calibrated_classifiers_[0].calibrators[0]
    after = latest.model.calibrated_classifiers_[0].calibrators[0]
    assert after.a_ == before.a_
    assert after.b_ < before.b_ - 0.5  # expit(-(a s + b)): a lower b_ is a higher rate
    report = latest.metrics["recalibration"]
    assert report["intercept"] == {"before": pytest.approx(before.b_, abs=1e-4),
                                   "after": pytest.approx(after.b_, abs=1e-4)}


def test_the_default_calibration_reports_no_recalibration(
        drifted: tuple[Dataset, Trained, Trained]) -> None:
    _data, plain, _latest = drifted
    assert plain.metrics["recalibration"] is None
    assert plain.metrics["ece_interval"]["value"] == plain.metrics["ece"]


# --- the pieces -------------------------------------------------------------------------------

def test_shift_intercept_meets_the_observed_rate_and_keeps_the_slope() -> None:
    rng = np.random.default_rng(1)
    scores = rng.normal(0, 1.5, 4000)
    labels = (rng.random(4000) < expit(-0.2 + scores)).astype(int)
    calibrator = _SigmoidCalibration().fit(scores, (rng.random(4000) < expit(-2 + scores)))
    slope = calibrator.a_
    new = shift_intercept(calibrator, scores, labels)
    assert calibrator.a_ == slope and calibrator.b_ == new
    assert calibrator.predict(scores).mean() == pytest.approx(labels.mean(), abs=1e-6)
    # Increasing in the score whatever the intercept: the order is kept.
    order = np.argsort(scores)
    assert np.all(np.diff(calibrator.predict(scores[order])) >= 0)


def test_the_ece_interval_brackets_the_estimate_and_narrows_with_more_people() -> None:
    rng = np.random.default_rng(2)

    def sample(n: int) -> tuple[np.ndarray, np.ndarray]:
        p = rng.uniform(0.05, 0.6, n)
        return (rng.random(n) < np.clip(p + 0.05, 0, 1)).astype(int), p

    small, large = sample(300), sample(30000)
    a, b = ece_interval(*small, seed=4), ece_interval(*large, seed=4)
    assert a == ece_interval(*small, seed=4)  # seeded
    for found in (a, b):
        assert found["low"] <= found["value"] <= found["high"]
    assert b["high"] - b["low"] < (a["high"] - a["low"]) / 4
    assert b["value"] == pytest.approx(0.05, abs=0.01)


def test_equal_mass_and_equal_width_agree_on_a_uniform_shift() -> None:
    """A constant under-prediction of 0.07: every bin is off by it, however binned."""
    rng = np.random.default_rng(3)
    p = rng.uniform(0.1, 0.5, 50000)
    labels = (rng.random(50000) < p + 0.07).astype(int)
    assert calibration_error(labels, p) == pytest.approx(0.07, abs=0.01)
    assert ece_equal_mass(labels, p) == pytest.approx(0.07, abs=0.01)
    # The ECE is never below the gap between the mean prediction and the observed rate.
    gap = abs(labels.mean() - p.mean())
    assert calibration_error(labels, p) >= gap - 1e-4 and ece_equal_mass(labels, p) >= gap - 1e-4
    assert ece_equal_mass(labels[:0], p[:0]) == 0.0


def test_logit_round_trip_of_the_drift_table() -> None:
    """The synthetic periods have the base rates the tests above rely on."""
    table = drift_table()
    rates = (table["y"] == "1").groupby(table["period"]).mean()
    assert rates["2021"] < 0.2 < 0.35 < rates["2022"]
    assert logit(rates["2023"]) == pytest.approx(logit(rates["2022"]), abs=0.25)
