"""How the call campaign does, by municipio: for the admins' overview and the observatory.

One grouped query over the contract-ended flags whatever their number.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    and_,
    case,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.sql.functions import coalesce

from orientamento.extensions import db
from orientamento.outreach.calls.queries import day_number, ended_day
from orientamento.outreach.models import Contact, ContactOutcome, Decision, Flag, Trigger
from orientamento.outreach.referrals.models import Referral

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
    rows = db.session.execute(_measures_query(today, municipi)).all()
    result = [_measures(row[0], row[1:]) for row in rows]
    if result:
        total = [sum(int(row[i] or 0) for row in rows) for i in range(1, len(rows[0]))]
        result.append(_measures(None, total))
    return result


def _measures_query(today: date, municipi: Collection[int] | None) -> Any:
    """One statement: three grouped scans (the flags; the contacts, with each flag's first
    that reached the person; the referrals), each giving per municipio the columns it knows
    and zeros for the others, added up per municipio. Each scan reads its tables once: no
    subquery per flag (at 100,000 flags those cost seconds)."""
    ended = ended_day()
    # Contract-ended flags always have a person: the flag table's CHECKs allow no
    # self-referral without the self-referral trigger, and no flag without a subject.
    scope = [Flag.trigger == Trigger.CONTRACT_ENDED.value]
    if municipi is not None:
        scope.append(Flag.municipio.in_(list(municipi)))

    def due(days: int) -> ColumnElement[bool]:  # a plain comparison with the stored day
        return Flag.contract_ended_on <= literal(today - timedelta(days=days), Date)

    def counted(condition: ColumnElement[bool]) -> ColumnElement[Any]:
        return func.sum(case((condition, 1), else_=0))

    def branch(**known: ColumnElement[Any]) -> Any:
        return select(Flag.municipio.label("municipio"),
                      *((known.get(name, literal_column("0"))).label(name) for name in _COLUMNS))

    people = branch(people=func.count(), **{f"due_{d}": counted(due(d))
                                            for d in CONTACT_DEADLINES})
    # Contacts and referrals are summed up per flag first, so that each scan starts from the
    # (fewer) contacts or referrals and meets each flag once.
    per_flag_contacts = (select(Decision.flag_id.label("flag_id"),
                                func.count(Contact.id).label("attempts"),
                                func.min(case((Contact.outcome == ContactOutcome.REACHED,
                                               Contact.contacted_on))).label("reached_on"))
                         .join(Decision, Decision.id == Contact.decision_id)
                         .group_by(Decision.flag_id).subquery())
    reached = day_number(per_flag_contacts.c.reached_on)
    contacts = branch(contacted=func.count(per_flag_contacts.c.reached_on),
                      attempts=func.sum(per_flag_contacts.c.attempts), **{
                          f"in_time_{d}": counted(and_(due(d), reached <= ended + d))
                          for d in CONTACT_DEADLINES})
    per_flag_referrals = (select(Referral.flag_id.label("flag_id"),
                                 func.count(Referral.id).label("referrals"),
                                 counted(Referral.took_up.is_(True)).label("taken_up"))
                          .group_by(Referral.flag_id).subquery())
    referrals = branch(referrals=func.sum(per_flag_referrals.c.referrals),
                       taken_up=func.sum(per_flag_referrals.c.taken_up))
    parts = union_all(
        people.where(*scope).group_by(Flag.municipio),
        contacts.join(per_flag_contacts, per_flag_contacts.c.flag_id == Flag.id)
        .where(*scope).group_by(Flag.municipio),
        referrals.join(per_flag_referrals, per_flag_referrals.c.flag_id == Flag.id)
        .where(*scope).group_by(Flag.municipio)).subquery()
    return (select(parts.c.municipio,
                   *(coalesce(func.sum(parts.c[name]), 0) for name in _COLUMNS))
            .group_by(parts.c.municipio).order_by(parts.c.municipio))


#: The query's columns after the municipio, in order.
_COLUMNS = ("people", "contacted", "attempts", "referrals", "taken_up",
            *(f"{kind}_{d}" for d in CONTACT_DEADLINES for kind in ("due", "in_time")))


def _measures(municipio: int | None, values: Sequence[Any]) -> CampaignMeasures:
    people, contacted, attempts, referrals, taken_up, *timed = (int(v or 0) for v in values)
    return CampaignMeasures(
        municipio=municipio, people=people, contacted=contacted, attempts=attempts,
        referrals=referrals, taken_up=taken_up,
        due={d: timed[2 * i] for i, d in enumerate(CONTACT_DEADLINES)},
        in_time={d: timed[2 * i + 1] for i, d in enumerate(CONTACT_DEADLINES)})
