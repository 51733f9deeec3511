"""Psychometrics against closed forms, hand computations, simulations and table values.

Expected values come from textbook formulas computed here step by step, from population values
of simulated one-factor models, from published tables (each value also confirmed by numerical
integration of the F density), or from a minres fit written here with scipy.optimize: never
from the module under test. Any numpy warning fails the test.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap
from collections.abc import Callable
from fractions import Fraction

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from orientamento.assessments import psychometrics
from orientamento.assessments.psychometrics import (
    ScaleStatistics,
    alpha_confidence_interval,
    complete_rows,
    corrected_item_total,
    cronbach_alpha,
    describe_scale,
    f_quantile,
    item_difficulty,
    item_discrimination,
    mcdonald_omega,
    standard_error_of_measurement,
)
from orientamento.assessments.services import registry
from orientamento.auth.models import Role, User
from orientamento.config import PROJECT_ROOT
from orientamento.core import clock
from orientamento.demo.responses import seed_simulated_responses
from orientamento.extensions import db
from tests.core.routes import act_as

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


def minres_omega(data: np.ndarray) -> float:
    """Omega from a one-factor minres fit written here: least squares on the correlations.

    The loadings minimise the squared off-diagonal residuals of R - l l' (Harman's minres),
    bounded to [-1, 1] as a Heywood case is, from several starts so a local minimum cannot win.
    """
    correlations = np.corrcoef(data, rowvar=False)
    k = correlations.shape[0]
    upper = np.triu_indices(k, 1)

    def residuals(loadings: np.ndarray) -> float:
        return float(((np.outer(loadings, loadings) - correlations)[upper] ** 2).sum())

    rng = np.random.default_rng(0)
    starts = [np.full(k, 0.5), *(rng.uniform(-1, 1, k) for _ in range(20))]
    fits = [minimize(residuals, start, method="L-BFGS-B", bounds=[(-1, 1)] * k,
                     options={"ftol": 1e-15, "gtol": 1e-12}) for start in starts]
    loadings = min(fits, key=lambda fit: fit.fun).x
    return population_omega(list(-loadings if loadings.sum() < 0 else loadings))


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


# Published F quantiles. F(p; df1, df2) is the f with P(F <= f) = p.
# - NIST/SEMATECH e-Handbook of Statistical Methods, section 1.3.6.7.3, "Upper critical values
#   of the F distribution" (5 % and 1 % tables, 3 decimals):
#   https://www.itl.nist.gov/div898/handbook/eda/section3/eda3673.htm
# - Abramowitz and Stegun, Handbook of Mathematical Functions (1964), table 26.9, 2.5 % points
#   (from Merrington and Thompson, Biometrika 33, 1943).
# Each value is also checked here by integrating the F density up to it.
PUBLISHED_F_QUANTILES = [
    # (p, df1, df2, value, decimals as published)
    (0.95, 5, 100, 2.305, 3),  # NIST, 5 % table, row 100, column 5
    (0.99, 5, 100, 3.206, 3),  # NIST, 1 % table, row 100, column 5
    (0.95, 10, 100, 1.927, 3),  # NIST, 5 % table, row 100, column 10
    (0.95, 1, 100, 3.936, 3),  # NIST, 5 % table, row 100, column 1
    (0.975, 5, 10, 4.236, 3),  # Abramowitz and Stegun 26.9, Q = 0.025
    (0.975, 10, 5, 6.619, 3),  # Abramowitz and Stegun 26.9, Q = 0.025
    (0.975, 5, 60, 2.786, 3),  # Abramowitz and Stegun 26.9, Q = 0.025
    (0.975, 5, 120, 2.674, 3),  # Abramowitz and Stegun 26.9, Q = 0.025
]


@pytest.mark.parametrize(("p", "df1", "df2", "table", "decimals"), PUBLISHED_F_QUANTILES)
def test_f_quantile_matches_published_tables(
    p: float, df1: int, df2: int, table: float, decimals: int
) -> None:
    half_unit = 0.5 * 10.0**-decimals
    assert f_quantile(p, df1, df2) == pytest.approx(table, abs=half_unit)
    if df1 > 2:  # where the integration helper applies (a density of 0 at 0)
        # The table value itself: the density integrated up to it is p, within the rounding.
        assert (f_cdf_by_integration(table - half_unit, df1, df2) <= p
                <= f_cdf_by_integration(table + half_unit, df1, df2))


def test_f_975_with_5_and_100_degrees_of_freedom() -> None:
    # F(0.975; 5, 100) = 2.696: between the tabled 2.786 (df2 = 60) and 2.674 (df2 = 120), and
    # exactly so by integrating the density; its lower partner F(0.025; 5, 100) = 1 / F(0.975;
    # 100, 5) = 1 / 6.080 = 0.16447.
    assert f_cdf_by_integration(2.696, 5, 100) == pytest.approx(0.975, abs=2e-5)
    assert f_cdf_by_integration(1 / 6.080, 5, 100) == pytest.approx(0.025, abs=2e-5)
    assert f_quantile(0.975, 5, 100) == pytest.approx(2.696, abs=5e-4)
    assert f_quantile(0.025, 5, 100) == pytest.approx(1 / 6.080, abs=5e-5)


def test_feldt_interval_by_hand_with_published_quantiles() -> None:
    # Feldt (1965): with N respondents and k items, (1 - alpha) / (1 - alpha_hat) follows
    # F(N - 1, (N - 1)(k - 1)), so the 95 % interval is
    #   [1 - (1 - alpha_hat) F(0.975; df1, df2), 1 - (1 - alpha_hat) F(0.025; df1, df2)],
    # with F(0.025; df1, df2) = 1 / F(0.975; df2, df1).
    # N = 6, k = 3, alpha_hat = 0.8: F(5, 10); 4.236 and 6.619 from Abramowitz and Stegun 26.9.
    low, high = alpha_confidence_interval(0.8, 6, 3)
    assert low == pytest.approx(1 - 0.2 * 4.236, abs=2e-4)  # 0.1528
    assert high == pytest.approx(1 - 0.2 / 6.619, abs=2e-4)  # 0.9698
    # N = 6, k = 21, alpha_hat = 0.8: F(5, 100); 2.696 and 6.080 as in the test above.
    low, high = alpha_confidence_interval(0.8, 6, 21)
    assert low == pytest.approx(1 - 0.2 * 2.696, abs=2e-4)  # 0.4608
    assert high == pytest.approx(1 - 0.2 / 6.080, abs=2e-4)  # 0.9671


@pytest.mark.parametrize(("alpha", "n", "k"), [(math.nan, 100, 5), (0.8, 1, 5), (0.8, 100, 1)])
def test_feldt_interval_is_nan_when_not_computable(alpha: float, n: int, k: int) -> None:
    assert all(math.isnan(bound) for bound in alpha_confidence_interval(alpha, n, k))


@pytest.mark.parametrize("df2", [1, 3, 10, 250])
@pytest.mark.parametrize("p", [0.01, 0.3, 0.5, 0.975])
def test_f_quantile_with_two_numerator_df_has_a_closed_form(df2: int, p: float) -> None:
    # With df1 = 2, P(F <= f) = 1 - (1 + 2 f / df2)^(-df2 / 2), which inverts in closed form.
    expected = df2 / 2 * ((1 - p) ** (-2 / df2) - 1)
    assert f_quantile(p, 2, df2) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(("df1", "df2"), [(3, 7), (199, 995), (1, 1), (40, 4000)])
def test_f_quantile_is_reciprocal_under_swapped_degrees_of_freedom(df1: int, df2: int) -> None:
    assert f_quantile(0.025, df1, df2) == pytest.approx(1 / f_quantile(0.975, df2, df1), rel=1e-9)


@pytest.mark.parametrize(("p", "df1", "df2"), [(1.0, 3, 4), (0.0, 3, 4), (0.5, 0, 4), (0.5, 3, -1)])
def test_f_quantile_rejects_arguments_outside_its_domain(p: float, df1: int, df2: int) -> None:
    with pytest.raises(ValueError):
        f_quantile(p, df1, df2)


def test_web_workers_never_import_scipy() -> None:
    # In a fresh interpreter, so no other test's import can hide or fake it.
    script = textwrap.dedent("""
        import sys
        import orientamento.assessments.psychometrics as psychometrics
        from orientamento import create_app
        create_app({"ENV_NAME": "testing", "SECRET_KEY": "x",
                    "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        print("scipy" in sys.modules)
        psychometrics.alpha_confidence_interval(0.8, 50, 5)
        print("scipy" in sys.modules)
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    at_start, after_an_interval = result.stdout.split()
    assert at_start == "False"
    assert after_an_interval == "True"  # the check above can see scipy when it is there


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


# A small scale (27 respondents, 3 items, answers 1-5) whose fit crawls to a Heywood case: it
# converges after about 500 iterations. Stopped at 100, as before, omega read 0.317; the
# minres fit gives 0.467.
SLOW_SMALL_SCALE = [
    [2, 3, 1], [4, 4, 4], [4, 3, 2], [5, 5, 4], [2, 1, 2], [1, 2, 3], [3, 4, 2], [1, 1, 3],
    [1, 3, 3], [3, 5, 2], [5, 4, 4], [2, 4, 1], [5, 3, 1], [3, 2, 4], [3, 4, 1], [3, 3, 2],
    [3, 5, 2], [3, 3, 4], [2, 4, 3], [2, 2, 4], [4, 2, 2], [3, 2, 3], [4, 3, 2], [3, 2, 2],
    [3, 1, 2], [4, 1, 3], [4, 2, 2],
]
# Twelve answers to three unrelated items: the fit is still moving after 60,000 iterations.
UNCONVERGED_SCALE = [
    [5, 5, 1], [5, 4, 3], [3, 1, 3], [2, 4, 5], [2, 4, 4], [2, 5, 1], [3, 4, 3], [4, 4, 1],
    [1, 5, 2], [4, 4, 5], [3, 3, 1], [4, 5, 5],
]


def test_omega_agrees_with_a_minres_fit_on_a_small_scale_that_converges_slowly() -> None:
    data = np.array(SLOW_SMALL_SCALE, dtype=float)
    reference = minres_omega(data)
    assert reference == pytest.approx(0.467, abs=0.001)
    assert mcdonald_omega(data) == pytest.approx(reference, abs=0.002)


@pytest.mark.parametrize("seed", [16, 17, 18, 19])
def test_omega_agrees_with_a_minres_fit_on_small_likert_scales(seed: int) -> None:
    rng = np.random.default_rng(seed)
    data = np.clip(np.round(one_factor_sample(rng, 40, [0.4, 0.5, 0.6, 0.7, 0.8]) + 3), 1, 5)
    omega = mcdonald_omega(data)
    assert omega is not None
    assert omega == pytest.approx(minres_omega(data), abs=0.01)


def test_omega_reports_a_fit_that_does_not_converge() -> None:
    data = np.array(UNCONVERGED_SCALE, dtype=float)
    assert mcdonald_omega(data) is None
    stats = describe_scale(data, dichotomous=False)
    assert stats.omega is None
    assert math.isfinite(stats.alpha)  # the other figures are still there
    result = stats.as_dict()
    assert result["omega"] is None and result["omega_converged"] is False
    json.dumps(result, allow_nan=False)


def test_omega_is_not_read_off_a_fit_stopped_early(monkeypatch: pytest.MonkeyPatch) -> None:
    data = np.array(SLOW_SMALL_SCALE, dtype=float)
    monkeypatch.setattr(psychometrics, "_PAF_MAX_ITERATIONS", 100)
    assert mcdonald_omega(data) is None
    monkeypatch.setattr(psychometrics, "_PAF_MAX_ITERATIONS", 1000)
    assert mcdonald_omega(data) == pytest.approx(0.467, abs=0.001)


def test_a_computed_omega_is_reported_as_converged() -> None:
    data = one_factor_sample(np.random.default_rng(20), 300, [0.6] * 5)
    result = describe_scale(data, dichotomous=False).as_dict()
    assert result["omega_converged"] is True and 0.6 < result["omega"] < 0.9


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_page_and_the_command_say_when_the_fit_did_not_converge(
    app: Flask, make_user: Callable[..., User], runner: FlaskCliRunner,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(psychometrics, "_PAF_MAX_ITERATIONS", 1)  # no fit can converge
    seed_simulated_responses(registry(), 20, clock.today())
    db.session.commit()
    result = runner.invoke(args=["assessments", "psychometrics"])
    assert result.exit_code == 0, result.output
    assert "omega=not computed: the fit did not converge" in result.output
    client = app.test_client()
    act_as(client, make_user(Role.ADMIN))
    client.post("/language", data={"language": "en"})
    page = client.get("/assessments/psychometrics").get_data(as_text=True)
    assert "not computed: the fit did not converge" in page


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
        omega = stats.omega
        assert omega is None or math.isnan(omega) or -1e-12 <= omega <= 1 + 1e-12
        assert all(math.isnan(r) or -1 <= r <= 1 for r in stats.item_total)
        if not math.isnan(stats.alpha_low):
            assert stats.alpha_low <= stats.alpha <= stats.alpha_high
        json.dumps(stats.as_dict(), allow_nan=False)
