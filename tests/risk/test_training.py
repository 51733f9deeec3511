"""Training, evaluation, the fairness audit, the proxy screen and explanations.

``trained`` (tests/risk/conftest.py) is the NEET model trained once on 4,000 synthetic rows;
``toy`` is a second, small training on a hand-made table without a time column, built so
that one input is a copy of a protected attribute and one audit group is tiny.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
import yaml
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline

from orientamento.risk import evaluation, explain, fairness, frames, training
from orientamento.risk.frames import Dataset
from orientamento.risk.spec import Spec, parse_spec
from orientamento.risk.training import Trained, TrainingError

TEXTS = {"it": "testo", "en": "text", "ar": "نص"}
REASONS = {"up": TEXTS, "down": TEXTS}
TOY_ROWS = 1000


def toy_spec(**changes: Any) -> Spec:
    """A spec without a time column; ``gender_code`` is a disguised protected attribute."""
    raw: dict[str, Any] = {
        "name": "toy", "title": TEXTS, "description": TEXTS, "intended_use": TEXTS,
        "out_of_scope": TEXTS, "id": "pid", "label": {"column": "y", "positive": ["1"]},
        "protected": ["gender"], "seed": 99,
        "audit": [{"name": "gender", "column": "gender"}, {"name": "site", "column": "site"}],
        "baseline": [{"feature": "signal"}],
        "features": [{"name": n, "type": t, "reasons": REASONS} for n, t in (
            ("signal", "numeric"), ("gender_code", "numeric"), ("noise", "numeric"),
            ("colour", "categorical"))],
    } | changes
    return parse_spec(yaml.safe_dump(raw, allow_unicode=True))


def toy_table(rows: int = TOY_ROWS, seed: int = 5) -> pd.DataFrame:
    """The toy table: the label depends on ``signal`` only; 40 people are at a tiny site."""
    rng = np.random.default_rng(seed)
    signal = rng.normal(0, 1, rows)
    gender = rng.choice(np.array(["F", "M"]), rows)
    site = np.where(np.arange(rows) < 40, "tiny", rng.choice(np.array(["north", "south"]), rows))
    label = rng.random(rows) < 1 / (1 + np.exp(-(-1.6 + 1.6 * signal)))
    return pd.DataFrame({
        "pid": [f"P{i}" for i in range(rows)],
        "y": np.where(label, "1", "0"),
        "signal": [f"{v:.4f}" for v in signal],
        "gender_code": np.where(gender == "F", "1", "0"),
        "noise": [f"{v:.4f}" for v in rng.normal(0, 1, rows)],
        "colour": rng.choice(np.array(["red", "green", "blue"]), rows),
        "gender": gender,
        "site": site,
    })


@pytest.fixture(scope="module")
def toy() -> tuple[Spec, Dataset, Trained]:
    """The toy spec, its data set and the model trained on it."""
    spec = toy_spec()
    data = frames.dataset(spec, toy_table())
    return spec, data, training.train(spec, data)


def _holdout(data: Dataset, trained: Trained) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The latest cohort's inputs, labels and the model's probabilities on them."""
    assert data.times is not None
    mask = (data.times == trained.metrics["holdout"]["from"]).to_numpy()
    inputs = data.inputs[mask]
    return inputs, data.labels[mask], trained.model.predict_proba(inputs)[:, 1]


# ---- The NEET model -----------------------------------------------------------------------


def test_both_candidates_are_compared_and_the_better_one_is_chosen(trained: Trained) -> None:
    compared = trained.metrics["candidates"]
    assert set(compared) == {"logistic_regression", "gradient_boosting"}
    best = max(compared.values(), key=lambda c: c["roc_auc"])["roc_auc"]
    assert compared[trained.algorithm]["roc_auc"] == best
    assert trained.metrics["algorithm"] == trained.algorithm
    # Platt scaling is monotonic: the calibrated model ranks the hold-out like the candidate.
    assert trained.metrics["roc_auc"]["value"] == pytest.approx(best, abs=0.002)
    base = trained.model.calibrated_classifiers_[0].estimator
    expected = LogisticRegression if trained.algorithm == "logistic_regression" \
        else HistGradientBoostingClassifier
    assert isinstance(base.named_steps["classify"], expected)


