"""Psychometrics against closed forms, hand computations, simulations and table values.

Expected values come from textbook formulas computed here step by step, from population values
of simulated one-factor models, or from numerical integration of the F density: never from the
module under test. Any numpy warning fails the test.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orientamento.assessments.psychometrics import (
    ScaleStatistics,
    alpha_confidence_interval,
    complete_rows,
    corrected_item_total,
    cronbach_alpha,
    describe_scale,
    f_cdf,
    f_quantile,
    item_difficulty,
    item_discrimination,
    mcdonald_omega,
    regularized_incomplete_beta,
    standard_error_of_measurement,
)

pytestmark = pytest.mark.filterwarnings("error")


def one_factor_sample(
    rng: np.random.Generator, n: int, loadings: list[float], replications: int | None = None
) -> np.ndarray:
    """Draw unit-variance items x_j = l_j f + sqrt(1 - l_j^2) e_j; leading replication axis."""
    lam = np.asarray(loadings)
    shape = (n,) if replications is None else (replications, n)
    factor = rng.standard_normal((*shape, 1))
    errors = rng.standard_normal((*shape, lam.size))
    return factor * lam + errors * np.sqrt(1.0 - lam**2)


def population_alpha(loadings: list[float]) -> float:
    """Alpha of unit-variance one-factor items: k/(k-1) (1 - k / total variance)."""
    lam = np.asarray(loadings)
    k = lam.size
    total_variance = lam.sum() ** 2 + (1.0 - lam**2).sum()
    return float(k / (k - 1) * (1.0 - k / total_variance))


def population_omega(loadings: list[float]) -> float:
    """Omega total of unit-variance one-factor items."""
    lam = np.asarray(loadings)
    common = lam.sum() ** 2
    return float(common / (common + (1.0 - lam**2).sum()))


def f_cdf_by_integration(q: float, df1: int, df2: int, intervals: int = 200_000) -> float:
    """Integrate the F(df1, df2) density over [0, q] with composite Simpson's rule."""
    x = np.linspace(0.0, q, intervals + 1)[1:]
    log_c = (
        math.lgamma((df1 + df2) / 2) - math.lgamma(df1 / 2) - math.lgamma(df2 / 2)
        + (df1 / 2) * math.log(df1 / df2)
    )
    density = np.exp(log_c + (df1 / 2 - 1) * np.log(x) - (df1 + df2) / 2 * np.log1p(df1 * x / df2))
    density = np.concatenate([[0.0], density])  # df1 > 2 in every use: the density is 0 at 0
    h = q / intervals
    return float(h / 3 * (density[0] + density[-1] + 4 * density[1:-1:2].sum()
                          + 2 * density[2:-1:2].sum()))


# --- complete rows ----------------------------------------------------------------------------


def test_complete_rows_drops_any_row_with_a_missing_value() -> None:
    matrix = np.array([[1.0, 2.0], [np.nan, 3.0], [4.0, 5.0], [6.0, np.nan]])
    assert complete_rows(matrix).tolist() == [[1.0, 2.0], [4.0, 5.0]]


def test_complete_rows_rejects_a_vector() -> None:
    with pytest.raises(ValueError, match="2-D"):
        complete_rows(np.array([1.0, 2.0]))


# --- Cronbach's alpha -------------------------------------------------------------------------


def test_alpha_matches_the_textbook_formula_by_hand() -> None:
    rows = [[2, 3, 3], [4, 4, 5], [3, 5, 4], [1, 2, 2], [5, 4, 5]]
    n, k = len(rows), len(rows[0])

    def sample_variance(values: list[int]) -> Fraction:
        mean = Fraction(sum(values), len(values))
        return sum(((v - mean) ** 2 for v in values), Fraction(0)) / (len(values) - 1)

    item_variances = [sample_variance([row[j] for row in rows]) for j in range(k)]
    total_variance = sample_variance([sum(row) for row in rows])
    expected = Fraction(k, k - 1) * (1 - sum(item_variances) / total_variance)
    assert n == 5
    assert cronbach_alpha(np.array(rows, dtype=float)) == pytest.approx(float(expected), abs=1e-12)


def test_alpha_of_identical_items_is_one() -> None:
    column = np.random.default_rng(1).normal(size=(40, 1))
    assert cronbach_alpha(np.repeat(column, 5, axis=1)) == pytest.approx(1.0)


@pytest.mark.parametrize("r", [-0.3, 0.2, 0.5, 0.9])
def test_alpha_of_two_equal_variance_items_is_2r_over_1_plus_r(r: float) -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=60)
    x = (x - x.mean()) / x.std()
    z = rng.normal(size=60)
    z -= z.mean() + (z @ x) / (x @ x) * x  # centred and orthogonal to x
    z /= z.std()
    y = r * x + math.sqrt(1 - r**2) * z  # sample correlation exactly r, same variance as x
    assert cronbach_alpha(np.column_stack([x, y])) == pytest.approx(2 * r / (1 + r), abs=1e-10)


