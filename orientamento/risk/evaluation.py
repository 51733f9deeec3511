"""Model metrics on a hold-out: discrimination with bootstrap intervals, calibration, capacity.

Accuracy is never reported: at a 15% base rate "nobody is at risk" is 85% accurate. What
matters to an outreach team is how many of the people who will become NEET are among the k it
can call (recall at k), how many of those k actually needed it (precision at k), and whether a
"30%" means 30% (calibration).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from orientamento.risk.spec import Spec

BINS = 10
BOOTSTRAP = 200


def _rounded(value: Any) -> float:
    return round(float(value), 4)


def top_k(scores: np.ndarray, share: float) -> np.ndarray:
    """A mask of the ``ceil(share * n)`` highest scores (ties broken by position, stably)."""
    k = max(1, math.ceil(share * len(scores)))
    order = np.argsort(-scores, kind="stable")
    chosen = np.zeros(len(scores), dtype=bool)
    chosen[order[:k]] = True
    return chosen


def at_capacity(labels: np.ndarray, scores: np.ndarray, share: float) -> dict[str, float]:
    """Recall and precision among the top ``share`` of scores."""
    chosen = top_k(scores, share)
    hits = int((chosen & (labels == 1)).sum())
    positives = int(labels.sum())
    return {"share": share, "k": int(chosen.sum()),
            "recall": _rounded(hits / positives) if positives else 0.0,
            "precision": _rounded(hits / chosen.sum())}


def calibration_error(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """Expected calibration error over 10 equal-width bins, weighted by bin size."""
    if len(labels) == 0:
        return 0.0
    bins = np.minimum((probabilities * BINS).astype(int), BINS - 1)
    error = 0.0
    for b in np.unique(bins):
        inside = bins == b
        error += inside.sum() * abs(labels[inside].mean() - probabilities[inside].mean())
    return _rounded(error / len(labels))


def reliability(labels: np.ndarray, probabilities: np.ndarray) -> list[dict[str, Any]]:
    """Mean prediction and observed rate per probability bin (for the reliability diagram)."""
    bins = np.minimum((probabilities * BINS).astype(int), BINS - 1)
    points = []
    for b in range(BINS):
        inside = bins == b
        count = int(inside.sum())
        points.append({"bin": b, "count": count,
                       "predicted": _rounded(probabilities[inside].mean()) if count else None,
                       "observed": _rounded(labels[inside].mean()) if count else None})
    return points


def _interval(labels: np.ndarray, scores: np.ndarray, metric: Any,
              seed: int) -> dict[str, float]:
    """The metric with a 95% percentile bootstrap interval (200 resamples, seeded)."""
    rng = np.random.default_rng(seed)
    n = len(labels)
    values = []
    for _ in range(BOOTSTRAP):
        pick = rng.integers(0, n, n)
        sample = labels[pick]
        if sample.min() == sample.max():
            continue
        values.append(metric(sample, scores[pick]))
    low, high = np.percentile(values, [2.5, 97.5]) if values else (np.nan, np.nan)
    return {"value": _rounded(metric(labels, scores)), "low": _rounded(low),
            "high": _rounded(high)}


def baseline_scores(spec: Spec, inputs: pd.DataFrame) -> np.ndarray:
    """The spec's simple rule score: a sum of percentile ranks (or indicators) per term."""
    total = np.zeros(len(inputs))
    for term in spec.baseline:
        values = inputs[term.feature]
        if term.equals is not None:
            part = (values.astype(str) == term.equals).astype(float).to_numpy()
        else:
            part = pd.to_numeric(values, errors="coerce").rank(pct=True).fillna(0.5).to_numpy()
        total += part if term.direction == "higher" else 1.0 - part
    return total


def evaluate(spec: Spec, labels: np.ndarray, probabilities: np.ndarray,
             baseline: np.ndarray | None, train_rate: float) -> dict[str, Any]:
    """Every hold-out metric the model card reports (``baseline``: the simple rule's scores,
    None when the spec has no rule)."""
    both = labels.min() != labels.max()
    auc = _interval(labels, probabilities, roc_auc_score, spec.seed) if both else None
    ap = (_interval(labels, probabilities, average_precision_score, spec.seed + 1)
          if both else None)
    rate = float(labels.mean()) if len(labels) else 0.0
    return {
        "roc_auc": auc,
        "pr_auc": ap,
        "brier": _rounded(brier_score_loss(labels, probabilities)),
        # The Brier score of always predicting the training base rate.
        "brier_base_rate": _rounded(np.mean((train_rate - labels) ** 2)),
        "ece": calibration_error(labels, probabilities),
        "capacity": at_capacity(labels, probabilities, spec.capacity),
        "reliability": reliability(labels, probabilities),
        "base_rate": {"train": _rounded(train_rate), "holdout": _rounded(rate)},
        "baseline": {
            "roc_auc": _rounded(roc_auc_score(labels, baseline)) if both else None,
            "pr_auc": _rounded(average_precision_score(labels, baseline)) if both else None,
            **{k: v for k, v in at_capacity(labels, baseline, spec.capacity).items()
               if k in ("recall", "precision")},
        } if baseline is not None else
        {"roc_auc": None, "pr_auc": None, "recall": None, "precision": None},
    }
