"""Outreach workers' pages: the queue, a flag with its history, decisions, contacts, outcomes;
and for admins, a model version's outreach overview."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.core.access import acting_user, role_required
from orientamento.core.errors import DomainError
from orientamento.core.i18n import current_language
from orientamento.database import writes_on_read
from orientamento.extensions import db
from orientamento.outreach import queries, services
from orientamento.outreach.forms import (
    CONSENT_LABELS,
    ContactForm,
    DecisionForm,
    OutcomeForm,
    QueueFilterForm,
)
from orientamento.outreach.models import (
    CHANNEL_LABELS,
    CONTACT_OUTCOME_LABELS,
    DECISION_LABELS,
    SITUATION_LABELS,
    TRIGGER_LABELS,
    Flag,
    FlagStatus,
)
from orientamento.risk.models import BAND_LABELS, RiskScore
from orientamento.risk.queries import version_or_404
from orientamento.risk.reasons import reason_lines, version_spec
from orientamento.risk.views import GROUPING_LABELS, number, percent

bp = Blueprint("outreach", __name__)

LABELS = {"channel_labels": CHANNEL_LABELS, "outcome_labels": CONTACT_OUTCOME_LABELS,
          "consent_labels": CONSENT_LABELS, "situation_labels": SITUATION_LABELS}

#: Codes the version overview names, by kind.
OVERVIEW_LABELS: dict[str, Mapping[Any, object]] = {
    "trigger": TRIGGER_LABELS, "decision": DECISION_LABELS, "band": BAND_LABELS,
    "grouping": GROUPING_LABELS,
}


def _queue(status: FlagStatus) -> ResponseReturnValue:
    """One view of the queue, narrowed by the filters in the query string."""
    worker = acting_user()
    municipi = queries.covered_municipi(worker)
    form = QueueFilterForm(request.args, municipi=municipi)
    if not form.validate():
        return render_template("outreach/queue.html", form=form, page=None, status=status,
                               municipi=municipi), 400
    filters = queries.QueueFilter(status=status, trigger=form.trigger.data or "",
                                  band=form.band.data or "", municipio=form.chosen_municipio())
    return render_template("outreach/queue.html", form=form, status=status, municipi=municipi,
                           page=queries.queue(worker, filters))


@bp.get("/")
@role_required(Role.OUTREACH)
def queue() -> ResponseReturnValue:
    """Open flags in the worker's municipi, highest priority first."""
    return _queue(FlagStatus.OPEN)


@bp.get("/deferred")
@role_required(Role.OUTREACH)
def deferred() -> ResponseReturnValue:
    """Flags the worker's team set aside for later."""
    return _queue(FlagStatus.DEFERRED)


def _forms() -> dict[str, FlaskForm]:
    """The flag page's three forms, empty (the contact dated today)."""
    return {"decision_form": DecisionForm(prefix="decision"),
            "contact_form": ContactForm(prefix="contact", today=clock.today(),
                                        contacted_on=clock.today()),
            "outcome_form": OutcomeForm(prefix="outcome")}


def _shown_score(flag: Flag, scores: list[RiskScore]) -> RiskScore | None:
    """The score that raised the flag, else the person's latest actual score."""
    return flag.score or next((s for s in scores if s.probability is not None), None)


def _show(flag: Flag, status: int = 200, **forms: FlaskForm) -> ResponseReturnValue:
    """Render the flag page; ``forms`` replace the empty ones (to show their errors)."""
    scores = queries.person_scores(flag.person_id)
    score = _shown_score(flag, scores)
    reasons = (reason_lines(version_spec(score.version), score.reasons, current_language())
               if score else [])
    outcomes = queries.flag_outcomes(flag)
    contacts = [c for d in flag.decisions for c in d.contacts]
    names = queries.user_names({c.recorded_by_id for c in contacts}
                               | {o.recorded_by_id for o in outcomes})
    return render_template(
        "outreach/flag.html", flag=flag, person=flag.person, score=score, reasons=reasons,
        scores=scores, outcomes=outcomes, contacts=contacts, names=names,
        earlier=queries.earlier_flags(flag), latest=flag.decisions[-1] if flag.decisions else None,
        **LABELS, **(_forms() | forms)), status


