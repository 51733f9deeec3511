"""Live psychometrics over stored responses: grouping, provisional marks, the admin page."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from orientamento.assessments.analysis import (
    age_band,
    interest_sem,
    latest_run,
    latest_run_key,
    live_interest_sem,
    record_run,
)
from orientamento.assessments.models import PsychometricRun
from orientamento.assessments.scoring import DEFAULT_INTEREST_SEM
from orientamento.assessments.services import registry
from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.demo.responses import seed_simulated_responses, simulate_answers
from orientamento.extensions import db
from tests.core.routes import act_as


def test_age_bands() -> None:
    today = date(2026, 11, 24)
    assert age_band(date(2012, 11, 25), today) == "11-13"  # 13 until tomorrow
    assert age_band(date(2012, 11, 24), today) == "14-16"
    assert age_band(date(1990, 1, 1), today) is None
    assert age_band(None, today) is None


def test_psychometrics_command_reports_and_stores_a_run(
    app: Flask, runner: FlaskCliRunner
) -> None:
    seed_simulated_responses(registry(), 210, clock.today())
    db.session.commit()
    result = runner.invoke(args=["assessments", "psychometrics"])
    assert result.exit_code == 0, result.output
    assert "840 submitted responses analysed" in result.output
    run = latest_run()
    assert run is not None and run.responses == 840
    interests = run.results["interests@1"]
    assert set(interests) == {"R", "I", "A", "S", "E", "C"}
    overall = interests["R"]["all"]
    assert overall["n"] == 210 and not overall["provisional"]
    assert 0.7 < overall["alpha"] < 0.97 and overall["alpha_low"] < overall["alpha"]
    assert len(overall["item_total"]) == 8
    assert interests["R"]["locale:ar"]["provisional"]  # a fifth of 210 is under 200
    aptitude = run.results["reasoning@1"]["numerical"]["all"]
    assert aptitude["difficulty"] and aptitude["discrimination"]
    # Difficulties were simulated to rise through the scale: the first item is easier.
    assert aptitude["difficulty"][0] > aptitude["difficulty"][-1]
    # The live SEM replaces the default for the top-code rule once not provisional.
    questionnaire = registry().latest("interests")
    assert questionnaire is not None
    assert interest_sem(questionnaire, run) != DEFAULT_INTEREST_SEM
    assert interest_sem(questionnaire, None) == DEFAULT_INTEREST_SEM


def test_simulation_is_reproducible() -> None:
    from orientamento.assessments.loader import load_registry
    from orientamento.config import QUESTIONNAIRES_DIR

    questionnaire = load_registry(QUESTIONNAIRES_DIR).latest("reasoning")
    assert questionnaire is not None
    first = simulate_answers(questionnaire, np.random.default_rng(7))
    second = simulate_answers(questionnaire, np.random.default_rng(7))
    assert first == second and len(first) == 24


def test_admin_page_shows_the_last_run(
    app: Flask, make_user: Callable[..., User], runner: FlaskCliRunner
) -> None:
    client = app.test_client()
    act_as(client, make_user(Role.ADMIN))
    empty = client.get("/assessments/psychometrics").get_data(as_text=True)
    assert "flask assessments psychometrics" in empty
    seed_simulated_responses(registry(), 20, clock.today())
    db.session.commit()
    runner.invoke(args=["assessments", "psychometrics"])
    page = client.get("/assessments/psychometrics").get_data(as_text=True)
    assert db.session.scalar(select(PsychometricRun)) is not None
    assert "provisional" in page.lower() or "provvisori" in page.lower()
    assert page.count("<table") >= 19


def test_the_live_sem_is_kept_per_run_and_follows_a_new_run(
        app: Flask, queries: list[str]) -> None:
    questionnaire = registry().latest("interests")
    assert questionnaire is not None
    assert live_interest_sem(questionnaire, latest_run_key()) == DEFAULT_INTEREST_SEM  # no run
    seed_simulated_responses(registry(), 210, clock.today())
    first = record_run(registry(), clock.now())
    db.session.commit()
    expected = interest_sem(questionnaire, first)
    assert expected != DEFAULT_INTEREST_SEM
    assert live_interest_sem(questionnaire, latest_run_key()) == expected
    queries.clear()
    assert live_interest_sem(questionnaire, latest_run_key()) == expected
    assert not any("results" in statement for statement in queries)  # not read again
    # A later run (here: the same one with every SEM doubled) is what the next page uses.
    first.computed_at = clock.now() - timedelta(days=7)
    results = copy.deepcopy(first.results)
    for scale in results["interests@1"].values():
        scale["all"]["sem"] *= 2
    second = PsychometricRun(computed_at=clock.now(), responses=first.responses, results=results)
    db.session.add(second)
    db.session.commit()
    assert live_interest_sem(questionnaire, latest_run_key()) == interest_sem(questionnaire, second)
    assert interest_sem(questionnaire, second) != expected