@pytest.mark.parametrize(
    "matrix",
    [
        np.array([[1.0, 2.0, 3.0]]),  # one respondent
        np.array([[1.0], [2.0], [3.0]]),  # one item
        np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]]),  # total constant
        np.array([[1.0, 2.0], [np.nan, 3.0]]),  # one complete row
    ],
)
def test_alpha_is_nan_when_not_computable(matrix: np.ndarray) -> None:
    assert math.isnan(cronbach_alpha(matrix))


@pytest.mark.parametrize(("loading", "k"), [(0.5, 10), (0.6, 8), (0.7, 10)])
def test_alpha_recovers_the_population_value_of_parallel_items(loading: float, k: int) -> None:
    # Population alphas 0.77-0.91: at n = 5000 their SE is under 0.005, so 0.02 is over 4 SE.
    data = one_factor_sample(np.random.default_rng(3), 5000, [loading] * k)
    expected = k * loading**2 / (1 + (k - 1) * loading**2)
    assert expected == pytest.approx(population_alpha([loading] * k))
    assert cronbach_alpha(data) == pytest.approx(expected, abs=0.02)


# --- Feldt interval and F quantiles -----------------------------------------------------------


def test_feldt_interval_covers_the_population_alpha() -> None:
    loadings = [0.6] * 6
    truth = population_alpha(loadings)
    samples = one_factor_sample(np.random.default_rng(4), 200, loadings, replications=200)
    covered = 0
    for sample in samples:
        low, high = alpha_confidence_interval(cronbach_alpha(sample), 200, 6)
        covered += low <= truth <= high
    assert covered >= 180


def test_feldt_interval_brackets_the_estimate_and_narrows_with_n() -> None:
    low_small, high_small = alpha_confidence_interval(0.8, 50, 8)
    low_large, high_large = alpha_confidence_interval(0.8, 2000, 8)
    assert low_small < low_large < 0.8 < high_large < high_small < 1.0
    low_99, high_99 = alpha_confidence_interval(0.8, 50, 8, level=0.99)
    assert low_99 < low_small and high_99 > high_small


def test_feldt_interval_uses_n_minus_1_and_n_minus_1_times_k_minus_1_df() -> None:
    # n = 6, k = 3: F(5, 10). Table values, each confirmed by integrating the density.
    f_upper, f_lower = 4.2361, 0.15108
    assert f_cdf_by_integration(f_upper, 5, 10) == pytest.approx(0.975, abs=5e-6)
    assert f_cdf_by_integration(f_lower, 5, 10) == pytest.approx(0.025, abs=5e-6)
    low, high = alpha_confidence_interval(0.8, 6, 3)
    assert low == pytest.approx(1 - 0.2 * f_upper, abs=1e-4)
    assert high == pytest.approx(1 - 0.2 * f_lower, abs=1e-4)


@pytest.mark.parametrize(("alpha", "n", "k"), [(math.nan, 100, 5), (0.8, 1, 5), (0.8, 100, 1)])
def test_feldt_interval_is_nan_when_not_computable(alpha: float, n: int, k: int) -> None:
    assert all(math.isnan(bound) for bound in alpha_confidence_interval(alpha, n, k))


@pytest.mark.parametrize(
    ("p", "df1", "df2", "table"),
    [(0.95, 5, 10, 3.3258), (0.975, 10, 20, 2.7737), (0.05, 4, 30, 0.1740)],
)
def test_f_quantile_matches_table_values_confirmed_by_integration(
    p: float, df1: int, df2: int, table: float
) -> None:
    # The table value itself is checked here: the integrated density up to it must be p.
    assert f_cdf_by_integration(table, df1, df2) == pytest.approx(p, abs=5e-5)
    quantile = f_quantile(p, df1, df2)
    assert quantile == pytest.approx(table, abs=1e-4)
    assert f_cdf_by_integration(quantile, df1, df2) == pytest.approx(p, abs=1e-8)


@pytest.mark.parametrize(("a", "b"), [(1, 1), (2, 5), (7, 3), (12, 15)])
@pytest.mark.parametrize("x", [0.05, 0.3, 0.5, 0.77, 0.99])
def test_incomplete_beta_matches_the_binomial_sum_for_integer_parameters(
    a: int, b: int, x: float
) -> None:
    m = a + b - 1
    expected = sum(math.comb(m, j) * x**j * (1 - x) ** (m - j) for j in range(a, m + 1))
    assert regularized_incomplete_beta(x, a, b) == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert regularized_incomplete_beta(1 - x, b, a) == pytest.approx(1 - expected, abs=1e-12)


