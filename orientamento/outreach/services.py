"""Outreach use cases: open a flag, decide on it, log contacts and follow-up outcomes.

Every function takes the acting worker and checks the flag is in a municipio they cover.
State changes on a flag start with a conditional UPDATE of its row, which both refuses a
closed flag and serializes concurrent workers on it (row lock on PostgreSQL, BEGIN IMMEDIATE
on SQLite).
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date
from sqlalchemy import ColumnElement, select, update
from sqlalchemy.exc import IntegrityError

from orientamento.auth import audit
from orientamento.auth.models import AuditAction, Role, User
from orientamento.core import clock
from orientamento.core.dml import changed_rows
from orientamento.core.errors import Conflict, DomainError, NotFound
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.extensions import db
from orientamento.outreach.models import (
    CHANNEL_LABELS,
    FOLLOW_UP_MONTHS,
    REASON_CODES,
    SITUATION_LABELS,
    Contact,
    ContactOutcome,
    Decision,
    DecisionKind,
    Flag,
    FlagStatus,
    Outcome,
)
from orientamento.outreach.queries import covered_municipi
from orientamento.outreach.referrals.models import LIVE, Referral, ReferralStatus
from orientamento.risk.models import RiskPerson

#: Reason codes that need a written explanation.
EXPLAINED_REASONS = frozenset({"other", "disagree_model"})
CONSENT_VALUES = ("given", "refused")

_STATUS_AFTER = {
    DecisionKind.CONTACT: FlagStatus.OPEN,
    DecisionKind.NO_CONTACT: FlagStatus.CLOSED,
    DecisionKind.DEFER: FlagStatus.DEFERRED,
}


def check_covered(worker: User, flag: Flag) -> None:
    if flag.municipio not in covered_municipi(worker):
        raise NotFound(_l("No such flag in your municipi."))


def lock_open_flag(flag: Flag) -> None:
    """Lock the flag's row, refusing a closed flag; reload its status as it now stands."""
    locked = changed_rows(
        update(Flag).where(Flag.id == flag.id, Flag.status != FlagStatus.CLOSED)
        .values(status=Flag.status).execution_options(synchronize_session=False))
    if locked == 0:
        raise Conflict(_l("This flag is closed: it takes no new decision or contact."))
    db.session.refresh(flag, ["status", "closed_at"])


def record_view(worker: User, flag: Flag) -> None:
    """Write who opened which person's flag to the audit log."""
    check_covered(worker, flag)
    audit.record(AuditAction.RISK_FLAG_VIEWED, actor=worker, flag_id=flag.id,
                 person_id=flag.person_id)
    db.session.flush()


def check_decision(kind: str, reason_code: str, text: str, agrees: bool) -> None:
    """Refuse a decision that is incomplete or contradicts itself."""
    if kind not in set(DecisionKind):
        raise DomainError(_l("Choose whether to contact, not to contact or to defer."))
    if reason_code not in REASON_CODES:
        raise DomainError(_l("Choose one of the reasons in the list."))
    if reason_code == "disagree_model" and agrees:
        raise DomainError(_l("You chose to disagree with the model's assessment: answer "
                             "\"No\" to the question on the priority."))
    if not text.strip() and (reason_code in EXPLAINED_REASONS or not agrees):
        raise DomainError(_l("Explain your decision: an explanation is required when the "
                             "reason is \"Other\" or when you disagree with the priority."))


def decide(worker: User, flag: Flag, kind: str, reason_code: str, text: str,
           agrees: bool) -> Decision:
    """Record a worker's decision; "no_contact" closes the flag, "defer" sets it aside."""
    check_covered(worker, flag)
    check_decision(kind, reason_code, text, agrees)
    lock_open_flag(flag)
    now = clock.now()
    decision_kind = DecisionKind(kind)
    decision = Decision(flag=flag, kind=decision_kind, reason_code=reason_code,
                        reason_text=text.strip(), agrees_with_model=agrees,
                        decided_by_id=worker.id, decided_at=now)
    db.session.add(decision)
    flag.status = _STATUS_AFTER[decision_kind]
    flag.closed_at = now if flag.status == FlagStatus.CLOSED else None
    db.session.flush()
    audit.record(AuditAction.RISK_DECISION, actor=worker, flag_id=flag.id,
                 person_id=flag.person_id, decision_id=decision.id, kind=decision_kind,
                 reason_code=reason_code, agrees_with_model=agrees)
    db.session.flush()
    return decision


@dataclass(frozen=True)
class ContactData:
    """One attempt to reach a person, as the worker reports it."""

    channel: str
    contacted_on: date
    outcome: str
    consent: str | None = None
    note: str = ""


def check_contact(data: ContactData, today: date) -> None:
    """Refuse a contact report with unknown values, a future date or misplaced consent."""
    if data.channel not in CHANNEL_LABELS:
        raise DomainError(_l("Choose how you tried to reach the person."))
    if data.outcome not in {o.value for o in ContactOutcome}:
        raise DomainError(_l("Choose whether the person was reached."))
    if data.contacted_on > today:
        raise DomainError(_l("The date of the contact cannot be in the future."))
    if data.consent is not None and data.consent not in CONSENT_VALUES:
        raise DomainError(_l("Choose whether the person accepted or refused help."))
    if data.consent is not None and data.outcome != ContactOutcome.REACHED:
        raise DomainError(_l("Record consent only when the person was reached."))


