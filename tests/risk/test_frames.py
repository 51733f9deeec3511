"""Reading data files the way a spec says: types, blanks, problems, labels, audit groups."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orientamento.risk import frames
from orientamento.risk.frames import DataError
from orientamento.risk.spec import Spec, load_spec

BASE = {"source_id": "A1", "as_of": "2024-09-30", "birth_year": "2004",
        "education": "upper_secondary", "enrolled": "0", "months_since_enrolment": "3",
        "attendance_rate": "0.9", "repetitions": "0", "early_leaver": "0",
        "months_since_contract_end": "", "contracts_24m": "2", "employment_centre": "1",
        "gender": "F", "citizenship_group": "italian", "disability": "0",
        "municipio": "4", "neet": "0"}
NEET = load_spec("neet")[0]


@pytest.fixture
def spec(neet: tuple[Spec, str]) -> Spec:
    """The shipped NEET spec."""
    return neet[0]


def _table(tmp_path: Path, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Write rows (``BASE`` plus overrides) as CSV and read them back with ``read_table``."""
    path = tmp_path / "data.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(BASE))
        writer.writeheader()
        writer.writerows([BASE | {k: str(v) for k, v in row.items()} for row in rows])
    return frames.read_table(path)


def test_read_table_keeps_text_and_reads_blanks_as_missing(tmp_path: Path) -> None:
    table = _table(tmp_path, [{"source_id": "007", "months_since_contract_end": ""}])
    assert table.loc[0, "source_id"] == "007"  # not a number: leading zeros survive
    assert pd.isna(table.loc[0, "months_since_contract_end"])


def test_read_table_accepts_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffsource_id,neet\nA,1\n".encode())
    assert list(frames.read_table(path).columns) == ["source_id", "neet"]


