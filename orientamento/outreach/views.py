"""Outreach workers' pages: the queue, a flag with its history, decisions, contacts, outcomes,
referrals made and withdrawn; for admins, a model version's outreach overview; the public
"contact me" form. The service operators' pages are in ``referrals/views.py``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import (
    abort,
    current_app,
    make_response,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf import FlaskForm

from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.core.access import acting_user, public, role_required
from orientamento.core.forms import EmptyForm, submitted
from orientamento.core.i18n import LazyText, current_language
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.database import audited_read
from orientamento.extensions import db, limiter
from orientamento.outreach import overview, queries, self_referrals, services
from orientamento.outreach.blueprint import bp
from orientamento.outreach.calls.measures import CONTACT_DEADLINES, campaign_measures
from orientamento.outreach.contacts import contact_card
from orientamento.outreach.forms import (
    CONSENT_LABELS,
    AssignForm,
    ContactForm,
    DecisionForm,
    OutcomeForm,
    QueueFilterForm,
    SelfReferralForm,
)
from orientamento.outreach.models import (
    CHANNEL_LABELS,
    SITUATION_LABELS,
    DecisionKind,
    Flag,
    FlagStatus,
    Trigger,
)
from orientamento.outreach.referrals import queries as referral_queries
from orientamento.outreach.referrals import services as referrals
from orientamento.outreach.referrals.forms import ReferralForm, WithdrawReferralForm
from orientamento.risk.models import Band, RiskScore
from orientamento.risk.queries import version_or_404
from orientamento.risk.reasons import reason_lines, version_spec
from orientamento.risk.views import GROUPING_LABELS, number, percent

LABELS = {"channel_labels": CHANNEL_LABELS, "consent_labels": CONSENT_LABELS,
          "situation_labels": SITUATION_LABELS}

#: Codes the version overview names, by kind.
OVERVIEW_LABELS: dict[str, Mapping[Any, object]] = {
    "trigger": Trigger.labels(), "decision": DecisionKind.labels(), "band": Band.labels(),
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
                                  band=form.band.data or "", municipio=form.chosen_municipio(),
                                  assigned=form.assigned.data or "")
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


def _referral_form(**values: Any) -> ReferralForm:
    return ReferralForm(prefix="referral", services=referral_queries.referable_services(),
                        today=clock.today(), **values)


@bp.get("/mine")
@role_required(Role.OUTREACH)
def my_cases() -> ResponseReturnValue:
    """The open and deferred flags assigned to the worker."""
    return render_template("outreach/mine.html", page=queries.my_cases(acting_user()))


@dataclass(frozen=True)
class FlagAction:
    """An action of the flag page whose form opens on demand: htmx puts the form in the page
    in place of its button, and without JavaScript the button is a link to the form's page.
    A form is rendered only where it is used: on every view of the flag page the four forms
    were a third of its rendering."""

    name: str  #: the form's prefix; the flag page's template takes it as ``<name>_form``
    path: str  #: under the flag's address: the form's page (GET) and its POST
    title: LazyText
    anchor: str  #: the flag page's section
    empty: Callable[[], FlaskForm]  #: the form as the page first shows it

    @property
    def heading_id(self) -> str:
        return f"{self.name}-heading"


ACTIONS = {action.path: action for action in (
    FlagAction("decision", "decide", _l("Record a decision"), "decisions",
               lambda: DecisionForm(prefix="decision")),
    FlagAction("contact", "contacts", _l("Log a contact"), "contacts",
               lambda: ContactForm(prefix="contact", today=clock.today(),
                                   contacted_on=clock.today())),
    FlagAction("outcome", "outcomes", _l("Record a follow-up"), "outcomes",
               lambda: OutcomeForm(prefix="outcome")),
    FlagAction("referral", "referrals", _l("Refer to services"), "referrals",
               lambda: _referral_form(consent_on=clock.today())),
)}
#: The same actions by name, as the flag page's template reaches them.
ACTIONS_BY_NAME = {action.name: action for action in ACTIONS.values()}
#: The flag page with every action a button (no form open).
_CLOSED_FORMS: dict[str, FlaskForm | None] = {f"{name}_form": None for name in ACTIONS_BY_NAME}


def _available(flag: Flag) -> dict[str, bool]:
    """Which actions the flag takes now, by name: a decision while it is open; a contact and
    a referral once the latest decision is to contact a person who has not refused help; a
    follow-up always."""
    may_refer = referrals.may_refer(flag)
    return {"decision": flag.status != FlagStatus.CLOSED, "contact": may_refer,
            "referral": may_refer, "outcome": True}


def _assign_form(flag: Flag, **values: Any) -> AssignForm:
    return AssignForm(prefix="assign", team=queries.team(flag.municipio), **values)


def _shown_score(flag: Flag, scores: list[RiskScore]) -> RiskScore | None:
    """The score that raised the flag, else the person's latest actual score."""
    return flag.score or next((s for s in scores if s.probability is not None), None)


