"""The synthetic generator: reproducible, several cohorts, the documented rates and gaps."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from orientamento.risk.synth import OUTCOME_COLUMNS, RECORD_COLUMNS, SynthFiles, write_synthetic

CONTACTS = ["phone", "email", "address"]


@pytest.fixture(scope="module")
def eight_thousand(tmp_path_factory: pytest.TempPathFactory) -> SynthFiles:
    """8,000 rows over 4 cohorts."""
    return write_synthetic(tmp_path_factory.mktemp("synth8000"), 8000, seed=11)


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _joined(files: SynthFiles) -> pd.DataFrame:
    records, outcomes = _read(files.records), _read(files.outcomes)
    return records.merge(outcomes, on="source_id", suffixes=("", "_outcome"),
                         validate="one_to_one")


def test_the_same_seed_gives_the_same_files_byte_for_byte(tmp_path: Path) -> None:
    first = write_synthetic(tmp_path / "a", 800, seed=3)
    second = write_synthetic(tmp_path / "b", 800, seed=3)
    for one, other in ((first.records, second.records), (first.outcomes, second.outcomes),
                       (first.current, second.current)):
        assert one.read_bytes() == other.read_bytes()
    assert (first.rows, first.neet_rate) == (second.rows, second.neet_rate)


def test_a_different_seed_gives_different_files(tmp_path: Path) -> None:
    first = write_synthetic(tmp_path / "a", 800, seed=3)
    other = write_synthetic(tmp_path / "b", 800, seed=4)
    assert first.records.read_bytes() != other.records.read_bytes()
    assert first.outcomes.read_bytes() != other.outcomes.read_bytes()
    assert first.current.read_bytes() != other.current.read_bytes()


def test_the_files_have_the_documented_columns(eight_thousand: SynthFiles) -> None:
    assert tuple(_read(eight_thousand.records).columns) == RECORD_COLUMNS
    assert tuple(_read(eight_thousand.outcomes).columns) == OUTCOME_COLUMNS
    assert tuple(_read(eight_thousand.current).columns) == RECORD_COLUMNS


def test_the_neet_rate_is_between_10_and_20_percent(eight_thousand: SynthFiles) -> None:
    outcomes = _read(eight_thousand.outcomes)
    observed = (outcomes["neet"] == "1").mean()
    assert eight_thousand.rows == len(outcomes) == 8000
    assert set(outcomes["neet"]) == {"0", "1"}
    assert eight_thousand.neet_rate == pytest.approx(observed)
    assert 0.10 <= observed <= 0.20


def test_there_are_several_yearly_cohorts_with_outcomes_a_year_later(
        eight_thousand: SynthFiles) -> None:
    joined = _joined(eight_thousand)
    cohorts = sorted(set(joined["as_of"]))
    assert cohorts == ["2021-09-30", "2022-09-30", "2023-09-30", "2024-09-30"]
    assert joined.groupby("as_of").size().tolist() == [2000] * 4
    later = [date.fromisoformat(d).replace(year=date.fromisoformat(d).year + 1).isoformat()
             for d in joined["as_of"]]
    assert joined["as_of_outcome"].tolist() == later
    assert joined["source_id"].is_unique


def test_ages_are_15_to_29(eight_thousand: SynthFiles) -> None:
    records = _read(eight_thousand.records)
    ages = records["as_of"].str[:4].astype(int) - records["birth_year"].astype(int)
    assert ages.between(15, 29).all()
    assert ages.min() == 15 and ages.max() > 25


def test_non_eu_citizens_are_neet_more_often_than_italians(eight_thousand: SynthFiles) -> None:
    """The group gap the fairness audit has to be able to see."""
    joined = _joined(eight_thousand)
    rate = (joined["neet"] == "1").groupby(joined["citizenship_group"]).mean()
    assert set(rate.index) == {"italian", "eu", "non_eu"}
    assert rate["non_eu"] > rate["italian"] + 0.03


def test_training_records_have_no_contacts_and_current_has_no_outcomes(
        eight_thousand: SynthFiles) -> None:
    records, current = _read(eight_thousand.records), _read(eight_thousand.current)
    assert (records[CONTACTS] == "").all().all()
    assert (current[CONTACTS] != "").all().all()
    assert current["email"].str.fullmatch(r"persona\d+@example\.org").all()
    assert "neet" not in current.columns
    # One more snapshot, a year after the last cohort, with people of its own.
    assert set(current["as_of"]) == {"2025-09-30"}
    assert len(current) == 8000 // 4 // 4
    assert not set(current["source_id"]) & set(records["source_id"])


def test_optional_inputs_are_sometimes_blank_and_booleans_are_0_or_1(
        eight_thousand: SynthFiles) -> None:
    records = _read(eight_thousand.records)
    for column in ("enrolled", "early_leaver", "employment_centre", "disability"):
        assert set(records[column]) == {"0", "1"}
    for column in ("attendance_rate", "months_since_contract_end"):
        assert 0 < (records[column] == "").mean() < 1
    # The model's required inputs are always there.
    for column in ("education", "repetitions", "contracts_24m", "municipio", "birth_year"):
        assert (records[column] != "").all()
    assert set(records["municipio"].astype(int)) == set(range(1, 10))


def test_current_rows_sets_the_size_of_the_snapshot_written_in_chunks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("orientamento.risk.synth.CHUNK", 100)
    files = write_synthetic(tmp_path, 400, seed=5, cohorts=2, current_rows=250)
    current, records = _read(files.current), _read(files.records)
    assert len(current) == 250
    assert current["source_id"].is_unique
    assert not set(current["source_id"]) & set(records["source_id"])
    assert (current[CONTACTS] != "").all().all()