@bp.get("/flags/<int:flag_id>")
@writes_on_read  # the view is audited
@role_required(Role.OUTREACH)
def show_flag(flag_id: int) -> ResponseReturnValue:
    """A flag: why, the score and its reasons, the person's history and contact details."""
    worker = acting_user()
    flag = queries.flag_or_404(worker, flag_id)
    services.record_view(worker, flag)
    page = _show(flag)  # before the commit, which would expire what the page loaded
    db.session.commit()
    return page


def _submit(flag_id: int, name: str, form: FlaskForm, act: Callable[[User, Flag], str],
            anchor: str) -> ResponseReturnValue:
    """Validate ``form``, run ``act``, commit, flash its message and redirect to the flag;
    else show the flag again with the errors and nothing written."""
    worker = acting_user()
    flag = queries.flag_or_404(worker, flag_id)
    status = 400
    if form.validate_on_submit():
        try:
            message = act(worker, flag)
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(str(error.message))
            status = error.status_code
            flag = queries.flag_or_404(worker, flag_id)
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("outreach.show_flag", flag_id=flag_id) + anchor)
    return _show(flag, status, **{name: form})


@bp.post("/flags/<int:flag_id>/decide")
@role_required(Role.OUTREACH)
def decide(flag_id: int) -> ResponseReturnValue:
    """Record a decision on a flag: contact, do not contact, or defer."""
    form = DecisionForm(prefix="decision")

    def act(worker: User, flag: Flag) -> str:
        services.decide(worker, flag, form.kind.data or "", form.reason_code.data or "",
                        form.text.data or "", form.agrees.data == "yes")
        return _("Decision recorded.")

    return _submit(flag_id, "decision_form", form, act, "#decisions")


@bp.post("/flags/<int:flag_id>/contacts")
@role_required(Role.OUTREACH)
def log_contact(flag_id: int) -> ResponseReturnValue:
    """Log an attempt to reach the person; a refusal of help opts them out."""
    form = ContactForm(prefix="contact", today=clock.today())

    def act(worker: User, flag: Flag) -> str:
        contact = services.log_contact(worker, flag, form.data_for_service(), clock.today())
        if contact.consent == "refused":
            return _("Contact recorded. The person refused help: their flags are closed and "
                     "they will not be put in the queue again.")
        return _("Contact recorded.")

    return _submit(flag_id, "contact_form", form, act, "#contacts")


@bp.post("/flags/<int:flag_id>/outcomes")
@role_required(Role.OUTREACH)
def record_outcome(flag_id: int) -> ResponseReturnValue:
    """Record where the person stands at a follow-up."""
    form = OutcomeForm(prefix="outcome")

    def act(worker: User, flag: Flag) -> str:
        services.record_outcome(worker, flag, form.months.data, form.situation.data or "",
                                form.note.data or "", clock.today())
        return _("Follow-up outcome recorded.")

    return _submit(flag_id, "outcome_form", form, act, "#outcomes")


# --- a model version's outreach overview (admins) ----------------------------------------------


def _overview_label(kind: str, code: str | None) -> str:
    """The translated label of a code (the code itself when unknown)."""
    return str(OVERVIEW_LABELS[kind].get(code, code or "—"))


@role_required(Role.ADMIN)
def show_version_overview(version_id: int) -> ResponseReturnValue:
    """Flags, decisions, overrides and outcomes of one model version."""
    version = version_or_404(version_id)
    return render_template("outreach/overview.html", version=version,
                           overview=queries.version_overview(version),
                           situations=list(SITUATION_LABELS.items()), number=number,
                           percent=percent, label=_overview_label, MIN_GROUP=queries.MIN_GROUP)


@bp.record_once
def _beside_the_model_card(state: BlueprintSetupState) -> None:
    """Serve the overview at ``/risk/versions/<id>/overview``, beside the model card that
    links to it (its address from before outreach owned it), as an outreach endpoint."""
    state.app.add_url_rule("/risk/versions/<int:version_id>/overview",
                           f"{bp.name}.show_version_overview", show_version_overview)
