"""Referrals: a worker sends a flagged person, with their consent, to support services; the
service's operators accept or decline, record the first appointment and the take-up, and close
with an outcome. The worker may withdraw a referral the service is still to answer or working
on (and every live referral is withdrawn when the person refuses help).

Each change of status is one conditional UPDATE from the statuses it may start from, so two
operators answering at once cannot both win, and the CHECKs on the table refuse any status
without the fields it needs. Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from orientamento.auth import audit
from orientamento.auth.models import AuditAction, User
from orientamento.core import clock
from orientamento.core.dml import changed_rows
from orientamento.core.errors import Conflict, DomainError, NotFound
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.extensions import db
from orientamento.outreach.models import DecisionKind, Flag, FlagStatus
from orientamento.outreach.referrals.days import add_working_days
from orientamento.outreach.referrals.models import (
    DECLINE_REASONS,
    REFERRAL_OUTCOMES,
    WITHDRAW_REASONS,
    Referral,
    ReferralStatus,
)
from orientamento.outreach.services import (
    check_covered,
    latest_decision,
    lock_open_flag,
    withdraw_live_referrals,
)
from orientamento.support.models import SupportService

NOTE_LENGTH = 1000
#: How far ahead a first appointment may be booked.
APPOINTMENT_HORIZON = timedelta(days=366)


@dataclass(frozen=True)
class ReferralData:
    """A worker's referral: the services, the person's consent and its day, a note."""

    service_ids: Sequence[int]
    consent: bool
    consent_on: date | None
    note: str = ""


def may_refer(flag: Flag) -> bool:
    """Whether the flag takes referrals: open, decided "contact", person not opted out."""
    latest = flag.decisions[-1] if flag.decisions else None
    opted_out = flag.person is not None and flag.person.opted_out_at is not None
    return (flag.status != FlagStatus.CLOSED and not opted_out and latest is not None
            and latest.kind == DecisionKind.CONTACT)


def check_referral(data: ReferralData, today: date) -> None:
    """Refuse a referral without services, without the person's consent or with a bad date."""
    if not data.service_ids:
        raise DomainError(_l("Choose at least one service."))
    if not data.consent or data.consent_on is None:
        raise DomainError(_l("Record that the person agreed to be referred, and when."))
    if data.consent_on > today:
        raise DomainError(_l("The day of the consent cannot be in the future."))
    if len(data.note) > NOTE_LENGTH:
        raise DomainError(_l("The note is too long."))


def refer(worker: User, flag: Flag, data: ReferralData, today: date,
          working_days: int) -> list[Referral]:
    """Refer the flag's person to each chosen service; each must answer within
    ``working_days`` working days of ``today``."""
    check_covered(worker, flag)
    check_referral(data, today)
    lock_open_flag(flag)
    decision = latest_decision(flag)
    if decision is None or decision.kind != DecisionKind.CONTACT:
        raise Conflict(_l("Record a decision to contact this person before referring them."))
    if flag.person is not None and flag.person.opted_out_at is not None:
        raise Conflict(_l("This person refused help: they cannot be referred."))
    consent_on = data.consent_on or today  # never None here: check_referral refused it
    if consent_on < clock.rome_local(decision.decided_at).date():
        raise DomainError(_l("The consent cannot be earlier than the decision to contact."))
    wanted = sorted(set(data.service_ids))
    chosen = list(db.session.scalars(select(SupportService).where(SupportService.id.in_(wanted))
                                     .order_by(SupportService.id)))
    if len(chosen) != len(wanted):
        raise DomainError(_l("Choose services from the list."))
    due = add_working_days(today, working_days)
    made = []
    for service in chosen:
        referral = Referral(flag_id=flag.id, service_id=service.id, consent_on=consent_on,
                            note=data.note.strip(), referred_by_id=worker.id,
                            answer_due_on=due, status=ReferralStatus.SENT)
        try:
            with db.session.begin_nested():
                db.session.add(referral)
        except IntegrityError:  # the partial unique index: a live referral exists already
            raise Conflict(_l("The person is already referred to %(service)s.",
                              service=service.name)) from None
        made.append(referral)
        audit.record(AuditAction.REFERRAL_MADE, actor=worker, flag_id=flag.id,
                     person_id=flag.person_id, referral_id=referral.id, service_id=service.id)
    db.session.flush()
    return made


