"""A worker's call list for the day, in the order of the 30-day rule.

The contract-ended rule raises a flag 30 days or more after a job contract ended; the call
campaign then has a 30-day window to reach the person, which closes ``WINDOW_CLOSES_AFTER``
days after the end. The list holds the open contract-ended flags of the worker's municipi
that are the team's (unassigned) or the worker's own, of people with a phone number who did not
refuse help and were not reached yet, whose next call is due today (never called, no answer
before today, or a call back due by the end of today); people whose contract ended longest ago
come first, being closest to (or past) the end of their window.

The records give whole months, so the end of a contract is read as the snapshot's date minus
30 days a month, as the rule does (outreach/flags.py); the flag stores that day when it is
raised (``Flag.contract_ended_on``, indexed with the trigger and the municipio).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, func, literal, select
from sqlalchemy.orm import selectinload

from orientamento.auth.models import User
from orientamento.core import clock
from orientamento.core.pagination import CappedPage, paginate_capped
from orientamento.extensions import db
from orientamento.outreach.calls.models import CallAttempt
from orientamento.outreach.models import (
    DAYS_A_MONTH,
    Contact,
    ContactOutcome,
    Decision,
    Flag,
    FlagStatus,
    Trigger,
)
from orientamento.outreach.queries import QUEUE_COUNT_CAP, covered_municipi, not_opted_out
from orientamento.risk.models import ContactDetails, RiskPerson

PAGE_SIZE = 25
#: The call window closes this many days after the contract ended: the rule fires at 30,
#: the campaign has the next 30 to reach the person.
WINDOW_CLOSES_AFTER = 60


def contract_ended_on(flag: Flag) -> date:
    """The day the flag's contract is read to have ended."""
    if flag.contract_ended_on is not None:
        return flag.contract_ended_on
    return flag.as_of - timedelta(days=DAYS_A_MONTH * (flag.months_since_contract or 0))


def day_number(column: Any) -> ColumnElement[Any]:
    """A date as a number of days, for arithmetic SQLite and PostgreSQL both do."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.julianday(column)
    return column - literal(date(1970, 1, 1), Date)


def ended_day() -> ColumnElement[Any]:
    """The day number of a flag's contract end, in SQL."""
    return day_number(Flag.contract_ended_on)


def reached_exists() -> ColumnElement[bool]:
    """Whether a flag's contact log holds a contact that reached the person."""
    return (select(Contact.id).join(Decision, Decision.id == Contact.decision_id)
            .where(Decision.flag_id == Flag.id, Contact.outcome == ContactOutcome.REACHED)
            .exists())


@dataclass(frozen=True)
class CallEntry:
    """One person to call today."""

    flag: Flag
    name: str | None
    language: str | None
    phone: str
    ended_on: date
    days_since_end: int
    attempts: int
    call_back_at: datetime | None

    @property
    def days_left(self) -> int:
        """Days until the window closes (negative: closed that many days ago)."""
        return WINDOW_CLOSES_AFTER - self.days_since_end


def call_list_query(worker: User, today: date) -> Any:
    """The flags on the worker's call list for ``today``, in call order (a select)."""
    latest_next = (select(CallAttempt.next_attempt_at).where(CallAttempt.flag_id == Flag.id)
                   .order_by(CallAttempt.number.desc()).limit(1).scalar_subquery())
    called = select(CallAttempt.id).where(CallAttempt.flag_id == Flag.id).exists()
    with_phone = (select(ContactDetails.person_id)
                  .where(ContactDetails.person_id == Flag.person_id,
                         ContactDetails.phone.is_not(None)).exists())
    return (select(Flag)
            .where(Flag.municipio.in_(covered_municipi(worker)),
                   Flag.trigger == Trigger.CONTRACT_ENDED.value, Flag.status == FlagStatus.OPEN,
                   (Flag.assigned_to_id.is_(None)) | (Flag.assigned_to_id == worker.id),
                   not_opted_out(), with_phone, ~reached_exists(),
                   ~called | (latest_next < clock.start_of_day(today + timedelta(days=1))))
            .options(selectinload(Flag.person).selectinload(RiskPerson.contact))
            .order_by(Flag.contract_ended_on, Flag.raised_at, Flag.id))


def call_list(worker: User, today: date) -> tuple[CappedPage, list[CallEntry]]:
    """One page of the worker's call list for ``today``, and its entries (a fixed number of
    queries whatever the page's length; the count stops at the queue's cap)."""
    page = paginate_capped(call_list_query(worker, today), PAGE_SIZE, QUEUE_COUNT_CAP)
    flags: list[Flag] = list(page.items)
    summary: dict[int, tuple[int, datetime | None]] = {}
    if flags:  # a handful of attempts per person: read them, keep the count and the last
        for flag_id, number, call_back_at in db.session.execute(
                select(CallAttempt.flag_id, CallAttempt.number, CallAttempt.call_back_at)
                .where(CallAttempt.flag_id.in_([f.id for f in flags]))
                .order_by(CallAttempt.flag_id, CallAttempt.number)):
            summary[flag_id] = (int(number), call_back_at)
    entries = []
    for flag in flags:
        contact = flag.person.contact if flag.person else None
        ended = contract_ended_on(flag)
        count, call_back = summary.get(flag.id, (0, None))
        entries.append(CallEntry(
            flag=flag, name=contact.name if contact else None,
            language=contact.language if contact else None,
            phone=(contact.phone or "") if contact else "", ended_on=ended,
            days_since_end=(today - ended).days, attempts=count, call_back_at=call_back))
    return page, entries


def call_attempts(flag: Flag) -> list[CallAttempt]:
    """The calls made for a flag, first call first."""
    return list(db.session.scalars(select(CallAttempt).where(CallAttempt.flag_id == flag.id)
                                   .order_by(CallAttempt.number)))
