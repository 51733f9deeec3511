"""Peer-visit pages: availability, browsing, requests and answers, the admin's school holidays.

The blueprint is mounted under ``/events`` (the pages' addresses predate the feature's own
package); a confirmed visit's page links to its event's pages, which belong to events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from orientamento.auth.models import Role, User
from orientamento.core import clock
from orientamento.core.access import acting_user, role_required
from orientamento.core.errors import DomainError
from orientamento.core.forms import (
    EmptyForm,
    button_pressed,
    form_status,
    refusal_shown_on,
    validated,
)
from orientamento.courses.queries import places
from orientamento.events.forms import ReasonForm, forget_bad_dates
from orientamento.events.queries import provider_course_choices, school_classes
from orientamento.extensions import db
from orientamento.visits import queries, school_calendar
from orientamento.visits.forms import (
    BlockDayForm,
    ConfirmVisitForm,
    HolidayForm,
    ProposeTimeForm,
    SchoolCalendarForm,
    WindowForm,
    WindowSearchForm,
    visit_request_form,
)
from orientamento.visits.models import SchoolHoliday, VisitRequest
from orientamento.visits.school_calendar import CalendarReport
from orientamento.visits.services import availability, visit_requests

bp = Blueprint("visits", __name__)


def _window_form() -> WindowForm:
    provider_id = acting_user().provider_id
    return WindowForm(ambassadors=queries.provider_staff_choices(provider_id),
                      courses=provider_course_choices(provider_id), places=places())


@bp.route("/availability", methods=["GET", "POST"])
@role_required(Role.PROVIDER)
def manage_availability() -> ResponseReturnValue:
    """A provider's visit windows, the form to publish more, and blocked days."""
    user = acting_user()
    form = _window_form()
    if form.validate_on_submit():
        plan = availability.WindowPlan(
            first_day=form.first_day.data, last_day=form.last_day.data,
            weekdays=form.weekdays.data or [], start=form.start.data, end=form.end.data,
            mode=form.mode.data or "both", max_visits=form.max_visits.data or 1,
            ambassador_ids=form.ambassadors.data or [], course_ids=form.courses.data or [],
            place_codes=form.places.data or [], note=form.note.data or "")
        with refusal_shown_on(form):
            published = availability.publish_windows(user.provider, plan, clock.today())
            db.session.commit()
            flash(_("%(count)s windows published.", count=len(published.windows)), "success")
            for day, reason in sorted(published.skipped.items()):
                flash(_("Skipped %(day)s: %(reason)s.", day=day.isoformat(), reason=reason),
                      "info")
            return redirect(url_for("visits.manage_availability"))
    blocked = queries.blocked_days(user.provider_id, clock.today())
    status = form_status(form)
    return render_template("visits/availability.html", form=form,
                           block_form=BlockDayForm(prefix="block"),
                           page=queries.provider_windows(user.provider_id, clock.now()),
                           blocked=blocked, empty_form=EmptyForm()), status


@bp.post("/availability/<int:window_id>/withdraw")
@role_required(Role.PROVIDER)
def withdraw_window(window_id: int) -> ResponseReturnValue:
    """Withdraw a window no school has asked for."""
    window = queries.window_or_404(window_id)
    return button_pressed(lambda: availability.withdraw_window(acting_user().provider, window),
                          _("Availability withdrawn."), url_for("visits.manage_availability"))


@bp.post("/availability/blocked")
@role_required(Role.PROVIDER)
def block_day() -> ResponseReturnValue:
    """Block a day; free windows on it are withdrawn."""
    form = validated(BlockDayForm(prefix="block"), _("Choose a day."))
    removed = availability.block_day(acting_user().provider, form.day.data,
                                     form.reason.data or "", clock.today())
    db.session.commit()
    flash(_("Day blocked; %(count)s free windows withdrawn.", count=removed), "success")
    return redirect(url_for("visits.manage_availability"))


@bp.post("/availability/unblock")
@role_required(Role.PROVIDER)
def unblock_day() -> ResponseReturnValue:
    """Make a blocked day available again."""
    form = validated(BlockDayForm(), _("Choose a day."))
    availability.unblock_day(acting_user().provider, form.day.data)
    db.session.commit()
    flash(_("The day is available again."), "success")
    return redirect(url_for("visits.manage_availability"))


