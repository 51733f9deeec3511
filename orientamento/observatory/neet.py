"""The NEET path from the outreach tables (read only): flags by trigger, contacts within 30
days, referrals, take-up and outcomes, by municipio and quarter.

``flask observatory refresh`` reads every flag with three queries (flags, their first
contact, their referrals), gives each flag the furthest stage of the path it reached, and
stores the counts in ``observatory_neet_counts`` (``refresh_neet_counts``). The staff page
reads those counts as they are; the public tables are published from them with disclosure
control (``published.py``). The stages are disjoint, so a table of flags by stage adds up to
the flags and secondary suppression can protect it:

- ``waiting``: raised less than 30 days ago, no contact logged yet, no referral;
- ``not_contacted``: no contact logged within 30 days of the flag, no referral;
- ``contacted``: a contact (any outcome) logged within 30 days, no referral;
- ``referred``: referred to a service, the answer or the take-up still open;
- ``not_taken_up``: referred, and every referral declined or not taken up;
- ``took_up``: referred, and the person took a service up.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, func, insert, select

from orientamento.core import clock
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.extensions import db
from orientamento.observatory.models import NeetCount
from orientamento.observatory.periods import Quarter
from orientamento.outreach.models import Contact, Decision, Flag, Trigger
from orientamento.outreach.referrals.models import REFERRAL_OUTCOMES, Referral, ReferralStatus

#: Days within which a flag should see a first contact.
CONTACT_DAYS = 30
TRIGGERS = (Trigger.MODEL.value, Trigger.CONTRACT_ENDED.value, Trigger.SELF_REFERRAL.value)
TRIGGER_LABELS = {
    "model": _l("Risk model"),
    "contract_ended": _l("Contract ended"),
    "self_referral": _l("Self-referral"),
}
STAGES = ("waiting", "not_contacted", "contacted", "referred", "not_taken_up", "took_up")
STAGE_LABELS = {
    "waiting": _l("Within 30 days, not contacted yet"),
    "not_contacted": _l("Not contacted within 30 days"),
    "contacted": _l("Contacted within 30 days, not referred"),
    "referred": _l("Referred, answer or take-up open"),
    "not_taken_up": _l("Referred, not taken up"),
    "took_up": _l("Referred and took the service up"),
}
OUTCOME_LABELS = REFERRAL_OUTCOMES
MUNICIPI = tuple(str(n) for n in range(1, 10))


@dataclass(frozen=True)
class FlagPath:
    """One flag and how far along the path it went."""

    quarter: str
    municipio: int
    trigger: str
    stage: str
    outcome: str
    contacted_30d: bool
    referred: bool


def _milan_day(moment: datetime) -> date:
    return clock.milan_date(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def stage_of(raised_on: date, first_contact: date | None,
             referrals: list[tuple[str, bool | None]], today: date) -> str:
    """The furthest stage a flag reached; ``referrals``: (status, took_up) of each."""
    if referrals:
        if any(took_up is True for _status, took_up in referrals):
            return "took_up"
        finished = all(status in (ReferralStatus.DECLINED, ReferralStatus.CLOSED)
                       or took_up is False for status, took_up in referrals)
        return "not_taken_up" if finished else "referred"
    due = raised_on + timedelta(days=CONTACT_DAYS)
    if first_contact is not None and first_contact <= due:
        return "contacted"
    return "waiting" if today < due and first_contact is None else "not_contacted"


def flag_paths(today: date | None = None) -> list[FlagPath]:
    """Every flag's path, in three queries whatever the number of flags."""
    today = today or clock.today()
    first_contact = dict(db.session.execute(
        select(Decision.flag_id, func.min(Contact.contacted_on))
        .join(Contact, Contact.decision_id == Decision.id).group_by(Decision.flag_id)).all())
    referrals: dict[int, list[tuple[str, bool | None]]] = defaultdict(list)
    outcomes: dict[int, str] = {}
    for flag_id, status, took_up, outcome in db.session.execute(
            select(Referral.flag_id, Referral.status, Referral.took_up, Referral.outcome)
            .order_by(Referral.flag_id, Referral.id)):
        referrals[flag_id].append((str(status), took_up))
        if outcome and (took_up is True or flag_id not in outcomes):
            outcomes[flag_id] = outcome
    paths = []
    for flag_id, municipio, trigger, raised_at in db.session.execute(
            select(Flag.id, Flag.municipio, Flag.trigger, Flag.raised_at)):
        raised_on = _milan_day(raised_at)
        contact = first_contact.get(flag_id)
        due = raised_on + timedelta(days=CONTACT_DAYS)
        paths.append(FlagPath(
            str(Quarter.of(raised_on)), municipio, trigger,
            stage_of(raised_on, contact, referrals.get(flag_id, []), today),
            outcomes.get(flag_id, ""), contact is not None and contact <= due,
            flag_id in referrals))
    return paths


def refresh_neet_counts(today: date | None = None) -> int:
    """Store the flags' paths as counts; flushes. Returns the number of flags."""
    counts: dict[tuple[str, int, str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for path in flag_paths(today):
        cell = counts[(path.quarter, path.municipio, path.trigger, path.stage, path.outcome)]
        cell[0] += 1
        cell[1] += path.contacted_30d
        cell[2] += path.referred
    db.session.execute(delete(NeetCount))
    if counts:
        db.session.execute(insert(NeetCount), [
            {"quarter": q, "municipio": m, "trigger": t, "stage": s, "outcome": o,
             "flags": n, "contacted_30d": c, "referred": r}
            for (q, m, t, s, o), (n, c, r) in sorted(counts.items())])
    db.session.flush()
    return sum(n for n, _c, _r in counts.values())


def stored_counts(quarters: list[str] | None = None, municipio: int | None = None,
                  trigger: str | None = None) -> list[NeetCount]:
    """The counts the last refresh stored, filtered (one query)."""
    query = select(NeetCount)
    if quarters is not None:
        query = query.where(NeetCount.quarter.in_(quarters))
    if municipio is not None:
        query = query.where(NeetCount.municipio == municipio)
    if trigger is not None:
        query = query.where(NeetCount.trigger == trigger)
    return list(db.session.scalars(query))


@dataclass
class Measures:
    """The path's measures for one group of flags (staff page)."""

    flags: int = 0
    contacted_30d: int = 0
    referred: int = 0
    took_up: int = 0
    not_taken_up: int = 0

    def add(self, row: NeetCount) -> None:
        """Count a stored row in."""
        self.flags += row.flags
        self.contacted_30d += row.contacted_30d
        self.referred += row.referred
        self.took_up += row.flags if row.stage == "took_up" else 0
        self.not_taken_up += row.flags if row.stage == "not_taken_up" else 0

    @property
    def contacted_share(self) -> float | None:
        """Flags contacted within 30 days, % of flags."""
        return 100 * self.contacted_30d / self.flags if self.flags else None

    @property
    def take_up_share(self) -> float | None:
        """Referred flags that took a service up, % of referred."""
        return 100 * self.took_up / self.referred if self.referred else None


def measures_by_municipio(rows: list[NeetCount]) -> dict[int, Measures]:
    """Measures per municipio (every municipio present, zeros included)."""
    found = {n: Measures() for n in range(1, 10)}
    for row in rows:
        found[row.municipio].add(row)
    return found


def outcomes_by_municipio(rows: list[NeetCount]) -> dict[tuple[str, int], int]:
    """Flags by the outcome of their referral and municipio (staff page)."""
    table: dict[tuple[str, int], int] = defaultdict(int)
    for row in rows:
        if row.outcome:
            table[(row.outcome, row.municipio)] += row.flags
    return dict(table)
