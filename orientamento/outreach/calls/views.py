"""The call campaign's pages, on the outreach blueprint: the day's call list, one call (the
script in the person's language and the outcome), and recording the outcome; a reached person
goes straight to the flag's referral form."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from orientamento.auth.models import Role
from orientamento.core import clock
from orientamento.core.access import acting_user, role_required
from orientamento.core.errors import NotFound
from orientamento.core.forms import form_status, refusal_shown_on
from orientamento.core.i18n import current_language
from orientamento.core.i18n import lazy_gettext as _l
from orientamento.database import audited_read
from orientamento.extensions import db
from orientamento.outreach import queries, services
from orientamento.outreach.blueprint import bp
from orientamento.outreach.calls import queries as call_queries
from orientamento.outreach.calls import script
from orientamento.outreach.calls import services as call_services
from orientamento.outreach.calls.forms import CallAttemptForm
from orientamento.outreach.calls.models import CallOutcome
from orientamento.outreach.contacts import contact_card
from orientamento.outreach.models import Flag, Trigger


@bp.get("/calls")
@role_required(Role.OUTREACH)
def call_list() -> ResponseReturnValue:
    """Today's calls: contract-ended flags due for a call, longest-ended first."""
    today = clock.today()
    page, entries = call_queries.call_list(acting_user(), today)
    return render_template("outreach/calls.html", page=page, entries=entries, today=today,
                           window=call_queries.WINDOW_CLOSES_AFTER)


def _show_call(flag: Flag, form: CallAttemptForm, status: int = 200) -> ResponseReturnValue:
    contact = flag.person.contact if flag.person else None
    language = contact.language if contact else None
    attempts = call_queries.call_attempts(flag)
    ended = call_queries.contract_ended_on(flag)
    return render_template(
        "outreach/call.html", flag=flag, form=form, attempts=attempts,
        card=contact_card(flag, current_language()), ended_on=ended,
        days_since_end=(clock.today() - ended).days, window=call_queries.WINDOW_CLOSES_AFTER,
        script=script.call_script(language), script_language=script.script_language(language),
        person_language=language), status


@bp.get("/calls/<int:flag_id>")
@role_required(Role.OUTREACH)
def show_call(flag_id: int) -> ResponseReturnValue:
    """One call: who to ask for, the number, the script in their language, the outcome form;
    a flag of another trigger is not in the campaign: its own page instead."""
    flag = queries.flag_or_404(acting_user(), flag_id)
    if flag.trigger != Trigger.CONTRACT_ENDED:
        return redirect(url_for("outreach.show_flag", flag_id=flag_id))
    # Audited: it shows contact details.
    return audited_read(db.session(), lambda: _show_call(flag, CallAttemptForm(prefix="call")),
                        lambda: services.record_view(acting_user(), flag))


@bp.post("/calls/<int:flag_id>")
@role_required(Role.OUTREACH)
def record_call(flag_id: int) -> ResponseReturnValue:
    """Record a call's outcome; reached goes on to the referral form, the rest to the list."""
    flag = queries.flag_or_404(acting_user(), flag_id)
    if flag.trigger != Trigger.CONTRACT_ENDED:
        raise NotFound(_l("No such call in your municipi."))
    form = CallAttemptForm(prefix="call")
    if form.validate_on_submit():
        with refusal_shown_on(form):
            attempt = call_services.record_attempt(acting_user(), flag, form.data_for_service(),
                                                   clock.now())
            db.session.commit()
            if attempt.outcome == CallOutcome.REACHED:
                flash(_("Call recorded. Now refer the person, with their consent."), "success")
                return redirect(url_for("outreach.show_flag", flag_id=flag_id,
                                       open="referrals") + "#referrals")
            flash(_("Call recorded."), "success")
            return redirect(url_for("outreach.call_list"))
        flag = queries.flag_or_404(acting_user(), flag_id)  # afresh after the rollback
    return _show_call(flag, form, form_status(form))
