"""Governance of the risk model: activating and rolling back versions, data-subject reports.

One version per spec is active; the partial unique index on ``risk_model_versions`` keeps it
so. Activation and rollback lock every version of the spec first (PostgreSQL row locks; on
SQLite the request already holds the write lock), so two admins acting at once are served one
after the other and the second sees the first's result. Every action is in the audit log.

The fairness gate: a version whose audit by gender shows a recall (true-positive rate) or
false-positive-rate ratio below 0.8, a gender group with too few positives or negatives to
judge, or no gender audit at all, is activated only with the admin's written justification.
The justification is stored on the version, in the audit log and on the model card.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import load_only

from orientamento.auth import audit
from orientamento.auth.models import AuditAction, User
from orientamento.core import clock
from orientamento.core.errors import Conflict, DomainError, NotFound
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.extensions import db
from orientamento.risk import queries
from orientamento.risk.card import card_markdown
from orientamento.risk.models import JUSTIFICATION_MAX, ModelVersion, VersionStatus
from orientamento.risk.reasons import version_spec

#: Ratios of the lowest to the highest group below this need explaining.
RATIO_LINE = 0.8
#: The audit grouping and the rates the gate looks at.
GATE_GROUPING = "gender"
GATE_METRICS = ("recall", "false_positive_rate")
#: fairness.MIN_POSITIVES (and MIN_NEGATIVES), repeated so pages need no scikit-learn.
MIN_POSITIVES = 10


class JustificationRequired(DomainError):
    """The fairness gate applies and no justification was written."""

    status_code = 422


@dataclass(frozen=True)
class GateFinding:
    """One reason the fairness gate applies to a version.

    ``low_ratio``: a rate's ratio (``metric``, ``ratio``) is below the line; ``too_few``: a
    group shown in the audit has too few positives (recall) or negatives (false-positive rate)
    to judge; ``not_compared``: fewer than two groups have the rate judged; ``not_audited``:
    the version has no audit by gender.
    """

    kind: Literal["low_ratio", "too_few", "not_compared", "not_audited"]
    metric: str | None = None
    ratio: float | None = None
    group: str | None = None


def gate_findings(metrics: dict[str, Any]) -> list[GateFinding]:
    """Why a version's fairness audit needs a justification before activation (none: clear)."""
    block = (metrics.get("fairness") or {}).get(GATE_GROUPING)
    if not block:
        return [GateFinding("not_audited")]
    findings: list[GateFinding] = []
    shown = [g for g in block.get("groups") or [] if not g.get("suppressed")]
    for metric in GATE_METRICS:
        ratio = (block.get("ratios") or {}).get(metric)
        if ratio is not None and float(ratio) < RATIO_LINE:
            findings.append(GateFinding("low_ratio", metric=metric, ratio=float(ratio)))
        for group in shown:
            if metric in (group.get("too_few") or []) or group.get(metric) is None:
                findings.append(GateFinding("too_few", metric=metric, group=str(group["group"])))
        if sum(g.get(metric) is not None for g in shown) < 2:
            findings.append(GateFinding("not_compared", metric=metric))
    return findings


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


def activate_version(admin: User, version: ModelVersion,
                     justification: str | None = None) -> ModelVersion | None:
    """Make ``version`` its spec's active version, retiring the active one (returned).

    When the fairness gate applies, ``justification`` is required; it is kept on the version
    and its card, and in the audit log.
    """
    findings = gate_findings(version.metrics)
    text = (justification or "").strip()
    if findings and not text:
        raise JustificationRequired(_l(
            "The fairness audit of this version needs an explanation: write why it should be "
            "activated anyway."))
    if len(text) > JUSTIFICATION_MAX:
        raise DomainError(_l("A justification has at most %(max)s characters.",
                             max=JUSTIFICATION_MAX))
    spec_versions = _lock_spec(version.spec_name)
    if version.status == VersionStatus.ACTIVE:
        raise Conflict(_l("This version is already active."))
    previous = _switch(admin, spec_versions, version)
    if findings:
        version.activation_justification = text
        version.card_markdown = card_markdown(version_spec(version), version)
    gate: dict[str, Any] = ({"fairness_gate": [asdict(f) for f in findings],
                             "justification": text} if findings else {})
    audit.record(AuditAction.RISK_MODEL_ACTIVATED, actor=admin, version_id=version.id,
                 spec_name=version.spec_name,
                 previous_version_id=previous.id if previous else None, **gate)
    db.session.flush()
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
