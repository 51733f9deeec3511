"""Fit, choose and calibrate: a logistic baseline against gradient boosting, per spec.

1. Split: the hold-out is the latest time value (or the spec's ``holdout_from`` onwards); a
   spec without a time column gets a seeded, stratified 25% split and the card says so.
2. Both candidates are fitted on the training rows with the same preprocessing (one column
   transformer per feature, so every model column traces back to one input) and compared by
   ROC-AUC on the hold-out.
3. The winner is calibrated (Platt scaling on 5-fold cross-validated predictions, then one
   model on all training rows: ``CalibratedClassifierCV(ensemble=False)``) and evaluated on
   the hold-out: metrics, fairness, proxies.
4. With ``calibration: latest`` (for data whose base rate drifts) the calibrator's intercept is
   then fitted again on the latest labelled period before the hold-out only, from the same
   out-of-fold predictions (each row predicted by a model that did not see it), its slope kept
   (``risk/calibration.py``; the choice is measured in docs/risk-model.md). The model itself
   is unchanged and the calibrator is increasing, so the ranking (ROC-AUC, recall at capacity)
   stays what it was; the metrics keep the hold-out ECE (with its bootstrap interval), Brier
   score and ROC-AUC before and after.

Every random choice takes the spec's seed: the same spec and data give the same model.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from orientamento.risk.calibration import ece_interval, shift_intercept
from orientamento.risk.evaluation import baseline_scores, calibration_error, evaluate
from orientamento.risk.fairness import audit, proxy_screen
from orientamento.risk.frames import Dataset
from orientamento.risk.spec import Spec

ALGORITHMS = ("logistic_regression", "gradient_boosting")


class TrainingError(ValueError):
    """The data cannot train this spec (too few rows, one class only...)."""


@dataclass(frozen=True)
class Trained:
    """The chosen, calibrated model, what explaining it needs, and its metrics."""

    model: CalibratedClassifierCV
    algorithm: str
    reference: dict[str, Any]
    metrics: dict[str, Any]

    def artefact(self) -> dict[str, Any]:
        """What is saved with skops: the model and the explanation reference."""
        return {"model": self.model, "algorithm": self.algorithm, "reference": self.reference}


def preprocessor(spec: Spec) -> ColumnTransformer:
    """One transformer per feature, named after it."""
    parts = []
    for feature in spec.features:
        if feature.type == "categorical":
            steps: list[tuple[str, Any]] = [
                ("fill", SimpleImputer(strategy="constant", fill_value="(missing)")),
                ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
            ]
        else:
            steps = [("fill", SimpleImputer(strategy="median",
                                            add_indicator=not feature.required,
                                            keep_empty_features=True)),
                     ("scale", StandardScaler())]
        parts.append((feature.name, Pipeline(steps), [feature.name]))
    return ColumnTransformer(parts, remainder="drop", verbose_feature_names_out=True)


def candidates(spec: Spec) -> dict[str, Pipeline]:
    """The two candidate models, unfitted."""
    return {
        "logistic_regression": Pipeline([
            ("prepare", preprocessor(spec)),
            ("classify", LogisticRegression(max_iter=2000, C=1.0)),
        ]),
        "gradient_boosting": Pipeline([
            ("prepare", preprocessor(spec)),
            ("classify", HistGradientBoostingClassifier(
                max_iter=200, learning_rate=0.08, max_leaf_nodes=31, l2_regularization=1.0,
                early_stopping=True, validation_fraction=0.15, random_state=spec.seed)),
        ]),
    }


def split(spec: Spec, data: Dataset) -> tuple[np.ndarray, dict[str, Any]]:
    """A boolean mask of hold-out rows, and how it was chosen."""
    if data.times is not None:
        start = spec.holdout_from or max(data.times)
        mask = (data.times >= start).to_numpy()
        return mask, {"column": spec.time, "from": start, "kind": "temporal"}
    index = np.arange(len(data.labels))
    _train, held = train_test_split(index, test_size=0.25, random_state=spec.seed,
                                    stratify=data.labels)
    mask = np.zeros(len(index), dtype=bool)
    mask[held] = True
    return mask, {"column": None, "from": None, "kind": "random"}


def _reference(spec: Spec, inputs: pd.DataFrame, fitted: Pipeline) -> dict[str, Any]:
    """Typical values (for occlusion) and the mean model column (for linear contributions)."""
    typical: dict[str, Any] = {}
    for feature in spec.features:
        column = inputs[feature.name]
        if feature.type == "categorical":
            mode = column.mode(dropna=True)
            typical[feature.name] = str(mode.iloc[0]) if len(mode) else None
        else:
            median = column.median()
            typical[feature.name] = None if pd.isna(median) else float(median)
    columns = fitted.named_steps["prepare"].get_feature_names_out()
    owners = [name.split("__", 1)[0] for name in columns]
    mean = np.asarray(fitted.named_steps["prepare"].transform(inputs).mean(axis=0))
    return {"typical": typical, "owners": owners, "column_mean": mean.tolist()}


def _recalibrate_on_latest(spec: Spec, chosen: str, calibrated: CalibratedClassifierCV,
                           folds: StratifiedKFold, x_train: pd.DataFrame, y_train: np.ndarray,
                           times: pd.Series, y_test: np.ndarray, before: np.ndarray
                           ) -> dict[str, Any]:
    """Move the Platt calibrator's intercept to the latest training period's out-of-fold
    predictions (slope kept); what the hold-out looked like before."""
    period = max(times)
    latest = (times == period).to_numpy()
    if latest.sum() < 50 or y_train[latest].min() == y_train[latest].max():
        raise TrainingError(f"recalibration: the latest period {period} needs at least 50 "
                            "rows and both outcomes")
    # The same folds as CalibratedClassifierCV's own: the same out-of-fold predictions, each
    # row scored by a model that did not see it.
    scores = cross_val_predict(clone(candidates(spec)[chosen]), x_train, y_train, cv=folds,
                               method="decision_function")
    calibrator = calibrated.calibrated_classifiers_[0].calibrators[0]
    intercept_before = float(calibrator.b_)
    shift_intercept(calibrator, scores[latest], y_train[latest])
    both = y_test.min() != y_test.max()
    return {"period": str(period), "rows": int(latest.sum()), "method": "intercept",
            "rate": round(float(y_train[latest].mean()), 4),
            "intercept": {"before": round(intercept_before, 4),
                          "after": round(float(calibrator.b_), 4)},
            "ece_before": calibration_error(y_test, before),
            "ece_before_interval": ece_interval(y_test, before, spec.seed + 2),
            "brier_before": round(float(brier_score_loss(y_test, before)), 4),
            "mean_before": round(float(before.mean()), 4),
            "roc_auc_before": round(float(roc_auc_score(y_test, before)), 4) if both else None}


def train(spec: Spec, data: Dataset) -> Trained:
    """Fit both candidates, keep the better on the hold-out, calibrate and evaluate it."""
    started = time.perf_counter()
    held = split(spec, data)
    mask, holdout = held
    x_train, y_train = data.inputs[~mask], data.labels[~mask]
    x_test, y_test = data.inputs[mask], data.labels[mask]
    for name, labels in (("training", y_train), ("hold-out", y_test)):
        if len(labels) < 50 or labels.min() == labels.max():
            raise TrainingError(f"the {name} rows need at least 50 rows and both outcomes "
                                f"(found {len(labels)} rows, {int(labels.sum())} positive)")
    compared: dict[str, dict[str, float]] = {}
    fitted: dict[str, Pipeline] = {}
    for name, model in candidates(spec).items():
        fitted[name] = model.fit(x_train, y_train)
        score = fitted[name].predict_proba(x_test)[:, 1]
        compared[name] = {"roc_auc": round(float(roc_auc_score(y_test, score)), 4)}
    chosen = max(ALGORITHMS, key=lambda n: (compared[n]["roc_auc"], n == ALGORITHMS[0]))
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=spec.seed)
    calibrated = CalibratedClassifierCV(
        clone(candidates(spec)[chosen]), method="sigmoid", ensemble=False, cv=folds)
    calibrated.fit(x_train, y_train)
    probabilities = calibrated.predict_proba(x_test)[:, 1]
    recalibration = None
    if spec.calibration == "latest" and data.times is not None:
        recalibration = _recalibrate_on_latest(
            spec, chosen, calibrated, folds, x_train, y_train,
            data.times[~mask].reset_index(drop=True), y_test, probabilities)
        probabilities = calibrated.predict_proba(x_test)[:, 1]
    metrics = evaluate(spec, y_test, probabilities,
                       baseline_scores(spec, x_test) if spec.baseline else None,
                       float(y_train.mean()))
    metrics.update({
        "ece_interval": ece_interval(y_test, probabilities, spec.seed + 2),
        "mean_predicted": round(float(probabilities.mean()), 4),
        "recalibration": recalibration,
        "algorithm": chosen,
        "candidates": compared,
        "rows": {"train": len(y_train), "holdout": len(y_test)},
        "holdout": holdout,
        "fairness": audit(data.groups[mask].reset_index(drop=True), y_test, probabilities,
                          spec.capacity),
        "proxies": proxy_screen(data.inputs, data.protected,
                                {f.name for f in spec.features if f.type == "categorical"},
                                spec.seed),
    })
    base = calibrated.calibrated_classifiers_[0].estimator
    reference = _reference(spec, x_train, base)
    metrics["seconds"] = round(time.perf_counter() - started, 2)
    return Trained(calibrated, chosen, reference, metrics)
