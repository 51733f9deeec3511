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