def withdraw(worker: User, referral: Referral, reason: str, now: datetime) -> None:
    """Withdraw a referral the service is still to answer or working on: from then on the
    service sees that it was withdrawn, and no longer the person's contact details."""
    check_covered(worker, referral.flag)
    if reason not in WITHDRAW_REASONS:
        raise DomainError(_l("Choose one of the reasons in the list."))
    if withdraw_live_referrals(Referral.id == referral.id, reason, now) == 0:
        raise Conflict(_l("Only a referral waiting for an answer or in progress can be "
                          "withdrawn."))
    db.session.refresh(referral)
    audit.record(AuditAction.REFERRAL_UPDATED, actor=worker, referral_id=referral.id,
                 flag_id=referral.flag_id, status=str(referral.status))
    db.session.flush()


# --- the service's side ----------------------------------------------------------------------


def check_operator(operator: User, referral: Referral) -> None:
    """Refuse a referral to another organisation's service as if it did not exist."""
    organisation = operator.support_organisation_id
    if organisation is None or referral.service.organisation_id != organisation:
        raise NotFound(_l("No such referral for your organisation."))


def record_view(operator: User, referral: Referral) -> None:
    """Write who opened which referral (and so saw the person's contact details)."""
    check_operator(operator, referral)
    audit.record(AuditAction.REFERRAL_VIEWED, actor=operator, referral_id=referral.id,
                 flag_id=referral.flag_id)
    db.session.flush()


def _move(operator: User, referral: Referral, start: tuple[ReferralStatus, ...],
          refusal: Any, **values: Any) -> None:
    """Change the referral from one of the ``start`` statuses, or refuse with ``refusal``."""
    check_operator(operator, referral)
    moved = changed_rows(
        update(Referral).where(Referral.id == referral.id, Referral.status.in_(start))
        .values(**values).execution_options(synchronize_session=False))
    if moved == 0:
        raise Conflict(refusal)
    db.session.refresh(referral)
    audit.record(AuditAction.REFERRAL_UPDATED, actor=operator, referral_id=referral.id,
                 flag_id=referral.flag_id, status=str(referral.status))
    db.session.flush()


def accept(operator: User, referral: Referral, now: datetime) -> None:
    """Accept a referral that waits for an answer."""
    _move(operator, referral, (ReferralStatus.SENT,),
          _l("This referral was already answered."),
          status=ReferralStatus.ACCEPTED, answered_at=now, answered_by_id=operator.id)


def _explained(code: str, note: str, codes: dict[str, Any]) -> str:
    if code not in codes:
        raise DomainError(_l("Choose one of the reasons in the list."))
    if code == "other" and not note.strip():
        raise DomainError(_l("Explain in a few words: you chose \"Other\"."))
    if len(note) > NOTE_LENGTH:
        raise DomainError(_l("The note is too long."))
    return note.strip()


def decline(operator: User, referral: Referral, reason: str, note: str,
            now: datetime) -> None:
    """Decline a referral that waits for an answer, with a reason the worker reads."""
    note = _explained(reason, note, DECLINE_REASONS)
    _move(operator, referral, (ReferralStatus.SENT,),
          _l("This referral was already answered."),
          status=ReferralStatus.DECLINED, answered_at=now, answered_by_id=operator.id,
          decline_reason=reason, decline_note=note)


def record_take_up(operator: User, referral: Referral, first_appointment_on: date | None,
                   took_up: bool | None, today: date) -> None:
    """Record the first appointment and whether the person came, on an accepted referral."""
    referred = clock.rome_local(referral.referred_at).date()
    if first_appointment_on is not None and not (
            referred <= first_appointment_on <= today + APPOINTMENT_HORIZON):
        raise DomainError(_l("The first appointment must be after the referral and within a "
                             "year."))
    if took_up is not None and (first_appointment_on is None or first_appointment_on > today):
        raise DomainError(_l("Record whether the person came once the appointment has "
                             "taken place."))
    _move(operator, referral, (ReferralStatus.ACCEPTED,),
          _l("Only an accepted, open referral takes an appointment."),
          first_appointment_on=first_appointment_on, took_up=took_up)


def close(operator: User, referral: Referral, outcome: str, note: str, now: datetime) -> None:
    """Close an accepted referral with its outcome."""
    note = _explained(outcome, note, REFERRAL_OUTCOMES)
    _move(operator, referral, (ReferralStatus.ACCEPTED,),
          _l("Only an accepted, open referral can be closed."),
          status=ReferralStatus.CLOSED, outcome=outcome, outcome_note=note, closed_at=now)
