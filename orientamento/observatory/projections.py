"""Demand projections by occupation group, 12 and 24 months ahead, with 80% intervals.

Why statsmodels' ETS (``ETSModel``): the series are short (a few years of months) and
seasonal; innovations state-space exponential smoothing fits them in a fraction of a second,
gives prediction intervals from the model itself, and is plain open-source Python we already
run beside numpy and scipy. Heavier forecasting stacks would add weight for no gain here.

Each series (planned hires per month, all territories) is backtested from rolling origins:
the model is fitted on the months before each origin and forecasts the next 12; the errors
are scaled by the in-sample seasonal-naive error (MASE). The candidate with the lowest MASE is
chosen; it is published only if it beats the seasonal-naive forecast (the same month a year
before) evaluated on the same origins. Interval coverage is the share of backtest values
inside the 80% intervals.

statsmodels is imported only inside these functions, run by ``flask observatory refresh``;
the pages read the stored results.
"""

from __future__ import annotations

import hashlib
import warnings
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import select

from orientamento.core import clock
from orientamento.extensions import db
from orientamento.observatory.indicators import demand_cells
from orientamento.observatory.models import DemandProjection
from orientamento.observatory.periods import add_months, month_index

SEASON = 12
HORIZON = 24
BACKTEST_HORIZON = 12
ORIGIN_STEP = 3
#: Months a series needs: three seasons to fit from the earliest origin, plus the backtest.
MIN_TRAIN = 3 * SEASON
INTERVAL = 0.8
#: (name, error, trend, damped, seasonal)
CANDIDATES: tuple[tuple[str, str, str | None, bool, str], ...] = (
    ("ETS(A,N,A)", "add", None, False, "add"),
    ("ETS(A,Ad,A)", "add", "add", True, "add"),
    ("ETS(M,N,M)", "mul", None, False, "mul"),
)


@dataclass(frozen=True)
class Forecast:
    """Mean and interval bounds per month ahead."""

    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


def seasonal_naive(history: np.ndarray, steps: int) -> np.ndarray:
    """Each month ahead gets the value of the same month in the last observed year."""
    last = history[-SEASON:]
    return np.array([last[i % SEASON] for i in range(steps)], dtype=float)


def fit_forecast(history: np.ndarray, candidate: tuple[str, str, str | None, bool, str],
                 steps: int) -> Forecast | None:
    """An ETS model's forecast with 80% intervals, or None if it cannot be fitted."""
    import pandas as pd
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    _name, error, trend, damped, seasonal = candidate
    scale = float(np.abs(history).mean()) or 1.0
    if (error == "mul" or seasonal == "mul") and (history <= 0).any():
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            # Fitted on the series divided by its mean: the optimizer converges several
            # times faster, and the forecasts scale back exactly.
            model = ETSModel(pd.Series(history.astype(float) / scale), error=error, trend=trend,
                             damped_trend=damped, seasonal=seasonal,
                             seasonal_periods=SEASON).fit(disp=False)
            frame = model.get_prediction(start=len(history), end=len(history) + steps - 1
                                         ).summary_frame(alpha=1 - INTERVAL)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError):
            return None
    mean = np.asarray(frame["mean"], dtype=float) * scale
    lower = np.asarray(frame["pi_lower"], dtype=float) * scale
    upper = np.asarray(frame["pi_upper"], dtype=float) * scale
    if not (np.isfinite(mean).all() and np.isfinite(lower).all() and np.isfinite(upper).all()):
        return None
    return Forecast(mean, lower, upper)


def mase_scale(history: np.ndarray) -> float:
    """The in-sample mean absolute error of the seasonal-naive forecast."""
    errors = np.abs(history[SEASON:] - history[:-SEASON])
    return float(errors.mean()) if len(errors) else 0.0


@dataclass(frozen=True)
class Backtest:
    """A candidate's backtest: MASE and interval coverage over every origin."""

    name: str
    mase: float | None
    coverage: float | None


def origins_of(length: int, count: int) -> list[int]:
    """Backtest origins (series positions), latest last, leaving MIN_TRAIN months to fit."""
    last = length - BACKTEST_HORIZON
    found = [last - ORIGIN_STEP * k for k in range(count)]
    return sorted(o for o in found if o >= MIN_TRAIN)


