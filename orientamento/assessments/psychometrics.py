"""Psychometrics: pure statistics on the response matrix of one scale.

A matrix has one row per respondent and one column per item, float values and
``nan`` for a missing answer. Rows with any missing value are dropped listwise
(``complete_rows``) and N is the number of rows left. Every function returns
``nan`` rather than raising when a statistic cannot be computed (too few rows
or items, constant items), and no numpy warning escapes. McDonald's omega
returns ``None`` when its factor fit does not converge: a value read off an
unfinished fit is not reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

Matrix = NDArray[np.float64]

# Principal axis factoring converges linearly and, near a Heywood case, slowly: on simulated
# small scales (n 10-80, 3-6 items) one fit in five was still moving after 100 iterations,
# then off a reference minres fit by up to 0.27; after 10,000 every fit had converged to
# within 0.01 of it. An iteration of a k x k eigendecomposition costs microseconds.
_PAF_MAX_ITERATIONS = 10_000
_PAF_TOLERANCE = 1e-6


def complete_rows(matrix: ArrayLike) -> Matrix:
    """Return the rows of a respondents x items matrix that have no missing value."""
    values = np.asarray(matrix, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"expected a 2-D respondents x items matrix, got {values.ndim}-D")
    return values[~np.isnan(values).any(axis=1)]


def _is_constant(values: Matrix) -> NDArray[np.bool_]:
    """Flag the columns whose values are all equal (exactly, so rounding cannot hide it)."""
    return np.asarray(np.ptp(values, axis=0) == 0, dtype=np.bool_)


def _rest_correlations(data: Matrix) -> list[float]:
    """Correlate each column of complete data with the sum of the other columns."""
    n, k = data.shape
    if k == 0:
        return []
    if n < 2:
        return [math.nan] * k
    rest = data.sum(axis=1, keepdims=True) - data
    items_c = data - data.mean(axis=0)
    rest_c = rest - rest.mean(axis=0)
    numerator = (items_c * rest_c).sum(axis=0)
    denominator = np.sqrt((items_c**2).sum(axis=0) * (rest_c**2).sum(axis=0))
    defined = ~_is_constant(data) & ~_is_constant(rest) & (denominator > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(defined, numerator / np.where(defined, denominator, 1.0), np.nan)
    return [float(value) for value in np.clip(r, -1.0, 1.0)]


def cronbach_alpha(matrix: ArrayLike) -> float:
    """Return Cronbach's alpha: k/(k-1) * (1 - sum of item variances / total variance)."""
    data = complete_rows(matrix)
    n, k = data.shape
    if n < 2 or k < 2:
        return math.nan
    total = data.sum(axis=1)
    if np.ptp(total) == 0:
        return math.nan
    item_variances = data.var(axis=0, ddof=1).sum()
    return float(k / (k - 1) * (1.0 - item_variances / total.var(ddof=1)))


def f_quantile(p: float, df1: float, df2: float) -> float:
    """Return the f with P(F(df1, df2) <= f) = p."""
    # Imported here, not at the top: web workers import this module (through the views of
    # the analysis), and only the nightly psychometrics run needs scipy.
    from scipy.stats import f as f_distribution

    if not 0.0 < p < 1.0:
        raise ValueError("p must lie strictly between 0 and 1")
    if df1 <= 0 or df2 <= 0:
        raise ValueError("degrees of freedom must be positive")
    return float(f_distribution.ppf(p, df1, df2))


def alpha_confidence_interval(
    alpha: float, n: int, k: int, level: float = 0.95
) -> tuple[float, float]:
    """Return Feldt's (1965) confidence interval for Cronbach's alpha."""
    # (1 - alpha_population) / (1 - alpha_sample) ~ F(n - 1, (n - 1)(k - 1)).
    if not 0.0 < level < 1.0:
        raise ValueError("level must lie strictly between 0 and 1")
    if n < 2 or k < 2 or not math.isfinite(alpha):
        return math.nan, math.nan
    df1, df2 = float(n - 1), float((n - 1) * (k - 1))
    lower = 1.0 - (1.0 - alpha) * f_quantile((1.0 + level) / 2.0, df1, df2)
    upper = 1.0 - (1.0 - alpha) * f_quantile((1.0 - level) / 2.0, df1, df2)
    return lower, upper


def _starting_communalities(correlations: Matrix) -> Matrix:
    """Return squared multiple correlations, or the largest |r| when R is singular."""
    k = correlations.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        condition = np.linalg.cond(correlations)
    if condition < 1e12:
        smc = 1.0 - 1.0 / np.diag(np.linalg.inv(correlations))
        return np.clip(smc, 0.0, 1.0)
    off_diagonal = np.abs(correlations - np.eye(k))
    return np.clip(off_diagonal.max(axis=1), 0.0, 1.0)


def _one_factor_loadings(correlations: Matrix) -> Matrix | None:
    """Fit one factor by iterated principal axis factoring; None if it does not converge."""
    communalities = _starting_communalities(correlations)
    loadings = np.sqrt(communalities)
    converged = False
    for _ in range(_PAF_MAX_ITERATIONS):
        reduced = correlations.copy()
        np.fill_diagonal(reduced, communalities)
        eigenvalues, eigenvectors = np.linalg.eigh(reduced)
        loadings = eigenvectors[:, -1] * math.sqrt(max(float(eigenvalues[-1]), 0.0))
        # A communality above 1 (a Heywood case) is capped so uniquenesses stay non-negative.
        updated = np.minimum(loadings**2, 1.0)
        converged = bool(np.max(np.abs(updated - communalities)) < _PAF_TOLERANCE)
        communalities = updated
        if converged:
            break
    if not converged:
        return None
    loadings = np.clip(loadings, -1.0, 1.0)
    return -loadings if loadings.sum() < 0 else loadings


