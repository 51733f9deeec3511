"""The service operators' side of referrals, on the outreach blueprint (/outreach/referrals/):
their organisation's incoming and past referrals, one referral with the contact details that
travel with it, and the answer, the take-up and the closing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from flask import render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import LazyString
from flask_wtf import FlaskForm

from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.core.access import acting_user, role_required
from orientamento.core.forms import EmptyForm, submitted
from orientamento.core.i18n import current_language
from orientamento.core.i18n import lazy_gettext as _l
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


class _Answer(NamedTuple):
    """An operator's answer to a referral: the form it posts, the service call it makes with
    the form's values, and what it says when done."""

    form: Callable[[], FlaskForm]
    act: Callable[[User, Referral, Any], object]
    done: LazyString


#: The answers by the name of their form on the referral page (``<name>_form``).
_ANSWERS = {
    "accept": _Answer(
        lambda: EmptyForm(prefix="accept"),
        lambda operator, referral, _form: referrals.accept(operator, referral, clock.now()),
        _l("Referral accepted. Contact the person and record the first appointment.")),
    "decline": _Answer(
        lambda: DeclineForm(prefix="decline"),
        lambda operator, referral, form: referrals.decline(
            operator, referral, form.reason.data or "", form.note.data or "", clock.now()),
        _l("Referral declined. The outreach worker will see your reason.")),
    "take_up": _Answer(
        lambda: TakeUpForm(prefix="take-up"),
        lambda operator, referral, form: referrals.record_take_up(
            operator, referral, form.first_appointment_on.data, form.took_up_value(),
            clock.today()),
        _l("Appointment saved.")),
    "close": _Answer(
        lambda: CloseReferralForm(prefix="close"),
        lambda operator, referral, form: referrals.close(
            operator, referral, form.outcome.data or "", form.note.data or "", clock.now()),
        _l("Referral closed with its outcome.")),
}


def _referral_forms() -> dict[str, FlaskForm]:
    """The referral page's forms, empty."""
    return {f"{name}_form": answer.form() for name, answer in _ANSWERS.items()}


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


def _answer(referral_id: int, name: str) -> ResponseReturnValue:
    """Submit the answer's form on the referral, then go back to the referral."""
    answer, operator = _ANSWERS[name], acting_user()
    form = answer.form()
    referral = referral_queries.referral_or_404(operator, referral_id)

    def act() -> str:
        answer.act(operator, referral, form)
        return str(answer.done)

    return submitted(
        form, act, url_for("outreach.show_referral", referral_id=referral_id),
        lambda status: _show_referral(referral_queries.referral_or_404(operator, referral_id),
                                      status, **{f"{name}_form": form}))


@bp.post("/referrals/<int:referral_id>/accept")
@role_required(Role.SERVICE_OPERATOR)
def accept_referral(referral_id: int) -> ResponseReturnValue:
    """Accept a referral: the service will contact the person."""
    return _answer(referral_id, "accept")


@bp.post("/referrals/<int:referral_id>/decline")
@role_required(Role.SERVICE_OPERATOR)
def decline_referral(referral_id: int) -> ResponseReturnValue:
    """Decline a referral with a reason; it goes back to the outreach worker."""
    return _answer(referral_id, "decline")


@bp.post("/referrals/<int:referral_id>/take-up")
@role_required(Role.SERVICE_OPERATOR)
def record_take_up(referral_id: int) -> ResponseReturnValue:
    """Record the first appointment and whether the person came."""
    return _answer(referral_id, "take_up")


@bp.post("/referrals/<int:referral_id>/close")
@role_required(Role.SERVICE_OPERATOR)
def close_referral(referral_id: int) -> ResponseReturnValue:
    """Close an accepted referral with its outcome."""
    return _answer(referral_id, "close")
