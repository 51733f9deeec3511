"""Governance of the risk model: activating and rolling back versions, data-subject reports.

One version per spec is active; the partial unique index on ``risk_model_versions`` keeps it
so. Activation and rollback lock every version of the spec first (PostgreSQL row locks; on
SQLite the request already holds the write lock), so two admins acting at once are served one
after the other and the second sees the first's result. Every action is in the audit log.
"""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import load_only

from orientamento.auth import audit
from orientamento.auth.models import AuditAction, User
from orientamento.core import clock
from orientamento.core.errors import Conflict, NotFound
from orientamento.extensions import db
from orientamento.risk import queries
from orientamento.risk.models import ModelVersion, VersionStatus


def _lock_spec(spec_name: str) -> list[ModelVersion]:
    """Lock and re-read every version of a spec (current state, not the session's copy)."""
    return list(db.session.scalars(
        select(ModelVersion).where(ModelVersion.spec_name == spec_name)
        .options(load_only(ModelVersion.id, ModelVersion.status, ModelVersion.activated_at))
        .order_by(ModelVersion.id).with_for_update().execution_options(populate_existing=True)))


def _switch(admin: User, spec_versions: list[ModelVersion], version: ModelVersion
            ) -> ModelVersion | None:
    """Retire the spec's active version (if any) and activate ``version``; return the old one."""
    current = next((v for v in spec_versions if v.status == VersionStatus.ACTIVE), None)
    if current is not None:
        current.status = VersionStatus.RETIRED
        # The retirement must reach the database before the activation: the unique index
        # would otherwise see two active versions when the new one has the lower id.
        db.session.flush()
    version.status = VersionStatus.ACTIVE
    version.activated_at = clock.now()
    version.activated_by_id = admin.id
    db.session.flush()
    return current


def activate_version(admin: User, version: ModelVersion) -> ModelVersion | None:
    """Make ``version`` its spec's active version, retiring the active one (returned)."""
    spec_versions = _lock_spec(version.spec_name)
    if version.status == VersionStatus.ACTIVE:
        raise Conflict(_l("This version is already active."))
    previous = _switch(admin, spec_versions, version)
    audit.record(AuditAction.RISK_MODEL_ACTIVATED, actor=admin, version_id=version.id,
                 spec_name=version.spec_name,
                 previous_version_id=previous.id if previous else None)
    return previous


def roll_back(admin: User, version: ModelVersion) -> ModelVersion:
    """Retire the active ``version`` and re-activate the one active before it (returned)."""
    _lock_spec(version.spec_name)
    if version.status != VersionStatus.ACTIVE:
        raise Conflict(_l("Only the active version can be rolled back."))
    target = queries.rollback_target(version)
    if target is None:
        raise Conflict(_l("There is no earlier active version of this model to go back to."))
    _switch(admin, [version], target)
    audit.record(AuditAction.RISK_MODEL_ROLLED_BACK, actor=admin, version_id=target.id,
                 spec_name=version.spec_name, previous_version_id=version.id)
    return target


def report_on_subject(admin: User, source_id: str, locale: str) -> dict[str, Any]:
    """Everything held about the person with this source id; the report is audited."""
    person = queries.person_by_source_id(source_id)
    if person is None:
        raise NotFound(_l("There are no records for this id."))
    with force_locale(locale):
        report = queries.subject_report(person, locale)
    audit.record(AuditAction.RISK_SUBJECT_REPORT, actor=admin, person_id=person.id)
    db.session.flush()
    return report