def test_an_unreadable_file_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot be read"):
        frames.read_table(tmp_path / "missing.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("source_id,città\nA,Milano\xe8\n".encode("latin-1"))
    with pytest.raises(DataError, match="cannot be read"):
        frames.read_table(latin)


def test_booleans_are_read_from_the_usual_spellings(spec: Spec, tmp_path: Path) -> None:
    spellings = ["1", "0", "true", "FALSE", "sì", "Si", "yes", "no", " Y ", "n", "", "  "]
    table = _table(tmp_path, [{"enrolled": s} for s in spellings])
    enrolled = frames.prepare(spec, table)["enrolled"].tolist()
    assert enrolled[:10] == [1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0]
    assert all(math.isnan(v) for v in enrolled[10:])
    assert frames.column_problems(spec, table) == []


def test_numbers_and_categories_are_typed_and_blanks_are_missing(
        spec: Spec, tmp_path: Path) -> None:
    table = _table(tmp_path, [
        {"attendance_rate": "0.75", "education": " vocational "},
        {"attendance_rate": "", "education": ""},
    ])
    inputs = frames.prepare(spec, table)
    assert list(inputs.columns) == spec.feature_names
    assert inputs.loc[0, "attendance_rate"] == 0.75
    assert inputs.loc[0, "education"] == "vocational"
    assert math.isnan(inputs.loc[1, "attendance_rate"])
    assert pd.isna(inputs.loc[1, "education"])
    # The age is derived from the birth year and the snapshot date, never read directly.
    assert inputs["age"].tolist() == [20.0, 20.0]


def test_column_problems_name_the_row_and_column(spec: Spec, tmp_path: Path) -> None:
    table = _table(tmp_path, [{}, {"repetitions": "two"}, {}, {"enrolled": "maybe"},
                              {"education": "whatever"}])
    problems = frames.column_problems(spec, table)
    assert sorted(problems) == [(1, "repetitions", "expected a number"),
                                (3, "enrolled", "expected yes/no (1/0, true/false)")]
    # A categorical value is never "unreadable": unknown categories are the model's business.
    with pytest.raises(DataError) as caught:
        frames.dataset(spec, table)
    assert "2 unreadable value(s)" in str(caught.value)
    # File rows: the header is row 1, so index 1 is row 3.
    assert "row 3, repetitions" in str(caught.value)
    assert "row 5, enrolled" in str(caught.value)


def test_an_infinite_number_is_a_problem(spec: Spec, tmp_path: Path) -> None:
    table = _table(tmp_path, [{"contracts_24m": "inf"}, {"attendance_rate": "1e400"}])
    assert sorted(frames.column_problems(spec, table)) == [
        (0, "contracts_24m", "expected a number"), (1, "attendance_rate", "expected a number")]


_cells = st.one_of(st.sampled_from(["", " ", "1", "0", "true", "no", "sì", "2.5", "-3",
                                    "1e3", "nan", "abc", "١٢", "0x1A"]), st.text(max_size=6))


@settings(max_examples=40)  # pandas makes each example ~50 ms
@given(st.lists(st.fixed_dictionaries({
    "enrolled": _cells, "repetitions": _cells, "birth_year": _cells, "education": _cells,
}), min_size=1, max_size=8))
def test_a_cell_is_a_problem_exactly_when_it_is_present_but_unreadable(
        rows: list[dict[str, str]]) -> None:
    spec = NEET
    table = pd.DataFrame([BASE | row for row in rows], dtype=object).replace("", np.nan)
    inputs = frames.prepare(spec, table)
    problems = {(i, column) for i, column, _ in frames.column_problems(spec, table)}
    for i, row in enumerate(rows):
        for column, feature in (("enrolled", "enrolled"), ("repetitions", "repetitions"),
                                ("birth_year", "age")):
            present = row[column].strip() != ""
            unreadable = math.isnan(inputs.loc[i, feature])
            assert ((i, column) in problems) == (present and unreadable), (column, row)
        assert (i, "education") not in problems
    for feature in ("enrolled", "repetitions", "age"):
        assert inputs[feature].dtype == float
    assert set(inputs["enrolled"].dropna()) <= {0.0, 1.0}


def test_labels_are_read_from_positive_values_or_a_threshold(
        spec: Spec, tmp_path: Path) -> None:
    table = _table(tmp_path, [{"neet": "1"}, {"neet": "TRUE"}, {"neet": "0"}, {"neet": ""},
                              {"neet": "later"}])
    labels = frames.labels_of(spec, table).tolist()
    assert labels[:3] == [1.0, 1.0, 0.0] and math.isnan(labels[3]) and labels[4] == 0.0
    below = spec.model_copy(update={"label": spec.label.model_copy(
        update={"positive": None, "below": 0.5})})
    table["neet"] = ["0.2", "0.5", "0.9", "", "x"]
    scored = frames.labels_of(below, table).tolist()
    assert scored[:3] == [1.0, 0.0, 0.0] and math.isnan(scored[3]) and math.isnan(scored[4])


def test_a_missing_label_column_is_a_data_error(spec: Spec, tmp_path: Path) -> None:
    table = _table(tmp_path, [{}]).drop(columns="neet")
    with pytest.raises(DataError, match="label column 'neet' is missing"):
        frames.labels_of(spec, table)


def test_labels_are_joined_from_twelve_months_later(spec: Spec) -> None:
    features = pd.DataFrame({
        "source_id": ["a", "b", "c", "d"],
        "as_of": ["2022-09-30", "2022-09-30", "2022-09-30", "2023-02-28"],
        "x": ["1", "2", "3", "4"]})
    labels = pd.DataFrame({
        "source_id": ["a", "b", "c", "c", "d", "zzz"],
        "as_of": ["2023-09-30", "2022-09-30", "2024-09-30", "2023-09-29", "2024-02-28",
                  "2023-09-30"],
        "neet": ["1", "1", "1", "1", "0", "1"]})
    joined = frames.attach_labels(spec, features, labels)
    assert joined["source_id"].tolist() == ["a", "b", "c", "d"]
    assert joined["x"].tolist() == ["1", "2", "3", "4"]
    # a: 12 months later; b: same date (not a label); c: 24 months or a day early; d: month end.
    assert joined["neet"].tolist()[0] == "1"
    assert pd.isna(joined["neet"].tolist()[1]) and pd.isna(joined["neet"].tolist()[2])
    assert joined["neet"].tolist()[3] == "0"
    assert "_key" not in joined.columns
    # The feature file's own date stays.
    assert joined["as_of"].tolist() == features["as_of"].tolist()


def test_attach_labels_refuses_a_bad_date_or_missing_columns(spec: Spec) -> None:
    features = pd.DataFrame({"source_id": ["a", "b"], "as_of": ["2022-09-30", "someday"]})
    labels = pd.DataFrame({"source_id": ["a"], "as_of": ["2023-09-30"], "neet": ["1"]})
    with pytest.raises(DataError, match="features row 3: as_of is not a date"):
        frames.attach_labels(spec, features, labels)
    with pytest.raises(DataError, match="labels file: column"):
        frames.attach_labels(spec, features.iloc[:1], labels.drop(columns="as_of"))
    untimed = spec.model_copy(update={"time": None})
    with pytest.raises(Exception, match="horizon_months"):
        frames.attach_labels(untimed, features, labels)


def test_a_duplicate_outcome_is_a_data_error(spec: Spec) -> None:
    features = pd.DataFrame({"source_id": ["a"], "as_of": ["2022-09-30"]})
    labels = pd.DataFrame({"source_id": ["a", "a"], "as_of": ["2023-09-30"] * 2,
                           "neet": ["1", "0"]})
    with pytest.raises(DataError):
        frames.attach_labels(spec, features, labels)


def test_audit_groups_band_ages_and_mark_unknowns(spec: Spec, tmp_path: Path) -> None:
    birth_years = ["2009", "2005", "2004", "2000", "1999", "1995", "1994", ""]
    table = _table(tmp_path, [{"birth_year": b, "gender": "" if b == "1994" else "M"}
                              for b in birth_years])
    groups = frames.audit_groups(spec, table)
    assert list(groups.columns) == ["gender", "age_band", "citizenship_group", "municipio"]
    # as_of 2024: ages 15, 19 | 20, 24 | 25, 29 | 30 (outside) and blank.
    assert groups["age_band"].tolist() == ["15-19", "15-19", "20-24", "20-24", "25-29",
                                           "25-29", "unknown", "unknown"]
    assert groups["gender"].tolist() == ["M"] * 6 + ["unknown", "M"]
    assert set(groups["municipio"]) == {"4"}


def test_missing_required_names_only_required_inputs(spec: Spec, tmp_path: Path) -> None:
    table = _table(tmp_path, [
        {},
        {"education": "", "enrolled": ""},
        {"attendance_rate": "", "months_since_enrolment": "", "months_since_contract_end": ""},
        {"birth_year": ""},
    ])
    missing = frames.missing_required(spec, frames.prepare(spec, table)).tolist()
    assert missing == [None, "education, enrolled", None, "age"]


def test_dataset_keeps_labelled_rows_and_separates_protected_attributes(
        spec: Spec, tmp_path: Path) -> None:
    table = _table(tmp_path, [{"neet": "1", "gender": "F"}, {"neet": "", "gender": "M"},
                              {"neet": "0", "gender": "", "citizenship_group": "non_eu"}])
    data = frames.dataset(spec, table)
    assert data.labels.tolist() == [1, 0]
    assert list(data.inputs.columns) == spec.feature_names
    assert not set(data.inputs.columns) & set(spec.protected)
    assert data.protected["gender"].tolist() == ["F", "unknown"]
    assert data.protected["citizenship_group"].tolist() == ["italian", "non_eu"]
    assert data.times is not None and data.times.tolist() == ["2024-09-30"] * 2
    assert data.groups["gender"].tolist() == ["F", "unknown"]
