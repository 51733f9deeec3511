"""Outreach read side: the workers' queue and flags, scoped to the municipi they cover; a
model version's outreach overview (admins); outreach's part of a data-subject report.

The overview aggregates in SQL (a fixed number of queries whatever the number of flags), and
hides every protected group with fewer than ``MIN_GROUP`` people, as the fairness audit does.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, distinct, func, select
from sqlalchemy.orm import InstrumentedAttribute, selectinload

from orientamento.auth.models import Role, User, UserMunicipio
from orientamento.core import clock
from orientamento.core.errors import NotFound
from orientamento.core.pagination import CappedPage, paginate_capped
from orientamento.extensions import db
from orientamento.outreach.calls.models import CallAttempt
from orientamento.outreach.models import (
    CHANNEL_LABELS,
    CONTACT_OUTCOME_LABELS,
    FOLLOW_UP_MONTHS,
    SITUATION_LABELS,
    Contact,
    Decision,
    DecisionKind,
    Flag,
    FlagStatus,
    Outcome,
    Referral,
)
from orientamento.risk.models import (
    Band,
    ModelVersion,
    ProtectedAttributes,
    RiskPerson,
    RiskRecord,
    RiskScore,
)
from orientamento.risk.queries import MIN_GROUP
from orientamento.support.models import SupportService

PAGE_SIZE = 25
#: Queue pages count matching flags only this far past the page's start: at a million
#: records the exact count would visit every open flag of the municipio.
QUEUE_COUNT_CAP = 1000

#: Situations in the order the overview's tables show them.
SITUATIONS = tuple(SITUATION_LABELS)

#: Protected attributes the overview reports outcomes by.
OUTCOME_GROUPINGS = ("gender", "citizenship_group")


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
    return list(db.session.scalars(
        select(User).join(UserMunicipio, UserMunicipio.user_id == User.id)
        .where(UserMunicipio.municipio == municipio, User.role == Role.OUTREACH, User.active)
        .order_by(User.display_name, User.id)))


def my_cases(worker: User) -> CappedPage:
    """The open and deferred flags assigned to the worker, in the queue's order."""
    query = (select(Flag)
             .where(Flag.assigned_to_id == worker.id,
                    Flag.municipio.in_(covered_municipi(worker)),
                    Flag.status != FlagStatus.CLOSED)
             .options(selectinload(Flag.person), selectinload(Flag.score),
                      selectinload(Flag.decisions), selectinload(Flag.self_referral),
                      selectinload(Flag.assigned_to))
             .order_by(Flag.priority.desc(), Flag.raised_at, Flag.id))
    return paginate_capped(query, PAGE_SIZE, QUEUE_COUNT_CAP)


def queue(worker: User, filters: QueueFilter) -> CappedPage:
    """Flags in the worker's municipi with the given status, highest priority first.

    People who refused help never appear, whatever their flags say.
    """
    municipi = covered_municipi(worker)
    if filters.municipio is not None:
        municipi = [n for n in municipi if n == filters.municipio]
    # Both conditions on other tables are correlated EXISTS: per flag a primary-key look-up
    # (or an anti-join with the few opted-out people), never a scan of everyone scored.
    opted_out = (select(RiskPerson.id)
                 .where(RiskPerson.id == Flag.person_id, RiskPerson.opted_out_at.is_not(None))
                 .exists())
    query = (select(Flag)
             .where(Flag.municipio.in_(municipi), Flag.status == filters.status, ~opted_out)
             .options(selectinload(Flag.person), selectinload(Flag.score),
                      selectinload(Flag.decisions), selectinload(Flag.self_referral),
                      selectinload(Flag.assigned_to))
             .order_by(Flag.priority.desc(), Flag.raised_at, Flag.id))
    if filters.assigned == "mine":
        query = query.where(Flag.assigned_to_id == worker.id)
    elif filters.assigned == "none":
        query = query.where(Flag.assigned_to_id.is_(None))
    if filters.trigger:
        query = query.where(Flag.trigger == filters.trigger)
    if filters.band:
        query = query.where(select(RiskScore.id)
                            .where(RiskScore.id == Flag.score_id,
                                   RiskScore.band == filters.band).exists())
    return paginate_capped(query, PAGE_SIZE, QUEUE_COUNT_CAP)


def flag_or_404(worker: User, flag_id: int) -> Flag:
    """A flag in one of the worker's municipi, with what its page shows."""
    flag = db.session.scalar(
        select(Flag).where(Flag.id == flag_id)
        .options(selectinload(Flag.person).selectinload(RiskPerson.contact),
                 selectinload(Flag.self_referral), selectinload(Flag.assigned_to),
                 selectinload(Flag.referrals).selectinload(Referral.service)
                 .selectinload(SupportService.organisation),
                 selectinload(Flag.score).selectinload(RiskScore.version),
                 selectinload(Flag.decisions).selectinload(Decision.contacts),
                 selectinload(Flag.decisions).selectinload(Decision.decided_by)))
    if flag is None or flag.municipio not in covered_municipi(worker):
        raise NotFound(_l("No such flag in your municipi."))
    return flag


