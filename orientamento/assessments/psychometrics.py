"""Psychometrics: pure statistics on the response matrix of one scale.

A matrix has one row per respondent and one column per item, float values and
``nan`` for a missing answer. Rows with any missing value are dropped listwise
(``complete_rows``) and N is the number of rows left. Every function returns
``nan`` rather than raising when a statistic cannot be computed (too few rows
or items, constant items), and no numpy warning escapes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

Matrix = NDArray[np.float64]

_CF_MAX_ITERATIONS = 10_000
_CF_EPSILON = 1e-15
_CF_TINY = 1e-300
_PAF_MAX_ITERATIONS = 100
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


# F quantiles without scipy. The F CDF is a regularized incomplete beta function:
# P(F <= f) = I_x(d1/2, d2/2) with x = d1 f / (d1 f + d2). I_x(a, b) is evaluated from its
# continued fraction with the modified Lentz algorithm (Press et al., Numerical Recipes,
# 3rd ed., section 6.4 "betacf"), using the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) on the side
# where the fraction converges fast (x > (a+1)/(a+b+2)). The quantile is found by bracketing
# and then bisecting on log f, which gives a relative precision independent of the scale of f.


def _beta_continued_fraction(x: float, a: float, b: float) -> float:
    """Evaluate the continued fraction of I_x(a, b) by the modified Lentz algorithm."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _CF_TINY else _CF_TINY)
    h = d
    for m in range(1, _CF_MAX_ITERATIONS + 1):
        m2 = 2 * m
        for aa in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > _CF_TINY else _CF_TINY)
            c = 1.0 + aa / c
            c = c if abs(c) > _CF_TINY else _CF_TINY
            delta = d * c
            h *= delta
        if abs(delta - 1.0) < _CF_EPSILON:
            return h
    raise ArithmeticError(f"incomplete beta continued fraction did not converge (a={a}, b={b})")


def regularized_incomplete_beta(x: float, a: float, b: float) -> float:
    """Return I_x(a, b), the CDF at x of a Beta(a, b) variable."""
    if a <= 0 or b <= 0:
        raise ValueError("a and b must be positive")
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
        + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(x, a, b) / a
    return 1.0 - front * _beta_continued_fraction(1.0 - x, b, a) / b


def f_cdf(f: float, df1: float, df2: float) -> float:
    """Return P(F <= f) for an F(df1, df2) variable."""
    if f <= 0.0:
        return 0.0
    return regularized_incomplete_beta(df1 * f / (df1 * f + df2), df1 / 2.0, df2 / 2.0)


@lru_cache(maxsize=512)
def f_quantile(p: float, df1: float, df2: float) -> float:
    """Return the f with P(F(df1, df2) <= f) = p, by bisection on log f."""
    if not 0.0 < p < 1.0:
        raise ValueError("p must lie strictly between 0 and 1")
    if df1 <= 0 or df2 <= 0:
        raise ValueError("degrees of freedom must be positive")
    low, high = 1.0, 1.0
    while f_cdf(low, df1, df2) > p:
        low /= 2.0
    while f_cdf(high, df1, df2) < p:
        high *= 2.0
    while high / low - 1.0 > 1e-13:
        middle = math.sqrt(low * high)
        if f_cdf(middle, df1, df2) < p:
            low = middle
        else:
            high = middle
    return math.sqrt(low * high)


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


def _one_factor_loadings(correlations: Matrix) -> Matrix:
    """Fit one factor to a correlation matrix by iterated principal axis factoring."""
    communalities = _starting_communalities(correlations)
    loadings = np.sqrt(communalities)
    for _ in range(_PAF_MAX_ITERATIONS):
        reduced = correlations.copy()
        np.fill_diagonal(reduced, communalities)
        eigenvalues, eigenvectors = np.linalg.eigh(reduced)
        loadings = eigenvectors[:, -1] * math.sqrt(max(float(eigenvalues[-1]), 0.0))
        # A communality above 1 (a Heywood case) is capped so uniquenesses stay non-negative.
        updated = np.minimum(loadings**2, 1.0)
        converged = np.max(np.abs(updated - communalities)) < _PAF_TOLERANCE
        communalities = updated
        if converged:
            break
    loadings = np.clip(loadings, -1.0, 1.0)
    return -loadings if loadings.sum() < 0 else loadings


def mcdonald_omega(matrix: ArrayLike) -> float:
    """Return McDonald's omega total from a one-factor fit to the item correlations."""
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
    omega: float
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
            "omega": _json_float(self.omega), "sem": _json_float(self.sem),
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
