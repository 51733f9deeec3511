"""``flask admin retention``: what is older than its period goes, and nothing else does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from orientamento.auth.models import AuditEntry
from orientamento.core import clock
from orientamento.extensions import db
from orientamento.outbox.models import OutboxMessage
from orientamento.outreach.models import Flag, SelfReferral
from orientamento.outreach.referrals.models import Referral
from orientamento.risk.models import (
    ContactDetails,
    ModelVersion,
    RiskPerson,
    RiskRecord,
    RiskScore,
    RiskSnapshot,
)
from orientamento.support.models import SupportService
from tests.risk.factories import make_flag, make_person, make_score

LONG_AGO = timedelta(days=800)  # past every default period (730 and 90 days)
RECENTLY = timedelta(days=100)  # within the flags', snapshots' and audit's periods


def snapshot(name: str, as_of: date, imported_ago: timedelta) -> RiskSnapshot:
    taken = RiskSnapshot(as_of=as_of, filename=f"{name}.csv", sha256=name.ljust(64, "0"),
                         rows=1, imported_at=clock.now() - imported_ago)
    db.session.add(taken)
    db.session.commit()
    return taken


def close(flag: Flag, ago: timedelta) -> Flag:
    flag.status = "closed"
    flag.closed_at = clock.now() - ago
    db.session.commit()
    return flag


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_retention_deletes_what_is_past_its_period_and_keeps_the_rest(
    runner: FlaskCliRunner, version: ModelVersion,
    make_service: Callable[..., SupportService],
) -> None:
    old = snapshot("a", date(2024, 9, 30), LONG_AGO)
    old_but_flagged = snapshot("b", date(2024, 10, 31), LONG_AGO)
    newest = snapshot("c", date(2025, 9, 30), LONG_AGO)  # old, but the queue's current data
    forgotten = make_person(1, snapshot=old)
    flag_gone = make_person(1, snapshot=old)
    close(make_flag(flag_gone, make_score(flag_gone, version)), LONG_AGO)
    kept_by_flag = make_person(1, snapshot=old_but_flagged)
    recent_flag = close(make_flag(kept_by_flag, make_score(kept_by_flag, version)), RECENTLY)
    current = make_person(2, snapshot=newest)
    opted_out = make_person(1, snapshot=old)
    opted_out.opted_out_at = clock.now() - LONG_AGO
    opted_out.contact = ContactDetails(phone="+39 02 5555 0199")
    referred = make_person(2, snapshot=newest)
    live = close(make_flag(referred, trigger="contract_ended"), LONG_AGO)
    db.session.add(Referral(flag_id=live.id, service_id=make_service().id, status="accepted",
                            consent_on=clock.today(), answer_due_on=clock.today(),
                            answered_at=clock.now() - LONG_AGO))
    request = SelfReferral(municipio=3, channel="phone", phone="+39 333 000 0000",
                           language="it", preferred_time="any",
                           consented_at=clock.now() - LONG_AGO)
    db.session.add(request)
    db.session.flush()
    asked = Flag(self_referral_id=request.id, municipio=3, trigger="self_referral",
                 priority=2.0, as_of=date(2024, 9, 30), status="closed",
                 closed_at=clock.now() - LONG_AGO)
    db.session.add_all([
        asked,
        AuditEntry(action="login", at=clock.now() - LONG_AGO),
        AuditEntry(action="login", at=clock.now() - RECENTLY),
        *(OutboxMessage(to_address="a@example.org", subject="s", body="b", status=status,
                        created_at=clock.now() - ago)
          for status, ago in (("sent", RECENTLY), ("failed", RECENTLY),
                              ("pending", RECENTLY), ("sent", timedelta(days=10)))),
    ])
    db.session.commit()
    ids = {"forgotten": forgotten.id, "flag_gone": flag_gone.id, "opted_out": opted_out.id}
    before = {model: count(model) for model in (
        Flag, RiskSnapshot, RiskRecord, RiskScore, RiskPerson, AuditEntry, OutboxMessage)}

    dry = runner.invoke(args=["admin", "retention", "--dry-run"])

    assert dry.exit_code == 0, dry.output
    assert "Closed flags deleted: 2" in dry.output and "nothing was deleted" in dry.output
    db.session.expire_all()
    assert {model: count(model) for model in before} == before

    result = runner.invoke(args=["admin", "retention"])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Closed flags deleted: 2", "Snapshots of records deleted: 1",
        "People no longer in any record or flag deleted: 2", "Audit entries deleted: 1",
        "E-mail messages deleted: 2"]
    db.session.expire_all()
    assert set(db.session.scalars(select(Flag.id))) == {recent_flag.id, live.id}
    assert set(db.session.scalars(select(RiskSnapshot.filename))) == {"b.csv", "c.csv"}
    people = set(db.session.scalars(select(RiskPerson.id)))
    assert ids["forgotten"] not in people and ids["flag_gone"] not in people
    assert {kept_by_flag.id, current.id, referred.id, ids["opted_out"]} <= people
    # The opted-out person stays a bare pseudonym, so no later snapshot queues them again.
    assert db.session.get(ContactDetails, ids["opted_out"]) is None
    assert count(SelfReferral) == 0
    assert count(RiskScore) == 1  # the score the recent flag was raised on
    assert count(AuditEntry) == 1
    assert sorted(db.session.scalars(select(OutboxMessage.status))) == ["pending", "sent"]


def test_retention_refuses_a_period_under_a_day(runner: FlaskCliRunner) -> None:
    runner.app.config["RETENTION_AUDIT_DAYS"] = 0
    result = runner.invoke(args=["admin", "retention"])
    assert result.exit_code == 2
    assert "ORIENTAMENTO_RETENTION_AUDIT_DAYS must be at least 1 day" in result.output


def test_the_privacy_notice_lists_the_configured_periods(app: Flask) -> None:
    app.config.update(RETENTION_AUDIT_DAYS=400, RETENTION_OUTBOX_DAYS=45)
    page = app.test_client().get("/privacy", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert "Security log: 400 days." in text
    assert "Copies of the e-mail messages we send: 45 days." in text
