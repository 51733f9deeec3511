"""Risk read side: model versions and a person's data report.

Pages here never load a version's model file (it can be megabytes). A version's outreach
overview is outreach's (``outreach.overview.version_overview``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import defer, selectinload

from orientamento.core import clock
from orientamento.core.errors import NotFound
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.extensions import db
from orientamento.risk import signals
from orientamento.risk.models import (
    ModelVersion,
    RiskPerson,
    RiskRecord,
    RiskScore,
    RiskSnapshot,
    VersionStatus,
)
from orientamento.risk.pseudonyms import pseudonymize
from orientamento.risk.reasons import reason_lines, version_spec

#: Groups under this many people are not shown (the same line as the fairness audit).
MIN_GROUP = 30


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
               ModelVersion.status == VersionStatus.ACTIVE))


def rollback_target(version: ModelVersion) -> ModelVersion | None:
    """The version that was active before ``version``, if ``version`` is the active one."""
    if version.status != VersionStatus.ACTIVE:
        return None
    return db.session.scalar(
        select(ModelVersion)
        .where(ModelVersion.spec_name == version.spec_name,
               ModelVersion.status == VersionStatus.RETIRED,
               ModelVersion.activated_at.is_not(None), ModelVersion.id != version.id)
        .order_by(ModelVersion.activated_at.desc(), ModelVersion.id.desc()).limit(1))


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
                          "algorithm": version.algorithm, "status": str(version.status),
                          "status_label": str(version.status.label)},
    }


def subject_report(person: RiskPerson, locale: str) -> dict[str, Any]:
    """Everything held about one person, in ``locale``: the risk tables, and the sections the
    receivers of ``signals.subject_report`` add (outreach's flags), after the scores."""
    scores = db.session.scalars(
        select(RiskScore).where(RiskScore.person_id == person.id)
        .options(selectinload(RiskScore.version))
        .order_by(RiskScore.scored_at, RiskScore.id)).all()
    sections = signals.report_sections(person, locale)  # outreach adds its "flags"
    contact, protected = person.contact, person.protected
    return {
        "generated_at": clock.now(),
        "person": {"pseudonym": person.pseudonym, "municipio": person.municipio,
                   "birth_year": person.birth_year, "in_records_since": person.created_at,
                   "opted_out_at": person.opted_out_at},
        "records": [{"id": record.id, "as_of": record.snapshot.as_of,
                     "values": dict(record.values)} for record in person.records],
        "scores": [_score_entry(score, locale) for score in scores],
        **sections,
        "contact_details": None if contact is None else {
            "name": contact.name, "phone": contact.phone, "email": contact.email,
            "address": contact.address, "language": contact.language},
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


def active_versions() -> list[ModelVersion]:
    """The active version of every spec (at most one each), by spec name."""
    return list(db.session.scalars(
        select(ModelVersion).where(ModelVersion.status == VersionStatus.ACTIVE)
        .options(defer(ModelVersion.model_file), defer(ModelVersion.card_markdown))
        .order_by(ModelVersion.spec_name)))


def latest_snapshot() -> RiskSnapshot | None:
    """The risk records file imported last."""
    return db.session.scalar(
        select(RiskSnapshot).order_by(RiskSnapshot.imported_at.desc(), RiskSnapshot.id.desc())
        .limit(1))


def recent_snapshots(limit: int = 20) -> list[RiskSnapshot]:
    """The latest imports of administrative records, newest first."""
    return list(db.session.scalars(select(RiskSnapshot).order_by(RiskSnapshot.id.desc())
                                   .limit(limit)))
