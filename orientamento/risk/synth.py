"""Synthetic administrative records with a documented generating process.

Nothing here describes real people. The process (docs/formats/risk-records.md has the table):

1. Each cohort is a snapshot as of 30 September of a year; ages 15-29, younger ages more
   frequent; municipio by Milan's resident weights; citizenship group (Italian 78%, EU 6%,
   non-EU 16%); gender (F/M, 1% X); disability 5%.
2. A latent disadvantage ``z ~ N(0, 1)``, shifted up by 0.5 for non-EU citizens and by 0.3 in
   municipi 2, 8 and 9: it drives the observed records (repetitions, early leaving,
   attendance, contracts), so groups differ through the records as in the published figures.
3. Schooling: enrolled with a probability falling with age and ``z``; repetitions Poisson;
   early leaving more likely after repetitions; attendance rate only for people enrolled last
   year; education attained from age and early leaving.
4. Work: contracts in the last 24 months Poisson (more with age, fewer with ``z``); for people
   with a contract and no job now, the months since it ended; registration at an employment
   centre.
5. NEET 12 months later: a logistic function of the records and of ``z`` (which the model
   never sees), plus 0.35 for women aged 25-29 (caring work, a gap ISTAT reports), an
   intercept drifting by +0.08 per cohort, and the intercept set so that about 14% are NEET.

Every draw comes from one ``numpy`` generator seeded with ``seed``: the same arguments give
the same files, byte for byte.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

#: Residents per municipio, rounded (Comune di Milano, 2023), as sampling weights.
MUNICIPIO_WEIGHTS = np.array([98, 161, 142, 161, 126, 154, 176, 186, 186], dtype=float)
EDUCATION_LEVELS = ("none", "lower_secondary", "vocational", "upper_secondary", "tertiary")

RECORD_COLUMNS = (
    "source_id", "as_of", "birth_year", "municipio", "education", "enrolled",
    "months_since_enrolment", "attendance_rate", "repetitions", "early_leaver",
    "months_since_contract_end", "contracts_24m", "employment_centre",
    "gender", "citizenship_group", "disability", "phone", "email", "address",
)
OUTCOME_COLUMNS = ("source_id", "as_of", "neet")
CHUNK = 100_000


@dataclass(frozen=True)
class SynthFiles:
    """What ``write_synthetic`` wrote."""

    records: Path
    outcomes: Path
    current: Path
    rows: int
    neet_rate: float


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _cohort(rng: np.random.Generator, n: int, year: int, index: int,
            first_id: int, as_of: date | None = None) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """One cohort's columns and its NEET outcome 12 months later; the snapshot is dated
    ``as_of`` (default 30 September of ``year``, which must be ``as_of``'s year)."""
    age = np.clip(np.round(15 + rng.gamma(2.2, 3.2, n)), 15, 29).astype(int)
    municipio = rng.choice(np.arange(1, 10), size=n, p=MUNICIPIO_WEIGHTS / MUNICIPIO_WEIGHTS.sum())
    citizenship = rng.choice(np.array(["italian", "eu", "non_eu"]), size=n, p=[0.78, 0.06, 0.16])
    gender = rng.choice(np.array(["F", "M", "X"]), size=n, p=[0.495, 0.495, 0.01])
    disability = rng.random(n) < 0.05
    z = (rng.normal(0, 1, n) + 0.5 * (citizenship == "non_eu")
         + 0.3 * np.isin(municipio, (2, 8, 9)) + 0.4 * disability)

    repetitions = rng.poisson(np.exp(-1.6 + 0.55 * z)).clip(0, 4)
    early = rng.random(n) < _sigmoid(-3.2 + 0.9 * repetitions + 0.6 * z) * (age >= 16)
    school_age = np.where(age < 19, 2.4, np.where(age < 24, -0.4, -2.4))
    enrolled = rng.random(n) < _sigmoid(school_age - 0.7 * z - 2.5 * early)
    left_months = np.clip(np.round(rng.exponential(6 + 3 * np.maximum(age - 18, 0))), 1, 160)
    months_since_enrolment = np.where(enrolled, 0, left_months).astype(float)
    was_at_school = enrolled | (left_months <= 12)
    attendance = np.clip(rng.beta(9, 1.5, n) - 0.06 * np.maximum(z, 0), 0.2, 1.0)
    attendance_rate = np.where(was_at_school, np.round(attendance, 2), np.nan)

    level = np.where(age < 14, 0, np.where(age < 19, 1, np.where(age < 22, 3, 4)))
    level = np.where(early, np.minimum(level, 1), level)
    level = np.where((level >= 3) & (rng.random(n) < 0.25), 2, level)
    level = np.where((level == 4) & (rng.random(n) < 0.6), 3, level)
    level = np.where(rng.random(n) < 0.02, 0, level)
    education = np.array(EDUCATION_LEVELS)[level]

    contracts = rng.poisson(np.clip(0.25 * np.maximum(age - 16, 0) * np.exp(-0.35 * z)
                                    * np.where(enrolled, 0.4, 1.0), 0, 6)).clip(0, 12)
    working = (contracts > 0) & (rng.random(n) < 0.55)
    ended = np.clip(np.round(rng.exponential(5, n)), 0, 36)
    months_since_contract = np.where((contracts > 0) & ~working, ended, np.nan)
    centre = rng.random(n) < np.where(~enrolled & ~working, 0.35, 0.05)

    logit = (-1.7 + 0.08 * index + 0.75 * z - 1.9 * enrolled - 1.2 * working
             + 0.55 * early + 0.18 * repetitions
             + 1.6 * np.nan_to_num(0.9 - attendance_rate, nan=0.0)
             + 0.05 * np.nan_to_num(months_since_contract, nan=0.0)
             - 0.15 * np.minimum(contracts, 4) - 0.25 * centre
             + 0.03 * np.maximum(age - 18, 0) - 0.25 * (level >= 3)
             + 0.35 * ((gender == "F") & (age >= 25)))
    neet = rng.random(n) < _sigmoid(logit)

    ids = np.arange(first_id, first_id + n)
    columns = {
        "source_id": np.array([f"SYN{year}{i:08d}" for i in ids]),
        "as_of": np.full(n, (as_of or date(year, 9, 30)).isoformat()),
        "birth_year": year - age,
        "municipio": municipio,
        "education": education,
        "enrolled": enrolled,
        "months_since_enrolment": months_since_enrolment,
        "attendance_rate": attendance_rate,
        "repetitions": repetitions,
        "early_leaver": early,
        "months_since_contract_end": months_since_contract,
        "contracts_24m": contracts,
        "employment_centre": centre,
        "gender": gender,
        "citizenship_group": citizenship,
        "disability": disability,
    }
    return columns, neet


def _cell(value: object) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "1" if value else "0"
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return ""
        return f"{value:g}"
    return str(value)


def _rows(columns: dict[str, np.ndarray], contacts: bool) -> Iterator[list[str]]:
    n = len(columns["source_id"])
    names = [c for c in RECORD_COLUMNS if c in columns]
    for i in range(n):
        row = [_cell(columns[c][i]) for c in names]
        if contacts:
            number = i % 10_000
            row += [f"+39 02 0000 {number:04d}", f"persona{number}@example.org",
                    f"Via Esempio {number % 200 + 1}, Milano"]
        else:
            row += ["", "", ""]
        yield row


def write_synthetic(folder: Path, rows: int, seed: int, cohorts: int = 4,
                    first_year: int = 2021, current_rows: int | None = None,
                    current_as_of: date | None = None) -> SynthFiles:
    """Write ``records.csv`` + ``outcomes.csv`` (``cohorts`` years) and ``current.csv``.

    ``rows`` is spread over the cohorts; ``current.csv`` is one more snapshot, a year after
    the last cohort, without outcomes: the records to score today, ``current_rows`` of
    them (default a quarter of a cohort). It is written in chunks, so its size is bounded
    by the disk, not by memory.

    ``current_as_of`` dates ``current.csv`` on that day instead (the demo dates it from the
    clock, so its call windows are open); the cohorts then end with the last 30 September
    whose outcomes are known by that day.
    """
    if current_as_of is not None:
        last_september = date(current_as_of.year, 9, 30)
        first_year = current_as_of.year - cohorts - (current_as_of < last_september)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    per_cohort = max(rows // cohorts, 1)
    paths = SynthFiles(folder / "records.csv", folder / "outcomes.csv", folder / "current.csv",
                       0, 0.0)
    positives = total = 0
    with (paths.records.open("w", newline="", encoding="utf-8") as records,
          paths.outcomes.open("w", newline="", encoding="utf-8") as outcomes):
        record_writer, outcome_writer = csv.writer(records), csv.writer(outcomes)
        record_writer.writerow(RECORD_COLUMNS)
        outcome_writer.writerow(OUTCOME_COLUMNS)
        for index in range(cohorts):
            year = first_year + index
            left = per_cohort
            while left > 0:
                n = min(CHUNK, left)
                columns, neet = _cohort(rng, n, year, index, total)
                record_writer.writerows(_rows(columns, contacts=False))
                later = date(year + 1, 9, 30).isoformat()
                outcome_writer.writerows(
                    [sid, later, "1" if flag else "0"]
                    for sid, flag in zip(columns["source_id"], neet, strict=True))
                positives += int(neet.sum())
                total += n
                left -= n
    with paths.current.open("w", newline="", encoding="utf-8") as current:
        writer = csv.writer(current)
        writer.writerow(RECORD_COLUMNS)
        left = max(per_cohort // 4, 1) if current_rows is None else current_rows
        offset = total
        while left > 0:
            n = min(CHUNK, left)
            if current_as_of is None:
                columns, _neet = _cohort(rng, n, first_year + cohorts, cohorts, offset)
            else:
                columns, _neet = _cohort(rng, n, current_as_of.year, cohorts, offset,
                                         as_of=current_as_of)
            writer.writerows(_rows(columns, contacts=True))
            offset += n
            left -= n
    return SynthFiles(paths.records, paths.outcomes, paths.current, total,
                      positives / total if total else 0.0)
