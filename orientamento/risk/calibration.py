"""Calibration under drift: how far off the probabilities are, how sure that figure is, and
the recalibration ``calibration: latest`` applies.

The expected calibration error (ECE) is estimated on a finite hold-out, so the card gives it
with a 95% bootstrap interval. Recalibrating on the latest labelled period moves only the
intercept of the Platt calibrator fitted on all training rows (its slope is kept): when the
drift is in the base rate, one parameter fitted on the latest period's labels is what changed,
and it needs fewer labels than refitting both (measured on OULAD, docs/risk-model.md).
scikit-learn fits the Platt calibrator but has no fit with a fixed slope, so the intercept is
the root of the logistic likelihood's score equation: the mean recalibrated probability over
the latest period equals its observed rate.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit

from orientamento.risk.evaluation import BOOTSTRAP, calibration_error

#: The search bracket for the intercept (log-odds): wide enough for any base rate.
INTERCEPT_BRACKET = 30.0


def ece_equal_mass(labels: np.ndarray, probabilities: np.ndarray, bins: int = 10) -> float:
    """The ECE over ``bins`` bins holding (about) the same number of people each."""
    if len(labels) == 0:
        return 0.0
    order = np.argsort(probabilities, kind="stable")
    error = 0.0
    for part in np.array_split(order, bins):
        if len(part):
            error += len(part) * abs(labels[part].mean() - probabilities[part].mean())
    return round(float(error / len(labels)), 4)


def ece_interval(labels: np.ndarray, probabilities: np.ndarray, seed: int,
                 resamples: int = BOOTSTRAP) -> dict[str, float]:
    """The (equal-width, ten-bin) ECE with a 95% percentile bootstrap interval, seeded."""
    rng = np.random.default_rng(seed)
    values = [calibration_error(labels[i], probabilities[i])
              for i in (rng.integers(0, len(labels), len(labels)) for _ in range(resamples))]
    return {"value": calibration_error(labels, probabilities),
            "low": round(float(np.percentile(values, 2.5)), 4),
            "high": round(float(np.percentile(values, 97.5)), 4)}


def shift_intercept(calibrator: Any, scores: np.ndarray, labels: np.ndarray) -> float:
    """Refit the intercept of a fitted Platt calibrator (scikit-learn's, ``expit(-(a s + b))``)
    on ``scores`` and ``labels``, its slope ``a_`` unchanged; returns the new ``b_``.

    The maximum-likelihood intercept makes the mean predicted probability equal the observed
    rate, so it moves the probabilities exactly by the base-rate drift and never reorders them.
    """
    slope = float(calibrator.a_)
    target = float(np.sum(labels))

    def excess(b: float) -> float:
        return float(np.sum(expit(-(slope * scores + b)))) - target

    calibrator.b_ = np.float64(brentq(excess, -INTERCEPT_BRACKET, INTERCEPT_BRACKET, xtol=1e-10))
    return float(calibrator.b_)
