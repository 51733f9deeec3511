"""Fixtures for the risk pipeline tests: synthetic files, one trained model, snapshot CSVs.

Training is the slow part, so the synthetic data and the model trained on it are built once
per test session (neither touches the database); tests that need the model in the database
save it themselves with ``save_version``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from threadpoolctl import threadpool_limits

from orientamento.core import clock
from orientamento.extensions import db
from orientamento.risk import frames, training
from orientamento.risk.frames import Dataset
from orientamento.risk.models import ModelVersion, VersionStatus
from orientamento.risk.spec import Spec, load_spec
from orientamento.risk.synth import RECORD_COLUMNS, SynthFiles, write_synthetic
from orientamento.risk.versions import save_version
from tests.conftest import is_postgres, make_app

SYNTH_ROWS = 4000
SYNTH_SEED = 7

#: A complete, valid snapshot row; tests override cells.
ROW: dict[str, str] = {
    "source_id": "CF0001", "as_of": "2025-09-30", "birth_year": "2004", "municipio": "3",
    "education": "lower_secondary", "enrolled": "0", "months_since_enrolment": "14",
    "attendance_rate": "", "repetitions": "1", "early_leaver": "1",
    "months_since_contract_end": "", "contracts_24m": "1", "employment_centre": "0",
    "gender": "F", "citizenship_group": "italian", "disability": "0",
    "phone": "+39 02 1111 2222", "email": "giulia.rossi@example.org",
    "address": "Via Padova 12, Milano",
}

MakeCsv = Callable[..., bytes]


@pytest.fixture(scope="session", autouse=True)
def _one_openmp_thread() -> Iterator[None]:
    """Run gradient boosting on one OpenMP thread.

    On a shared 2-core machine its default thread pool spins against other processes and
    runs several times slower; the fitted models are the same either way.
    """
    with threadpool_limits(limits=1, user_api="openmp"):
        yield


def snapshot_csv(rows: list[dict[str, Any]], columns: tuple[str, ...] = RECORD_COLUMNS) -> bytes:
    """A snapshot file: each row is ``ROW`` with the given cells replaced."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for cells in rows:
        full = ROW | {k: str(v) for k, v in cells.items()}
        writer.writerow([full.get(c, "") for c in columns])
    return out.getvalue().encode("utf-8")


@pytest.fixture
def make_csv() -> MakeCsv:
    """Factory: snapshot CSV bytes from a list of cell overrides (one dict per row)."""
    return snapshot_csv


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> SynthFiles:
    """A small synthetic data set (4 cohorts of 1,000 plus a current snapshot of 250)."""
    return write_synthetic(tmp_path_factory.mktemp("synthetic"), SYNTH_ROWS, SYNTH_SEED)


@pytest.fixture(scope="session")
def neet() -> tuple[Spec, str]:
    """The shipped NEET spec and its source text."""
    return load_spec("neet")


@pytest.fixture(scope="session")
def neet_data(neet: tuple[Spec, str], synthetic: SynthFiles) -> Dataset:
    """The synthetic cohorts with their outcomes joined, as a training data set."""
    spec, _source = neet
    table = frames.attach_labels(spec, frames.read_table(synthetic.records),
                                 frames.read_table(synthetic.outcomes))
    return frames.dataset(spec, table)


@pytest.fixture(scope="session")
def trained(neet: tuple[Spec, str], neet_data: Dataset) -> training.Trained:
    """The NEET model trained once on the synthetic cohorts (treat as read-only)."""
    return training.train(neet[0], neet_data)


@pytest.fixture
def store_version(app: Flask, neet: tuple[Spec, str],
                  trained: training.Trained) -> Callable[..., ModelVersion]:
    """Factory: the trained NEET model saved as a version (active unless told), committed."""

    def factory(active: bool = True) -> ModelVersion:
        spec, source = neet
        version = save_version(spec, source, trained, "d" * 64)
        if active:
            version.status = VersionStatus.ACTIVE.value
            version.activated_at = clock.now()
        db.session.commit()
        return version

    return factory


@pytest.fixture
def app_config() -> dict[str, Any]:
    """English by default: these tests match the messages services and commands raise
    outside a request, where the default locale applies (Italian in production)."""
    return {"BABEL_DEFAULT_LOCALE": "en"}


@pytest.fixture
def threaded_app(app: Flask, tmp_path: Any) -> Iterator[Flask]:
    """An app whose database threads can share: the test PostgreSQL, or a SQLite file."""
    if is_postgres():
        yield app
        return
    other = make_app(f"sqlite:///{tmp_path / 'risk.db'}")
    with other.app_context():
        db.create_all()
        try:
            yield other
        finally:
            db.session.remove()
            db.engine.dispose()