@pytest.mark.parametrize("df2", [1, 3, 10, 250])
@pytest.mark.parametrize("f", [0.1, 1.0, 4.0, 30.0])
def test_f_cdf_with_two_numerator_df_has_a_closed_form(df2: int, f: float) -> None:
    assert f_cdf(f, 2, df2) == pytest.approx(1 - (1 + 2 * f / df2) ** (-df2 / 2), abs=1e-12)


@pytest.mark.parametrize(("df1", "df2"), [(3, 7), (199, 995), (1, 1), (40, 4000)])
def test_f_quantile_is_reciprocal_under_swapped_degrees_of_freedom(df1: int, df2: int) -> None:
    assert f_quantile(0.025, df1, df2) == pytest.approx(1 / f_quantile(0.975, df2, df1), rel=1e-9)
    assert f_cdf(f_quantile(0.3, df1, df2), df1, df2) == pytest.approx(0.3, abs=1e-10)


def test_f_quantile_rejects_probabilities_outside_zero_one() -> None:
    with pytest.raises(ValueError):
        f_quantile(1.0, 3, 4)


# --- McDonald's omega -------------------------------------------------------------------------


def test_omega_equals_alpha_for_parallel_items() -> None:
    data = one_factor_sample(np.random.default_rng(5), 5000, [0.6] * 8)
    assert mcdonald_omega(data) == pytest.approx(cronbach_alpha(data), abs=0.01)


def test_omega_exceeds_alpha_for_congeneric_items() -> None:
    loadings = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    assert population_omega(loadings) > population_alpha(loadings)
    data = one_factor_sample(np.random.default_rng(6), 5000, loadings)
    omega = mcdonald_omega(data)
    assert omega > cronbach_alpha(data)
    assert omega == pytest.approx(population_omega(loadings), abs=0.02)


def test_omega_is_exact_when_the_sample_correlations_fit_one_factor_exactly() -> None:
    loadings = np.array([0.3, 0.5, 0.6, 0.8, 0.9])
    model = np.outer(loadings, loadings) + np.diag(1 - loadings**2)
    noise = np.random.default_rng(15).normal(size=(300, 5))
    noise -= noise.mean(axis=0)
    whitened = noise @ np.linalg.inv(np.linalg.cholesky(np.cov(noise, rowvar=False))).T
    data = whitened @ np.linalg.cholesky(model).T  # sample correlations equal the model's
    assert np.corrcoef(data, rowvar=False) == pytest.approx(model, abs=1e-12)
    assert mcdonald_omega(data) == pytest.approx(population_omega(list(loadings)), abs=1e-5)


def test_omega_is_unchanged_when_every_item_is_reversed() -> None:
    data = one_factor_sample(np.random.default_rng(7), 1000, [0.7] * 5)
    assert mcdonald_omega(-data) == pytest.approx(mcdonald_omega(data))
    assert mcdonald_omega(-data) > 0.7


def test_omega_of_identical_items_is_one() -> None:
    column = np.random.default_rng(8).normal(size=(30, 1))
    assert mcdonald_omega(np.repeat(column, 4, axis=1)) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "matrix",
    [
        np.random.default_rng(9).normal(size=(50, 2)),  # two items: not identified
        np.column_stack([np.random.default_rng(9).normal(size=(50, 3)), np.ones(50)]),
        np.ones((1, 4)),
    ],
)
def test_omega_is_nan_when_not_computable(matrix: np.ndarray) -> None:
    assert math.isnan(mcdonald_omega(matrix))


@pytest.mark.parametrize("n", [3, 7])
def test_a_constant_item_is_detected_despite_float_rounding(n: int) -> None:
    # The mean of n copies of 0.1 is not exactly 0.1 here, so centring leaves ~1e-17 residues.
    column = np.full(n, 0.1)
    assert (column - column.mean()).any()
    data = np.column_stack([column, np.arange(n, dtype=float), np.arange(n, dtype=float) ** 2])
    assert math.isnan(corrected_item_total(data)[0])
    assert math.isnan(mcdonald_omega(data))


# --- item statistics --------------------------------------------------------------------------


def test_corrected_item_total_is_near_zero_for_a_noise_item() -> None:
    rng = np.random.default_rng(10)
    data = one_factor_sample(rng, 5000, [0.7, 0.7, 0.7, 0.7, 0.0])
    correlations = corrected_item_total(data)
    assert abs(correlations[4]) < 0.05
    assert all(r > 0.5 for r in correlations[:4])
    rest = data[:, [0, 1, 2, 4]].sum(axis=1)
    assert correlations[3] == pytest.approx(np.corrcoef(data[:, 3], rest)[0, 1], abs=1e-12)


