"""Retention of the NEET path's data: closed flags, old snapshots of records, and the people
they leave with nothing (``flask admin retention``; periods in the settings and the privacy
notice).

Snapshots are handled here rather than in ``risk`` because whether one may go depends on the
flags: a model flag keeps the score that raised it (CHECK ``model_flag_scored``), so a
snapshot goes only once no remaining flag points at one of its scores. Everything is a
set-based DELETE; the database's cascades remove what hangs below (records and scores of a
snapshot; decisions, contacts, outcomes, referrals and call attempts of a flag). Like every
service, these flush and never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Delete, delete, select

from orientamento.core.dml import changed_rows
from orientamento.extensions import db
from orientamento.outreach.models import Flag, FlagStatus, SelfReferral
from orientamento.outreach.referrals.models import LIVE, Referral
from orientamento.risk.models import (
    ContactDetails,
    ProtectedAttributes,
    RiskPerson,
    RiskRecord,
    RiskScore,
    RiskSnapshot,
)


def _deleted(statement: Delete) -> int:
    """Run a set-based DELETE (the session is not searched for what it removes); how many."""
    return changed_rows(statement.execution_options(synchronize_session=False))


def delete_closed_flags_before(cutoff: datetime) -> int:
    """Delete the flags closed before ``cutoff`` with everything recorded on them, and the
    "contact me" requests behind them. A flag with a referral still sent or accepted stays.
    Returns how many flags went."""
    # A referral a service is still working on keeps its flag, however long ago it closed.
    live_referral = (select(Referral.id)
                     .where(Referral.flag_id == Flag.id, Referral.status.in_(LIVE))
                     .exists())
    expired = (select(Flag.id, Flag.self_referral_id)
               .where(Flag.status == FlagStatus.CLOSED, Flag.closed_at < cutoff,
                      ~live_referral))
    rows = db.session.execute(expired).all()
    if not rows:
        return 0
    flag_ids = [flag_id for flag_id, _ in rows]
    requests = [request_id for _, request_id in rows if request_id is not None]
    count = 0
    for start in range(0, len(flag_ids), 500):
        count += _deleted(delete(Flag).where(Flag.id.in_(flag_ids[start:start + 500])))
    for start in range(0, len(requests), 500):
        _deleted(delete(SelfReferral).where(SelfReferral.id.in_(requests[start:start + 500])))
    return count


def delete_snapshots_before(cutoff: datetime) -> int:
    """Delete the snapshots imported before ``cutoff`` with their records and scores, except
    the newest snapshot (the queue's current data) and any snapshot one of whose scores a
    remaining flag was raised on. Returns how many snapshots went."""
    newest = (select(RiskSnapshot.id)
              .order_by(RiskSnapshot.as_of.desc(), RiskSnapshot.id.desc()).limit(1)
              .scalar_subquery())
    flagged = (select(RiskScore.id)
               .join(RiskRecord, RiskScore.record_id == RiskRecord.id)
               .join(Flag, Flag.score_id == RiskScore.id)
               .where(RiskRecord.snapshot_id == RiskSnapshot.id)
               .exists())
    return _deleted(delete(RiskSnapshot)
                    .where(RiskSnapshot.imported_at < cutoff, RiskSnapshot.id != newest,
                           ~flagged))


def delete_people_without_data() -> int:
    """Delete the people no snapshot and no flag mentions any more, with their contact details
    and protected attributes. People who opted out stay as a bare pseudonym with the date,
    so that a later snapshot never queues them again. Returns how many people went."""
    forgotten = (~select(RiskRecord.id).where(RiskRecord.person_id == RiskPerson.id).exists()
                 & ~select(Flag.id).where(Flag.person_id == RiskPerson.id).exists())
    opted_out = select(RiskPerson.id).where(forgotten, RiskPerson.opted_out_at.is_not(None))
    _deleted(delete(ContactDetails).where(ContactDetails.person_id.in_(opted_out)))
    _deleted(delete(ProtectedAttributes).where(ProtectedAttributes.person_id.in_(opted_out)))
    return _deleted(delete(RiskPerson).where(forgotten, RiskPerson.opted_out_at.is_(None)))