def mcdonald_omega(matrix: ArrayLike) -> float | None:
    """Return McDonald's omega total from a one-factor fit; None if the fit did not converge."""
    # Needs three items: a one-factor model on two items is not identified.
    data = complete_rows(matrix)
    n, k = data.shape
    if n < 2 or k < 3 or _is_constant(data).any():
        return math.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        correlations = np.asarray(np.corrcoef(data, rowvar=False), dtype=np.float64)
    if not np.isfinite(correlations).all():
        return math.nan
    loadings = _one_factor_loadings(correlations)
    if loadings is None:
        return None
    common = float(loadings.sum()) ** 2
    unique = float((1.0 - loadings**2).sum())
    if common + unique <= 0:
        return math.nan
    return common / (common + unique)


def corrected_item_total(matrix: ArrayLike) -> list[float]:
    """Return each item's correlation with the sum of the other items (nan if constant)."""
    return _rest_correlations(complete_rows(matrix))


def _scale_scores(data: Matrix) -> Matrix:
    """Return each respondent's scale score: the mean of the items, as the platform scores."""
    return np.asarray(data.mean(axis=1), dtype=np.float64)


def standard_error_of_measurement(matrix: ArrayLike, reliability: float) -> float:
    """Return the SEM of the scale mean score: its SD x sqrt(1 - reliability)."""
    # Reliability is clipped to [0, 1]: a negative alpha would claim more error than variance.
    data = complete_rows(matrix)
    if data.shape[0] < 2 or data.shape[1] == 0 or not math.isfinite(reliability):
        return math.nan
    sd = float(_scale_scores(data).std(ddof=1))
    return sd * math.sqrt(1.0 - min(max(reliability, 0.0), 1.0))


def item_difficulty(matrix: ArrayLike) -> list[float]:
    """Return the proportion correct of each 0/1 item (its mean over complete rows)."""
    data = complete_rows(matrix)
    if data.shape[0] == 0:
        return [math.nan] * data.shape[1]
    return [float(value) for value in data.mean(axis=0)]


def item_discrimination(matrix: ArrayLike) -> list[float]:
    """Return each 0/1 item's point-biserial correlation with the rest score."""
    # The point-biserial is the Pearson correlation of a 0/1 item with a continuous score, so
    # for 0/1 data this is exactly the corrected item-total correlation.
    return corrected_item_total(matrix)


def _json_float(value: float | None) -> float | None:
    """Round a float to 3 decimals for JSON, mapping nan and infinities to None."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 3)


@dataclass(frozen=True)
class ScaleStatistics:
    """The live psychometrics of one scale."""

    n: int
    k: int
    mean: float  # of the scale mean score
    sd: float  # of the scale mean score
    alpha: float
    alpha_low: float
    alpha_high: float
    omega: float | None  # None: the factor fit did not converge (nan: not computable)
    sem: float  # in the units of the scale mean score, from alpha
    item_total: list[float]
    difficulty: list[float] | None
    discrimination: list[float] | None
    provisional: bool

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready form: floats rounded to 3 decimals, nan as None."""
        def values(items: list[float] | None) -> list[float | None] | None:
            return None if items is None else [_json_float(value) for value in items]

        return {
            "n": self.n, "k": self.k,
            "mean": _json_float(self.mean), "sd": _json_float(self.sd),
            "alpha": _json_float(self.alpha),
            "alpha_low": _json_float(self.alpha_low),
            "alpha_high": _json_float(self.alpha_high),
            "omega": _json_float(self.omega), "omega_converged": self.omega is not None,
            "sem": _json_float(self.sem),
            "item_total": values(self.item_total),
            "difficulty": values(self.difficulty),
            "discrimination": values(self.discrimination),
            "provisional": self.provisional,
        }


def describe_scale(
    matrix: ArrayLike, *, dichotomous: bool, provisional_below: int = 200
) -> ScaleStatistics:
    """Compute every statistic of one scale; provisional while N < provisional_below."""
    data = complete_rows(matrix)
    n, k = data.shape
    scores = _scale_scores(data) if k else np.empty(0)
    alpha = cronbach_alpha(data)
    alpha_low, alpha_high = alpha_confidence_interval(alpha, n, k)
    return ScaleStatistics(
        n=n,
        k=k,
        mean=float(scores.mean()) if n and k else math.nan,
        sd=float(scores.std(ddof=1)) if n > 1 and k else math.nan,
        alpha=alpha,
        alpha_low=alpha_low,
        alpha_high=alpha_high,
        omega=mcdonald_omega(data),
        sem=standard_error_of_measurement(data, alpha),
        item_total=corrected_item_total(data),
        difficulty=item_difficulty(data) if dichotomous else None,
        discrimination=item_discrimination(data) if dichotomous else None,
        provisional=n < provisional_below,
    )
