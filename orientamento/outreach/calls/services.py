"""Recording a call attempt: the outcome, the contact log entry, the next attempt's time.

A call is a contact, so it needs a recorded decision to contact: the first call on a flag
nobody has decided on records the worker's decision ("contact", the situation calls for an
offer of help) in the same transaction; the worker chose to make the call. Services flush,
never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from orientamento.auth.models import User
from orientamento.core import clock
from orientamento.core.errors import Conflict, DomainError, NotFound
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.extensions import db
from orientamento.outreach import services
from orientamento.outreach.calls.models import (
    CALL_BACK_HORIZON_DAYS,
    NOTE_LENGTH,
    CallAttempt,
    CallOutcome,
)
from orientamento.outreach.calls.rules import next_attempt
from orientamento.outreach.models import (
    Contact,
    ContactOutcome,
    Decision,
    DecisionKind,
    Flag,
    FlagStatus,
    Trigger,
)

#: How each call outcome reads in the flag's contact log.
CONTACT_OUTCOMES = {
    CallOutcome.REACHED: ContactOutcome.REACHED,
    CallOutcome.NO_ANSWER: ContactOutcome.NOT_REACHED,
    CallOutcome.CALL_BACK: ContactOutcome.NOT_REACHED,
    CallOutcome.WRONG_NUMBER: ContactOutcome.WRONG_DETAILS,
}


@dataclass(frozen=True)
class AttemptData:
    """A call as the worker reports it."""

    outcome: str
    call_back_at: datetime | None = None
    note: str = ""


def check_attempt(data: AttemptData, now: datetime) -> None:
    """Refuse an unknown outcome, a call-back time where none belongs or one out of range."""
    if data.outcome not in set(CallOutcome):
        raise DomainError(_l("Choose the outcome of the call."))
    if (data.outcome == CallOutcome.CALL_BACK) != (data.call_back_at is not None):
        raise DomainError(_l("Give the day and time to call back only when the person asked "
                             "to be called back, and then always."))
    if data.call_back_at is not None and not (
            now < data.call_back_at <= now + timedelta(days=CALL_BACK_HORIZON_DAYS)):
        raise DomainError(_l("The time to call back must be later than now and within "
                             "%(days)d days.", days=CALL_BACK_HORIZON_DAYS))
    if len(data.note) > NOTE_LENGTH:
        raise DomainError(_l("The note is too long."))


def was_reached(flag: Flag) -> bool:
    """Whether the flag's contact log holds a call or contact that reached the person."""
    return db.session.scalar(
        select(Contact.id).join(Decision, Decision.id == Contact.decision_id)
        .where(Decision.flag_id == flag.id, Contact.outcome == ContactOutcome.REACHED)
        .limit(1)) is not None


def record_attempt(worker: User, flag: Flag, data: AttemptData, now: datetime) -> CallAttempt:
    """Record a call on a contract-ended flag, log it as a contact and set the next call."""
    services.check_covered(worker, flag)
    if flag.trigger != Trigger.CONTRACT_ENDED:
        raise NotFound(_l("No such call in your municipi."))
    check_attempt(data, now)
    services.lock_open_flag(flag)  # serializes the workers calling this person
    if flag.status != FlagStatus.OPEN:
        raise Conflict(_l("This flag is deferred: take it back from the queue before calling."))
    if flag.person is not None and flag.person.opted_out_at is not None:
        raise Conflict(_l("This person refused help: do not call them."))
    if was_reached(flag):
        raise Conflict(_l("This person was already reached: continue from the flag's page."))
    decision = services.latest_decision(flag)
    if decision is None or decision.kind != DecisionKind.CONTACT:
        services.decide(worker, flag, DecisionKind.CONTACT.value, "priority_confirmed", "",
                        agrees=True)
    outcome = CallOutcome(data.outcome)
    earlier = db.session.execute(
        select(func.count(), func.count().filter(CallAttempt.outcome == CallOutcome.NO_ANSWER))
        .where(CallAttempt.flag_id == flag.id)).one()
    unanswered = int(earlier[1]) + (outcome == CallOutcome.NO_ANSWER)
    today = clock.milan_date(now)
    contact = services.log_contact(worker, flag, services.ContactData(
        channel="phone", contacted_on=today, outcome=CONTACT_OUTCOMES[outcome],
        note=data.note), today)
    attempt = CallAttempt(flag_id=flag.id, contact_id=contact.id, number=int(earlier[0]) + 1,
                          outcome=outcome, called_at=now, call_back_at=data.call_back_at,
                          next_attempt_at=next_attempt(outcome, now, unanswered,
                                                       data.call_back_at),
                          note=data.note.strip(), recorded_by_id=worker.id)
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:  # the (flag, number) pair: another worker's call came first
        raise Conflict(_l("Another call on this person was just recorded: reload the "
                          "list.")) from None
    return attempt
