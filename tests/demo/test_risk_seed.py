"""The demo risk seed: an active version, scores and flags the demo outreach worker can see."""

from __future__ import annotations

from sqlalchemy import func, select

from orientamento.auth.models import AuditEntry, User
from orientamento.demo.risk import DEMO_CAPACITY, seed_demo_risk
from orientamento.demo.services import seed_demo
from orientamento.extensions import db
from orientamento.outreach.models import Flag
from orientamento.risk.models import ModelVersion, RiskScore


def test_demo_risk_seed_trains_activates_scores_and_flags_once(app: object) -> None:
    seed_demo("demo-password-123", "2026/2027")
    raised = seed_demo_risk()
    db.session.commit()
    versions = db.session.scalars(select(ModelVersion)).all()
    assert [v.status for v in versions] == ["active"]
    admin = db.session.scalar(select(User).where(User.email == "admin@demo.example.org"))
    assert versions[0].activated_by_id == admin.id
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"risk_model_trained", "risk_model_activated", "risk_records_imported",
            "risk_scored"} <= actions
    flags = db.session.scalars(select(Flag)).all()
    assert len(flags) == raised > 0
    per_municipio = {m: sum(1 for f in flags if f.trigger == "model" and f.municipio == m)
                     for m in range(1, 10)}
    assert set(per_municipio.values()) == {DEMO_CAPACITY}
    outreach = db.session.scalar(select(User).where(User.email == "outreach@demo.example.org"))
    covered = {m.municipio for m in outreach.municipi}
    assert any(f.municipio in covered for f in flags)
    scores = db.session.scalar(select(func.count()).select_from(RiskScore))
    assert seed_demo_risk() == 0  # a second seed changes nothing
    assert db.session.scalar(select(func.count()).select_from(RiskScore)) == scores


def test_demo_current_snapshot_is_dated_from_the_clock_so_call_windows_are_open(
        app: object) -> None:
    from datetime import timedelta

    from orientamento.core import clock
    from orientamento.demo.risk import DEMO_SNAPSHOT_AGE_DAYS
    from orientamento.outreach.calls.queries import WINDOW_CLOSES_AFTER, contract_ended_on
    from orientamento.outreach.models import Trigger
    from orientamento.risk.models import RiskSnapshot

    seed_demo("demo-password-123", "2026/2027")
    seed_demo_risk()
    db.session.commit()
    as_of = db.session.scalar(select(func.max(RiskSnapshot.as_of)))
    assert as_of == clock.today() - timedelta(days=DEMO_SNAPSHOT_AGE_DAYS)
    ended = [f for f in db.session.scalars(select(Flag)) if f.trigger == Trigger.CONTRACT_ENDED]
    assert ended
    days_left = [WINDOW_CLOSES_AFTER - (clock.today() - contract_ended_on(f)).days for f in ended]
    assert any(left > 0 for left in days_left)
