"""Projections: rolling-origin backtests against the seasonal-naive baseline, publication only
when the model beats it, stored results that a second refresh leaves alone."""

from __future__ import annotations

import math
import random
from datetime import date

import numpy as np
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from orientamento.extensions import db
from orientamento.observatory import projections
from orientamento.observatory.models import DemandProjection
from tests.observatory.factories import monthly_rows, store_demand

FIRST = date(2021, 1, 1)


def _trending(months: int = 60, seed: int = 3) -> list[float]:
    """A growing seasonal series: the seasonal-naive forecast lags its trend."""
    rng = random.Random(seed)
    return [(200 + 6 * t) * (1 + 0.25 * math.cos(2 * math.pi * t / 12)) * rng.gauss(1, 0.02)
            for t in range(months)]


def test_seasonal_naive_repeats_the_last_year() -> None:
    history = np.arange(24, dtype=float)
    assert list(projections.seasonal_naive(history, 14)) == [*range(12, 24), 12, 13]


def test_origins_leave_three_seasons_to_fit() -> None:
    assert projections.origins_of(60, 4) == [39, 42, 45, 48]
    assert projections.origins_of(50, 4) == [38]
    assert projections.origins_of(47, 4) == []


def test_a_model_that_beats_the_baseline_is_published(app: object) -> None:
    row = projections.project("3.1.2", FIRST, np.array(_trending()), origins=3)
    assert row["published"], row
    assert row["mase"] < row["baseline_mase"]
    assert 0 <= row["coverage"] <= 1
    assert len(row["points"]) == 24
    assert row["points"][0]["period"] == "2026-01-01"
    assert all(p["lower"] <= p["mean"] <= p["upper"] for p in row["points"])


def test_a_series_the_baseline_forecasts_perfectly_is_not_published(app: object) -> None:
    season = [100, 120, 150, 170, 160, 140, 130, 90, 110, 125, 135, 145]
    row = projections.project("5.2.2", FIRST, np.array(season * 5, dtype=float), origins=2)
    assert row["baseline_mase"] == 0
    assert not row["published"] and row["reason"] == "no_gain"
    assert row["points"] == []


def test_a_short_series_is_not_published(app: object) -> None:
    row = projections.project("6.1.3", FIRST, np.array(_trending(30)), origins=4)
    assert (row["published"], row["reason"]) == (False, "short")


def test_refresh_stores_results_and_recomputes_only_changed_series(
        runner: FlaskCliRunner) -> None:
    store_demand(monthly_rows("3.1.2", _trending(), FIRST)
                 + monthly_rows("2.6.3", _trending(20, seed=5), FIRST))
    result = runner.invoke(args=["observatory", "refresh", "--origins", "2"])
    assert result.exit_code == 0, result.output
    assert "2 series, 1 published" in result.output
    stored = {p.occupation_code: p for p in db.session.scalars(select(DemandProjection))}
    assert stored["3.1.2"].published and not stored["2.6.3"].published
    first_time = stored["3.1.2"].computed_at
    db.session.expire_all()
    again = runner.invoke(args=["observatory", "refresh", "--origins", "2"])
    assert again.exit_code == 0, again.output
    assert db.session.get(DemandProjection, stored["3.1.2"].id).computed_at == first_time
