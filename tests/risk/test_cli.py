"""``flask risk synth | import | train | score`` through the CLI runner."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from orientamento.extensions import db
from orientamento.outreach.models import Flag
from orientamento.risk.models import (
    ModelVersion,
    RiskPerson,
    RiskRecord,
    RiskScore,
    RiskSnapshot,
)
from orientamento.risk.synth import SynthFiles, write_synthetic
from tests.risk.conftest import snapshot_csv

StoreVersion = Callable[..., ModelVersion]


def _count(model: type) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_synth_writes_the_files(runner: FlaskCliRunner, tmp_path: Path) -> None:
    out = tmp_path / "synthetic"
    result = runner.invoke(args=["risk", "synth", "--rows", "400", "--seed", "3",
                                 "--cohorts", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("400 records, NEET rate 0.")
    expected = write_synthetic(tmp_path / "direct", 400, 3, cohorts=2)
    for name in ("records.csv", "outcomes.csv", "current.csv"):
        assert (out / name).read_bytes() == (expected.records.parent / name).read_bytes()


def test_synth_current_rows_sizes_the_snapshot_to_score(runner: FlaskCliRunner,
                                                        tmp_path: Path) -> None:
    result = runner.invoke(args=["risk", "synth", "--rows", "400", "--current-rows", "321",
                                 "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "current.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + 321


def test_synth_refuses_too_few_rows(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(args=["risk", "synth", "--rows", "10", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--rows" in result.output
    assert not (tmp_path / "records.csv").exists()


def test_import_of_a_bad_file_lists_the_problems_and_writes_nothing(
        runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(snapshot_csv([{"source_id": "A"}, {"source_id": "B", "repetitions": "x"},
                                   {"source_id": "C", "municipio": "11"}]))
    result = runner.invoke(args=["risk", "import", str(path)])
    assert result.exit_code == 1
    # One language, the application's (English in these tests), and no click "Error:" frame.
    assert result.output.startswith("2 problems: nothing was imported.\nRow 3, repetitions: ")
    assert "Row 3, repetitions: expected a number" in result.output
    assert "Row 4, municipio: expected a municipio from 1 to 9" in result.output
    db.session.remove()
    assert _count(RiskSnapshot) == _count(RiskPerson) == _count(RiskRecord) == 0


def test_import_of_a_good_file_commits_it_and_raises_rule_flags(
        runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = tmp_path / "good.csv"
    path.write_bytes(snapshot_csv([
        {"source_id": "A"}, {"source_id": "B", "months_since_contract_end": "2"}]))
    result = runner.invoke(args=["risk", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == ("Snapshot 1 as of 2025-09-30: 2 records; "
                                     "1 contract-ended flags.")
    db.session.remove()  # a fresh session sees only what was committed
    assert _count(RiskRecord) == 2 and _count(Flag) == 1
    again = runner.invoke(args=["risk", "import", str(path)])
    assert again.exit_code == 1 and "already imported" in again.output


def test_train_stores_a_draft_version(runner: FlaskCliRunner, tmp_path: Path) -> None:
    files = write_synthetic(tmp_path, 1600, seed=21)
    result = runner.invoke(args=["risk", "train", "--data", str(files.records),
                                 "--labels", str(files.outcomes)])
    assert result.exit_code == 0, result.output
    db.session.remove()
    (version,) = db.session.scalars(select(ModelVersion)).all()
    assert result.output.startswith(f"Version {version.id} (draft): {version.algorithm}, "
                                    f"ROC-AUC {version.metrics['roc_auc']['value']:.3f}")
    assert version.status == "draft" and version.activated_at is None
    expected = hashlib.sha256(files.records.read_bytes() + files.outcomes.read_bytes())
    assert version.data_sha256 == expected.hexdigest()
    assert version.metrics["rows"] == {"train": 1200, "holdout": 400}
    assert version.card_markdown.startswith(f"# Model card: Risk of being NEET within 12 "
                                            f"months (version {version.id})")


@pytest.mark.parametrize("args, message", [
    (["--spec", "no_such_spec"], "cannot be read"),
    ([], "label column 'neet' is missing"),  # no --labels: the records have no outcome
])
def test_train_explains_what_is_wrong(runner: FlaskCliRunner, synthetic: SynthFiles,
                                     args: list[str], message: str) -> None:
    result = runner.invoke(args=["risk", "train", "--data", str(synthetic.records), *args])
    assert result.exit_code == 1
    assert message in result.output
    assert _count(ModelVersion) == 0


def test_score_without_an_active_version_fails_clearly(
        runner: FlaskCliRunner, store_version: StoreVersion, tmp_path: Path) -> None:
    store_version(active=False)  # a draft is not enough
    path = tmp_path / "s.csv"
    path.write_bytes(snapshot_csv([{}]))
    result = runner.invoke(args=["risk", "score", "--data", str(path)])
    assert result.exit_code == 1
    assert "No active model version: an administrator must activate one." in result.output
    assert _count(RiskSnapshot) == 0 and _count(RiskScore) == 0


def test_score_needs_exactly_one_source(runner: FlaskCliRunner, tmp_path: Path) -> None:
    assert runner.invoke(args=["risk", "score"]).exit_code == 2
    path = tmp_path / "s.csv"
    path.write_bytes(snapshot_csv([{}]))
    both = runner.invoke(args=["risk", "score", "--data", str(path), "--snapshot", "1"])
    assert both.exit_code == 2 and "exactly one of --data or --snapshot" in both.output


def test_score_an_unknown_snapshot(runner: FlaskCliRunner, store_version: StoreVersion) -> None:
    store_version()
    result = runner.invoke(args=["risk", "score", "--snapshot", "99"])
    assert result.exit_code == 1 and "no snapshot 99" in result.output


def test_score_a_snapshot_stores_scores_and_flags(
        runner: FlaskCliRunner, store_version: StoreVersion, synthetic: SynthFiles) -> None:
    version = store_version()
    imported = runner.invoke(args=["risk", "import", str(synthetic.current)])
    assert imported.exit_code == 0, imported.output
    rule_flags = _count(Flag)
    result = runner.invoke(args=["risk", "score", "--snapshot", "1"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    per_municipio = Counter(db.session.scalars(select(RiskPerson.municipio)))
    capacity = 25  # OUTREACH_CAPACITY's default
    expected_flags = sum(min(capacity, n) for n in per_municipio.values())
    assert result.output.strip() == (f"Version {version.id}: 250 scored, 0 without a score "
                                     f"(missing inputs), {expected_flags} model flags raised.")
    assert _count(RiskScore) == 250
    model_flags = db.session.scalars(select(Flag).where(Flag.trigger == "model")).all()
    assert len(model_flags) == expected_flags
    assert _count(Flag) == rule_flags + expected_flags
    # The flagged are each municipio's highest scores.
    for municipio in per_municipio:
        probabilities = sorted((p for p in db.session.scalars(
            select(RiskScore.probability).join(RiskPerson, RiskPerson.id == RiskScore.person_id)
            .where(RiskPerson.municipio == municipio)) if p is not None), reverse=True)
        flagged = sorted((f.priority for f in model_flags if f.municipio == municipio),
                         reverse=True)
        assert flagged == probabilities[:capacity]


def test_score_with_data_imports_and_scores(runner: FlaskCliRunner,
                                            store_version: StoreVersion,
                                            tmp_path: Path) -> None:
    store_version()
    path = tmp_path / "s.csv"
    path.write_bytes(snapshot_csv([{"source_id": "A"}, {"source_id": "B", "education": ""}]))
    result = runner.invoke(args=["risk", "score", "--data", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 scored, 1 without a score (missing inputs), 1 model flags raised." \
        in result.output
    db.session.remove()
    assert _count(RiskSnapshot) == 1 and _count(RiskScore) == 2


def test_import_in_italian_says_everything_in_italian(app: Flask, runner: FlaskCliRunner,
                                                       tmp_path: Path) -> None:
    app.config["BABEL_DEFAULT_LOCALE"] = "it"
    path = tmp_path / "bad.csv"
    path.write_bytes(snapshot_csv([{"source_id": "A", "municipio": "11"}]))
    result = runner.invoke(args=["risk", "import", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith("1 problema: non è stato importato nulla.\nRiga 2, municipio: ")
    assert "expected" not in result.output and "Error" not in result.output


def test_import_refuses_more_rows_than_allowed(runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_bytes(snapshot_csv([{"source_id": f"P{i}"} for i in range(4)]))
    result = runner.invoke(args=["risk", "import", "--max-rows", "3", str(path)])
    assert result.exit_code == 1
    assert "Row 5" in result.output and "more than 3 records" in result.output
    assert db.session.scalar(select(func.count()).select_from(RiskSnapshot)) == 0