def test_the_hold_out_is_the_latest_cohort(trained: Trained, neet_data: Dataset) -> None:
    assert neet_data.times is not None
    latest = max(neet_data.times)
    assert latest == "2024-09-30"
    assert trained.metrics["holdout"] == {"column": "as_of", "from": latest, "kind": "temporal"}
    held = int((neet_data.times == latest).sum())
    assert trained.metrics["rows"] == {"train": len(neet_data.labels) - held, "holdout": held}
    assert held == 1000


def test_intervals_contain_their_value(trained: Trained) -> None:
    for name in ("roc_auc", "pr_auc"):
        metric = trained.metrics[name]
        assert metric["low"] <= metric["value"] <= metric["high"]
        assert metric["low"] < metric["high"]
    assert trained.metrics["roc_auc"]["low"] > 0.5


def test_the_model_is_calibrated_and_beats_the_base_rate(
        trained: Trained, neet_data: Dataset) -> None:
    m = trained.metrics
    _inputs, labels, probabilities = _holdout(neet_data, trained)
    assert m["brier"] == pytest.approx(brier_score_loss(labels, probabilities), abs=1e-4)
    assert neet_data.times is not None
    train_rate = neet_data.labels[(neet_data.times != m["holdout"]["from"]).to_numpy()].mean()
    assert m["base_rate"]["train"] == pytest.approx(train_rate, abs=1e-4)
    assert m["brier_base_rate"] == pytest.approx(np.mean((train_rate - labels) ** 2), abs=1e-4)
    assert m["brier"] < m["brier_base_rate"]
    assert m["ece"] < 0.05
    # ECE recomputed independently: 10 equal-width bins weighted by size.
    bins = np.minimum((probabilities * 10).astype(int), 9)
    ece = sum(abs(labels[bins == b].mean() - probabilities[bins == b].mean()) * (bins == b).sum()
              for b in np.unique(bins)) / len(labels)
    assert m["ece"] == pytest.approx(ece, abs=1e-4)
    assert sum(p["count"] for p in m["reliability"]) == len(labels)
    assert [p["bin"] for p in m["reliability"]] == list(range(10))


def test_recall_and_precision_at_capacity_match_a_recomputation(
        trained: Trained, neet_data: Dataset) -> None:
    _inputs, labels, probabilities = _holdout(neet_data, trained)
    k = math.ceil(0.10 * len(labels))
    chosen = np.argsort(-probabilities, kind="stable")[:k]
    hits = int(labels[chosen].sum())
    assert trained.metrics["capacity"] == {
        "share": 0.10, "k": k, "recall": round(hits / labels.sum(), 4),
        "precision": round(hits / k, 4)}


def test_the_simple_rule_is_reported_and_the_model_beats_it(
        trained: Trained, neet_data: Dataset) -> None:
    inputs, labels, _p = _holdout(neet_data, trained)

    def rank(column: str) -> np.ndarray:
        return inputs[column].rank(pct=True).fillna(0.5).to_numpy()

    rule = rank("early_leaver") + (1 - rank("enrolled")) + rank("months_since_contract_end")
    baseline = trained.metrics["baseline"]
    assert baseline["roc_auc"] == pytest.approx(roc_auc_score(labels, rule), abs=1e-4)
    assert trained.metrics["roc_auc"]["value"] > baseline["roc_auc"]