def person_scores(person_id: int) -> list[RiskScore]:
    """Every score of a person, newest first, with its version and the records' date."""
    return list(db.session.scalars(
        select(RiskScore).where(RiskScore.person_id == person_id)
        .options(selectinload(RiskScore.version),
                 selectinload(RiskScore.record).selectinload(RiskRecord.snapshot))
        .order_by(RiskScore.scored_at.desc(), RiskScore.id.desc())))


def earlier_flags(flag: Flag) -> list[Flag]:
    """The person's other flags, newest first, with their decisions (none for a
    self-referral: nothing ties it to other flags)."""
    if flag.person_id is None:
        return []
    return list(db.session.scalars(
        select(Flag).where(Flag.person_id == flag.person_id, Flag.id != flag.id)
        .options(selectinload(Flag.decisions))
        .order_by(Flag.raised_at.desc(), Flag.id.desc())))


def flag_outcomes(flag: Flag) -> list[Outcome]:
    """The follow-up outcomes recorded for a flag, by months."""
    return list(db.session.scalars(
        select(Outcome).where(Outcome.flag_id == flag.id).order_by(Outcome.months)))


def user_names(ids: set[int | None]) -> dict[int, str]:
    """Display names of the users who recorded contacts and outcomes."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(db.session.execute(
        select(User.id, User.display_name).where(User.id.in_(wanted))).all())


# --- per-version overview ---------------------------------------------------------------


@dataclass(frozen=True)
class TeamRow:
    """Decisions of one municipio's team on a version's flags."""

    municipio: int
    decisions: int
    overrides: int

    @property
    def override_rate(self) -> float:
        """Share of decisions that disagreed with the model."""
        return self.overrides / self.decisions if self.decisions else 0.0


@dataclass(frozen=True)
class OutcomeRow:
    """Outcomes of one group (a band or a protected group) at one follow-up point."""

    group: str | None
    months: int
    people: int
    counts: dict[str, int]
    suppressed: bool

    @property
    def total(self) -> int:
        """Outcomes recorded."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class Overview:
    """What happened to the flags a version raised."""

    flags: dict[str, int]
    decisions: dict[str, int]
    teams: list[TeamRow]
    by_band: list[OutcomeRow]
    by_group: dict[str, list[OutcomeRow]]

    @property
    def flag_count(self) -> int:
        """Flags raised, all triggers."""
        return sum(self.flags.values())

    @property
    def decision_count(self) -> int:
        """Decisions recorded, all kinds."""
        return sum(self.decisions.values())

    @property
    def override_rate(self) -> float | None:
        """Share of all decisions that disagreed with the model (None without decisions)."""
        total = sum(team.decisions for team in self.teams)
        return sum(team.overrides for team in self.teams) / total if total else None


def _counts(query: Select[str, int]) -> dict[str, int]:
    return {str(key): int(count) for key, count in db.session.execute(query)}


def _outcomes(version: ModelVersion, column: InstrumentedAttribute[Any], suppress: bool,
              order: Sequence[str] = ()) -> list[OutcomeRow]:
    """Outcome counts by ``column`` and follow-up point, in one grouped query."""
    per_situation = [func.sum(case((Outcome.situation == s, 1), else_=0)) for s in SITUATIONS]
    query = (select(column, Outcome.months, func.count(distinct(Flag.person_id)), *per_situation)
             .select_from(Outcome).join(Flag, Outcome.flag_id == Flag.id)
             .outerjoin(RiskScore, Flag.score_id == RiskScore.id)
             .outerjoin(ProtectedAttributes, ProtectedAttributes.person_id == Flag.person_id)
             .where(Flag.version_id == version.id)
             .group_by(column, Outcome.months))
    rows = []
    for group, months, people, *counts in db.session.execute(query):
        hidden = suppress and people < MIN_GROUP
        rows.append(OutcomeRow(group, int(months), int(people),
                               {} if hidden else dict(zip(SITUATIONS, map(int, counts),
                                                          strict=True)), hidden))
    # The given order first, then other groups alphabetically, "not recorded" last.
    return sorted(rows, key=lambda row: (
        order.index(row.group) if row.group in order else len(order),
        row.group is None, row.group or "", row.months))


