"""Outreach read side: the workers' queue, flags and start-page summary, scoped to the municipi
they cover. A model version's overview is in overview.py, outreach's part of a data-subject
report in subject_report.py, the referrals' read side in referrals/queries.py.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Select, and_, bindparam, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from orientamento.auth.models import Role, User, UserMunicipio
from orientamento.core import clock
from orientamento.core.errors import NotFound
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.core.pagination import CappedCount, CappedPage, counts_capped, paginate_capped
from orientamento.extensions import db
from orientamento.outreach.models import (
    FOLLOW_UP_MONTHS,
    Contact,
    Decision,
    DecisionKind,
    Flag,
    FlagStatus,
    Outcome,
    SelfReferral,
    Trigger,
)
from orientamento.outreach.referrals.models import Referral
from orientamento.risk.models import Band, RiskPerson, RiskRecord, RiskScore
from orientamento.support.models import SupportService

PAGE_SIZE = 25
#: Queue pages count matching flags only this far past the page's start: at a million
#: records the exact count would visit every open flag of the municipio.
QUEUE_COUNT_CAP = 1000


def covered_municipi(worker: User) -> list[int]:
    """The municipi the worker covers, in order."""
    return sorted(row.municipio for row in worker.municipi)


@dataclass
class QueueFilter:
    """What a worker narrows the queue to; empty strings and None mean "any".

    ``assigned``: "mine" (the worker's cases), "none" (the team's unassigned flags) or "".
    """

    status: FlagStatus = FlagStatus.OPEN
    trigger: str = ""
    band: str = ""
    municipio: int | None = None
    assigned: str = ""


def team(municipio: int) -> list[User]:
    """The active outreach workers who cover ``municipio``, by name."""
    return list(db.session.scalars(_team(), {"municipio": municipio}))


@cache
def _team() -> Select[User]:
    """``team``'s statement for the bound ``municipio``, built once (the flag page's)."""
    return (select(User).join(UserMunicipio, UserMunicipio.user_id == User.id)
            .where(UserMunicipio.municipio == bindparam("municipio"),
                   User.role == Role.OUTREACH, User.active)
            .order_by(User.display_name, User.id))


def my_cases(worker: User) -> CappedPage:
    """The open and deferred flags assigned to the worker, in the queue's order (QueueRow)."""
    return _queue_page(_my_cases_ids(), {"worker": worker.id,
                                         "municipi": covered_municipi(worker)})


@dataclass(frozen=True)
class QueueRow:
    """A flag as a queue line shows it, read as plain columns rather than loaded objects
    (a page of flags with their people, scores, decisions and assignees took six
    statements and most of the page's time)."""

    id: int
    trigger: Trigger
    status: FlagStatus
    municipio: int
    raised_at: datetime
    self_referral_id: int | None
    self_referral_name: str | None
    pseudonym: str | None
    band: Band | None
    latest_decision: DecisionKind | None
    assignee: str | None


#: The queue's order: highest priority first, then the oldest (index ix_flags_queue_order).
QUEUE_ORDER = (Flag.priority.desc(), Flag.raised_at, Flag.id)


def _queue_page(ids: Select[Any], params: dict[str, Any]) -> CappedPage:
    """One page of the flags ``ids`` selects (with ``params`` bound), as QueueRow, in the
    queue's order.

    The page's ids come first, from the order index alone; the lines are then read by id, so
    no join is made for the rows a later page skips.
    """
    page = paginate_capped(ids, PAGE_SIZE, QUEUE_COUNT_CAP, params)
    if not page.items:
        return page
    rows = db.session.execute(_queue_lines(), {"ids": page.items})
    # Members, not the codes some of these columns hold: the page shows their labels.
    lines = [QueueRow(id_, Trigger(trigger), FlagStatus(status), municipio, raised_at,
                      referral_id, name, pseudonym, Band(band) if band else None,
                      DecisionKind(decision) if decision else None, assignee_name)
             for (id_, trigger, status, municipio, raised_at, referral_id, name, pseudonym,
                  band, decision, assignee_name) in rows]
    return replace(page, items=lines)