def test_fairness_groups_match_a_recomputation(trained: Trained, neet_data: Dataset) -> None:
    _inputs, labels, probabilities = _holdout(neet_data, trained)
    mask = (neet_data.times == trained.metrics["holdout"]["from"]).to_numpy()
    groups = neet_data.groups[mask].reset_index(drop=True)
    selected = evaluation.top_k(probabilities, 0.10)
    report = trained.metrics["fairness"]
    assert set(report) == {"gender", "age_band", "citizenship_group", "municipio"}
    for name, block in report.items():
        assert [g["group"] for g in block["groups"]] == sorted(set(groups[name]))
        for row in block["groups"]:
            inside = (groups[name] == row["group"]).to_numpy()
            assert row["count"] == inside.sum()
            if row["suppressed"]:
                assert row["count"] < 30
                assert set(row) == {"group", "count", "suppressed"}
                continue
            assert row["count"] >= 30
            assert row["selection_rate"] == pytest.approx(selected[inside].mean(), abs=1e-4)
            positives = inside & (labels == 1)
            if positives.sum() < fairness.MIN_POSITIVES:
                assert row["recall"] is None and "recall" in row["too_few"]
            else:
                assert row["recall"] == pytest.approx(selected[positives].mean(), abs=1e-4)
            assert row["observed_rate"] == pytest.approx(labels[inside].mean(), abs=1e-4)
        shown = [g for g in block["groups"] if not g["suppressed"]]
        for metric, ratio in block["ratios"].items():
            values = [g[metric] for g in shown if g[metric] is not None]
            assert ratio == pytest.approx(min(values) / max(values), abs=1e-3)
    # About 1% of people have gender X: too few in a 1,000-row hold-out to be shown.
    x_group = next(g for g in report["gender"]["groups"] if g["group"] == "X")
    assert x_group["suppressed"]


def test_no_protected_attribute_is_a_model_input(trained: Trained, neet: tuple[Spec, str]
                                                 ) -> None:
    spec = neet[0]
    base = trained.model.calibrated_classifiers_[0].estimator
    owners = set(trained.reference["owners"])
    assert owners == set(spec.feature_names)
    assert not owners & set(spec.protected)
    assert list(base.named_steps["prepare"].feature_names_in_) == spec.feature_names
    screened = {(p["feature"], p["attribute"]) for p in trained.metrics["proxies"]}
    assert screened == {(f, a) for f in spec.feature_names for a in spec.protected}


def test_the_metrics_are_plain_json(trained: Trained) -> None:
    """They are stored in a JSON column and shown on the card."""
    assert json.loads(json.dumps(trained.metrics)) == trained.metrics


def test_a_saved_artefact_predicts_exactly_like_the_trained_one(
        trained: Trained, neet_data: Dataset) -> None:
    blob = sio.dumps(trained.artefact())
    loaded = sio.loads(blob, trusted=sio.get_untrusted_types(data=blob))
    inputs, _labels, probabilities = _holdout(neet_data, trained)
    assert np.array_equal(loaded["model"].predict_proba(inputs)[:, 1], probabilities)
    assert loaded["reference"] == trained.reference
    assert loaded["algorithm"] == trained.algorithm


# ---- Splits and refusals ------------------------------------------------------------------


def test_holdout_from_moves_the_split(neet: tuple[Spec, str], neet_data: Dataset) -> None:
    spec = neet[0].model_copy(update={"holdout_from": "2023-09-30"})
    mask, how = training.split(spec, neet_data)
    assert how == {"column": "as_of", "from": "2023-09-30", "kind": "temporal"}
    assert neet_data.times is not None
    assert set(neet_data.times[mask]) == {"2023-09-30", "2024-09-30"}
    assert mask.sum() == 2000


def test_without_a_time_column_the_split_is_random_and_stratified() -> None:
    spec = toy_spec()
    data = frames.dataset(spec, toy_table())
    mask, how = training.split(spec, data)
    assert how == {"column": None, "from": None, "kind": "random"}
    assert mask.sum() == TOY_ROWS // 4
    assert abs(data.labels[mask].sum() - data.labels.sum() / 4) <= 1
    assert not mask[:250].all() and mask.any()  # not simply the last or first rows
    again, _how = training.split(spec, data)
    assert np.array_equal(mask, again)  # seeded


def test_a_single_outcome_cannot_train() -> None:
    spec = toy_spec()
    table = toy_table(300).assign(y="0")
    with pytest.raises(TrainingError, match="both outcomes"):
        training.train(spec, frames.dataset(spec, table))