def version_overview(version: ModelVersion) -> Overview:
    """Flags by trigger, decisions by kind, overrides per team, outcomes by band and group."""
    flags = _counts(select(Flag.trigger, func.count()).where(Flag.version_id == version.id)
                    .group_by(Flag.trigger))
    decisions = _counts(select(Decision.kind, func.count()).join(Decision.flag)
                        .where(Flag.version_id == version.id).group_by(Decision.kind))
    overridden = func.sum(case((Decision.agrees_with_model.is_(False), 1), else_=0))
    teams = [TeamRow(int(municipio), int(total), int(overrides or 0))
             for municipio, total, overrides in db.session.execute(
                 select(Flag.municipio, func.count(Decision.id), overridden)
                 .join(Decision.flag).where(Flag.version_id == version.id)
                 .group_by(Flag.municipio).order_by(Flag.municipio))]
    bands = [Band.HIGH.value, Band.MEDIUM.value, Band.LOW.value]
    return Overview(
        flags=flags, decisions=decisions, teams=teams,
        by_band=_outcomes(version, RiskScore.band, suppress=False, order=bands),
        by_group={name: _outcomes(version, getattr(ProtectedAttributes, name), suppress=True)
                  for name in OUTCOME_GROUPINGS})


# --- outreach's part of a data-subject report --------------------------------------------


def _flag_entry(flag: Flag, outcomes: list[Outcome], calls: list[CallAttempt]
                ) -> dict[str, Any]:
    return {
        "id": flag.id, "trigger": flag.trigger, "trigger_label": flag.trigger_label,
        "status": str(flag.status), "status_label": flag.status_label, "municipio": flag.municipio,
        "model_version_id": flag.version_id, "records_of": flag.as_of,
        "raised_at": flag.raised_at,
        "closed_at": flag.closed_at,
        "decisions": [{
            "kind": str(decision.kind), "kind_label": decision.kind_label,
            "reason": decision.reason_code, "reason_label": decision.reason_label,
            "reason_text": decision.reason_text,
            "agrees_with_model": decision.agrees_with_model,
            "decided_at": decision.decided_at,
            "contacts": [{
                "channel": contact.channel,
                "channel_label": str(CHANNEL_LABELS.get(contact.channel, contact.channel)),
                "contacted_on": contact.contacted_on, "outcome": str(contact.outcome),
                "outcome_label": str(CONTACT_OUTCOME_LABELS[contact.outcome]),
                "consent": contact.consent, "note": contact.note,
            } for contact in decision.contacts],
        } for decision in flag.decisions],
        "referrals": [{
            "service": referral.service.name,
            "organisation": referral.service.organisation.name,
            "status": str(referral.status), "status_label": referral.status_label,
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
            "outcome_label": call.outcome_label, "called_at": call.called_at,
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


@dataclass
class WorkerSummary:
    """What waits for an outreach worker: the start page's panel."""

    open_by_trigger: dict[str, int]
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


def worker_summary(worker: User, today: date, limit: int = 10) -> WorkerSummary:
    """Open flags by trigger, deferred ones, contacts decided but not logged, and flags the
    team decided to contact whose 3-month follow-up is due and not recorded, in the worker's
    municipi.

    Grouped counts and short lists: a fixed number of queries whatever the queue's size.
    """
    opted_out = (select(RiskPerson.id)
                 .where(RiskPerson.id == Flag.person_id, RiskPerson.opted_out_at.is_not(None))
                 .exists())
    mine = and_(Flag.municipio.in_(covered_municipi(worker)), ~opted_out)
    counts = {key: count for key, count in db.session.execute(
        select(Flag.trigger, func.count()).where(mine, Flag.status == FlagStatus.OPEN)
        .group_by(Flag.trigger))}
    deferred = db.session.scalar(select(func.count()).select_from(Flag).where(
        mine, Flag.status == FlagStatus.DEFERRED)) or 0
    contact_decided = (select(Decision.id).where(Decision.flag_id == Flag.id,
                                                 Decision.kind == DecisionKind.CONTACT))
    logged = (select(Contact.id).join(Decision, Decision.id == Contact.decision_id)
              .where(Decision.flag_id == Flag.id))
    contacts_due = list(db.session.scalars(
        select(Flag).where(mine, contact_decided.exists(), ~logged.exists())
        .options(selectinload(Flag.person)).order_by(Flag.raised_at, Flag.id).limit(limit)))
    cutoff = clock.start_of_day(_months_before(today, FOLLOW_UP_MONTHS[0]) + timedelta(days=1))
    recorded = select(Outcome.id).where(Outcome.flag_id == Flag.id,
                                        Outcome.months == FOLLOW_UP_MONTHS[0])
    follow_ups = list(db.session.scalars(
        select(Flag).where(mine, Flag.raised_at < cutoff, contact_decided.exists(),
                           ~recorded.exists())
        .options(selectinload(Flag.person)).order_by(Flag.raised_at, Flag.id).limit(limit)))
    return WorkerSummary(open_by_trigger={str(k): v for k, v in counts.items()},
                         deferred=deferred, contacts_due=contacts_due,
                         follow_ups_due=follow_ups)
