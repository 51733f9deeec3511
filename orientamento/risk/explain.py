"""Signed contributions of each input to a person's score, in log-odds, and the top reasons.

- Logistic regression: the coefficient times the standardized value, relative to the average
  training person (each model column's training mean is subtracted, so a one-hot category
  counts by how much more or less common it is than average); columns are summed per input.
- Gradient boosting: occlusion: the change in the model's log-odds when the input is replaced
  by its typical training value (median, or most frequent category). It is the one-feature
  case of a Shapley value with that reference, cheap enough for a million rows.

Only model inputs can appear, and the spec loader guarantees none of them is protected.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

TOP = 3


def _base(artefact: dict[str, Any]) -> Any:
    return artefact["model"].calibrated_classifiers_[0].estimator


def contributions(artefact: dict[str, Any], inputs: pd.DataFrame) -> np.ndarray:
    """Per row and input (in ``inputs`` column order), the signed contribution in log-odds."""
    base = _base(artefact)
    reference = artefact["reference"]
    names = list(inputs.columns)
    if artefact["algorithm"] == "logistic_regression":
        matrix = np.asarray(base.named_steps["prepare"].transform(inputs), dtype=float)
        coefficients = base.named_steps["classify"].coef_[0]
        per_column = (matrix - np.asarray(reference["column_mean"])) * coefficients
        owners = np.array(reference["owners"])
        return np.column_stack([per_column[:, owners == name].sum(axis=1) for name in names])
    # Occlusion at the model-column level: prepare once, then swap in the typical person's
    # prepared columns for one input at a time (preparing n copies would cost more).
    prepare, classify = base.named_steps["prepare"], base.named_steps["classify"]
    matrix = np.asarray(prepare.transform(inputs), dtype=float)
    typical = pd.DataFrame([{name: reference["typical"].get(name) for name in names}])
    typical = typical.astype({c: inputs[c].dtype for c in names}).fillna(np.nan)
    typical_row = np.asarray(prepare.transform(typical), dtype=float)[0]
    owners = np.array(reference["owners"])
    raw = classify.decision_function(matrix)
    out = np.zeros((len(inputs), len(names)))
    for j, name in enumerate(names):
        columns = owners == name
        # Rows already at the typical value contribute exactly 0: predict only the others.
        differ = np.any(matrix[:, columns] != typical_row[columns], axis=1)
        if differ.any():
            changed = matrix[differ]
            changed[:, columns] = typical_row[columns]
            out[differ, j] = raw[differ] - classify.decision_function(changed)
    return out


def top_reasons(names: list[str], matrix: np.ndarray, top: int = TOP) -> list[list[dict[str, Any]]]:
    """The ``top`` largest contributions per row, as stored with a score."""
    order = np.argsort(-np.abs(matrix), axis=1, kind="stable")[:, :top]
    rows = []
    for i, picks in enumerate(order):
        rows.append([{"feature": names[j], "contribution": round(float(matrix[i, j]), 4),
                      "direction": "up" if matrix[i, j] > 0 else "down"}
                     for j in picks if matrix[i, j] != 0])
    return rows