def test_too_few_rows_cannot_train() -> None:
    spec = toy_spec()
    with pytest.raises(TrainingError, match="at least 50 rows"):
        training.train(spec, frames.dataset(spec, toy_table(120)))


# ---- The toy model: random split, tiny groups, proxies, determinism -----------------------


def test_a_spec_without_time_gets_a_random_hold_out(toy: tuple[Spec, Dataset, Trained]) -> None:
    _spec, _data, trained = toy
    assert trained.metrics["holdout"]["kind"] == "random"
    assert trained.metrics["rows"] == {"train": TOY_ROWS * 3 // 4, "holdout": TOY_ROWS // 4}


def test_a_tiny_group_is_suppressed_and_left_out_of_the_ratios(
        toy: tuple[Spec, Dataset, Trained]) -> None:
    spec, data, trained = toy
    mask, _how = training.split(spec, data)
    probabilities = trained.model.predict_proba(data.inputs[mask])[:, 1]
    labels, sites = data.labels[mask], data.groups["site"][mask].to_numpy()
    block = trained.metrics["fairness"]["site"]
    rows = {g["group"]: g for g in block["groups"]}
    assert set(rows) == {"north", "south", "tiny"}
    assert rows["tiny"] == {"group": "tiny", "count": int((sites == "tiny").sum()),
                            "suppressed": True}
    assert 0 < rows["tiny"]["count"] < 30
    selected = evaluation.top_k(probabilities, spec.capacity)
    shown = {}
    for site in ("north", "south"):
        inside = sites == site
        assert not rows[site]["suppressed"] and rows[site]["count"] == inside.sum()
        shown[site] = selected[inside].mean()
        assert rows[site]["selection_rate"] == pytest.approx(shown[site], abs=1e-4)
        assert rows[site]["observed_rate"] == pytest.approx(labels[inside].mean(), abs=1e-4)
    expected = min(shown.values()) / max(shown.values())
    assert block["ratios"]["selection_rate"] == pytest.approx(expected, abs=1e-3)


def test_the_proxy_screen_flags_a_copy_of_a_protected_attribute(
        toy: tuple[Spec, Dataset, Trained]) -> None:
    _spec, _data, trained = toy
    proxies = {(p["feature"], p["attribute"]): p for p in trained.metrics["proxies"]}
    assert set(proxies) == {(f, "gender") for f in ("signal", "gender_code", "noise", "colour")}
    copy = proxies[("gender_code", "gender")]
    assert copy["flagged"] is True and copy["roc_auc"] > 0.70
    assert copy["roc_auc"] == 1.0
    for feature in ("signal", "noise", "colour"):
        assert proxies[(feature, "gender")]["flagged"] is False
        assert proxies[(feature, "gender")]["roc_auc"] < 0.6


def test_the_proxy_screen_sees_through_categories_and_near_copies() -> None:
    rng = np.random.default_rng(3)
    gender = rng.choice(np.array(["F", "M", "X"]), 600, p=[0.45, 0.45, 0.1])
    title = np.where(gender == "F", "Ms", np.where(gender == "M", "Mr", "Mx"))
    near = (gender == "F") + rng.normal(0, 0.3, 600)  # a noisy copy
    inputs = pd.DataFrame({"title": title, "near": near, "unique": np.arange(600).astype(str),
                           "noise": rng.normal(0, 1, 600)})
    result = {p["feature"]: p for p in fairness.proxy_screen(
        inputs, pd.DataFrame({"gender": gender}), {"title", "unique"}, seed=1)}
    assert result["title"]["flagged"] and result["near"]["flagged"]
    # A column with one value per person cannot learn itself into a proxy.
    assert not result["unique"]["flagged"] and not result["noise"]["flagged"]


def test_training_twice_gives_the_same_model_and_metrics(
        toy: tuple[Spec, Dataset, Trained]) -> None:
    spec, data, first = toy
    second = training.train(spec, data)
    mask, _how = training.split(spec, data)
    assert np.array_equal(first.model.predict_proba(data.inputs[mask]),
                          second.model.predict_proba(data.inputs[mask]))
    without_time = {k: v for k, v in first.metrics.items() if k != "seconds"}
    assert without_time == {k: v for k, v in second.metrics.items() if k != "seconds"}
    assert first.reference == second.reference and first.algorithm == second.algorithm


# ---- Explanations -------------------------------------------------------------------------


def _artefact(spec: Spec, data: Dataset, algorithm: str) -> dict[str, Any]:
    """A small artefact of the given algorithm, built as ``train`` builds one."""
    classifier = (LogisticRegression(max_iter=2000) if algorithm == "logistic_regression"
                  else HistGradientBoostingClassifier(max_iter=30, random_state=0))
    pipeline = Pipeline([("prepare", training.preprocessor(spec)), ("classify", classifier)])
    model = CalibratedClassifierCV(pipeline, method="sigmoid", ensemble=False, cv=2)
    model.fit(data.inputs, data.labels)
    base = model.calibrated_classifiers_[0].estimator
    return {"model": model, "algorithm": algorithm,
            "reference": training._reference(spec, data.inputs, base)}


@pytest.fixture(scope="module")
def sample(neet: tuple[Spec, str], neet_data: Dataset) -> Dataset:
    """1,500 NEET rows, enough to fit the small artefacts."""
    return Dataset(neet_data.inputs.iloc[:1500].reset_index(drop=True), neet_data.labels[:1500],
                   None, neet_data.groups.iloc[:1500], neet_data.protected.iloc[:1500])


def test_linear_contributions_add_up_to_the_decision_function(
        neet: tuple[Spec, str], sample: Dataset) -> None:
    spec = neet[0]
    artefact = _artefact(spec, sample, "logistic_regression")
    rows = sample.inputs.iloc[:200]
    matrix = explain.contributions(artefact, rows)
    assert matrix.shape == (200, len(spec.feature_names))
    base = artefact["model"].calibrated_classifiers_[0].estimator
    classify = base.named_steps["classify"]
    at_mean = classify.decision_function(
        np.asarray(artefact["reference"]["column_mean"])[None, :])[0]
    assert np.allclose(matrix.sum(axis=1), base.decision_function(rows) - at_mean)
    # Each input's share is its own columns only: change one input, only its share moves.
    changed = rows.copy()
    changed["repetitions"] = changed["repetitions"] + 1
    moved = explain.contributions(artefact, changed) - matrix
    column = spec.feature_names.index("repetitions")
    assert np.allclose(np.delete(moved, column, axis=1), 0)
    assert np.allclose(moved[:, column], moved[0, column]) and moved[0, column] != 0


def test_occlusion_contributions_vanish_at_the_typical_values(
        neet: tuple[Spec, str], sample: Dataset) -> None:
    spec = neet[0]
    artefact = _artefact(spec, sample, "gradient_boosting")
    typical = pd.DataFrame([artefact["reference"]["typical"]])[spec.feature_names]
    typical = typical.astype({c: float for c in spec.feature_names if c != "education"})
    assert np.allclose(explain.contributions(artefact, typical), 0)
    # Away from typical in one input only: only that input contributes, by the whole change.
    one_off = typical.copy()
    one_off["enrolled"] = 1.0 - one_off["enrolled"]
    matrix = explain.contributions(artefact, one_off)
    base = artefact["model"].calibrated_classifiers_[0].estimator
    change = base.decision_function(one_off)[0] - base.decision_function(typical)[0]
    column = spec.feature_names.index("enrolled")
    assert matrix[0, column] == pytest.approx(change)
    assert np.allclose(np.delete(matrix[0], column), 0)
    assert explain.top_reasons(spec.feature_names, explain.contributions(artefact, typical)) \
        == [[]]


def test_top_reasons_of_the_model_name_only_inputs(
        trained: Trained, neet: tuple[Spec, str], neet_data: Dataset) -> None:
    spec = neet[0]
    inputs, _labels, _p = _holdout(neet_data, trained)
    matrix = explain.contributions(trained.artefact(), inputs)
    reasons = explain.top_reasons(list(inputs.columns), matrix)
    assert len(reasons) == len(inputs)
    named = {r["feature"] for row in reasons for r in row}
    assert named <= set(spec.feature_names)
    assert not named & set(spec.protected)
    assert all(1 <= len(row) <= 3 for row in reasons)


_matrices = arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 6)),
                   elements=st.floats(-5, 5, allow_nan=False) | st.just(0.0))


