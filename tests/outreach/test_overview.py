"""A model version's outreach overview: flags, decisions, overrides and outcomes per team,
counted in SQL (``outreach.overview.version_overview``) and shown to admins beside the card."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from orientamento.auth.models import Role, User
from orientamento.outreach import overview as overviews
from tests.core.routes import act_as, build_url
from tests.risk.factories import make_person, make_version
from tests.risk.test_admin_services import add_decision, add_outcome, model_flag, rule_flag


@pytest.fixture
def admin(client: FlaskClient, make_user: Callable[..., User]) -> User:
    """An admin reading English, logged in."""
    user = make_user(Role.ADMIN, locale="en")
    act_as(client, user)
    return user


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def squeeze(html: str) -> str:
    """The page with runs of white space made single spaces (templates wrap lines)."""
    return re.sub(r"\s+", " ", html)


# --- counts ----------------------------------------------------------------------------------


@pytest.fixture
def history(admin: User) -> dict[str, Any]:
    """Five flags of one version with decisions and outcomes, and one of another version."""
    version, other = make_version(status="active"), make_version()
    high1 = model_flag(version, 0.5, municipio=1, gender="F")
    high2 = model_flag(version, 0.4, municipio=1, gender="M")
    medium = model_flag(version, 0.2, municipio=2, gender="F", citizenship_group="eu")
    low = model_flag(version, 0.1, municipio=2)
    rule = rule_flag(make_person(3, gender="M"), version)
    add_decision(high1, "contact", agrees=True)
    add_decision(high2, "no_contact", agrees=False, reason="disagree_model")
    add_decision(medium, "defer", agrees=True, reason="more_information")
    add_decision(medium, "contact", agrees=False, reason="disagree_model")
    add_decision(rule, "contact", agrees=True)
    add_outcome(high1, 3, "education")
    add_outcome(high1, 12, "employment")
    add_outcome(high2, 3, "neet")
    add_outcome(medium, 3, "neet")
    add_outcome(rule, 3, "training")
    stray = model_flag(other, 0.9, municipio=1)
    add_decision(stray, "no_contact", agrees=False)
    add_outcome(stray, 3, "neet")
    return {"version": version, "low": low}


def _counts(**given: int) -> dict[str, int]:
    return {s: given.get(s, 0) for s in overviews.SITUATIONS}


def test_overview_counts_flags_decisions_and_overrides_per_team(history: dict[str, Any]) -> None:
    overview = overviews.version_overview(history["version"])
    assert overview.flags == {"model": 4, "contract_ended": 1}
    assert overview.decisions == {"contact": 3, "no_contact": 1, "defer": 1}
    assert overview.teams == [overviews.TeamRow(1, 2, 1), overviews.TeamRow(2, 2, 1),
                              overviews.TeamRow(3, 1, 0)]
    assert [team.override_rate for team in overview.teams] == [0.5, 0.5, 0.0]
    assert overview.override_rate == pytest.approx(2 / 5)
    assert (overview.flag_count, overview.decision_count) == (5, 5)


def test_overview_counts_outcomes_by_band_and_follow_up(history: dict[str, Any]) -> None:
    rows = overviews.version_overview(history["version"]).by_band
    assert [(r.group, r.months, r.people, r.counts, r.suppressed) for r in rows] == [
        ("high", 3, 2, _counts(education=1, neet=1), False),
        ("high", 12, 1, _counts(employment=1), False),
        ("medium", 3, 1, _counts(neet=1), False),
        (None, 3, 1, _counts(training=1), False),
    ]
    assert rows[0].total == 2


def test_overview_hides_protected_groups_under_30_people(history: dict[str, Any]) -> None:
    groups = overviews.version_overview(history["version"]).by_group
    assert set(groups) == {"gender", "citizenship_group"}
    gender = groups["gender"]
    assert [(r.group, r.months, r.people) for r in gender] == [
        ("F", 3, 2), ("F", 12, 1), ("M", 3, 2)]
    assert all(r.suppressed and r.counts == {} and r.total == 0 for r in gender)
    assert all(r.suppressed for r in groups["citizenship_group"])


def test_overview_shows_a_protected_group_from_30_people(admin: User) -> None:
    version = make_version(status="active")
    for n in range(overviews.MIN_GROUP):
        add_outcome(model_flag(version, 0.3, gender="F"), 6, "neet" if n % 3 else "training")
    for _ in range(overviews.MIN_GROUP - 1):
        add_outcome(model_flag(version, 0.3, gender="M"), 6, "employment")
    overview = overviews.version_overview(version)
    female, male = overview.by_group["gender"]
    assert (female.group, female.people, female.suppressed) == ("F", 30, False)
    assert female.counts == _counts(neet=20, training=10)
    assert (male.group, male.people, male.suppressed, male.counts) == ("M", 29, True, {})
    [citizens] = overview.by_group["citizenship_group"]
    assert (citizens.people, citizens.suppressed) == (59, False)
    assert citizens.counts == _counts(neet=20, training=10, employment=29)


def test_overview_of_a_version_without_flags_is_empty(app: Flask) -> None:
    overview = overviews.version_overview(make_version())
    assert (overview.flags, overview.decisions, overview.teams, overview.by_band) == \
        ({}, {}, [], [])
    assert overview.override_rate is None


# --- the page --------------------------------------------------------------------------------


def test_the_page_is_outreachs_at_its_address_beside_the_model_card(app: Flask) -> None:
    assert build_url(app, "outreach.show_version_overview", version_id=7) == \
        "/risk/versions/7/overview"


def test_the_overview_page_shows_the_numbers(client: FlaskClient, admin: User) -> None:
    version = make_version(status="active")
    high = model_flag(version, 0.5, municipio=2)
    medium = model_flag(version, 0.2, municipio=2)
    rule = rule_flag(make_person(5), version)
    add_decision(high, "contact", agrees=True)
    add_decision(medium, "no_contact", agrees=False, reason="disagree_model")
    add_decision(rule, "defer", agrees=False)
    add_outcome(high, 3, "employment")
    add_outcome(rule, 6, "neet")
    page = squeeze(text(client.get(f"/risk/versions/{version.id}/overview")))
    assert '<th scope="row">Risk model (top of the municipio)</th><td>2</td>' in page
    assert "Job contract ended 30+ days ago" in page
    assert '<th scope="row">Do not contact</th><td>1</td>' in page
    assert re.search(r'Municipio 2</th><td>2</td> <td>1</td><td>50%</td>', page)
    assert re.search(r'Municipio 5</th><td>1</td> <td>1</td><td>100%</td>', page)
    assert re.search(r'All teams</th><td>3</td> <td>2</td><td>66.7%</td>', page)
    assert re.search(r'<th scope="row">High</th> <td>3 months</td> <td>1</td> '
                     r"<td>0</td><td>0</td><td>1</td><td>0</td><td>0</td>", page)
    assert re.search(r'<th scope="row">No score \(rule flag\)</th> <td>6 months</td> <td>1</td>',
                     page)
    assert page.count("Fewer than 30 people: not shown") == 4  # 2 gender + 2 citizenship rows


def test_the_overview_of_a_version_without_flags_says_so(client: FlaskClient, admin: User) -> None:
    version = make_version()
    page = text(client.get(f"/risk/versions/{version.id}/overview"))
    assert "This version has raised no flags yet." in page
