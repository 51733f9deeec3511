"""Reading referrals: a service operator's incoming referrals (their organisation's services
only), one referral with what travels with it, and the referrals that need a worker's attention.

A referral page loads the flag's contact details and nothing else of the person: no score,
no reasons, no protected attributes (``contacts.contact_card``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from orientamento.auth.models import User
from orientamento.core.errors import NotFound
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.core.pagination import paginate
from orientamento.extensions import db
from orientamento.outreach.models import Flag, FlagStatus
from orientamento.outreach.queries import covered_municipi
from orientamento.outreach.referrals.models import DONE, LIVE, Referral, ReferralStatus
from orientamento.risk.models import RiskPerson
from orientamento.support.models import SupportOrganisation, SupportService


def _organisation_services(operator: User) -> Select[int]:
    """The ids of the services of the operator's organisation (none without one)."""
    return select(SupportService.id).where(
        SupportService.organisation_id == (operator.support_organisation_id or 0))


def incoming(operator: User, live: bool) -> Pagination:
    """The referrals to the operator's organisation: open ones (waiting first, oldest first),
    or answered and closed ones (latest first)."""
    query = (select(Referral)
             .where(Referral.service_id.in_(_organisation_services(operator)),
                    Referral.status.in_(LIVE if live else DONE))
             .options(selectinload(Referral.service)))
    if live:
        query = query.order_by((Referral.status == ReferralStatus.SENT).desc(),
                               Referral.referred_at, Referral.id)
    else:
        query = query.order_by(Referral.referred_at.desc(), Referral.id.desc())
    return paginate(query)


def referral_or_404(operator: User, referral_id: int) -> Referral:
    """A referral to one of the operator's organisation's services, with the contact details
    of its person; 404 for any other."""
    referral = db.session.scalar(
        select(Referral).where(Referral.id == referral_id,
                               Referral.service_id.in_(_organisation_services(operator)))
        .options(selectinload(Referral.service).selectinload(SupportService.organisation),
                 selectinload(Referral.flag).selectinload(Flag.self_referral),
                 selectinload(Referral.flag).selectinload(Flag.person)
                 .selectinload(RiskPerson.contact)))
    if referral is None:
        raise NotFound(_l("No such referral for your organisation."))
    return referral


def referable_services() -> list[SupportService]:
    """Every service of the catalogue, by organisation and name, for the referral form."""
    return list(db.session.scalars(
        select(SupportService).join(SupportService.organisation)
        .options(selectinload(SupportService.organisation))
        .order_by(SupportOrganisation.name, SupportService.name, SupportService.id)))


def needs_attention(worker: User, today: date, limit: int = 10) -> list[Referral]:
    """Referrals in the worker's municipi that came back: unanswered after their due day, or
    declined while the flag is still open and has no other live referral. Oldest first."""
    return list(db.session.scalars(_needing_attention(limit),
                                   {"municipi": covered_municipi(worker), "today": today}))


@cache
def _needing_attention(limit: int) -> Select[Referral]:
    """``needs_attention``'s statement for the bound ``municipi`` and ``today``. Built once
    (on first use, when the mappers are configured): building it took three times as long as
    running it, most of it SQLAlchemy adapting a fresh alias's columns."""
    other = aliased(Referral)
    live_elsewhere = (select(other.id).where(other.flag_id == Referral.flag_id,
                                             other.status.in_(LIVE)).exists())
    return (select(Referral).join(Flag, Flag.id == Referral.flag_id)
            .where(Flag.municipio.in_(bindparam("municipi", expanding=True)),
                   Flag.status != FlagStatus.CLOSED,
                   or_(and_(Referral.status == ReferralStatus.SENT,
                            Referral.answer_due_on < bindparam("today")),
                       and_(Referral.status == ReferralStatus.DECLINED, ~live_elsewhere)))
            .options(selectinload(Referral.service), selectinload(Referral.flag)
                     .selectinload(Flag.person), selectinload(Referral.flag)
                     .selectinload(Flag.self_referral))
            .order_by(Referral.answer_due_on, Referral.id).limit(limit))


@dataclass(frozen=True)
class OperatorSummary:
    """What waits for a service operator: the start page's panel."""

    waiting: int
    overdue: int
    accepted: int
    oldest: list[Referral]


def operator_summary(operator: User, today: date, limit: int = 5) -> OperatorSummary:
    """Referrals waiting for an answer (and how many are late), accepted ones in progress,
    and the oldest waiting ones."""
    mine = Referral.service_id.in_(_organisation_services(operator))
    counts = dict(db.session.execute(
        select(Referral.status, func.count()).where(mine, Referral.status.in_(LIVE))
        .group_by(Referral.status)).all())
    overdue = db.session.scalar(select(func.count()).select_from(Referral).where(
        mine, Referral.status == ReferralStatus.SENT, Referral.answer_due_on < today)) or 0
    oldest = list(db.session.scalars(
        select(Referral).where(mine, Referral.status == ReferralStatus.SENT)
        .options(selectinload(Referral.service))
        .order_by(Referral.referred_at, Referral.id).limit(limit)))
    return OperatorSummary(waiting=counts.get(ReferralStatus.SENT, 0), overdue=overdue,
                           accepted=counts.get(ReferralStatus.ACCEPTED, 0), oldest=oldest)
