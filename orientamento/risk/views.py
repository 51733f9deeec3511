"""Risk model admin pages: versions, model cards, activation and rollback, data-subject
reports. A version's outreach overview, linked from its card, is outreach's page."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from orientamento.auth.models import Role
from orientamento.core import clock
from orientamento.core.access import acting_user, role_required
from orientamento.core.errors import DomainError, NotFound
from orientamento.core.forms import EmptyForm
from orientamento.core.i18n import current_language, format_number
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.core.pagination import paginate
from orientamento.extensions import db
from orientamento.risk import governance, queries
from orientamento.risk.forms import ActivationForm, SubjectReportForm
from orientamento.risk.models import ModelVersion
from orientamento.risk.reasons import version_spec

bp = Blueprint("risk", __name__)

RATIO_LINE = governance.RATIO_LINE

ALGORITHM_LABELS: dict[str, Mapping[Any, object]] = {
    "logistic_regression": _l("Logistic regression"),
    "gradient_boosting": _l("Gradient boosting"),
}
FEATURE_TYPE_LABELS: dict[str, Mapping[Any, object]] = {
    "numeric": _l("Number"), "categorical": _l("Category"), "boolean": _l("Yes or no"),
}
GROUPING_LABELS: dict[str, Mapping[Any, object]] = {
    "gender": _l("Gender"), "age_band": _l("Age band"),
    "citizenship_group": _l("Citizenship group"), "municipio": _l("Municipio"),
    "disability": _l("Disability"),
}
RATIO_LABELS: dict[str, Mapping[Any, object]] = {
    "selection_rate": _l("Selection rate"), "recall": _l("Recall (true-positive rate)"),
    "false_positive_rate": _l("False-positive rate"), "precision": _l("Precision"),
}
LABELS: dict[str, Mapping[Any, object]] = {
    "algorithm": ALGORITHM_LABELS, "feature_type": FEATURE_TYPE_LABELS,
    "grouping": GROUPING_LABELS, "ratio": RATIO_LABELS,
}


def number(value: float | None, digits: int = 2) -> str:
    """A decimal with ``digits`` places in the reader's locale; a dash for none."""
    if value is None:
        return "—"
    return format_number(value, "#,##0." + "0" * digits if digits else "#,##0")


def percent(value: float | None) -> str:
    """A share as a percentage with at most one decimal in the reader's locale."""
    if value is None:
        return "—"
    return format_number(value, "#,##0.#%")


def label(kind: str, code: str | None) -> str:
    """The translated label of a code (the code itself when unknown)."""
    return str(LABELS[kind].get(code, code or "—"))


def finding_text(finding: governance.GateFinding) -> str:
    """One reason the fairness gate applies, in words."""
    metric = label("ratio", finding.metric)
    if finding.kind == "low_ratio":
        return _("By gender, the ratio of %(metric)s is %(ratio)s, below %(line)s.",
                 metric=metric, ratio=number(finding.ratio), line=number(RATIO_LINE, 1))
    if finding.kind == "too_few":
        return _("The gender group %(group)s has too few people to judge its %(metric)s.",
                 group=finding.group, metric=metric)
    if finding.kind == "not_compared":
        return _("By gender, fewer than two groups can be compared on %(metric)s.",
                 metric=metric)
    return _("This version has no fairness audit by gender.")


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"number": number, "percent": percent, "label": label, "RATIO_LINE": RATIO_LINE,
            "MIN_GROUP": queries.MIN_GROUP, "MIN_POSITIVES": governance.MIN_POSITIVES,
            "locale": current_language()}


@bp.get("/versions")
@role_required(Role.ADMIN)
def list_versions() -> ResponseReturnValue:
    """Every model version with its status and headline metrics."""
    return render_template("risk/versions.html", pagination=paginate(queries.versions_query()))


def _card(version: ModelVersion, form: ActivationForm, refusal: str | None = None) -> str:
    return render_template(
        "risk/card.html", version=version, spec=version_spec(version), m=version.metrics,
        form=form, refusal=refusal, rollback_form=EmptyForm(),
        gate=[finding_text(f) for f in governance.gate_findings(version.metrics)],
        active=queries.active_version(version.spec_name),
        previous=queries.rollback_target(version))


@bp.get("/versions/<int:version_id>")
@role_required(Role.ADMIN)
def show_version(version_id: int) -> ResponseReturnValue:
    """The model card of a version, with activation or rollback."""
    version = queries.version_or_404(version_id)
    return _card(version, _activation_form(version))


def _activation_form(version: ModelVersion, **kwargs: Any) -> ActivationForm:
    return ActivationForm(gated=bool(governance.gate_findings(version.metrics)), **kwargs)


@bp.get("/versions/<int:version_id>/card.md")
@role_required(Role.ADMIN)
def download_card(version_id: int) -> ResponseReturnValue:
    """The version's model card as stored, in Markdown."""
    version = queries.version_or_404(version_id)
    name = f"model-card-{version.spec_name}-{version.id}.md"
    return Response(version.card_markdown, mimetype="text/markdown",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/versions/<int:version_id>/activate")
@role_required(Role.ADMIN)
def activate_version(version_id: int) -> ResponseReturnValue:
    """Activate a version once the admin confirms having read its card."""
    version = queries.version_or_404(version_id)
    form = _activation_form(version)
    if not form.validate_on_submit():
        return _card(version, form), 400
    try:
        previous = governance.activate_version(acting_user(), version,
                                               form.justification.data if form.gated else None)
    except DomainError as error:
        db.session.rollback()
        return _card(version, form, str(error.message)), error.status_code
    db.session.commit()
    flash(_("Version %(id)s is now active; version %(old)s is retired.", id=version.id,
            old=previous.id) if previous else
          _("Version %(id)s is now active.", id=version.id), "success")
    return redirect(url_for("risk.show_version", version_id=version.id))


@bp.post("/versions/<int:version_id>/rollback")
@role_required(Role.ADMIN)
def roll_back_version(version_id: int) -> ResponseReturnValue:
    """Retire the active version and bring back the one active before it."""
    version = queries.version_or_404(version_id)
    if not EmptyForm().validate_on_submit():
        return _card(version, _activation_form(version, formdata=None)), 400
    try:
        target = governance.roll_back(acting_user(), version)
    except DomainError as error:
        db.session.rollback()
        return _card(version, _activation_form(version, formdata=None), str(error.message)), \
            error.status_code
    db.session.commit()
    flash(_("Rolled back: version %(id)s is active again; version %(old)s is retired.",
            id=target.id, old=version.id), "success")
    return redirect(url_for("risk.show_version", version_id=target.id))


def _json_download(report: dict[str, Any]) -> Response:
    body = json.dumps(report, ensure_ascii=False, indent=2, default=queries.json_ready)
    day = clock.milan_date(report["generated_at"]).isoformat()
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="risk-data-report-{day}.json"',
        "Cache-Control": "no-store"})


@bp.route("/subject-report", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def subject_report() -> ResponseReturnValue:
    """Everything the risk tables hold about one person, on screen or as JSON."""
    form = SubjectReportForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("risk/subject_report.html", form=form, report=None), status
    try:
        report = governance.report_on_subject(acting_user(), form.source_id.data or "",
                                              current_language())
    except NotFound as error:
        db.session.rollback()
        form.source_id.errors = [str(error.message)]
        return render_template("risk/subject_report.html", form=form, report=None), 404
    db.session.commit()
    if request.form.get("format") == "json":
        return _json_download(report)
    return render_template("risk/subject_report.html", form=form, report=report)