@given(_matrices)
def test_top_reasons_are_the_largest_three_with_their_direction(matrix: np.ndarray) -> None:
    names = [f"f{j}" for j in range(matrix.shape[1])]
    reasons = explain.top_reasons(names, matrix)
    assert len(reasons) == matrix.shape[0]
    for i, row in enumerate(reasons):
        assert len(row) <= 3
        assert len(row) == min(3, int((matrix[i] != 0).sum()))
        sizes = [abs(r["contribution"]) for r in row]
        assert sizes == sorted(sizes, reverse=True)
        shown = {r["feature"] for r in row}
        assert len(shown) == len(row)
        for reason in row:
            value = matrix[i, names.index(reason["feature"])]
            assert value != 0
            assert reason["direction"] == ("up" if value > 0 else "down")
            assert reason["contribution"] == round(value, 4)
        # Nothing left out is larger than the smallest reason shown.
        hidden = [abs(matrix[i, j]) for j, n in enumerate(names) if n not in shown]
        if len(row) == 3:
            assert max(hidden, default=0) <= min(abs(matrix[i, names.index(r["feature"])])
                                                  for r in row)
        else:
            assert all(h == 0 for h in hidden)


# --- recalibration on the latest labelled period ----------------------------------------------

def test_latest_calibration_moves_the_intercept_on_the_latest_period_only(
        neet: tuple[Spec, str], neet_data: Dataset, trained: Trained) -> None:
    from scipy.special import expit
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    raw = yaml.safe_load(neet[1])
    spec = parse_spec(yaml.safe_dump(raw | {"calibration": "latest"}, allow_unicode=True))
    recalibrated = training.train(spec, neet_data)
    mask, _how = training.split(spec, neet_data)
    times = neet_data.times[~mask].reset_index(drop=True)  # type: ignore[index]
    latest = (times == max(times)).to_numpy()
    report = recalibrated.metrics["recalibration"]
    assert report["period"] == max(times) and report["rows"] == latest.sum()
    # "Before" is the cross-validated calibration the default spec gives.
    assert report["ece_before"] == trained.metrics["ece"]
    assert report["ece_before_interval"] == trained.metrics["ece_interval"]
    assert report["brier_before"] == trained.metrics["brier"]
    assert report["roc_auc_before"] == pytest.approx(trained.metrics["roc_auc"]["value"])
    # The calibrator is increasing: the ranking, hence ROC-AUC, is unchanged.
    assert recalibrated.metrics["roc_auc"]["value"] == pytest.approx(
        trained.metrics["roc_auc"]["value"], abs=1e-4)
    # The slope is the cross-validated one; the intercept makes the latest period's
    # out-of-fold predictions average its observed rate.
    x_train, y_train = neet_data.inputs[~mask], neet_data.labels[~mask]
    scores = cross_val_predict(
        training.candidates(spec)[recalibrated.algorithm], x_train, y_train,
        cv=StratifiedKFold(n_splits=5, shuffle=True, random_state=spec.seed),
        method="decision_function")
    fitted = recalibrated.model.calibrated_classifiers_[0].calibrators[0]
    default = trained.model.calibrated_classifiers_[0].calibrators[0]
    assert fitted.a_ == default.a_ and fitted.b_ != pytest.approx(default.b_)
    assert expit(-(fitted.a_ * scores[latest] + fitted.b_)).mean() == pytest.approx(
        y_train[latest].mean(), abs=1e-6)
