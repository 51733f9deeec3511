"""The model, governed: spec friction, suppression by positives, the fairness gate."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from orientamento.risk import fairness, frames, governance
from orientamento.risk.frames import DataError
from orientamento.risk.governance import GateFinding, gate_findings
from orientamento.risk.spec import SpecError, load_spec, parse_spec
from tests.risk.factories import SAMPLE_METRICS

NEET_RAW: dict[str, Any] = yaml.safe_load(load_spec("neet")[1])


def _spec(**changes: Any) -> Any:
    raw = copy.deepcopy(NEET_RAW)
    raw.update(changes)
    return parse_spec(yaml.safe_dump(raw, allow_unicode=True))


def _frame(**columns: list[str]) -> pd.DataFrame:
    base = {"source_id": "A1", "as_of": "2024-09-30", "birth_year": "2004",
            "education": "upper_secondary", "enrolled": "0", "months_since_enrolment": "3",
            "attendance_rate": "0.9", "repetitions": "0", "early_leaver": "0",
            "months_since_contract_end": "", "contracts_24m": "2", "employment_centre": "1",
            "gender": "F", "citizenship_group": "italian", "disability": "0",
            "municipio": "4", "neet": "0"}
    size = len(next(iter(columns.values())))
    return pd.DataFrame({k: columns.get(k, [v] * size) for k, v in base.items()}, dtype=object)


# --- spec friction ----------------------------------------------------------------------------

def test_per_column_missing_markers_read_as_missing_not_as_unreadable() -> None:
    raw = copy.deepcopy(NEET_RAW)
    for feature in raw["features"]:
        if feature["name"] == "repetitions":
            feature["missing"] = [".", "NA"]
    spec = parse_spec(yaml.safe_dump(raw, allow_unicode=True))
    table = _frame(repetitions=["1", ".", " NA ", "2"], neet=["1", "0", "0", "1"])
    assert frames.column_problems(spec, table) == []
    values = frames.prepare(spec, table)["repetitions"].tolist()
    assert values[0] == 1.0 and values[3] == 2.0 and np.isnan(values[1]) and np.isnan(values[2])
    # Without the markers the same cells are unreadable numbers.
    assert len(frames.column_problems(_spec(), table)) == 2


def test_spec_wide_markers_apply_to_labels_and_audit_columns() -> None:
    spec = _spec(missing=["?"])
    table = _frame(gender=["F", "?", "M"], neet=["1", "?", "0"])
    assert frames.labels_of(spec, table).isna().tolist() == [False, True, False]
    assert frames.audit_groups(spec, table)["gender"].tolist() == ["F", "unknown", "M"]


def test_an_at_most_label_is_positive_up_to_the_threshold() -> None:
    spec = _spec(label={"column": "neet", "at_most": 9})
    table = _frame(neet=["8", "9", "9.5", "10", "", "x"])
    labels = frames.labels_of(spec, table)
    assert labels.iloc[:4].tolist() == [1.0, 1.0, 0.0, 0.0]
    assert labels.iloc[4:].isna().all()


def test_a_label_with_two_rules_is_refused() -> None:
    with pytest.raises(SpecError, match="exactly one of"):
        _spec(label={"column": "neet", "at_most": 9, "below": 10})


def test_the_baseline_rule_is_optional_and_reported_as_absent() -> None:
    from orientamento.risk.evaluation import evaluate

    spec = _spec(baseline=[])
    assert spec.baseline == []
    labels = np.array([0, 1] * 50)
    metrics = evaluate(spec, labels, np.linspace(0.01, 0.99, 100), None, 0.5)
    assert metrics["baseline"] == {"roc_auc": None, "pr_auc": None, "recall": None,
                                   "precision": None}


def test_an_absent_audit_column_is_an_error_not_an_empty_audit() -> None:
    table = _frame(neet=["0", "1"]).drop(columns="municipio")
    with pytest.raises(DataError, match="audit group municipio: column 'municipio' is missing"):
        frames.dataset(_spec(), table)
    with pytest.raises(DataError, match="column 'municipio' is missing"):
        frames.audit_groups(_spec(), table)


def test_an_absent_protected_column_is_an_error() -> None:
    table = _frame(neet=["0", "1"]).drop(columns="disability")
    with pytest.raises(DataError, match=r"protected attribute column.*'disability'"):
        frames.dataset(_spec(), table)


def test_latest_calibration_needs_a_time_column() -> None:
    with pytest.raises(SpecError, match="calibration"):
        _spec(calibration="latest", time=None, audit=[],
              features=[f for f in NEET_RAW["features"] if not f.get("derive")])


# --- suppression by positives -----------------------------------------------------------------

def _audit_frame() -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Group A: 400 people, 100 positives; group B: 107 people, 2 positives (neither found)."""
    rng = np.random.default_rng(1)
    labels_a = np.array([1] * 100 + [0] * 300)
    labels_b = np.array([1] * 2 + [0] * 105)
    scores_a = np.where(labels_a == 1, 0.6, 0.2) + rng.random(400) * 0.3
    scores_b = np.full(107, 0.05)
    groups = pd.DataFrame({"gender": ["A"] * 400 + ["B"] * 107})
    return groups, np.concatenate([labels_a, labels_b]), np.concatenate([scores_a, scores_b])