def latest_decision(flag: Flag) -> Decision | None:
    """The flag's most recent decision, if any, as the database has it now."""
    return db.session.scalar(select(Decision).where(Decision.flag_id == flag.id)
                             .order_by(Decision.id.desc()).limit(1))


def log_contact(worker: User, flag: Flag, data: ContactData, today: date) -> Contact:
    """Log a contact allowed by the flag's latest decision; a refusal opts the person out."""
    check_covered(worker, flag)
    check_contact(data, today)
    lock_open_flag(flag)
    decision = latest_decision(flag)
    if decision is None or decision.kind != DecisionKind.CONTACT:
        raise Conflict(_l("Record a decision to contact this person before logging a "
                          "contact."))
    if data.contacted_on < clock.rome_local(decision.decided_at).date():
        raise DomainError(_l("The contact cannot be earlier than the decision to contact."))
    contact = Contact(decision=decision, decision_kind=DecisionKind.CONTACT,
                      channel=data.channel, contacted_on=data.contacted_on,
                      outcome=ContactOutcome(data.outcome), consent=data.consent,
                      note=data.note.strip(),
                      recorded_by_id=worker.id)
    db.session.add(contact)
    if data.consent == "refused":
        if flag.person is not None:
            opt_out(flag.person, clock.now())
        else:  # a self-referral: the person changed their mind; this request closes
            flag.status, flag.closed_at = FlagStatus.CLOSED, clock.now()
            withdraw_live_referrals(Referral.flag_id == flag.id, "help_refused", flag.closed_at)
    db.session.flush()
    audit.record(AuditAction.RISK_CONTACT, actor=worker, flag_id=flag.id,
                 person_id=flag.person_id, contact_id=contact.id, outcome=data.outcome,
                 consent=data.consent)
    db.session.flush()
    return contact


def withdraw_live_referrals(which: ColumnElement[bool], reason: str, now: datetime) -> int:
    """Withdraw the referrals ``which`` selects that a service is still to answer or working
    on, in one conditional UPDATE (so a service answering at the same moment cannot win too);
    return how many. One referral (``Referral.id == ...``, the worker's withdrawal) or every
    live referral of some flags (a refusal of help)."""
    return changed_rows(
        update(Referral)
        .where(which, Referral.status.in_(LIVE))
        .values(status=ReferralStatus.WITHDRAWN, withdrawn_at=now, withdraw_reason=reason)
        .execution_options(synchronize_session="fetch"))


def opt_out(person: RiskPerson, now: datetime) -> int:
    """Mark a person as having refused help, close their pending flags and withdraw their
    live referrals (the services stop seeing their contact details); return how many flags
    closed."""
    person.opted_out_at = now
    withdraw_live_referrals(
        Referral.flag_id.in_(select(Flag.id).where(Flag.person_id == person.id)),
        "help_refused", now)
    closed = changed_rows(
        update(Flag).where(Flag.person_id == person.id, Flag.status != FlagStatus.CLOSED)
        .values(status=FlagStatus.CLOSED, closed_at=now)
        .execution_options(synchronize_session="fetch"))
    db.session.flush()
    return closed


def follow_up_due(flag: Flag, months: int) -> date:
    """The day the flag's follow-up after ``months`` falls due (day clamped to the month)."""
    raised = clock.rome_local(flag.raised_at).date()
    total = raised.month - 1 + months
    year, month = raised.year + total // 12, total % 12 + 1
    return date(year, month, min(raised.day, monthrange(year, month)[1]))


def record_outcome(worker: User, flag: Flag, months: int, situation: str, note: str,
                   today: date) -> Outcome:
    """Record where the person stands ``months`` after the flag; once per follow-up."""
    check_covered(worker, flag)
    if months not in FOLLOW_UP_MONTHS:
        raise DomainError(_l("Choose a follow-up at 3, 6 or 12 months."))
    if situation not in SITUATION_LABELS:
        raise DomainError(_l("Choose the person's situation."))
    due = follow_up_due(flag, months)
    if today < due:
        raise DomainError(_l("The %(months)s-month follow-up is due on %(day)s.",
                             months=months, day=format_date(due, "medium")))
    outcome = Outcome(flag_id=flag.id, months=months, situation=situation, note=note.strip(),
                      recorded_by_id=worker.id)
    try:
        with db.session.begin_nested():
            db.session.add(outcome)
    except IntegrityError as error:  # the unique (flag, months) pair: recorded already
        raise Conflict(_l("The %(months)s-month outcome is already recorded.",
                          months=months)) from error
    audit.record(AuditAction.RISK_OUTCOME, actor=worker, flag_id=flag.id,
                 person_id=flag.person_id, months=months, situation=situation)
    return outcome


def assign(worker: User, flag: Flag, assignee_id: int | None) -> User | None:
    """Give the flag to a worker of its municipio's team (None: back to the team)."""
    check_covered(worker, flag)
    assignee = None
    if assignee_id is not None:
        assignee = db.session.get(User, assignee_id)
        if (assignee is None or not assignee.active or assignee.role != Role.OUTREACH
                or flag.municipio not in covered_municipi(assignee)):
            raise DomainError(_l("Choose a worker of the municipio's team."))
    lock_open_flag(flag)
    flag.assigned_to_id = assignee.id if assignee else None
    db.session.flush()
    audit.record(AuditAction.FLAG_ASSIGNED, actor=worker, flag_id=flag.id,
                 person_id=flag.person_id, assigned_to_id=flag.assigned_to_id)
    db.session.flush()
    return assignee