# The queue's statements are built once (on first use, when the mappers are configured) with
# bound parameters for what changes from one page to the next: building them took about a
# third of a queue page's time in Python (SQLAlchemy's expression objects), more than the
# database took to answer. ``municipi`` is a list (an expanding parameter).

@cache
def _queue_ids(assigned: str, by_trigger: bool, by_band: bool) -> Select[Any]:
    """The queue's flag ids for one shape of filters, in the queue's order: bound are
    ``municipi`` and ``status``, and ``worker``, ``trigger`` and ``band`` where filtered on."""
    conditions = [Flag.municipio.in_(bindparam("municipi", expanding=True)),
                  Flag.status == bindparam("status"), not_opted_out()]
    if assigned == "mine":
        conditions.append(Flag.assigned_to_id == bindparam("worker"))
    elif assigned == "none":
        conditions.append(Flag.assigned_to_id.is_(None))
    if by_trigger:
        conditions.append(Flag.trigger == bindparam("trigger"))
    if by_band:  # a correlated EXISTS: per flag a primary-key look-up
        conditions.append(select(RiskScore.id)
                          .where(RiskScore.id == Flag.score_id,
                                 RiskScore.band == bindparam("band"))
                          .exists())
    return select(Flag.id).where(*conditions).order_by(*QUEUE_ORDER)


@cache
def _my_cases_ids() -> Select[Any]:
    """The ids of the open and deferred flags assigned to ``worker`` in ``municipi``."""
    return (select(Flag.id)
            .where(Flag.assigned_to_id == bindparam("worker"),
                   Flag.municipio.in_(bindparam("municipi", expanding=True)),
                   Flag.status != FlagStatus.CLOSED)
            .order_by(*QUEUE_ORDER))


@cache
def _queue_lines() -> Select[Any]:
    """A page's lines (QueueRow's columns) for the flag ids ``ids``, in the queue's order."""
    assignee = aliased(User)
    latest_decision = (select(Decision.kind).where(Decision.flag_id == Flag.id)
                       .order_by(Decision.id.desc()).limit(1).scalar_subquery())
    return (select(Flag.id, Flag.trigger, Flag.status, Flag.municipio, Flag.raised_at,
                   Flag.self_referral_id, SelfReferral.name, RiskPerson.pseudonym,
                   RiskScore.band, latest_decision, assignee.display_name)
            .outerjoin(SelfReferral, SelfReferral.id == Flag.self_referral_id)
            .outerjoin(RiskPerson, RiskPerson.id == Flag.person_id)
            .outerjoin(RiskScore, RiskScore.id == Flag.score_id)
            .outerjoin(assignee, assignee.id == Flag.assigned_to_id)
            .where(Flag.id.in_(bindparam("ids", expanding=True))).order_by(*QUEUE_ORDER))


def not_opted_out() -> ColumnElement[bool]:
    """Flags of people who never refused help (and self-referrals, which have no person).

    A NOT IN over the few who opted out, read once through their partial index, rather than a
    correlated NOT EXISTS: that probed ``risk_people`` for each flag a list passed, about
    5 µs a flag on SQLite and most of a queue page's time (counting a capped 1,000 flags
    took 4.9 ms, 0.7 ms with NOT IN; PostgreSQL hashes the short list).
    """
    opted_out = select(RiskPerson.id).where(RiskPerson.opted_out_at.is_not(None))
    return or_(Flag.person_id.is_(None), Flag.person_id.not_in(opted_out))


def queue(worker: User, filters: QueueFilter) -> CappedPage:
    """Flags in the worker's municipi with the given status, highest priority first (QueueRow).

    People who refused help never appear, whatever their flags say.
    """
    municipi = covered_municipi(worker)
    if filters.municipio is not None:
        municipi = [n for n in municipi if n == filters.municipio]
    ids = _queue_ids(filters.assigned if filters.assigned in ("mine", "none") else "",
                     bool(filters.trigger), bool(filters.band))
    params: dict[str, Any] = {"municipi": municipi, "status": filters.status}
    if filters.assigned == "mine":
        params["worker"] = worker.id
    if filters.trigger:
        params["trigger"] = filters.trigger
    if filters.band:
        params["band"] = filters.band
    return _queue_page(ids, params)