def _show(flag: Flag, status: int = 200, **forms: FlaskForm) -> ResponseReturnValue:
    """Render the flag page; ``forms`` are the actions' forms to show open, with their
    errors (the others are buttons that open them)."""
    scores = queries.person_scores(flag.person_id) if flag.person_id is not None else []
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
        card=contact_card(flag, current_language()), today=clock.today(),
        available=_available(flag), actions=ACTIONS_BY_NAME, **LABELS,
        **(_CLOSED_FORMS
           | {"withdraw_form": WithdrawReferralForm(prefix="withdraw"),
              "erase_form": EmptyForm(prefix="erase"),
              "assign_form": _assign_form(flag, assignee=str(flag.assigned_to_id or ""))}
           | forms)), status


@bp.get("/flags/<int:flag_id>")
@role_required(Role.OUTREACH)
def show_flag(flag_id: int) -> ResponseReturnValue:
    """A flag: why, the score and its reasons, the person's history and contact details
    (every view audited); ``?open=<action's path>`` shows that action's form open (where a
    call that reached the person leads: to the referral)."""
    worker = acting_user()
    flag = queries.flag_or_404(worker, flag_id)
    opened = ACTIONS.get(request.args.get("open", ""))
    forms = ({f"{opened.name}_form": opened.empty()}
             if opened is not None and _available(flag)[opened.name] else {})
    return audited_read(db.session(), lambda: _show(flag, **forms),
                        lambda: services.record_view(worker, flag))


@bp.get("/flags/<int:flag_id>/<any(decide, contacts, outcomes, referrals):action_path>")
@role_required(Role.OUTREACH)
def open_action(flag_id: int, action_path: str) -> ResponseReturnValue:
    """An action's form, empty: for htmx the card that takes the button's place in the flag
    page, else a page of its own. It shows no more of the person than the queue does (whom
    the flag is about), so it is not audited as the flag page is. An action the flag no
    longer takes (another worker closed it meanwhile): 409, and htmx reloads the flag page,
    which says why."""
    flag = queries.flag_or_404(acting_user(), flag_id)
    action = ACTIONS[action_path]
    available = _available(flag)[action.name]
    fragment = bool(request.headers.get("HX-Request"))
    if fragment and not available:
        response = make_response("", 409, {"HX-Refresh": "true"})
    else:
        response = make_response(render_template(
            "outreach/_action.html" if fragment else "outreach/action.html", flag=flag,
            action=action, form=action.empty() if available else None),
            200 if available else 409)
    response.vary.add("HX-Request")
    return response


def _submit(flag_id: int, name: str, form: FlaskForm, act: Callable[[User, Flag], str],
            anchor: str, to: str | None = None) -> ResponseReturnValue:
    """Submit ``form`` with ``act`` on the flag, then go back to the flag at ``anchor`` (or
    to ``to``)."""
    worker = acting_user()
    flag = queries.flag_or_404(worker, flag_id)
    return submitted(form, lambda: act(worker, flag),
                     to or url_for("outreach.show_flag", flag_id=flag_id) + anchor,
                     lambda status: _show(queries.flag_or_404(worker, flag_id), status,
                                          **{name: form}))


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


@bp.post("/flags/<int:flag_id>/assign")
@role_required(Role.OUTREACH)
def assign(flag_id: int) -> ResponseReturnValue:
    """Give the flag to a worker of the team, or back to the team."""
    worker = acting_user()
    form = _assign_form(queries.flag_or_404(worker, flag_id))

    def act(worker: User, flag: Flag) -> str:
        assignee = services.assign(worker, flag, form.assignee_id())
        if assignee is None:
            return _("The flag is back with the team.")
        return _("The flag is now assigned to %(name)s.", name=assignee.display_name)

    return _submit(flag_id, "assign_form", form, act, "#assignment")


