"""Signed contributions of each input to a person's score, in log-odds, and the top reasons.

Both add up exactly, each against its own reference:

- Logistic regression: the coefficient times the standardized value, relative to the average
  training person (each model column's training mean is subtracted, so a one-hot category
  counts by how much more or less common it is than average); columns are summed per input.
- Gradient boosting: exact Shapley values of the inputs, with the typical training person
  (median, or most frequent category, per input) as the reference ("baseline Shapley"). The
  game is "the model's log-odds when the inputs in S take the person's values and the others
  the typical person's"; the players are the inputs (all model columns of one input move
  together), so an input equal to the typical value contributes exactly 0, and the
  contributions add up to the person's log-odds minus the typical person's. With one input
  away from typical this is the occlusion the model used before (the whole change goes to it).

  Computed per tree by walking the person and the reference down together (interventional
  TreeSHAP with a single reference): where they part on an input both branches are followed,
  the input joining the set taken from the person or from the reference; a leaf reached with
  ``a`` inputs from the person and ``b`` from the reference gives each of the first
  ``(a-1)! b! / (a+b)!`` times its value and takes ``a! (b-1)! / (a+b)!`` from each of the
  others. Exact, in float64, with no sampling.

  Why our own walk: the ``shap`` package (0.51, the last for Python 3.11) computes TreeSHAP
  per model column, so a one-hot input's columns are separate players (a different split
  than the inputs' Shapley values); its interventional mode, as fast as this walk, added up
  only to ~1e-7; its path-dependent mode explains against the training mean, not the typical
  person, and ran 20x slower; and it needs numba anyway. In numpy alone the walk (~100 trees,
  ~14 nodes per walk and row) ran 9x slower than compiled, so it is compiled with numba
  (``_walk``, on first use, ~2 s per process).

Only model inputs can appear, and the spec loader guarantees none of them is protected.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from math import factorial
from typing import Any

import numpy as np
import pandas as pd

TOP = 3


def _base(artefact: dict[str, Any]) -> Any:
    return artefact["model"].calibrated_classifiers_[0].estimator


def typical_inputs(artefact: dict[str, Any], inputs: pd.DataFrame) -> pd.DataFrame:
    """The typical training person as a one-row table with the columns and types of ``inputs``."""
    names = list(inputs.columns)
    typical = pd.DataFrame([{name: artefact["reference"]["typical"].get(name) for name in names}])
    return typical.astype({c: inputs[c].dtype for c in names}).fillna(np.nan)


def contributions(artefact: dict[str, Any], inputs: pd.DataFrame) -> np.ndarray:
    """Per row and input (in ``inputs`` column order), the signed contribution in log-odds."""
    base = _base(artefact)
    reference = artefact["reference"]
    names = list(inputs.columns)
    prepare, classify = base.named_steps["prepare"], base.named_steps["classify"]
    matrix = np.ascontiguousarray(prepare.transform(inputs), dtype=np.float64)
    owners = np.array([names.index(name) for name in reference["owners"]], dtype=np.int64)
    if artefact["algorithm"] == "logistic_regression":
        per_column = (matrix - np.asarray(reference["column_mean"])) * classify.coef_[0]
        return np.column_stack([per_column[:, owners == j].sum(axis=1)
                                for j in range(len(names))])
    typical = np.asarray(prepare.transform(typical_inputs(artefact, inputs)), dtype=np.float64)
    forest = _forest(classify, owners, typical[0])
    out = np.zeros((len(inputs), len(names)))
    weights = _weights(len(names))
    _walk()(matrix, forest.roots, forest.leaf, forest.feature, forest.threshold,
            forest.missing_left, forest.left, forest.right, forest.owner_bit,
            forest.reference_left, forest.value, weights[0], weights[1], out)
    return out


@dataclass(frozen=True)
class _Forest:
    """All trees' nodes in flat arrays (children as indices into them), with the reference's
    direction at every node and each node's input as a bit."""

    roots: np.ndarray
    leaf: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    owner_bit: np.ndarray
    reference_left: np.ndarray
    value: np.ndarray


