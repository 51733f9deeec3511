"""Read-side selects for outreach workers, scoped to the municipi they cover."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from orientamento.auth.models import User
from orientamento.core.errors import NotFound
from orientamento.core.pagination import paginate
from orientamento.extensions import db
from orientamento.outreach.models import Decision, Flag, FlagStatus, Outcome
from orientamento.risk.models import RiskPerson, RiskRecord, RiskScore

PAGE_SIZE = 25


def covered_municipi(worker: User) -> list[int]:
    """The municipi the worker covers, in order."""
    return sorted(row.municipio for row in worker.municipi)


@dataclass
class QueueFilter:
    """What a worker narrows the queue to; empty strings and None mean "any"."""

    status: str = FlagStatus.OPEN.value
    trigger: str = ""
    band: str = ""
    municipio: int | None = None


def queue(worker: User, filters: QueueFilter) -> Pagination:
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
                      selectinload(Flag.decisions))
             .order_by(Flag.priority.desc(), Flag.raised_at, Flag.id))
    if filters.trigger:
        query = query.where(Flag.trigger == filters.trigger)
    if filters.band:
        query = query.where(select(RiskScore.id)
                            .where(RiskScore.id == Flag.score_id,
                                   RiskScore.band == filters.band).exists())
    return paginate(query, PAGE_SIZE)


def flag_or_404(worker: User, flag_id: int) -> Flag:
    """A flag in one of the worker's municipi, with what its page shows."""
    flag = db.session.scalar(
        select(Flag).where(Flag.id == flag_id)
        .options(selectinload(Flag.person).selectinload(RiskPerson.contact),
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
    """The person's other flags, newest first, with their decisions."""
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