def test_sem_spans_the_sd_at_zero_reliability_and_zero_at_one() -> None:
    data = np.random.default_rng(11).integers(1, 6, size=(80, 6)).astype(float)
    sd = np.std(data.mean(axis=1), ddof=1)
    assert standard_error_of_measurement(data, 0.0) == pytest.approx(sd)
    assert standard_error_of_measurement(data, 0.75) == pytest.approx(sd / 2)
    assert standard_error_of_measurement(data, 1.0) == 0.0
    assert math.isnan(standard_error_of_measurement(data, math.nan))


def test_difficulty_and_discrimination_of_dichotomous_items() -> None:
    rng = np.random.default_rng(12)
    ability = rng.normal(size=(400, 1))
    data = (ability + rng.normal(size=(400, 4)) > np.array([-1.0, 0.0, 1.0, -1.0])).astype(float)
    data[:, 3] = 1.0  # everyone gets item 4 right
    data[0, 0] = np.nan  # dropped listwise
    kept = data[1:]
    difficulty = item_difficulty(data)
    assert difficulty == pytest.approx([kept[:, j].sum() / len(kept) for j in range(4)])
    assert difficulty[3] == 1.0
    assert difficulty[0] > difficulty[1] > difficulty[2]
    discrimination = item_discrimination(data)
    assert math.isnan(discrimination[3])
    assert all(r > 0.2 for r in discrimination[:3])


# --- describe_scale ---------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "provisional"), [(199, True), (200, False), (201, False)])
def test_describe_scale_is_provisional_below_200_responses(n: int, provisional: bool) -> None:
    data = one_factor_sample(np.random.default_rng(13), n, [0.6] * 5)
    stats = describe_scale(data, dichotomous=False)
    assert stats.n == n and stats.k == 5
    assert stats.provisional is provisional
    assert stats.difficulty is None and stats.discrimination is None


def test_describe_scale_gathers_every_statistic() -> None:
    rng = np.random.default_rng(14)
    data = (one_factor_sample(rng, 300, [0.6] * 6) > 0).astype(float)
    data[:5, 2] = np.nan
    stats = describe_scale(data, dichotomous=True)
    assert stats.n == 295
    assert stats.alpha_low < stats.alpha < stats.alpha_high
    assert stats.sd == pytest.approx(np.std(np.nanmean(data[5:], axis=1), ddof=1))
    assert stats.sem == pytest.approx(stats.sd * math.sqrt(1 - stats.alpha))
    assert stats.difficulty is not None and len(stats.difficulty) == 6


def test_as_dict_rounds_to_three_decimals_and_maps_nan_to_none() -> None:
    stats = ScaleStatistics(
        n=3, k=2, mean=2.34567, sd=0.1, alpha=math.nan, alpha_low=math.nan,
        alpha_high=math.nan, omega=math.nan, sem=math.nan, item_total=[0.12345, math.nan],
        difficulty=None, discrimination=None, provisional=True,
    )
    result = stats.as_dict()
    assert result["mean"] == 2.346
    assert result["alpha"] is None
    assert result["item_total"] == [0.123, None]
    assert result["difficulty"] is None
    json.dumps(result, allow_nan=False)


# --- properties -------------------------------------------------------------------------------


@st.composite
def likert_matrices(draw: st.DrawFn) -> np.ndarray:
    """Integers 1-5 up to 50 x 10, with missing answers and some constant columns."""
    n = draw(st.integers(0, 50))
    k = draw(st.integers(0, 10))
    cell = st.one_of(st.integers(1, 5).map(float), st.just(math.nan))
    values = draw(st.lists(cell, min_size=n * k, max_size=n * k))
    matrix = np.array(values, dtype=float).reshape(n, k)
    for column in draw(st.lists(st.integers(0, max(k - 1, 0)), max_size=3)) if k else []:
        matrix[:, column] = draw(st.integers(1, 5))
    return matrix


@settings(max_examples=150, deadline=None)
@given(likert_matrices())
def test_any_likert_matrix_is_described_without_error(matrix: np.ndarray) -> None:
    for dichotomous, data in ((False, matrix), (True, np.where(matrix > 3, 1.0, 0.0))):
        data = np.where(np.isnan(matrix), np.nan, data)
        stats = describe_scale(data, dichotomous=dichotomous)
        assert math.isnan(stats.alpha) or stats.alpha <= 1 + 1e-12
        assert math.isnan(stats.omega) or -1e-12 <= stats.omega <= 1 + 1e-12
        assert all(math.isnan(r) or -1 <= r <= 1 for r in stats.item_total)
        if not math.isnan(stats.alpha_low):
            assert stats.alpha_low <= stats.alpha <= stats.alpha_high
        json.dumps(stats.as_dict(), allow_nan=False)
