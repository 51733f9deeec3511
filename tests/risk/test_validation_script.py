"""The validation script skips cleanly without the public data, its specs are valid, and its
table works for any spec."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from bench import validate_risk
from orientamento.risk import frames
from orientamento.risk.spec import Spec, load_spec
from orientamento.risk.synth import SynthFiles
from tests.risk.factories import SAMPLE_METRICS


def test_without_the_data_folder_it_says_so_and_succeeds(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(validate_risk, "DATA", tmp_path / "absent")
    assert validate_risk.main([]) == 0
    assert "not found: skipped" in capsys.readouterr().out


def test_the_shipped_specs_load_and_keep_protected_attributes_out() -> None:
    jobs = validate_risk.jobs()
    assert {j["data"] for j in jobs} == {"oulad_studentInfo.csv", "student-por.csv",
                                         "student-mat.csv"}
    for job in jobs:
        spec = load_spec(str(validate_risk.SPECS / job["spec"]))[0]
        assert spec.protected and not set(spec.protected) & {f.column for f in spec.features}
        assert "gender" in {g.name for g in spec.audit}


def test_the_table_row_works_for_any_metrics() -> None:
    metrics = copy.deepcopy(SAMPLE_METRICS)
    metrics["baseline"] = {"roc_auc": None, "pr_auc": None, "recall": None, "precision": None}
    metrics["candidates"] = {"logistic_regression": {"roc_auc": 0.7}}
    metrics["fairness"] = {"site": {"groups": [], "ratios": {"recall": None}}}
    row = validate_risk.row("anything", metrics)
    assert row["rule_auc"] == "-"
    assert row["gate"] == "no gender audit"
    assert row["ratios"] == "site tpr - fpr -"


def test_the_table_shows_the_gate_and_the_recalibration() -> None:
    metrics = copy.deepcopy(SAMPLE_METRICS)
    metrics["fairness"]["gender"]["ratios"]["false_positive_rate"] = 0.41
    metrics["recalibration"] = {"period": "2014B", "rows": 700, "ece_before": 0.0231,
                                "roc_auc_before": 0.668}
    row = validate_risk.row("any", metrics)
    assert row["gate"] == "gender false_positive_rate ratio 0.410 < 0.8"
    assert row["ece"].startswith("0.023 -> ") and "(on 2014B)" in row["ece"]


def test_any_spec_on_any_file_from_the_command_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], neet: tuple[Spec, str],
        synthetic: SynthFiles) -> None:
    spec, source = neet
    table = frames.attach_labels(spec, frames.read_table(synthetic.records),
                                 frames.read_table(synthetic.outcomes))
    table.to_csv(tmp_path / "joined.csv", index=False)
    (tmp_path / "neet.yaml").write_text(source, encoding="utf-8")
    assert validate_risk.main([str(tmp_path / "neet.yaml"), str(tmp_path / "joined.csv")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("data | rows | split | chosen")
    assert "\nneet | " in out and "neet gender F: n=" in out


def test_the_calibration_table_compares_recalibrations_on_a_drifted_split(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml

    monkeypatch.setattr(validate_risk, "RESULTS", tmp_path / "results")
    from tests.risk.test_calibration import drift_spec, drift_table

    drift_table().to_csv(tmp_path / "drift.csv", index=False)
    (tmp_path / "drift.yaml").write_text(
        yaml.safe_dump(drift_spec("latest").model_dump(exclude_none=True), allow_unicode=True),
        encoding="utf-8")
    rows = validate_risk.calibration_rows(tmp_path / "drift.yaml", tmp_path / "drift.csv",
                                          "logistic_regression")
    by = {r["method"]: r for r in rows}
    none = by["none (Platt, all training rows, cross-validated)"]
    chosen = by["intercept on latest, slope kept (calibration: latest)"]
    assert chosen["latest"].startswith("2022 n=900 rate=")
    ece = {k: float(r["ece"].split()[0]) for k, r in by.items() if "random rows" not in k}
    assert ece[chosen["method"]] < ece[none["method"]] / 2
    assert chosen["roc_auc"] == none["roc_auc"]  # the ranking is kept
    assert "intercept on 300 random rows of latest" in by
    assert validate_risk.main(["--calibration", str(tmp_path / "drift.yaml"),
                               str(tmp_path / "drift.csv")]) == 0
    out = capsys.readouterr().out
    assert "\ndata | method | latest | ece | ece_mass | roc_auc | brier | mean_p\n" in out
    assert (tmp_path / "results" / "validate_risk_calibration.json").is_file()