@bp.post("/flags/<int:flag_id>/erase")
@role_required(Role.OUTREACH)
def erase_self_referral(flag_id: int) -> ResponseReturnValue:
    """Erase a self-referral and everything recorded on it, at the person's request."""

    def act(worker: User, flag: Flag) -> str:
        self_referrals.erase_self_referral(worker, flag)
        return _("The request and everything recorded on it are erased.")

    return _submit(flag_id, "erase_form", EmptyForm(prefix="erase"), act, "",
                   to=url_for("outreach.queue"))


@bp.post("/flags/<int:flag_id>/referrals")
@role_required(Role.OUTREACH)
def refer(flag_id: int) -> ResponseReturnValue:
    """Refer the person to services, with their consent and a note for the service."""
    form = _referral_form()

    def act(worker: User, flag: Flag) -> str:
        made = referrals.refer(worker, flag, form.data_for_service(), clock.today(),
                               current_app.config["REFERRAL_ANSWER_WORKING_DAYS"])
        return ngettext("Referral sent to %(num)d service.", "Referral sent to %(num)d services.",
                        len(made))

    return _submit(flag_id, "referral_form", form, act, "#referrals")


@bp.post("/flags/<int:flag_id>/referrals/<int:referral_id>/withdraw")
@role_required(Role.OUTREACH)
def withdraw_referral(flag_id: int, referral_id: int) -> ResponseReturnValue:
    """Withdraw a referral of the flag that the service is still to answer or working on."""
    form = WithdrawReferralForm(prefix="withdraw")

    def act(worker: User, flag: Flag) -> str:
        referral = next((r for r in flag.referrals if r.id == referral_id), None)
        if referral is None:
            abort(404)
        referrals.withdraw(worker, referral, form.reason.data or "", clock.now())
        return _("Referral withdrawn: the service no longer sees the person's contact details.")

    return _submit(flag_id, "withdraw_form", form, act, "#referrals")


# --- a model version's outreach overview (admins) ----------------------------------------------


def _overview_label(kind: str, code: str | None) -> str:
    """The translated label of a code (the code itself when unknown)."""
    return str(OVERVIEW_LABELS[kind].get(code, code or "—"))


@role_required(Role.ADMIN)
def show_version_overview(version_id: int) -> ResponseReturnValue:
    """Flags, decisions, overrides and outcomes of one model version."""
    version = version_or_404(version_id)
    return render_template("outreach/overview.html", version=version,
                           overview=overview.version_overview(version),
                           situations=list(SITUATION_LABELS.items()), number=number,
                           percent=percent, label=_overview_label, MIN_GROUP=overview.MIN_GROUP,
                           campaign=campaign_measures(clock.today()),
                           deadlines=CONTACT_DEADLINES)


# --- "contact me" on the public page of support services --------------------------------------


@public
@limiter.limit(lambda: current_app.config["SELF_REFERRAL_RATE_LIMIT"], methods=["POST"])
def contact_me() -> ResponseReturnValue:
    """A young person asks, without an account, to be contacted by their municipio's team."""
    form = SelfReferralForm(language=current_language())

    def act() -> str:
        if not form.is_spam():  # a program gets the same answer and nothing is stored
            self_referrals.refer_oneself(form.data_for_service(), clock.now())
        return _("Thank you: your request has reached the outreach team of your municipio. "
                 "Someone will contact you within a few working days.")

    return submitted(form, act, url_for("support.find_help"),
                     lambda status: (render_template("outreach/contact_me.html", form=form),
                                     status))


@bp.record_once
def _beside_the_model_card(state: BlueprintSetupState) -> None:
    """Serve the overview at ``/risk/versions/<id>/overview``, beside the model card that
    links to it (its address from before outreach owned it), as an outreach endpoint; and the
    "contact me" form at ``/support/contact-me``, beside the public page of services."""
    state.app.add_url_rule("/risk/versions/<int:version_id>/overview",
                           f"{bp.name}.show_version_overview", show_version_overview)
    state.app.add_url_rule("/support/contact-me", f"{bp.name}.contact_me", contact_me,
                           methods=["GET", "POST"])

