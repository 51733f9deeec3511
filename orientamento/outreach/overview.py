"""A model version's outreach overview (admins, beside the model card): flags by trigger,
decisions by kind, overrides per team, and outcomes by band and by protected group.

It aggregates in SQL (a fixed number of queries whatever the number of flags), and hides every
protected group with fewer than ``MIN_GROUP`` people, as the fairness audit does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, distinct, func, select
from sqlalchemy.orm import InstrumentedAttribute

from orientamento.extensions import db
from orientamento.outreach.models import SITUATION_LABELS, Decision, Flag, Outcome
from orientamento.risk.models import Band, ModelVersion, ProtectedAttributes, RiskScore
from orientamento.risk.queries import MIN_GROUP

#: Situations in the order the overview's tables show them.
SITUATIONS = tuple(SITUATION_LABELS)

#: Protected attributes the overview reports outcomes by.
OUTCOME_GROUPINGS = ("gender", "citizenship_group")


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