def flag_or_404(worker: User, flag_id: int) -> Flag:
    """A flag in one of the worker's municipi, with what its page shows."""
    flag = db.session.scalar(_flag_page(), {"flag_id": flag_id})
    if flag is None or flag.municipio not in covered_municipi(worker):
        raise NotFound(_l("No such flag in your municipi."))
    return flag


@cache
def _flag_page() -> Select[Flag]:
    """The flag ``flag_id`` (bound) with what its page shows, built once (as the queue's):
    what a flag has one of comes in the same statement, its lists in one more each."""
    return (select(Flag).where(Flag.id == bindparam("flag_id"))
            .options(joinedload(Flag.person).joinedload(RiskPerson.contact),
                     joinedload(Flag.self_referral), joinedload(Flag.assigned_to),
                     joinedload(Flag.score).joinedload(RiskScore.version),
                     selectinload(Flag.referrals).joinedload(Referral.service)
                     .joinedload(SupportService.organisation),
                     selectinload(Flag.decisions).selectinload(Decision.contacts),
                     selectinload(Flag.decisions).joinedload(Decision.decided_by)))


def person_scores(person_id: int) -> list[RiskScore]:
    """Every score of a person, newest first, with its version and the records' date."""
    return list(db.session.scalars(_person_scores(), {"person_id": person_id}))


@cache
def _person_scores() -> Select[RiskScore]:
    """``person_scores``' statement for the bound ``person_id``, built once; each score has
    one version and one record (with its snapshot): in the same statement."""
    return (select(RiskScore).where(RiskScore.person_id == bindparam("person_id"))
            .options(joinedload(RiskScore.version),
                     joinedload(RiskScore.record).joinedload(RiskRecord.snapshot))
            .order_by(RiskScore.scored_at.desc(), RiskScore.id.desc()))


def earlier_flags(flag: Flag) -> list[Flag]:
    """The person's other flags, newest first, with their decisions (none for a
    self-referral: nothing ties it to other flags)."""
    if flag.person_id is None:
        return []
    return list(db.session.scalars(_earlier_flags(), {"person_id": flag.person_id,
                                                      "flag_id": flag.id}))


@cache
def _earlier_flags() -> Select[Flag]:
    """``earlier_flags``' statement for the bound ``person_id`` and ``flag_id``, built once."""
    return (select(Flag).where(Flag.person_id == bindparam("person_id"),
                               Flag.id != bindparam("flag_id"))
            .options(selectinload(Flag.decisions))
            .order_by(Flag.raised_at.desc(), Flag.id.desc()))


def flag_outcomes(flag: Flag) -> list[Outcome]:
    """The follow-up outcomes recorded for a flag, by months."""
    return list(db.session.scalars(_flag_outcomes(), {"flag_id": flag.id}))


@cache
def _flag_outcomes() -> Select[Outcome]:
    """``flag_outcomes``' statement for the bound ``flag_id``, built once."""
    return select(Outcome).where(Outcome.flag_id == bindparam("flag_id")).order_by(Outcome.months)


def user_names(ids: set[int | None]) -> dict[int, str]:
    """Display names of the users who recorded contacts and outcomes."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(db.session.execute(
        select(User.id, User.display_name).where(User.id.in_(wanted))).all())


@dataclass
class WorkerSummary:
    """What waits for an outreach worker: the start page's panel."""

    open_by_trigger: dict[Trigger, CappedCount]
    deferred: int
    contacts_due: list[Flag]
    follow_ups_due: list[Flag]