@bp.get("/visits/browse")
@role_required(Role.COUNSELLOR)
def browse_windows() -> ResponseReturnValue:
    """Providers' availability for the counsellor's school."""
    form = WindowSearchForm(request.args)
    school = acting_user().school
    if not form.validate():
        forget_bad_dates(form)
        return render_template("visits/browse.html", form=form, page=None, km={}), 400
    filters = queries.WindowFilter(area=form.area.data or "", mode=form.mode.data or "",
                                   from_day=form.from_day.data, to_day=form.to_day.data,
                                   km=form.km.data)
    page = queries.windows_for_school(school, filters, clock.now())
    km = queries.provider_distances(school, {w.provider_id for w in page.items})
    return render_template("visits/browse.html", form=form, page=page, km=km)


@bp.route("/visits/windows/<int:window_id>/request", methods=["GET", "POST"])
@role_required(Role.COUNSELLOR)
def request_visit(window_id: int) -> ResponseReturnValue:
    """Ask for a visit in a window for some classes."""
    window = queries.window_or_404(window_id)
    user = acting_user()
    classes = school_classes(user.school_id)
    form = visit_request_form(classes, window,
                              request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        local_day = clock.rome_local(window.starts_at).date()
        with refusal_shown_on(form):
            visit = visit_requests.request_visit(
                user, window, form.pupils_by_class(), form.mode.data or "",
                clock.rome_datetime(local_day, form.start.data),
                clock.rome_datetime(local_day, form.end.data),
                form.message.data or "")
            db.session.commit()
            flash(_("Request sent. The provider will answer here and by e-mail."), "success")
            return redirect(url_for("visits.show_visit", visit_id=visit.id))
    status = form_status(form)
    return render_template("visits/request.html", form=form, window=window,
                           classes=classes), status


@bp.get("/visits")
@role_required(Role.COUNSELLOR, Role.PROVIDER)
def list_visits() -> ResponseReturnValue:
    """Visit requests: a school's outgoing or a provider's incoming."""
    return render_template("visits/visits.html", page=queries.visit_requests(acting_user()))


def _visit_forms(provider_id: int) -> dict[str, Any]:
    staff = queries.provider_staff_choices(provider_id)
    return {"confirm_form": ConfirmVisitForm(ambassadors=staff, prefix="confirm"),
            "propose_form": ProposeTimeForm(ambassadors=staff, prefix="propose"),
            "decline_form": ReasonForm(prefix="decline"),
            "cancel_form": ReasonForm(prefix="cancel"), "empty_form": EmptyForm()}


def _show_visit(visit: VisitRequest, status: int = 200) -> ResponseReturnValue:
    return render_template("visits/visit.html", visit=visit, now=clock.now(),
                           **_visit_forms(visit.provider_id)), status


@bp.get("/visits/<int:visit_id>")
@role_required(Role.COUNSELLOR, Role.PROVIDER)
def show_visit(visit_id: int) -> ResponseReturnValue:
    """A visit request with what each side can do next."""
    return _show_visit(queries.visit_or_404(acting_user(), visit_id))


def _answer(visit_id: int, act: Callable[[User, VisitRequest], str]) -> ResponseReturnValue:
    """Run one answer to a visit request; a refusal shows the request again with the reason."""
    user = acting_user()
    visit = queries.visit_or_404(user, visit_id)
    try:
        message = act(user, visit)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
        return _show_visit(queries.visit_or_404(user, visit_id), error.status_code)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("visits.show_visit", visit_id=visit_id))


@bp.post("/visits/<int:visit_id>/confirm")
@role_required(Role.COUNSELLOR, Role.PROVIDER)
def confirm_visit(visit_id: int) -> ResponseReturnValue:
    """Confirm a request (provider, naming ambassadors) or accept the proposed time (school)."""

    def act(user: User, visit: VisitRequest) -> str:
        if user.role == Role.PROVIDER:
            form = validated(ConfirmVisitForm(ambassadors=queries.provider_staff_choices(
                visit.provider_id), prefix="confirm"), _("Choose at least one ambassador."))
            visit_requests.confirm_visit(user, visit, form.ambassadors.data or [],
                                         form.reply.data or "")
        else:
            validated(EmptyForm())
            visit_requests.confirm_visit(user, visit, [])
        return _("Visit confirmed: it is now in everyone's calendar.")

    return _answer(visit_id, act)


