"""Demo risk data: a small synthetic history, a trained and activated version, flags to review.

Everything comes from the synthetic generator (no real person); the version is activated in
the name of the demo admin, as the admin pages would, so the audit log shows it.
"""

from __future__ import annotations

import hashlib
import tempfile
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from orientamento.auth.audit import record
from orientamento.auth.models import AuditAction, User
from orientamento.core import clock
from orientamento.extensions import db
from orientamento.risk.models import ContactDetails, ModelVersion, RiskRecord, VersionStatus

DEMO_ROWS = 6000
DEMO_SEED = 2026
#: The demo's current snapshot is dated this many days before the clock's today, so the call
#: list has people whose 60-day window is still open (a fixed date closes every window).
DEMO_SNAPSHOT_AGE_DAYS = 7
#: Model flags per municipio in the demo (the setting's default is for a real team).
DEMO_CAPACITY = 6
#: Made-up names and the language each person prefers, handed out in turn to the people of
#: the demo snapshot (the synthetic records carry phone numbers but no names).
DEMO_PEOPLE = (
    ("Giulia Rossi", "it"), ("Ahmed Benali", "ar"), ("Luca Ferrari", "it"),
    ("Mei Chen", "zh"), ("Sara Colombo", "it"), ("Yusuf Haddad", "ar"),
    ("Andrei Popescu", "ro"), ("Grace Mensah", "en"), ("Marco Ricci", "it"),
    ("Olena Kovalenko", "uk"), ("Mateo García", "es"), ("Fatima Zahra El Idrissi", "ar"),
)


def seed_demo_risk(admin_email: str = "admin@demo.example.org") -> int:
    """Train, activate and score on synthetic records, once; returns flags raised."""
    if db.session.scalar(select(ModelVersion.id).limit(1)) is not None:
        return 0
    from orientamento.outreach.flags import attach_scores, raise_model_flags
    from orientamento.risk import frames, training
    from orientamento.risk.records import ensure_valid, import_snapshot
    from orientamento.risk.scoring import score_snapshot
    from orientamento.risk.spec import load_spec
    from orientamento.risk.synth import write_synthetic
    from orientamento.risk.versions import save_version

    admin = db.session.scalar(select(User).where(User.email == admin_email))
    spec, source = load_spec("neet")
    with tempfile.TemporaryDirectory() as folder:
        files = write_synthetic(Path(folder), DEMO_ROWS, DEMO_SEED, current_as_of=(
            clock.today() - timedelta(days=DEMO_SNAPSHOT_AGE_DAYS)))
        table = frames.attach_labels(spec, frames.read_table(files.records),
                                     frames.read_table(files.outcomes))
        trained = training.train(spec, frames.dataset(spec, table))
        digest = hashlib.sha256(files.records.read_bytes()
                                + files.outcomes.read_bytes()).hexdigest()
        version = save_version(spec, source, trained, digest, actor=admin)
        version.status = VersionStatus.ACTIVE
        version.activated_at = clock.now()
        version.activated_by_id = admin.id if admin else None
        record(AuditAction.RISK_MODEL_ACTIVATED, actor=admin, version_id=version.id)
        report = import_snapshot(files.current.read_bytes(), "demo-current.csv", actor=admin)
    snapshot = ensure_valid(report)
    name_demo_people(snapshot.id)
    score_snapshot(version, snapshot, actor=admin)
    raised = raise_model_flags(version, snapshot, DEMO_CAPACITY)
    attach_scores(version, snapshot)
    return report.rule_flags + raised


def name_demo_people(snapshot_id: int) -> int:
    """Give the snapshot's people with contact details a demo name and language; returns how
    many."""
    people = list(db.session.scalars(
        select(ContactDetails.person_id)
        .join(RiskRecord, RiskRecord.person_id == ContactDetails.person_id)
        .where(RiskRecord.snapshot_id == snapshot_id).order_by(ContactDetails.person_id)))
    if people:
        db.session.execute(update(ContactDetails), [
            {"person_id": person_id, "name": DEMO_PEOPLE[i % len(DEMO_PEOPLE)][0],
             "language": DEMO_PEOPLE[i % len(DEMO_PEOPLE)][1]}
            for i, person_id in enumerate(people)])
    return len(people)