def _months_before(day: date, months: int) -> date:
    """The last day whose date ``months`` later (day clamped to the month) is on or before
    ``day``: so ``follow_up_due(flag, months) <= day`` exactly when raised on or before it."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    last = monthrange(year, month + 1)[1]
    if day.day == monthrange(day.year, day.month)[1]:  # month end: later days clamp to it
        return date(year, month + 1, last)
    return date(year, month + 1, min(day.day, last))


@cache
def _summary_statements(limit: int) -> tuple[list[Select[Any]], Select[Any], Select[Any]]:
    """The start page's counted flags (open ones by trigger, then deferred ones) and its two
    lists of ``limit`` flags, built once (as the queue's, see ``_queue_ids``) for the bound
    ``municipi`` (and ``cutoff``, the follow-ups' last raising day)."""
    municipi: BindParameter[Any] = bindparam("municipi", expanding=True)
    consenting = not_opted_out()
    mine = and_(Flag.municipio.in_(municipi), consenting)
    # One capped count per trigger, not a grouped count: that read every open flag of the
    # municipi (17,600 at the bench's 100,000 records, 19 ms; 62,000 at a million).
    # In one statement; the deferred flags are few, counted to the last.
    counted = [select(Flag.id).where(mine, Flag.trigger == trigger,
                                     Flag.status == FlagStatus.OPEN) for trigger in Trigger]
    counted.append(select(Flag.id).where(mine, Flag.status == FlagStatus.DEFERRED))
    # Driven from the decisions to contact (few) rather than probing each of the municipi's
    # flags for one: an IN list, not a correlated EXISTS (at a million records the EXISTS
    # visited every open flag twice).
    contact_decided = Flag.id.in_(select(Decision.flag_id)
                                  .where(Decision.kind == DecisionKind.CONTACT))
    # The municipi as ``municipio + 0``, which no index serves: with the municipio index
    # usable, SQLite walked the municipi's open flags (62,000 at a million records, 7 ms a
    # list) to find the few decided ones, since it cannot tell with the kind bound that they
    # are few; now it looks up the decided flags by id (0.01 ms). PostgreSQL plans alike.
    decided_mine = and_((Flag.municipio + 0).in_(municipi), consenting, contact_decided)
    logged = (select(Contact.id).join(Decision, Decision.id == Contact.decision_id)
              .where(Decision.flag_id == Flag.id))
    # Who a listed flag is about (``subject_name``), in the list's own statement.
    subject = (joinedload(Flag.person), joinedload(Flag.self_referral))
    contacts_due = (select(Flag).where(decided_mine, ~logged.exists())
                    .options(*subject).order_by(Flag.raised_at, Flag.id).limit(limit))
    recorded = select(Outcome.id).where(Outcome.flag_id == Flag.id,
                                        Outcome.months == FOLLOW_UP_MONTHS[0])
    follow_ups = (select(Flag).where(decided_mine, Flag.raised_at < bindparam("cutoff"),
                                     ~recorded.exists())
                  .options(*subject).order_by(Flag.raised_at, Flag.id).limit(limit))
    return counted, contacts_due, follow_ups


def worker_summary(worker: User, today: date, limit: int = 10) -> WorkerSummary:
    """Open flags by trigger, deferred ones, contacts decided but not logged, and flags the
    team decided to contact whose 3-month follow-up is due and not recorded, in the worker's
    municipi.

    Grouped counts and short lists: a fixed number of queries whatever the queue's size.
    """
    counted, contacts_listed, follow_ups_listed = _summary_statements(limit)
    municipi = {"municipi": covered_municipi(worker)}
    *capped, deferred_count = counts_capped(
        [(open_flags, QUEUE_COUNT_CAP) for open_flags in counted[:-1]] + [(counted[-1], None)],
        municipi)
    counts = dict(zip(Trigger, capped, strict=True))
    deferred = deferred_count.total
    contacts_due = list(db.session.scalars(contacts_listed, municipi))
    cutoff = clock.start_of_day(_months_before(today, FOLLOW_UP_MONTHS[0]) + timedelta(days=1))
    follow_ups = list(db.session.scalars(follow_ups_listed, municipi | {"cutoff": cutoff}))
    return WorkerSummary(open_by_trigger=counts,
                         deferred=deferred, contacts_due=contacts_due,
                         follow_ups_due=follow_ups)