def _forest(classify: Any, owners: np.ndarray, reference: np.ndarray) -> _Forest:
    """Flatten a fitted binary HistGradientBoostingClassifier's trees."""
    if int(owners.max(initial=0)) >= 62:
        raise ValueError("gradient-boosting reasons support at most 62 inputs")
    trees = [predictors[0].nodes for predictors in classify._predictors]
    sizes = [len(nodes) for nodes in trees]
    nodes = np.concatenate(trees)
    if nodes["is_categorical"].any():
        raise ValueError("gradient-boosting reasons do not support native categorical splits")
    leaf = nodes["is_leaf"].astype(bool)
    offset = np.repeat(np.cumsum([0, *sizes[:-1]]), sizes)
    feature = np.where(leaf, 0, nodes["feature_idx"]).astype(np.int64)
    threshold = nodes["num_threshold"].astype(np.float64)
    missing_left = nodes["missing_go_to_left"].astype(bool)
    at = reference[feature]
    reference_left = np.where(np.isnan(at), missing_left, at <= threshold)
    return _Forest(
        roots=np.cumsum([0, *sizes[:-1]]).astype(np.int64), leaf=leaf, feature=feature,
        threshold=threshold, missing_left=missing_left,
        left=nodes["left"].astype(np.int64) + offset,
        right=nodes["right"].astype(np.int64) + offset,
        owner_bit=np.where(leaf, 0, np.left_shift(1, owners[feature])).astype(np.int64),
        reference_left=reference_left, value=nodes["value"].astype(np.float64))


def _weights(players: int) -> tuple[np.ndarray, np.ndarray]:
    """Shapley weights of a leaf reached with ``a`` inputs from the person, ``b`` from the
    reference: what each of the ``a`` gets, and what each of the ``b`` loses, per unit."""
    gain = np.zeros((players + 1, players + 1))
    loss = np.zeros((players + 1, players + 1))
    for a in range(players + 1):
        for b in range(players + 1):
            if a:
                gain[a, b] = factorial(a - 1) * factorial(b) / factorial(a + b)
            if b:
                loss[a, b] = factorial(a) * factorial(b - 1) / factorial(a + b)
    return gain, loss


def _walk_python(x: np.ndarray, roots: np.ndarray, leaf: np.ndarray, feature: np.ndarray,
                 threshold: np.ndarray, missing_left: np.ndarray, left: np.ndarray,
                 right: np.ndarray, owner_bit: np.ndarray, reference_left: np.ndarray,
                 value: np.ndarray, gain: np.ndarray, loss: np.ndarray,
                 out: np.ndarray) -> None:  # pragma: no cover - runs compiled (``_walk``)
    """Add every tree's baseline Shapley values of each row of ``x`` to ``out``."""
    depth = 2 * len(leaf) + 2
    stack_node = np.empty(depth, np.int64)
    stack_person = np.empty(depth, np.int64)
    stack_reference = np.empty(depth, np.int64)
    for i in range(x.shape[0]):
        for tree in range(roots.shape[0]):
            stack_node[0], stack_person[0], stack_reference[0] = roots[tree], 0, 0
            top = 1
            while top > 0:
                top -= 1
                node, person, ref = stack_node[top], stack_person[top], stack_reference[top]
                if leaf[node]:
                    if person | ref:
                        a, b, j, mask = 0, 0, 0, person | ref
                        while mask:
                            a += (person >> j) & 1
                            b += (ref >> j) & 1
                            mask >>= 1
                            j += 1
                        share, loses = value[node] * gain[a, b], value[node] * loss[a, b]
                        for j in range(out.shape[1]):
                            if (person >> j) & 1:
                                out[i, j] += share
                            elif (ref >> j) & 1:
                                out[i, j] -= loses
                    continue
                at = x[i, feature[node]]
                goes_left = missing_left[node] if np.isnan(at) else at <= threshold[node]
                bit = owner_bit[node]
                if person & bit:
                    pass
                elif ref & bit:
                    goes_left = reference_left[node]
                elif goes_left != reference_left[node]:
                    # The two part here: follow the reference with this input from it...
                    stack_node[top] = left[node] if reference_left[node] else right[node]
                    stack_person[top], stack_reference[top] = person, ref | bit
                    top += 1
                    person |= bit  # ... and the person with this input from them.
                stack_node[top] = left[node] if goes_left else right[node]
                stack_person[top], stack_reference[top] = person, ref
                top += 1


@lru_cache(maxsize=1)
def _walk() -> Any:
    """``_walk_python`` compiled with numba (imported here: web workers never load it)."""
    import numba

    return numba.njit(nogil=True)(_walk_python)


def top_reasons(names: list[str], matrix: np.ndarray, top: int = TOP) -> list[list[dict[str, Any]]]:
    """The ``top`` largest contributions per row, as stored with a score."""
    order = np.argsort(-np.abs(matrix), axis=1, kind="stable")[:, :top]
    # Python floats from tolist(): the same rounding as round(float(...)), no numpy scalars.
    values = np.take_along_axis(matrix, order, axis=1).tolist()
    rows = []
    for picks, picked in zip(order.tolist(), values, strict=True):
        rows.append([{"feature": names[j], "contribution": round(v, 4),
                      "direction": "up" if v > 0 else "down"}
                     for j, v in zip(picks, picked, strict=True) if v != 0])
    return rows
