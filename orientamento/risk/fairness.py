"""Fairness audit per group (fairlearn) and the proxy screen.

At the outreach capacity (the top k scores are "selected"), each audit grouping reports per
group: selection rate, recall (true-positive rate), false-positive rate, precision, and
calibration (ECE, mean prediction against observed rate). Groups under 30 people are
suppressed: their numbers are noise and could single people out. A group large enough to show
can still be too small to judge one rate: recall needs at least 10 people with the outcome
(positives), the false-positive rate 10 without it (negatives); below that the rate is left
out ("too few to judge") rather than reported as 0.0 or 1.0 (a group of 107 with 2 positives
once showed a recall of 0.0, and a ratio of 0.0 with it). Ratios are min/max over the groups
whose rate is judged; 0.8 is the usual line below which a gap needs explaining.

The proxy screen asks, for each input, how well it alone predicts each protected attribute
(one-vs-rest ROC-AUC; categories through their rate on the other half of the data, so a
many-valued column cannot fit itself). Above 0.70 the input is flagged for review.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame, false_positive_rate, selection_rate, true_positive_rate
from sklearn.metrics import precision_score, roc_auc_score

from orientamento.risk.evaluation import calibration_error, top_k

MIN_GROUP = 30
#: Fewest positives for a group's recall, fewest negatives for its false-positive rate.
MIN_POSITIVES = 10
MIN_NEGATIVES = 10
PROXY_LIMIT = 0.70
RATIO_METRICS = ("selection_rate", "recall", "false_positive_rate", "precision")


def _precision(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(precision_score(y_true, y_pred, zero_division=0))


def audit(groups: pd.DataFrame, labels: np.ndarray, probabilities: np.ndarray,
          share: float) -> dict[str, Any]:
    """Per grouping, per group metrics at capacity and min/max ratios."""
    selected = top_k(probabilities, share).astype(int)
    report: dict[str, Any] = {}
    for name in groups.columns:
        sensitive = groups[name].to_numpy()
        frame = MetricFrame(
            metrics={"selection_rate": selection_rate, "recall": true_positive_rate,
                     "false_positive_rate": false_positive_rate, "precision": _precision},
            y_true=labels, y_pred=selected, sensitive_features=sensitive)
        rows: list[dict[str, Any]] = []
        for group, metrics in frame.by_group.iterrows():
            inside = sensitive == group
            count = int(inside.sum())
            if count < MIN_GROUP:
                rows.append({"group": str(group), "count": count, "suppressed": True})
                continue
            positives = int(labels[inside].sum())
            too_few = [m for m, enough in (("recall", positives >= MIN_POSITIVES),
                                           ("false_positive_rate",
                                            count - positives >= MIN_NEGATIVES))
                       if not enough]
            rows.append({
                "group": str(group), "count": count, "suppressed": False,
                **{k: None if k in too_few else round(float(metrics[k]), 4)
                   for k in RATIO_METRICS},
                "too_few": too_few,
                "ece": calibration_error(labels[inside], probabilities[inside]),
                "mean_predicted": round(float(probabilities[inside].mean()), 4),
                "observed_rate": round(float(labels[inside].mean()), 4),
            })
        shown = [r for r in rows if not r["suppressed"]]
        ratios = {}
        for metric in RATIO_METRICS:
            values = [float(r[metric]) for r in shown if r[metric] is not None]
            top = max(values, default=0.0)
            ratios[metric] = round(min(values) / top, 4) if len(values) > 1 and top else None
        report[name] = {"groups": sorted(rows, key=lambda r: r["group"]), "ratios": ratios}
    return report


def _encoded(values: pd.Series, target: np.ndarray, seed: int) -> np.ndarray:
    """A category's positive rate, learnt on the other half of the rows."""
    rng = np.random.default_rng(seed)
    half = rng.random(len(values)) < 0.5
    out = np.full(len(values), float(target.mean()))
    text = values.astype(str).to_numpy()
    for learn, apply in ((half, ~half), (~half, half)):
        rates = pd.Series(target[learn]).groupby(text[learn]).mean()
        out[apply] = pd.Series(text[apply]).map(rates).fillna(target.mean()).to_numpy()
    return out


def proxy_screen(inputs: pd.DataFrame, protected: pd.DataFrame, categorical: set[str],
                 seed: int) -> list[dict[str, Any]]:
    """How well each input alone predicts each protected attribute (best one-vs-rest AUC)."""
    results = []
    for attribute in protected.columns:
        values = protected[attribute].astype(str).to_numpy()
        classes = [c for c in np.unique(values) if c != "unknown"]
        for feature in inputs.columns:
            best = 0.5
            for cls in classes if len(classes) > 2 else classes[:1]:
                target = (values == cls).astype(int)
                if target.min() == target.max():
                    continue
                column = inputs[feature]
                if feature in categorical:
                    signal = _encoded(column, target, seed)
                else:
                    numbers = pd.to_numeric(column, errors="coerce")
                    signal = numbers.fillna(numbers.median()).fillna(0).to_numpy()
                auc = roc_auc_score(target, signal)
                best = max(best, auc, 1 - auc)
            results.append({"feature": feature, "attribute": attribute,
                            "roc_auc": round(float(best), 4), "flagged": best > PROXY_LIMIT})
    return results
