"""Risk read side: model versions, a version's outreach overview, a person's data report.

Pages here never load a version's model file (it can be megabytes); the overview aggregates
in SQL (a fixed number of queries whatever the number of flags), and hides every protected
group with fewer than ``MIN_GROUP`` people, as the fairness audit does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, distinct, func, select
from sqlalchemy.orm import InstrumentedAttribute, defer, selectinload

from orientamento.core import clock
from orientamento.core.errors import NotFound
from orientamento.extensions import db
from orientamento.outreach.models import (
    CHANNEL_LABELS,
    CONTACT_OUTCOME_LABELS,
    SITUATION_LABELS,
    Decision,
    Flag,
    Outcome,
)
from orientamento.risk.models import (
    Band,
    ModelVersion,
    ProtectedAttributes,
    RiskPerson,
    RiskRecord,
    RiskScore,
    VersionStatus,
)
from orientamento.risk.pseudonyms import pseudonymize
from orientamento.risk.reasons import reason_lines, version_spec

#: Groups under this many people are not shown (the same line as the fairness audit).
MIN_GROUP = 30

#: Situations in the order the tables show them.
SITUATIONS = tuple(SITUATION_LABELS)

#: Protected attributes the overview reports outcomes by.
OUTCOME_GROUPINGS = ("gender", "citizenship_group")


def versions_query() -> Select[Any]:
    """Every model version, newest first (without model files, specs or cards)."""
    return (select(ModelVersion)
            .options(defer(ModelVersion.spec_yaml))
            .order_by(ModelVersion.created_at.desc(), ModelVersion.id.desc()))


def version_or_404(version_id: int) -> ModelVersion:
    """A model version without its model file, or 404."""
    version = db.session.scalar(select(ModelVersion).where(ModelVersion.id == version_id))
    if version is None:
        raise NotFound(_l("No such model version."))
    return version


def active_version(spec_name: str) -> ModelVersion | None:
    """The active version of a spec, if any."""
    return db.session.scalar(
        select(ModelVersion)
        .where(ModelVersion.spec_name == spec_name,
               ModelVersion.status == VersionStatus.ACTIVE.value))


def rollback_target(version: ModelVersion) -> ModelVersion | None:
    """The version that was active before ``version``, if ``version`` is the active one."""
    if version.status != VersionStatus.ACTIVE:
        return None
    return db.session.scalar(
        select(ModelVersion)
        .where(ModelVersion.spec_name == version.spec_name,
               ModelVersion.status == VersionStatus.RETIRED.value,
               ModelVersion.activated_at.is_not(None), ModelVersion.id != version.id)
        .order_by(ModelVersion.activated_at.desc(), ModelVersion.id.desc()).limit(1))


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


# --- data-subject report ----------------------------------------------------------------


def person_by_source_id(source_id: str) -> RiskPerson | None:
    """The person whose source id (as in the city's records) pseudonymizes to a known one."""
    return db.session.scalar(
        select(RiskPerson).where(RiskPerson.pseudonym == pseudonymize(source_id))
        .options(selectinload(RiskPerson.records).selectinload(RiskRecord.snapshot),
                 selectinload(RiskPerson.contact), selectinload(RiskPerson.protected)))


def _score_entry(score: RiskScore, locale: str) -> dict[str, Any]:
    version = score.version
    return {
        "record_id": score.record_id, "scored_at": score.scored_at,
        "probability": score.probability, "band": score.band, "band_label": score.band_label,
        "missing_inputs": score.missing,
        "reasons": [{"feature": line.feature, "direction": line.direction,
                     "contribution": line.contribution, "text": line.text,
                     "suggestion": line.suggestion}
                    for line in reason_lines(version_spec(version), score.reasons, locale)],
        "model_version": {"id": version.id, "spec_name": version.spec_name,
                          "algorithm": version.algorithm, "status": version.status,
                          "status_label": version.status_label},
    }


def _flag_entry(flag: Flag, outcomes: list[Outcome]) -> dict[str, Any]:
    return {
        "id": flag.id, "trigger": flag.trigger, "trigger_label": flag.trigger_label,
        "status": flag.status, "status_label": flag.status_label, "municipio": flag.municipio,
        "model_version_id": flag.version_id, "records_of": flag.as_of,
        "raised_at": flag.raised_at,
        "closed_at": flag.closed_at,
        "decisions": [{
            "kind": decision.kind, "kind_label": decision.kind_label,
            "reason": decision.reason_code, "reason_label": decision.reason_label,
            "reason_text": decision.reason_text,
            "agrees_with_model": decision.agrees_with_model,
            "decided_at": decision.decided_at,
            "contacts": [{
                "channel": contact.channel,
                "channel_label": str(CHANNEL_LABELS.get(contact.channel, contact.channel)),
                "contacted_on": contact.contacted_on, "outcome": contact.outcome,
                "outcome_label": str(CONTACT_OUTCOME_LABELS.get(contact.outcome,
                                                                contact.outcome)),
                "consent": contact.consent, "note": contact.note,
            } for contact in decision.contacts],
        } for decision in flag.decisions],
        "outcomes": [{
            "months": outcome.months, "situation": outcome.situation,
            "situation_label": str(SITUATION_LABELS.get(outcome.situation, outcome.situation)),
            "note": outcome.note, "recorded_at": outcome.recorded_at,
        } for outcome in outcomes],
    }


def subject_report(person: RiskPerson, locale: str) -> dict[str, Any]:
    """Everything held about one person in the risk and outreach tables, in ``locale``."""
    scores = db.session.scalars(
        select(RiskScore).where(RiskScore.person_id == person.id)
        .options(selectinload(RiskScore.version))
        .order_by(RiskScore.scored_at, RiskScore.id)).all()
    flags = db.session.scalars(
        select(Flag).where(Flag.person_id == person.id)
        .options(selectinload(Flag.decisions).selectinload(Decision.contacts))
        .order_by(Flag.raised_at, Flag.id)).all()
    outcomes: dict[int, list[Outcome]] = {}
    for outcome in db.session.scalars(
            select(Outcome).join(Flag, Outcome.flag_id == Flag.id)
            .where(Flag.person_id == person.id).order_by(Outcome.months, Outcome.id)):
        outcomes.setdefault(outcome.flag_id, []).append(outcome)
    contact, protected = person.contact, person.protected
    return {
        "generated_at": clock.now(),
        "person": {"pseudonym": person.pseudonym, "municipio": person.municipio,
                   "birth_year": person.birth_year, "in_records_since": person.created_at,
                   "opted_out_at": person.opted_out_at},
        "records": [{"id": record.id, "as_of": record.snapshot.as_of,
                     "values": dict(record.values)} for record in person.records],
        "scores": [_score_entry(score, locale) for score in scores],
        "flags": [_flag_entry(flag, outcomes.get(flag.id, [])) for flag in flags],
        "contact_details": None if contact is None else {
            "phone": contact.phone, "email": contact.email, "address": contact.address},
        "protected_attributes": None if protected is None else {
            "gender": protected.gender, "citizenship_group": protected.citizenship_group,
            "disability": protected.disability},
    }


def json_ready(value: object) -> str:
    """``json.dumps`` default: dates in ISO 8601, instants in Milan time with the offset."""
    if isinstance(value, datetime):
        return clock.iso_local(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
