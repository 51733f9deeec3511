"""Gradient-boosting reasons: exact Shapley values against the typical person, and the top 3.

The reference check is brute force: every subset of inputs taken from the person (the rest
from the typical person), each hybrid scored by the model itself, weighted as Shapley values
are. It needs no knowledge of trees, so it would catch a walk that only adds up (Saabas-style
path attribution adds up too) or that splits a one-hot input into its columns.
"""

from __future__ import annotations

from itertools import combinations
from math import factorial
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import Pipeline

from orientamento.risk import explain, training
from orientamento.risk.frames import Dataset
from orientamento.risk.spec import Spec


@pytest.fixture(scope="module")
def boosted(neet: tuple[Spec, str], neet_data: Dataset) -> dict[str, Any]:
    """A small gradient-boosting artefact built as ``train`` builds one, on 1,500 rows."""
    spec = neet[0]
    inputs, labels = neet_data.inputs.iloc[:1500], neet_data.labels[:1500]
    pipeline = Pipeline([("prepare", training.preprocessor(spec)),
                         ("classify", HistGradientBoostingClassifier(max_iter=40,
                                                                     random_state=0))])
    model = CalibratedClassifierCV(pipeline, method="sigmoid", ensemble=False, cv=2)
    model.fit(inputs, labels)
    base = model.calibrated_classifiers_[0].estimator
    return {"model": model, "algorithm": "gradient_boosting",
            "reference": training._reference(spec, inputs, base)}


@pytest.fixture(scope="module")
def rows(neet_data: Dataset) -> pd.DataFrame:
    """Rows the small model did not see."""
    return neet_data.inputs.iloc[2000:2400].reset_index(drop=True)


def _brute_force_shapley(artefact: dict[str, Any], row: pd.DataFrame) -> np.ndarray:
    """Shapley values of the inputs by enumerating every subset (2^10 model calls)."""
    base = artefact["model"].calibrated_classifiers_[0].estimator
    prepare, classify = base.named_steps["prepare"], base.named_steps["classify"]
    names = list(row.columns)
    person = np.asarray(prepare.transform(row), dtype=float)[0]
    typical = np.asarray(prepare.transform(explain.typical_inputs(artefact, row)),
                         dtype=float)[0]
    owners = np.array(artefact["reference"]["owners"])
    p = len(names)
    subsets = [frozenset(s) for k in range(p + 1) for s in combinations(range(p), k)]
    hybrids = np.array([np.where(np.isin(owners, [names[j] for j in s]), person, typical)
                        for s in subsets])
    value = dict(zip(subsets, classify.decision_function(hybrids), strict=True))
    shapley = np.zeros(p)
    for s in subsets:
        weight = factorial(len(s)) * factorial(p - len(s) - 1) / factorial(p) \
            if len(s) < p else 0.0
        for j in set(range(p)) - s:
            shapley[j] += weight * (value[s | {j}] - value[s])
    return shapley


def test_contributions_are_the_exact_shapley_values_of_the_inputs(
        boosted: dict[str, Any], rows: pd.DataFrame) -> None:
    picked = rows.iloc[:4]
    matrix = explain.contributions(boosted, picked)
    for i in range(len(picked)):
        expected = _brute_force_shapley(boosted, picked.iloc[[i]])
        assert np.count_nonzero(np.abs(expected) > 1e-6) >= 3
        np.testing.assert_allclose(matrix[i], expected, rtol=0, atol=1e-9)


def test_contributions_add_up_to_the_log_odds_minus_the_typical_persons(
        boosted: dict[str, Any], rows: pd.DataFrame) -> None:
    base = boosted["model"].calibrated_classifiers_[0].estimator
    matrix = explain.contributions(boosted, rows)
    assert matrix.shape == (len(rows), rows.shape[1])
    typical = base.decision_function(explain.typical_inputs(boosted, rows))[0]
    np.testing.assert_allclose(matrix.sum(axis=1), base.decision_function(rows) - typical,
                               rtol=0, atol=1e-9)
    # An input at the typical value takes no part: it contributes exactly nothing.
    at_typical = rows.copy()
    at_typical["enrolled"] = boosted["reference"]["typical"]["enrolled"]
    column = list(rows.columns).index("enrolled")
    assert np.all(explain.contributions(boosted, at_typical)[:, column] == 0)


def test_top_reasons_of_the_boosted_model_pick_the_largest(
        boosted: dict[str, Any], rows: pd.DataFrame) -> None:
    names = list(rows.columns)
    matrix = explain.contributions(boosted, rows)
    reasons = explain.top_reasons(names, matrix)
    for i, row in enumerate(reasons):
        largest = np.argsort(-np.abs(matrix[i]), kind="stable")[:3]
        assert [r["feature"] for r in row] == [names[j] for j in largest if matrix[i, j] != 0]
        for reason in row:
            value = matrix[i, names.index(reason["feature"])]
            assert reason["contribution"] == round(float(value), 4)
            assert reason["direction"] == ("up" if value > 0 else "down")
    assert sum(len(row) == 3 for row in reasons) > len(rows) // 2


def test_missing_values_follow_the_trees_default_branch() -> None:
    # The risk pipeline imputes every input, but the walk reads NaN as the trees do.
    rng = np.random.default_rng(3)
    x = rng.normal(size=(400, 3))
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(int)
    x[rng.random(x.shape) < 0.2] = np.nan
    model = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(x, y)
    reference = np.array([0.1, np.nan, -0.2])
    forest = explain._forest(model, np.arange(3), reference)
    out = np.zeros((len(x), 3))
    gain, loss = explain._weights(3)
    explain._walk()(x, forest.roots, forest.leaf, forest.feature, forest.threshold,
                    forest.missing_left, forest.left, forest.right, forest.owner_bit,
                    forest.reference_left, forest.value, gain, loss, out)
    np.testing.assert_allclose(
        out.sum(axis=1),
        model.decision_function(x) - model.decision_function(reference[None, :])[0],
        rtol=0, atol=1e-9)
    assert np.all(out[np.isnan(x[:, 1]), 1] == 0)
