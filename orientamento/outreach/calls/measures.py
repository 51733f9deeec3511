"""How the call campaign does, by municipio: for the admins' overview and the observatory.

One grouped query over the contract-ended flags whatever their number.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.sql.functions import coalesce

from orientamento.extensions import db
from orientamento.outreach.calls.queries import day_number, ended_day
from orientamento.outreach.models import (
    Contact,
    ContactOutcome,
    Decision,
    Flag,
    Referral,
    Trigger,
)

#: Days after the end of a contract by which the campaign counts a person as contacted in time.
CONTACT_DEADLINES = (30, 45, 60)


@dataclass(frozen=True)
class CampaignMeasures:
    """The call campaign in one municipio (``municipio`` None: every municipio asked for).

    ``due[d]``: people whose contract ended ``d`` days or more before ``today`` (so whether
    they were contacted within ``d`` days is known); ``in_time[d]``: those of them reached
    within ``d`` days of the end. ``contacted``: people reached at all; ``attempts``: every
    attempt to reach them (calls and other contacts); ``referrals``: referrals made for them;
    ``taken_up``: referrals the person took up.
    """

    municipio: int | None
    people: int
    due: dict[int, int]
    in_time: dict[int, int]
    contacted: int
    attempts: int
    referrals: int
    taken_up: int

    def share_in_time(self, days: int) -> float | None:
        """Share of the people due at ``days`` who were reached within ``days`` (None: nobody
        due yet)."""
        return self.in_time[days] / self.due[days] if self.due[days] else None

    @property
    def attempts_per_contact(self) -> float | None:
        """Attempts made per person reached."""
        return self.attempts / self.contacted if self.contacted else None

    @property
    def referrals_per_contact(self) -> float | None:
        """Referrals made per person reached."""
        return self.referrals / self.contacted if self.contacted else None

    @property
    def take_up_per_referral(self) -> float | None:
        """Share of referrals the person took up."""
        return self.taken_up / self.referrals if self.referrals else None


def campaign_measures(today: date, municipi: Collection[int] | None = None
                      ) -> list[CampaignMeasures]:
    """The call campaign's measures per municipio, then one row for all of them together
    (``municipio`` None), over every contract-ended flag of the ``municipi`` (all when None),
    as of the Milan day ``today``.

    Counts, not people's data: a caller publishing them applies its own small-cell
    suppression. Municipi without contract-ended flags have no row.
    """
    reached_on = (select(func.min(Contact.contacted_on))
                  .join(Decision, Decision.id == Contact.decision_id)
                  .where(Decision.flag_id == Flag.id, Contact.outcome == ContactOutcome.REACHED)
                  .scalar_subquery())
    attempts = (select(func.count(Contact.id)).join(Decision, Decision.id == Contact.decision_id)
                .where(Decision.flag_id == Flag.id).scalar_subquery())
    referrals = select(func.count(Referral.id)).where(Referral.flag_id == Flag.id)
    per_flag = (select(Flag.municipio.label("municipio"), ended_day().label("ended"),
                       day_number(reached_on).label("reached"), attempts.label("attempts"),
                       referrals.scalar_subquery().label("referrals"),
                       referrals.where(Referral.took_up.is_(True)).scalar_subquery()
                       .label("taken_up"))
                .where(Flag.trigger == Trigger.CONTRACT_ENDED.value, Flag.person_id.is_not(None)))
    if municipi is not None:
        per_flag = per_flag.where(Flag.municipio.in_(list(municipi)))
    flags = per_flag.subquery()
    today_number = day_number(literal(today))
    columns = [func.count(), func.sum(case((flags.c.reached.is_not(None), 1), else_=0)),
               coalesce(func.sum(flags.c.attempts), 0), coalesce(func.sum(flags.c.referrals), 0),
               coalesce(func.sum(flags.c.taken_up), 0)]
    for days in CONTACT_DEADLINES:
        due = flags.c.ended + days <= today_number
        columns.append(func.sum(case((due, 1), else_=0)))
        columns.append(func.sum(case((and_(due, flags.c.reached <= flags.c.ended + days), 1),
                                     else_=0)))
    rows = db.session.execute(select(flags.c.municipio, *columns).group_by(flags.c.municipio)
                              .order_by(flags.c.municipio)).all()
    result = [_measures(row[0], row[1:]) for row in rows]
    if result:
        total = [sum(int(row[i] or 0) for row in rows) for i in range(1, len(columns) + 1)]
        result.append(_measures(None, total))
    return result


def _measures(municipio: int | None, values: Sequence[Any]) -> CampaignMeasures:
    people, contacted, attempts, referrals, taken_up, *timed = (int(v or 0) for v in values)
    return CampaignMeasures(
        municipio=municipio, people=people, contacted=contacted, attempts=attempts,
        referrals=referrals, taken_up=taken_up,
        due={d: timed[2 * i] for i, d in enumerate(CONTACT_DEADLINES)},
        in_time={d: timed[2 * i + 1] for i, d in enumerate(CONTACT_DEADLINES)})
