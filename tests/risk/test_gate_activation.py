"""The fairness gate at activation: refused without a justification, kept with one."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from orientamento.auth.models import AuditAction, Role, User
from orientamento.extensions import db
from orientamento.risk import governance
from orientamento.risk.models import JUSTIFICATION_MAX, ModelVersion
from tests.core.routes import act_as
from tests.risk.factories import SAMPLE_METRICS, make_version
from tests.risk.test_admin_services import audit_entries, statuses

WHY = "Recall gap comes from 40 women in one course;\nreviewed with the equality office."


def unfair_metrics() -> dict[str, Any]:
    """The sample audit with a gender recall ratio of 0.62."""
    metrics = copy.deepcopy(SAMPLE_METRICS)
    metrics["fairness"]["gender"]["ratios"]["recall"] = 0.62
    return metrics


@pytest.fixture
def admin(client: FlaskClient, make_user: Callable[..., User]) -> User:
    """An admin reading English, logged in."""
    user = make_user(Role.ADMIN, locale="en")
    act_as(client, user)
    return user


def _card_markdown(version: ModelVersion) -> str:
    db.session.expire_all()
    stored = db.session.get(ModelVersion, version.id)
    assert stored is not None
    return stored.card_markdown


# --- the service ----------------------------------------------------------------------------

def test_the_service_refuses_an_unjustified_activation_and_writes_nothing(admin: User) -> None:
    active, unfair = make_version(status="active"), make_version(metrics=unfair_metrics())
    for justification in (None, "", "   \n "):
        with pytest.raises(governance.JustificationRequired) as refused:
            governance.activate_version(admin, unfair, justification)
        assert refused.value.status_code == 422
        assert "needs an explanation" in str(refused.value.message)
    db.session.rollback()
    assert statuses() == {active.id: "active", unfair.id: "draft"}
    assert audit_entries() == []


def test_the_service_keeps_the_justification_on_version_card_and_audit_log(
        admin: User) -> None:
    unfair = make_version(metrics=unfair_metrics())
    governance.activate_version(admin, unfair, f"  {WHY}  ")
    db.session.commit()
    assert statuses() == {unfair.id: "active"}
    assert db.session.get(ModelVersion, unfair.id).activation_justification == WHY  # type: ignore[union-attr]
    [entry] = audit_entries(AuditAction.RISK_MODEL_ACTIVATED)
    assert entry.details["justification"] == WHY
    assert entry.details["fairness_gate"] == [
        {"kind": "low_ratio", "metric": "recall", "ratio": 0.62, "group": None}]
    card = _card_markdown(unfair)
    assert "## Activated despite the fairness gate" in card
    assert "> Recall gap comes from 40 women in one course;\n> reviewed with" in card


def test_a_justification_over_the_limit_is_refused(admin: User) -> None:
    unfair = make_version(metrics=unfair_metrics())
    with pytest.raises(governance.DomainError, match="at most"):
        governance.activate_version(admin, unfair, "x" * (JUSTIFICATION_MAX + 1))
    db.session.rollback()
    assert statuses() == {unfair.id: "draft"}


def test_a_fair_version_needs_no_justification_and_stores_none(admin: User) -> None:
    fair = make_version()
    governance.activate_version(admin, fair, "not needed")
    db.session.commit()
    assert db.session.get(ModelVersion, fair.id).activation_justification is None  # type: ignore[union-attr]
    [entry] = audit_entries(AuditAction.RISK_MODEL_ACTIVATED)
    assert "justification" not in entry.details


# --- over HTTP ------------------------------------------------------------------------------

def test_the_justification_field_appears_only_when_the_gate_applies(
        client: FlaskClient, admin: User) -> None:
    fair, unfair = make_version(), make_version(metrics=unfair_metrics())
    page = client.get(f"/risk/versions/{fair.id}").get_data(as_text=True)
    assert 'name="justification"' not in page and 'id="fairness-gate"' not in page
    page = client.get(f"/risk/versions/{unfair.id}").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*name="justification"[^>]*required', page)
    gate = page[page.index('id="fairness-gate"'):]
    assert "By gender, the ratio of Recall (true-positive rate) is 0.62, below 0.8." in gate


def test_activation_over_http_is_refused_without_a_justification(
        client: FlaskClient, admin: User) -> None:
    active, unfair = make_version(status="active"), make_version(metrics=unfair_metrics())
    response = client.post(f"/risk/versions/{unfair.id}/activate",
                           data={"confirm": "y", "justification": "  "})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Write why this version should be activated despite its fairness audit." in page
    assert 'id="justification-error"' in page
    assert statuses() == {active.id: "active", unfair.id: "draft"}
    assert audit_entries() == []


def test_activation_over_http_with_a_justification_shows_it_on_the_card(
        client: FlaskClient, admin: User) -> None:
    unfair = make_version(metrics=unfair_metrics())
    response = client.post(f"/risk/versions/{unfair.id}/activate",
                           data={"confirm": "y", "justification": WHY})
    assert response.status_code == 302
    assert statuses() == {unfair.id: "active"}
    [entry] = audit_entries(AuditAction.RISK_MODEL_ACTIVATED)
    assert entry.details["justification"] == WHY
    page = client.get(response.location).get_data(as_text=True)
    shown = page[page.index('id="gate-justification"'):]
    assert "Recall gap comes from 40 women in one course;" in shown
    assert "reviewed with the equality office." in shown
    card = client.get(f"/risk/versions/{unfair.id}/card.md").get_data(as_text=True)
    assert "## Activated despite the fairness gate" in card


def test_a_justification_with_bidi_marks_is_refused(client: FlaskClient, admin: User) -> None:
    unfair = make_version(metrics=unfair_metrics())
    response = client.post(f"/risk/versions/{unfair.id}/activate",
                           data={"confirm": "y", "justification": "fine \u202e enif"})
    assert response.status_code == 400
    assert statuses() == {unfair.id: "draft"}


def test_too_few_to_judge_shows_on_the_card(client: FlaskClient, admin: User) -> None:
    metrics = copy.deepcopy(SAMPLE_METRICS)
    groups = metrics["fairness"]["gender"]["groups"]
    groups[1] = dict(groups[1], recall=None, too_few=["recall"])
    version = make_version(metrics=metrics)
    page = client.get(f"/risk/versions/{version.id}").get_data(as_text=True)
    assert '<td class="too-few">Too few to judge</td>' in page
    gate = page[page.index('id="fairness-gate"'):]
    assert f"The gender group {groups[1]['group']} has too few people to judge its Recall" in gate