def test_a_group_with_few_positives_is_too_few_to_judge_not_zero() -> None:
    groups, labels, scores = _audit_frame()
    block = fairness.audit(groups, labels, scores, 0.2)["gender"]
    rows = {r["group"]: r for r in block["groups"]}
    assert not rows["B"]["suppressed"] and rows["B"]["count"] == 107
    assert rows["B"]["recall"] is None and rows["B"]["too_few"] == ["recall"]
    assert rows["B"]["false_positive_rate"] == 0.0  # 105 negatives: enough to judge
    assert rows["A"]["too_few"] == [] and rows["A"]["recall"] > 0.5
    # One group judged on recall: no ratio, rather than 0.0.
    assert block["ratios"]["recall"] is None
    assert block["ratios"]["false_positive_rate"] == 0.0


def test_a_group_with_few_negatives_has_no_false_positive_rate() -> None:
    groups, labels, scores = _audit_frame()
    labels = labels.copy()
    labels[400:] = 1  # group B: 107 positives, no negatives
    labels[400:405] = 0
    rows = {r["group"]: r for r in fairness.audit(groups, labels, scores, 0.2)["gender"]["groups"]}
    assert rows["B"]["too_few"] == ["false_positive_rate"]
    assert rows["B"]["false_positive_rate"] is None and rows["B"]["recall"] is not None


def test_pages_repeat_the_audit_threshold() -> None:
    assert governance.MIN_POSITIVES == fairness.MIN_POSITIVES == fairness.MIN_NEGATIVES


# --- the gate, a pure function ----------------------------------------------------------------

def _metrics(**ratios: float | None) -> dict[str, Any]:
    metrics = copy.deepcopy(SAMPLE_METRICS)
    metrics["fairness"]["gender"]["ratios"].update(ratios)
    return metrics


def test_the_sample_audit_passes_the_gate() -> None:
    assert gate_findings(SAMPLE_METRICS) == []


@pytest.mark.parametrize("metric", ["recall", "false_positive_rate"])
def test_a_ratio_below_the_line_stops_the_gate(metric: str) -> None:
    assert gate_findings(_metrics(**{metric: 0.79})) == [
        GateFinding("low_ratio", metric=metric, ratio=0.79)]
    assert gate_findings(_metrics(**{metric: 0.8})) == []


def test_other_groupings_and_other_rates_do_not_stop_the_gate() -> None:
    metrics = _metrics(selection_rate=0.5, precision=0.5)
    metrics["fairness"]["municipio"] = {"groups": [], "ratios": {"recall": 0.1}}
    assert gate_findings(metrics) == []


def test_a_gender_group_too_few_to_judge_stops_the_gate() -> None:
    metrics = _metrics(recall=None)
    groups = metrics["fairness"]["gender"]["groups"]
    groups[1] = dict(groups[1], recall=None, too_few=["recall"])
    findings = gate_findings(metrics)
    assert GateFinding("too_few", metric="recall", group=groups[1]["group"]) in findings
    assert GateFinding("not_compared", metric="recall") in findings


def test_without_a_gender_audit_the_gate_applies() -> None:
    metrics = copy.deepcopy(SAMPLE_METRICS)
    del metrics["fairness"]["gender"]
    assert gate_findings(metrics) == [GateFinding("not_audited")]


def test_groups_suppressed_by_size_do_not_stop_the_gate() -> None:
    groups = SAMPLE_METRICS["fairness"]["gender"]["groups"]
    assert any(g["suppressed"] for g in groups)
    assert gate_findings(SAMPLE_METRICS) == []