def backtest(series: np.ndarray, origins: list[int]) -> tuple[list[Backtest], float | None]:
    """Every candidate's backtest and the seasonal-naive MASE on the same origins."""
    results = []
    scaled_naive: list[float] = []
    for origin in origins:
        train, actual = series[:origin], series[origin:origin + BACKTEST_HORIZON]
        scale = mase_scale(train) or 1.0
        scaled_naive += list(np.abs(actual - seasonal_naive(train, len(actual))) / scale)
    for candidate in CANDIDATES:
        errors: list[float] = []
        inside: list[bool] = []
        for origin in origins:
            train, actual = series[:origin], series[origin:origin + BACKTEST_HORIZON]
            forecast = fit_forecast(train, candidate, len(actual))
            if forecast is None:
                errors = []
                break
            scale = mase_scale(train) or 1.0
            errors += list(np.abs(actual - forecast.mean) / scale)
            inside += list((actual >= forecast.lower) & (actual <= forecast.upper))
        results.append(Backtest(candidate[0], float(np.mean(errors)) if errors else None,
                                float(np.mean(inside)) if errors else None))
    return results, (float(np.mean(scaled_naive)) if scaled_naive else None)


def monthly_series() -> dict[str, tuple[date, np.ndarray]]:
    """Planned hires per occupation group and month (missing months are 0), with the first
    month of each series."""
    values: dict[str, dict[int, float]] = defaultdict(dict)
    for cell in demand_cells():
        months = values[cell.code]
        months[month_index(cell.period)] = months.get(month_index(cell.period), 0.0) + cell.hires
    series: dict[str, tuple[date, np.ndarray]] = {}
    for code, months in values.items():
        first, last = min(months), max(months)
        start = date(first // 12, first % 12 + 1, 1)
        series[code] = (start, np.array([months.get(i, 0.0) for i in range(first, last + 1)]))
    return series


def _hash(start: date, values: np.ndarray, origins: int) -> str:
    text = f"{start.isoformat()}|{origins}|" + ",".join(f"{v:.3f}" for v in values)
    return hashlib.sha256(text.encode()).hexdigest()


def project(code: str, start: date, values: np.ndarray, origins: int) -> dict[str, Any]:
    """Backtest a series, choose its model and project it: the stored row's values."""
    last = add_months(start, len(values) - 1)
    row: dict[str, Any] = {"occupation_code": code, "last_period": last, "months": len(values),
                           "model": "", "mase": None, "baseline_mase": None, "coverage": None,
                           "published": False, "reason": "", "points": []}
    points = origins_of(len(values), origins)
    if not points:
        row["reason"] = "short"
        return row
    results, naive = backtest(values, points)
    scored = [r for r in results if r.mase is not None]
    if not scored or naive is None:
        row["reason"] = "no_fit"
        return row
    best = min(scored, key=lambda r: (r.mase, r.name))
    row.update(model=best.name, mase=best.mase, baseline_mase=naive, coverage=best.coverage)
    if best.mase is None or best.mase >= naive:
        row["reason"] = "no_gain"
        return row
    candidate = next(c for c in CANDIDATES if c[0] == best.name)
    forecast = fit_forecast(values, candidate, HORIZON)
    if forecast is None:
        row["reason"] = "no_fit"
        return row
    row["published"] = True
    row["points"] = [{"period": add_months(last, i + 1).isoformat(),
                      "mean": max(float(forecast.mean[i]), 0.0),
                      "lower": max(float(forecast.lower[i]), 0.0),
                      "upper": max(float(forecast.upper[i]), 0.0)} for i in range(HORIZON)]
    return row


def refresh_projections(origins: int = 4) -> list[DemandProjection]:
    """Recompute the projection of every series whose data changed; drop series gone from
    the data. Flushes; the caller commits."""
    stored = {p.occupation_code: p for p in db.session.scalars(select(DemandProjection))}
    series = monthly_series()
    for code in set(stored) - set(series):
        db.session.delete(stored.pop(code))
    for code, (start, values) in sorted(series.items()):
        digest = _hash(start, values, origins)
        existing = stored.get(code)
        if existing is not None and existing.series_hash == digest:
            continue
        values_row = project(code, start, values, origins)
        if existing is None:
            existing = stored[code] = DemandProjection(occupation_code=code)
            db.session.add(existing)
        for key, value in values_row.items():
            setattr(existing, key, value)
        existing.series_hash = digest
        existing.computed_at = clock.now()
    db.session.flush()
    return [stored[code] for code in sorted(stored)]
