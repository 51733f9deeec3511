"""Tables in, model matrices out: reading data files the way a spec says.

Training, evaluation, scoring and the validation scripts all go through ``prepare`` so that a
value is read the same way everywhere: numbers as floats, booleans as 0/1 (``1``, ``true``,
``yes``, ``si``/``sì`` and their opposites), categories as trimmed strings, blanks and the
spec's missing-value markers as missing. Every column the spec names (inputs, label, audit
groups, protected attributes) must be in the file: a missing one is an error, never a silently
empty column or audit. pandas is imported here and only inside ``orientamento.risk``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from orientamento.risk.spec import Feature, Spec, SpecError

TRUE = frozenset({"1", "true", "yes", "y", "si", "sì", "t"})
FALSE = frozenset({"0", "false", "no", "n", "f"})


class DataError(ValueError):
    """A data file does not fit its spec; the message names rows and columns."""


def read_table(path: Path | str) -> pd.DataFrame:
    """A CSV file with every cell as text (blank cells missing)."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                           encoding="utf-8-sig")
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise DataError(f"{path}: cannot be read as CSV ({error})") from error


def without_markers(spec: Spec, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the cells that hold a missing-value marker of their column blanked."""
    out = frame
    for column in frame.columns:
        markers = spec.missing_markers(str(column))
        if not markers:
            continue
        hit = frame[column].astype("string").str.strip().isin(markers).fillna(False)
        if hit.any():
            if out is frame:
                out = frame.copy()
            out[column] = frame[column].where(~hit.to_numpy(dtype=bool), np.nan)
    return out


def _booleans(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip().str.lower()
    out = pd.Series(np.nan, index=values.index, dtype=float)
    out[text.isin(TRUE)] = 1.0
    out[text.isin(FALSE)] = 0.0
    return out


def _years(values: pd.Series) -> pd.Series:
    """The year of ISO dates or of labels that start with a year ("2013B")."""
    return pd.to_numeric(values.astype("string").str.slice(0, 4), errors="coerce")


def _raw(spec: Spec, feature: Feature, frame: pd.DataFrame) -> pd.Series:
    if feature.column not in frame.columns:
        raise DataError(f"column {feature.column!r} (for {feature.name}) is missing")
    values = frame[feature.column]
    if feature.derive == "age":
        if spec.time is None or spec.time not in frame.columns:
            raise DataError(f"{feature.name}: an age needs the time column {spec.time!r}")
        return _years(frame[spec.time]) - pd.to_numeric(values, errors="coerce")
    return values


def column_problems(spec: Spec, frame: pd.DataFrame) -> list[tuple[int, str, str]]:
    """Cells that are present but unreadable: (row index, column, problem)."""
    problems: list[tuple[int, str, str]] = []
    frame = without_markers(spec, frame)
    for feature in spec.features:
        if feature.column not in frame.columns or feature.type == "categorical":
            continue
        values = frame[feature.column]
        present = values.notna() & (values.astype("string").str.strip() != "")
        if feature.type == "boolean":
            bad = present & _booleans(values).isna()
            message = "expected yes/no (1/0, true/false)"
        else:
            numbers = pd.to_numeric(values, errors="coerce")
            bad = present & ~np.isfinite(numbers.astype(float))
            message = "expected a number"
        problems += [(int(i), feature.column, message) for i in values.index[bad]]
    return problems


def prepare(spec: Spec, frame: pd.DataFrame) -> pd.DataFrame:
    """The model inputs of ``frame``: one column per feature, typed, missing as NaN."""
    columns: dict[str, pd.Series] = {}
    frame = without_markers(spec, frame)
    for feature in spec.features:
        raw = _raw(spec, feature, frame)
        if feature.type == "boolean":
            columns[feature.name] = _booleans(raw)
        elif feature.type == "numeric":
            numbers = pd.to_numeric(raw, errors="coerce").astype(float)
            columns[feature.name] = numbers.where(np.isfinite(numbers), np.nan)
        else:
            # Missing as NaN (not None or pd.NA): scikit-learn's imputers look for NaN.
            text = raw.astype("string").str.strip()
            text = text.where(text != "", pd.NA)
            columns[feature.name] = pd.Series(text.to_numpy(dtype=object, na_value=np.nan),
                                              index=frame.index, dtype=object)
    return pd.DataFrame(columns, index=frame.index)


def missing_required(spec: Spec, inputs: pd.DataFrame) -> pd.Series:
    """Per row, the required inputs that are missing, comma-separated (None when complete)."""
    required = [f.name for f in spec.features if f.required]
    gaps = inputs[required].isna()
    names = np.array(required, dtype=object)
    return pd.Series([", ".join(names[row]) or None for row in gaps.to_numpy()],
                     index=inputs.index, dtype=object)


def labels_of(spec: Spec, frame: pd.DataFrame) -> pd.Series:
    """The 0/1 label column (NaN where the label is unknown)."""
    label = spec.label
    if label.column not in frame.columns:
        raise DataError(f"label column {label.column!r} is missing")
    values = without_markers(spec, frame[[label.column]])[label.column]
    known = values.notna() & (values.astype("string").str.strip() != "")
    if label.below is not None or label.at_most is not None:
        numbers = pd.to_numeric(values, errors="coerce")
        known &= numbers.notna()
        out = ((numbers < label.below) if label.below is not None
               else (numbers <= label.at_most)).astype(float)
    else:
        positive = {p.strip().lower() for p in label.positive or []}
        out = values.astype("string").str.strip().str.lower().isin(positive).astype(float)
    return out.where(known, np.nan)


def attach_labels(spec: Spec, features: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """Join a later labels file to the features: same id, time + the label horizon."""
    horizon = spec.label.horizon_months
    if spec.time is None or horizon is None:
        raise SpecError("labels from another file need the time column and horizon_months")
    for name, table in (("features", features), ("labels", labels)):
        missing = {spec.id, spec.time} - set(table.columns)
        if missing:
            raise DataError(f"{name} file: column(s) {', '.join(sorted(missing))} missing")
    when = pd.to_datetime(features[spec.time], errors="coerce")
    if when.isna().any():
        row = int(when.index[when.isna()][0])
        raise DataError(f"features row {row + 2}: {spec.time} is not a date")
    twice = labels.duplicated([spec.id, spec.time], keep="first")
    if twice.any():
        row = int(labels.index[twice][0])
        raise DataError(f"labels row {row + 2}: the same {spec.id} and {spec.time} appear "
                        "twice")
    key = (when + pd.DateOffset(months=horizon)).dt.strftime("%Y-%m-%d")
    left = features.assign(_key=key.to_numpy())
    right = labels[[spec.id, spec.time, spec.label.column]].rename(
        columns={spec.time: "_key"})
    merged = left.merge(right, on=[spec.id, "_key"], how="left", validate="one_to_one",
                        suffixes=("", "_label"))
    return merged.drop(columns="_key")


def audit_groups(spec: Spec, frame: pd.DataFrame) -> pd.DataFrame:
    """The audit groupings of each row as strings ("unknown" when missing)."""
    groups: dict[str, pd.Series] = {}
    frame = without_markers(spec, frame)
    for group in spec.audit:
        if group.column not in frame.columns:
            raise DataError(f"audit group {group.name}: column {group.column!r} is missing")
        values = frame[group.column]
        if group.derive == "age" and spec.time:
            values = _years(frame[spec.time]) - pd.to_numeric(values, errors="coerce")
        if group.bins:
            edges = list(group.bins)
            names = [f"{edges[i]:g}-{edges[i + 1] - 1:g}" for i in range(len(edges) - 1)]
            values = pd.cut(pd.to_numeric(values, errors="coerce"), edges, right=False,
                            labels=names).astype(object)
        text = values.astype("string").str.strip()
        groups[group.name] = text.fillna("unknown").replace("", "unknown").astype(str)
    return pd.DataFrame(groups, index=frame.index)


@dataclass(frozen=True)
class Dataset:
    """A labelled table split for training: inputs, labels, times and audit groups."""

    inputs: pd.DataFrame
    labels: np.ndarray
    times: pd.Series | None
    groups: pd.DataFrame
    protected: pd.DataFrame


def dataset(spec: Spec, frame: pd.DataFrame) -> Dataset:
    """Rows with a known label, their inputs, times, audit groups and protected attributes."""
    labels = labels_of(spec, frame)
    problems = column_problems(spec, frame)
    if problems:
        shown = "; ".join(f"row {i + 2}, {c}: {m}" for i, c, m in problems[:5])
        raise DataError(f"{len(problems)} unreadable value(s): {shown}")
    absent = [c for c in spec.protected if c not in frame.columns]
    if absent:
        raise DataError(f"protected attribute column(s) {', '.join(map(repr, absent))} missing")
    keep = labels.notna()
    frame = without_markers(spec, frame[keep])
    protected = frame[list(spec.protected)].astype("string")
    return Dataset(
        inputs=prepare(spec, frame).reset_index(drop=True),
        labels=labels[keep].to_numpy(dtype=int),
        times=(frame[spec.time].astype(str).reset_index(drop=True)
               if spec.time and spec.time in frame.columns else None),
        groups=audit_groups(spec, frame).reset_index(drop=True),
        protected=protected.fillna("unknown").reset_index(drop=True),
    )
