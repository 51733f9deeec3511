"""Outreach's part of a data-subject report: every flag of the person with its decisions,
contacts, call attempts, referrals and outcomes; ``risk.signals.subject_report`` asks for it
(connected in setup.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from orientamento.extensions import db
from orientamento.outreach.calls.models import CallAttempt
from orientamento.outreach.models import (
    CHANNEL_LABELS,
    SITUATION_LABELS,
    Decision,
    Flag,
    Outcome,
)
from orientamento.outreach.referrals.models import Referral
from orientamento.risk.models import RiskPerson
from orientamento.support.models import SupportService


def _flag_entry(flag: Flag, outcomes: list[Outcome], calls: list[CallAttempt]
                ) -> dict[str, Any]:
    return {
        "id": flag.id, "trigger": flag.trigger, "trigger_label": flag.trigger_label,
        "status": str(flag.status), "status_label": str(flag.status.label),
        "municipio": flag.municipio,
        "model_version_id": flag.version_id, "records_of": flag.as_of,
        "raised_at": flag.raised_at,
        "closed_at": flag.closed_at,
        "decisions": [{
            "kind": str(decision.kind), "kind_label": str(decision.kind.label),
            "reason": decision.reason_code, "reason_label": decision.reason_label,
            "reason_text": decision.reason_text,
            "agrees_with_model": decision.agrees_with_model,
            "decided_at": decision.decided_at,
            "contacts": [{
                "channel": contact.channel,
                "channel_label": str(CHANNEL_LABELS.get(contact.channel, contact.channel)),
                "contacted_on": contact.contacted_on, "outcome": str(contact.outcome),
                "outcome_label": str(contact.outcome.label),
                "consent": contact.consent, "note": contact.note,
            } for contact in decision.contacts],
        } for decision in flag.decisions],
        "referrals": [{
            "service": referral.service.name,
            "organisation": referral.service.organisation.name,
            "status": str(referral.status), "status_label": str(referral.status.label),
            "consent_on": referral.consent_on, "note": referral.note,
            "referred_at": referral.referred_at, "answered_at": referral.answered_at,
            "decline_reason": referral.decline_reason, "decline_label": referral.decline_label,
            "decline_note": referral.decline_note,
            "first_appointment_on": referral.first_appointment_on, "took_up": referral.took_up,
            "outcome": referral.outcome, "outcome_label": referral.outcome_label,
            "outcome_note": referral.outcome_note, "closed_at": referral.closed_at,
        } for referral in flag.referrals],
        "call_attempts": [{
            "number": call.number, "outcome": str(call.outcome),
            "outcome_label": str(call.outcome.label), "called_at": call.called_at,
            "call_back_at": call.call_back_at, "next_attempt_at": call.next_attempt_at,
            "note": call.note,
        } for call in calls],
        "outcomes": [{
            "months": outcome.months, "situation": outcome.situation,
            "situation_label": str(SITUATION_LABELS.get(outcome.situation, outcome.situation)),
            "note": outcome.note, "recorded_at": outcome.recorded_at,
        } for outcome in outcomes],
    }


def subject_report_flags(person: RiskPerson, locale: str) -> dict[str, Any]:
    """The "flags" section of a data-subject report: every flag of the person with its
    decisions, contacts, call attempts, referrals and outcomes (labels in the current locale);
    receives ``risk.signals.subject_report``."""
    flags = db.session.scalars(
        select(Flag).where(Flag.person_id == person.id)
        .options(selectinload(Flag.decisions).selectinload(Decision.contacts),
                 selectinload(Flag.referrals).selectinload(Referral.service)
                 .selectinload(SupportService.organisation))
        .order_by(Flag.raised_at, Flag.id)).all()
    outcomes: dict[int, list[Outcome]] = {}
    for outcome in db.session.scalars(
            select(Outcome).join(Flag, Outcome.flag_id == Flag.id)
            .where(Flag.person_id == person.id).order_by(Outcome.months, Outcome.id)):
        outcomes.setdefault(outcome.flag_id, []).append(outcome)
    calls: dict[int, list[CallAttempt]] = {}
    for call in db.session.scalars(
            select(CallAttempt).join(Flag, CallAttempt.flag_id == Flag.id)
            .where(Flag.person_id == person.id).order_by(CallAttempt.number)):
        calls.setdefault(call.flag_id, []).append(call)
    return {"flags": [_flag_entry(flag, outcomes.get(flag.id, []), calls.get(flag.id, []))
                      for flag in flags]}
