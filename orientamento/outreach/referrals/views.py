"""The service operators' side of referrals, on the outreach blueprint (/outreach/referrals/):
their organisation's incoming and past referrals, one referral with the contact details that
travel with it, and the answer, the take-up and the closing."""

from __future__ import annotations

from collections.abc import Callable

from flask import render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.core.access import acting_user, role_required
from orientamento.core.forms import EmptyForm, submitted
from orientamento.core.i18n import current_language
from orientamento.database import audited_read
from orientamento.extensions import db
from orientamento.outreach.blueprint import bp
from orientamento.outreach.contacts import contact_card
from orientamento.outreach.referrals import queries as referral_queries
from orientamento.outreach.referrals import services as referrals
from orientamento.outreach.referrals.forms import CloseReferralForm, DeclineForm, TakeUpForm
from orientamento.outreach.referrals.models import Referral, ReferralStatus


@bp.get("/referrals/")
@role_required(Role.SERVICE_OPERATOR)
def incoming_referrals() -> ResponseReturnValue:
    """Referrals to the operator's organisation waiting for an answer or in progress."""
    return render_template("outreach/referrals.html", live=True,
                           page=referral_queries.incoming(acting_user(), live=True),
                           today=clock.today())


@bp.get("/referrals/past")
@role_required(Role.SERVICE_OPERATOR)
def past_referrals() -> ResponseReturnValue:
    """Referrals the organisation declined or closed, latest first."""
    return render_template("outreach/referrals.html", live=False,
                           page=referral_queries.incoming(acting_user(), live=False),
                           today=clock.today())


def _referral_forms() -> dict[str, FlaskForm]:
    """The referral page's forms, empty."""
    return {"accept_form": EmptyForm(prefix="accept"),
            "decline_form": DeclineForm(prefix="decline"),
            "take_up_form": TakeUpForm(prefix="take-up"),
            "close_form": CloseReferralForm(prefix="close")}


def _show_referral(referral: Referral, status: int = 200,
                   **forms: FlaskForm) -> ResponseReturnValue:
    """Render a referral as its service sees it: the contact details and the note only."""
    chosen = _referral_forms() | forms
    if "take_up_form" not in forms:  # show what is recorded
        chosen["take_up_form"] = TakeUpForm(
            prefix="take-up", first_appointment_on=referral.first_appointment_on,
            took_up={True: "yes", False: "no"}.get(referral.took_up, ""))  # type: ignore[arg-type]
    withdrawn = referral.status == ReferralStatus.WITHDRAWN
    return render_template("outreach/referral.html", referral=referral,
                           card=None if withdrawn else contact_card(referral.flag,
                                                                    current_language()),
                           today=clock.today(), **chosen), status


@bp.get("/referrals/<int:referral_id>")
@role_required(Role.SERVICE_OPERATOR)
def show_referral(referral_id: int) -> ResponseReturnValue:
    """A referral: the service, the person's contact details and the worker's note."""
    operator = acting_user()
    referral = referral_queries.referral_or_404(operator, referral_id)
    return audited_read(db.session(), lambda: _show_referral(referral),
                        lambda: referrals.record_view(operator, referral))


def _answer(referral_id: int, name: str, form: FlaskForm,
            act: Callable[[User, Referral], str]) -> ResponseReturnValue:
    """Submit ``form`` with ``act`` on the referral, then go back to the referral."""
    operator = acting_user()
    referral = referral_queries.referral_or_404(operator, referral_id)
    return submitted(
        form, lambda: act(operator, referral),
        url_for("outreach.show_referral", referral_id=referral_id),
        lambda status: _show_referral(referral_queries.referral_or_404(operator, referral_id),
                                      status, **{name: form}))


@bp.post("/referrals/<int:referral_id>/accept")
@role_required(Role.SERVICE_OPERATOR)
def accept_referral(referral_id: int) -> ResponseReturnValue:
    """Accept a referral: the service will contact the person."""
    def act(operator: User, referral: Referral) -> str:
        referrals.accept(operator, referral, clock.now())
        return _("Referral accepted. Contact the person and record the first appointment.")

    return _answer(referral_id, "accept_form", EmptyForm(prefix="accept"), act)


@bp.post("/referrals/<int:referral_id>/decline")
@role_required(Role.SERVICE_OPERATOR)
def decline_referral(referral_id: int) -> ResponseReturnValue:
    """Decline a referral with a reason; it goes back to the outreach worker."""
    form = DeclineForm(prefix="decline")

    def act(operator: User, referral: Referral) -> str:
        referrals.decline(operator, referral, form.reason.data or "", form.note.data or "",
                          clock.now())
        return _("Referral declined. The outreach worker will see your reason.")

    return _answer(referral_id, "decline_form", form, act)


@bp.post("/referrals/<int:referral_id>/take-up")
@role_required(Role.SERVICE_OPERATOR)
def record_take_up(referral_id: int) -> ResponseReturnValue:
    """Record the first appointment and whether the person came."""
    form = TakeUpForm(prefix="take-up")

    def act(operator: User, referral: Referral) -> str:
        referrals.record_take_up(operator, referral, form.first_appointment_on.data,
                                 form.took_up_value(), clock.today())
        return _("Appointment saved.")

    return _answer(referral_id, "take_up_form", form, act)


@bp.post("/referrals/<int:referral_id>/close")
@role_required(Role.SERVICE_OPERATOR)
def close_referral(referral_id: int) -> ResponseReturnValue:
    """Close an accepted referral with its outcome."""
    form = CloseReferralForm(prefix="close")

    def act(operator: User, referral: Referral) -> str:
        referrals.close(operator, referral, form.outcome.data or "", form.note.data or "",
                        clock.now())
        return _("Referral closed with its outcome.")

    return _answer(referral_id, "close_form", form, act)