@bp.post("/visits/<int:visit_id>/propose")
@role_required(Role.COUNSELLOR, Role.PROVIDER)
def propose_time(visit_id: int) -> ResponseReturnValue:
    """Propose another time."""

    def act(user: User, visit: VisitRequest) -> str:
        form = validated(ProposeTimeForm(ambassadors=queries.provider_staff_choices(
            visit.provider_id), prefix="propose"), _("Give a day, a start and an end."))
        starts, ends = form.times()
        visit_requests.propose_time(user, visit, starts, ends, form.reply.data or "",
                            form.ambassadors.data or [])
        return _("New time proposed.")

    return _answer(visit_id, act)


def _with_reason(visit_id: int, prefix: str, end: Callable[[User, VisitRequest, str], object],
                 message: str) -> ResponseReturnValue:
    """Answer a visit request with ``end`` and the reason given in the form ``prefix``."""

    def act(user: User, visit: VisitRequest) -> str:
        end(user, visit,
            validated(ReasonForm(prefix=prefix), _("Give a reason.")).reason.data or "")
        return message

    return _answer(visit_id, act)


@bp.post("/visits/<int:visit_id>/decline")
@role_required(Role.PROVIDER)
def decline_visit(visit_id: int) -> ResponseReturnValue:
    """Decline a request with a reason."""
    return _with_reason(visit_id, "decline", visit_requests.decline_visit,
                        _("Request declined."))


@bp.post("/visits/<int:visit_id>/cancel")
@role_required(Role.COUNSELLOR, Role.PROVIDER)
def cancel_visit(visit_id: int) -> ResponseReturnValue:
    """Cancel a request or a confirmed visit, with a reason."""
    return _with_reason(visit_id, "cancel", visit_requests.cancel_visit,
                        _("Cancelled; everyone involved is told."))


def _holidays_page(form: HolidayForm, calendar_form: SchoolCalendarForm,
                   report: CalendarReport | None = None, status: int = 200
                   ) -> ResponseReturnValue:
    return render_template("visits/holidays.html", form=form, calendar_form=calendar_form,
                           report=report, years=queries.holidays_by_school_year(),
                           empty_form=EmptyForm()), status


@bp.route("/holidays", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def school_holidays() -> ResponseReturnValue:
    """School holidays by school year: no visit is offered on these days."""
    form = HolidayForm()
    if form.validate_on_submit():
        with refusal_shown_on(form):
            removed = availability.add_school_holiday(form.name.data or "",
                                                      form.first_day.data, form.last_day.data)
            db.session.commit()
            flash(_("Holiday saved; %(count)s free windows withdrawn.", count=removed),
                  "success")
            return redirect(url_for("visits.school_holidays"))
    return _holidays_page(form, SchoolCalendarForm(formdata=None), status=form_status(form))


@bp.post("/holidays/import")
@role_required(Role.ADMIN)
def import_holidays() -> ResponseReturnValue:
    """Import the regional school calendar (CSV or iCalendar), all or nothing."""
    calendar_form = SchoolCalendarForm()
    if not calendar_form.validate_on_submit():
        return _holidays_page(HolidayForm(formdata=None), calendar_form, status=400)
    upload = calendar_form.file.data
    report = availability.import_school_calendar(
        upload.read(school_calendar.MAX_CALENDAR_BYTES + 1), upload.filename or "")
    if not report.ok:
        db.session.rollback()
        return _holidays_page(HolidayForm(formdata=None), calendar_form, report, 422)
    db.session.commit()
    flash(_("School calendar imported for %(years)s: %(periods)s periods, replacing "
            "%(replaced)s earlier ones; %(count)s free windows withdrawn.",
            years=", ".join(report.school_years), periods=len(report.periods),
            replaced=report.replaced, count=report.withdrawn), "success")
    return redirect(url_for("visits.school_holidays"))


@bp.post("/holidays/<int:holiday_id>/delete")
@role_required(Role.ADMIN)
def delete_holiday(holiday_id: int) -> ResponseReturnValue:
    """Remove a school holiday period."""
    holiday = db.get_or_404(SchoolHoliday, holiday_id)
    return button_pressed(lambda: availability.remove_school_holiday(holiday),
                          _("Holiday removed."), url_for("visits.school_holidays"))
